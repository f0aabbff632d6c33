import Foundation
import PhalanxCore
import Synchronization

/// The local safety agent: scans each request, decides under the policy and the ladder, and issues a receipt.
///
/// Decisions are local and immediate — a high-confidence violation is blocked without asking anyone (seed 001).
/// The federation reaches the agent only through signed messages: the ``FederationAgentPolicy`` that bounds its
/// thresholds, A-commands that move it on the ladder, and heartbeats whose absence triggers the fallback.
///
/// Everything the agent must record (receipts, ladder moves, customisations) is queued in order and taken by
/// ``drainAuditEvents()``, which the service writes to the audit ledger in batches.
public final class SafetyAgent: Sendable {
    public struct Configuration: Sendable {
        public var agent: ParticipantID
        public var policy: AgentPolicy
        public var federation: FederationAgentPolicy?
        public var model: (any AttackModel)?
        /// Keys whose signed commands and heartbeats the agent accepts (the control plane's, the operators').
        public var trusted: FederationRoster
        /// Who may lift a suspension.
        public var operators: Set<ParticipantID>
        /// Keys whose heartbeats (only) count as contact: the organization's node, which sends one every tick it
        /// hears from the control plane. They cannot sign commands.
        public var heartbeatRelays: FederationRoster?

        public init(
            agent: ParticipantID, policy: AgentPolicy, federation: FederationAgentPolicy? = nil,
            model: (any AttackModel)? = nil, trusted: FederationRoster, operators: Set<ParticipantID> = [],
            heartbeatRelays: FederationRoster? = nil
        ) {
            self.agent = agent
            self.policy = policy
            self.federation = federation
            self.model = model
            self.trusted = trusted
            self.operators = operators
            self.heartbeatRelays = heartbeatRelays
        }
    }

    public let configuration: Configuration
    public let scanner: SafetyScanner
    private let state: Mutex<State>

    struct State: Sendable {
        var engine: PolicyEngine
        var policyDigest: String
        var ladder = AgentLadder()
        var chain = ReceiptChain()
        var pending: [AgentAuditEvent] = []
        var tick: UInt64 = 0
    }

    /// Refuses a policy whose thresholds lie outside the federation's signed ranges; records the customisations of
    /// one that lies inside.
    public init(_ configuration: Configuration, chain: ReceiptChain = ReceiptChain()) throws(AgentPolicyError) {
        if let federation = configuration.federation,
            let problem = federation.violations(of: configuration.policy).first
        {
            throw AgentPolicyError(file: configuration.policy.name, line: nil, message: problem)
        }
        self.configuration = configuration
        scanner = SafetyScanner(model: configuration.model)
        var state = State(
            engine: PolicyEngine(policy: configuration.policy, federation: configuration.federation),
            policyDigest: Self.digest(of: configuration.policy))
        state.chain = chain
        for custom in configuration.federation?.customisations(of: configuration.policy) ?? [] {
            state.pending.append(
                .thresholdCustomised(
                    category: custom.category, federation: custom.federation, previous: custom.federation,
                    value: custom.local, by: "policy \(configuration.policy.name)"))
        }
        self.state = Mutex(state)
    }

    public var mode: AgentMode { state.withLock { $0.ladder.mode } }
    public var policy: AgentPolicy { state.withLock { $0.engine.policy } }
    public var inFallback: Bool { state.withLock { $0.ladder.inFallback } }
    public var receiptHead: String { state.withLock { $0.chain.head } }

