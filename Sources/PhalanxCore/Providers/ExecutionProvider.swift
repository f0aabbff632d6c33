import Foundation

/// What an execution provider offers: the privacy-relevant opcodes it implements and the metrics it emits.
///
/// Admission compares a manifest against this descriptor before any data moves.
public struct ProviderDescriptor: Hashable, Sendable, Codable {
    /// The name manifests use, e.g. `plain`.
    public let name: String
    /// One sentence on what the provider protects against, and what it does not.
    public let protection: String
    /// The privacy-relevant opcodes it implements.
    public let opcodes: Set<Opcode>
    /// The provider metric keys each frame of a job on this provider carries.
    public let metricKeys: Set<String>
    /// For providers that implement `noise`: the mechanisms they can add (a plug-in asking for another is refused);
    /// a job's privacy plan records the one it gets.
    public let noiseMechanisms: Set<NoiseMechanism>

    public init(
        name: String, protection: String, opcodes: Set<Opcode>, metricKeys: Set<String>,
        noiseMechanisms: Set<NoiseMechanism> = []
    ) {
        self.name = name
        self.protection = protection
        self.opcodes = opcodes
        self.metricKeys = metricKeys
        self.noiseMechanisms = noiseMechanisms
    }

    /// The opcodes of `plugin` that neither the provider nor the local runtime implements, sorted.
    public func unsupportedOpcodes(in opcodes: some Sequence<Opcode>) -> [Opcode] {
        Set(opcodes).filter { $0.isPrivacyRelevant && !self.opcodes.contains($0) }.sorted()
    }
}

/// A privacy back-end that implements the IR's privacy-relevant opcodes for one job.
///
/// The same plug-in runs on any provider that implements its opcodes. A provider creates one session per
/// participant and job; sessions hold the job's secrets (seeds, keys, pending shares) and wipe them on abort.
public protocol ExecutionProvider: Sendable {
    var descriptor: ProviderDescriptor { get }
    /// The differential-privacy plan of a job running `plugin` on this provider, or `nil` for providers that
    /// add no noise. Called when the manifest is made; the manifest pins the result.
    func privacyPlan(plugin: PluginIR, nodes: Int, rounds: Int) throws -> PrivacyPlan?
    /// The (ε, δ) a node's data has incurred after `releases` releases under `plan` (monotone in `releases`,
    /// and equal to the plan's total after all rounds).
    func privacyLoss(plan: PrivacyPlan, releases: Int) -> (epsilon: Double, delta: Double)
    /// What is wrong with a manifest's privacy plan for running `plugin` on this provider (empty when sound).
    /// Admission refuses a job with problems: a plan where the provider adds no noise, none where it does, or one
    /// that under-reports its cost by this provider's own accountant.
    func privacyPlanProblems(_ plan: PrivacyPlan?, plugin: PluginIR, nodes: Int, rounds: Int) -> [String]
    func makeNodeSession(job: ProviderJobContext) throws -> any NodeProviderSession
    func makeAggregatorSession(job: ProviderJobContext) throws -> any AggregatorProviderSession
}

extension ExecutionProvider {
    public func privacyPlan(plugin: PluginIR, nodes: Int, rounds: Int) throws -> PrivacyPlan? { nil }

    /// Providers that add no noise accept no plan: a plan would make the ledger reserve budget for noise that is
    /// never added, and readers of the manifest believe a protection that does not exist.
    public func privacyPlanProblems(_ plan: PrivacyPlan?, plugin: PluginIR, nodes: Int, rounds: Int) -> [String] {
        plan == nil
            ? [] : ["execution provider \(descriptor.name) adds no noise; the manifest must not carry a privacy plan"]
    }

    /// The (ε, δ) a node's data has incurred after `releases` releases under `plan`. The default is basic
    /// composition (ε adds up), an upper bound; providers with an accountant return their tighter value.
    public func privacyLoss(plan: PrivacyPlan, releases: Int) -> (epsilon: Double, delta: Double) {
        guard releases > 0 else { return (0, 0) }
        return (plan.epsilonPerRound * Double(releases), min(1, plan.delta))
    }
}

/// What a provider session knows about its job.
public struct ProviderJobContext: Sendable {
    public let manifest: JobManifest
    public let jobId: SHA256Digest
    /// The plug-in the job runs (providers read, e.g., the clip bound that feeds a `secure_sum`).
    public let plugin: PluginIR
    /// The plug-in's analysis (channel lengths and bounds), made once per job; `nil` if it does not validate, which
    /// admission refuses.
    public let analysis: PluginAnalysis?
    /// The participant the session runs for, with its signing identity (interactive protocols sign messages).
    public let identity: SigningIdentity
    /// The federation's public keys, to verify other participants' signed protocol messages.
    public let roster: FederationRoster
    /// Faults to inject, for tests and demonstrations only; empty in real runs.
    public let faults: ProviderFaults