    /// Scans `request`, decides, and issues the receipt.
    public func decide(_ request: ScanRequest, nowMs: Int64) -> AgentDecision {
        let scan = scanner.scan(request)
        return state.withLock { state in
            let mode = state.ladder.mode
            let outcome = state.engine.evaluate(request, scan: scan, mode: mode)
            let engine = state.engine
            let present = scan.scores.filter { $0.value >= engine.threshold($0.key, mode: mode) }
                .sorted { ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue) }.map(\.key.rawValue)
            let receipt = state.chain.append { sequence, previous in
                DecisionReceipt(
                    sequence: sequence, agent: configuration.agent.rawValue, timestampMs: nowMs,
                    direction: request.direction, source: request.source, action: request.action,
                    principal: request.principal, textDigest: scan.textDigest, verdict: outcome.verdict,
                    ruleId: outcome.ruleId, reason: outcome.reason, mode: mode,
                    scores: Dictionary(
                        uniqueKeysWithValues: scan.scores.filter { $0.value > 0 }.map { ($0.key.rawValue, $0.value) }),
                    present: present, modelVersion: configuration.model?.modelVersion, policyDigest: state.policyDigest,
                    previous: previous)
            }
            state.pending.append(.receipt(receipt))
            let redacted =
                outcome.verdict == .redact
                ? Self.redact(request.text, scan: scan, categories: outcome.matchedCategories) : nil
            return AgentDecision(
                verdict: outcome.verdict, ruleId: outcome.ruleId, reason: outcome.reason, mode: mode,
                matchedCategories: outcome.matchedCategories, scan: scan,
                redactedText: redacted, keepText: outcome.keepText, receipt: receipt)
        }
    }

    /// Applies a signed ladder command; returns the acknowledgement (to be signed by the caller's identity).
    public func apply(_ command: Signed<ACommand>, nowMs: Int64) -> CommandAck {
        state.withLock { state in
            let (ack, transition) = state.ladder.apply(
                command, trusted: configuration.trusted, operators: configuration.operators,
                agent: configuration.agent, tick: state.tick, nowMs: nowMs)
            if let transition {
                state.pending.append(.modeChanged(from: transition.from, to: transition.to, cause: transition.cause))
            }
            return ack
        }
    }

    /// Accepts a signed heartbeat from the control plane (or the node relaying it): contact, which ends a fallback.
    public func heartbeat(_ envelope: Signed<ControlHeartbeat>) throws(SignatureError) {
        if let relays = configuration.heartbeatRelays, relays.identity(for: envelope.signer) != nil {
            _ = try envelope.verify(with: relays)
        } else {
            _ = try envelope.verify(with: configuration.trusted)
        }
        state.withLock { state in
            if let transition = state.ladder.contact(tick: state.tick) {
                state.pending.append(.modeChanged(from: transition.from, to: transition.to, cause: transition.cause))
            }
        }
    }

    /// Advances the agent's tick (1 Hz in `agent serve`); falls back when the control plane has been silent for the
    /// federation's `fallbackAfterTicks`. Without a federation policy there is no control plane to lose.
    @discardableResult
    public func tick() -> AgentLadder.Transition? {
        state.withLock { state in
            state.tick += 1
            guard let after = configuration.federation?.fallbackAfterTicks else { return nil }
            let transition = state.ladder.tick(state.tick, fallbackAfterTicks: after)
            if let transition {
                state.pending.append(.modeChanged(from: transition.from, to: transition.to, cause: transition.cause))
            }
            return transition
        }
    }

    /// Sets one threshold, within the federation's range; the change is audited.
    public func setThreshold(_ category: SafetyCategory, to value: Double, by who: String) throws(AgentPolicyError) {
        try state.withLock { (state: inout State) throws(AgentPolicyError) in
            var policy = state.engine.policy
            let previous = policy.threshold(category)
            policy.thresholds[category] = value
            guard value.isFinite, (0...1).contains(value) else {
                throw AgentPolicyError(file: policy.name, line: nil, message: "a threshold is a score from 0 to 1")
            }
            if let federation = configuration.federation, let problem = federation.violations(of: policy).first {
                throw AgentPolicyError(file: policy.name, line: nil, message: problem)
            }
            state.engine = PolicyEngine(policy: policy, federation: configuration.federation)
            state.policyDigest = Self.digest(of: policy)
            state.pending.append(
                .thresholdCustomised(
                    category: category, federation: configuration.federation?.range(category)?.maximum ?? previous,
                    previous: previous, value: value, by: who))
        }
    }

    /// The audit events queued since the last call, oldest first.
    public func drainAuditEvents() -> [AgentAuditEvent] {
        state.withLock { state in
            defer { state.pending.removeAll(keepingCapacity: true) }
            return state.pending
        }
    }

    static func digest(of policy: AgentPolicy) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(policy)).map { [UInt8]($0) } ?? []
        return SHA256Digest.of(bytes).hex
    }

    /// The normalized text with the spans of the findings in `categories` replaced by `[REDACTED:category]`.
    static func redact(_ text: String, scan: ScanResult, categories: [SafetyCategory]) -> String {
        let normalized = Array(NormalizedText(text).text.utf8)
        let spans = scan.findings.filter { categories.contains($0.category) && $0.span.count < normalized.count }
            .sorted { $0.span.lowerBound < $1.span.lowerBound }
        var output: [UInt8] = []
        var cursor = 0
        for finding in spans where finding.span.lowerBound >= cursor && finding.span.upperBound <= normalized.count {
            output += normalized[cursor..<finding.span.lowerBound]
            output += Array("[REDACTED:\(finding.category.rawValue)]".utf8)
            cursor = finding.span.upperBound
        }
        output += normalized[cursor...]
        return String(decoding: output, as: UTF8.self)
    }
}