    public init(
        manifest: JobManifest, plugin: PluginIR, identity: SigningIdentity, roster: FederationRoster,
        faults: ProviderFaults = []
    ) {
        self.manifest = manifest
        self.jobId = manifest.hash
        self.plugin = plugin
        self.analysis = try? plugin.analysis()
        self.identity = identity
        self.roster = roster
        self.faults = faults
    }

    public var participant: ParticipantID { identity.id }
}

/// Misbehaviour a provider session can be told to simulate (tests and demos only).
public struct ProviderFaults: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Reveal corrupted shares in the unmasking stage of secure aggregation (seed 003, scenario C).
    public static let corruptRevealedShares = ProviderFaults(rawValue: 1)
}

/// A message between the node half and the aggregator half of a provider, for one secure sum (`channel` in
/// `round`). Single-message providers (`plain`) send one; interactive protocols (`secagg`) exchange several, one
/// step per tick. The body is provider-specific: clear, masked, encrypted or secret-shared.
public struct ProviderMessage: Hashable, Sendable, Codable {
    public let provider: String
    public let channel: String
    public let round: Int
    /// The protocol step, for routing and telemetry (e.g. `contribution`, `advertise`, `unmask`).
    public let step: String
    public let body: Data

    public init(provider: String, channel: String, round: Int, step: String, body: Data) {
        self.provider = provider
        self.channel = channel
        self.round = round
        self.step = step
        self.body = body
    }
}

/// The node half of a provider for one job. Owned by one node runtime; not shared across tasks.
public protocol NodeProviderSession: AnyObject {
    /// Starts the secure sum of a node's `vector` on `channel` in `round`; returns the messages for the aggregator.
    func begin(_ vector: [Int64], channel: String, round: Int) throws -> [ProviderMessage]
    /// Handles a message from the aggregator half; returns the replies.
    func receive(_ message: ProviderMessage) throws -> [ProviderMessage]
    /// Whether a sum this session began is still being computed (the node starts its next round only after).
    var isBusy: Bool { get }
    /// The current values of the provider's metric keys.
    func metrics() -> [String: Double]
    /// Forgets every secret of the job (noise seeds, masks, keys) — on abort or completion.
    func wipe()
    /// Refreshes the session's noise budget (`A-BOOTSTRAP`, e.g. an FHE bootstrapping); `false` when the provider
    /// has no noise budget.
    func bootstrap() throws -> Bool
    /// What the participant's frames report for the provider's metrics once the session is gone (the job done or
    /// aborted): by default nothing, and the runtime reports 0. A provider whose metric 0 would be an alarm
    /// (`noiseBits`: an exhausted budget) returns its last values.
    func restingMetrics() -> [String: Double]
}

extension NodeProviderSession {
    public func bootstrap() throws -> Bool { false }
    public func restingMetrics() -> [String: Double] { [:] }
}

/// The aggregator half of a provider for one job.
public protocol AggregatorProviderSession: AnyObject {
    /// Accepts a node's message; malformed ones are refused (thrown) or recorded against the sender.
    func receive(_ message: ProviderMessage, from node: ParticipantID) throws
    /// Advances every sum in progress by one tick, given the nodes still taking part: returns messages for nodes,
    /// the sums that completed, those that failed, and the nodes caught misbehaving.
    func step(active: [ParticipantID]) throws -> ProviderStep
    func metrics() -> [String: Double]
    /// Discards pending contributions and secrets — on abort.
    func discardPending()
    /// What the aggregator's frames report for the provider's metrics once the session is gone (see
    /// ``NodeProviderSession/restingMetrics()``).
    func restingMetrics() -> [String: Double]
}

extension AggregatorProviderSession {
    public func restingMetrics() -> [String: Double] { [:] }
}

/// What one tick of an aggregator session produced.
public struct ProviderStep: Sendable {
    public var outgoing: [(to: ParticipantID, message: ProviderMessage)] = []
    public var completed: [CompletedSum] = []
    public var failed: [(channel: String, round: Int, reason: String)] = []
    /// Nodes the provider can prove misbehaved this tick (e.g. revealed shares that do not open their commitments).
    public var offenders: [ParticipantID: String] = [:]

    public init() {}
}

/// A finished secure sum.
public struct CompletedSum: Sendable {
    public let channel: String
    public let round: Int
    public let sum: [Int64]
    /// The nodes whose inputs are in the sum.
    public let contributors: [ParticipantID]

    public init(channel: String, round: Int, sum: [Int64], contributors: [ParticipantID]) {
        self.channel = channel
        self.round = round
        self.sum = sum
        self.contributors = contributors
    }
}

/// A provider refused an operation.
public struct ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    public let provider: String
    public let message: String
    public init(provider: String, message: String) {
        self.provider = provider
        self.message = message
    }
    public var description: String { "execution provider \(provider): \(message)" }
}
