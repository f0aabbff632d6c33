import PhalanxCore

/// Decides, for each sealed tick, which A-commands to sign and whether the aggregator may release.
///
/// It drives the control-engine machine (READY → EVALUATE → READY | DISPATCH → READY) and tracks every
/// command until each target has acknowledged it or the deadline (the next tick) has passed.
public struct ControlEngine: Sendable {
    public let identity: SigningIdentity
    public let manifest: JobManifest
    public let jobId: SHA256Digest
    private var machine = StateMachine(Machines.controlEngine)
    private var outstanding: [CommandID: Outstanding] = [:]
    private var isolated: Set<ParticipantID> = []
    /// For each predicate holding now, the participants already commanded during this firing episode. While a
    /// predicate keeps holding, its command is not sent again to the same targets (one command per episode, as an
    /// alert manager sends one notification per firing alert); new offenders still get one. The episode ends,
    /// and the memory with it, when the predicate stops holding.
    private var episodes: [String: Set<ParticipantID>] = [:]
    /// Set once an `A-ABORT_JOB` was issued or a clearance was signed; no further decisions are made.
    public private(set) var concluded: Conclusion?

    public enum Conclusion: Hashable, Sendable {
        case aborting(predicate: String)
        case cleared(tick: UInt64)
    }

    struct Outstanding: Sendable {
        let command: ACommand
        var acks: [ParticipantID: CommandAck.Outcome]
    }

    public init(identity: SigningIdentity, manifest: JobManifest) {
        self.identity = identity
        self.manifest = manifest
        self.jobId = manifest.hash
    }

    public var state: ControlEngineState { machine.state }

    /// What to send after a sealed tick.
    public struct Decision: Sendable {
        public var commands: [Signed<ACommand>] = []
        public var clearance: Signed<ReleaseClearance>?
    }

    /// Evaluates the outcomes of `batch` and returns the signed commands and, when safe, the release clearance.
    public mutating func decide(batch: SealedBatch, outcomes: [PredicateOutcome], nowMs: Int64) throws -> Decision {
        try machine.fire(.batchSealed)
        var decision = Decision()
        let fired = outcomes.filter(\.holds)
        episodes = episodes.filter { id, _ in fired.contains { $0.rule.id == id } }
        guard !fired.isEmpty else {
            try machine.fire(.allClear)
            if concluded == nil, let clearance = try clearance(for: batch, outcomes: outcomes) {
                decision.clearance = clearance
                concluded = .cleared(tick: batch.tick)
            }
            return decision
        }
        try machine.fire(.predicateFired)
        guard concluded == nil else { return decision }
        let reporters = manifest.participants.reporters
        for outcome in fired {
            let rule = outcome.rule
            let offenders = (outcome.evaluation?.offenders ?? []).compactMap { try? ParticipantID($0) }
            let reason = ([rule.description] + (outcome.evaluation?.trace ?? []) + [outcome.failure].compactMap { $0 })
                .filter { !$0.isEmpty }.joined(separator: "; ")
            func command(_ kind: CommandKind, targets: [ParticipantID], subject: ParticipantID? = nil) throws {
                let c = ACommand(
                    kind: kind, jobId: jobId, issuer: identity.id, targets: targets, subject: subject,
                    predicate: rule.id, reason: reason, issuedAtTick: batch.tick, ackBy: batch.tick + 1,
                    issuedAtMs: nowMs
                )
                outstanding[c.id] = Outstanding(command: c, acks: [:])
                decision.commands.append(try Signed(signing: c, with: identity))
            }
            switch rule.command {
            case .abortJob:
                try command(.abortJob, targets: reporters)
                concluded = .aborting(predicate: rule.id)
                return decision
            case .isolateParty:
                for offender in offenders
                where manifest.participants.nodes.contains(offender) && isolated.insert(offender).inserted {
                    try command(.isolateParty, targets: reporters, subject: offender)
                }
            case .bootstrap:
                let targets = manifest.participants.nodes.filter { episodes[rule.id, default: []].insert($0).inserted }
                if !targets.isEmpty { try command(.bootstrap, targets: targets) }
            case .observe, .restrict, .suspend:
                let wanted = offenders.filter(reporters.contains)
                let targets = (wanted.isEmpty ? reporters : wanted).filter {
                    episodes[rule.id, default: []].insert($0).inserted
                }
                if !targets.isEmpty { try command(rule.command, targets: targets) }
            }
        }
        return decision
    }

    /// Signs an `A-ABORT_JOB` outside the predicates (a failed secure sum), unless the job is already concluding.
    public mutating func abortJob(reason: String, tick: UInt64, nowMs: Int64) throws -> Signed<ACommand>? {
        guard concluded == nil else { return nil }
        let c = ACommand(
            kind: .abortJob, jobId: jobId, issuer: identity.id, targets: manifest.participants.reporters,
            predicate: nil,
            reason: reason, issuedAtTick: tick, ackBy: tick + 1, issuedAtMs: nowMs)
        outstanding[c.id] = Outstanding(command: c, acks: [:])
        concluded = .aborting(predicate: "provider")
        return try Signed(signing: c, with: identity)
    }

    /// The clearance for the aggregator, when every node reported a safe state and the aggregator is merging
    /// the last round. Called only when no predicate held.
    private func clearance(for batch: SealedBatch, outcomes: [PredicateOutcome]) throws -> Signed<ReleaseClearance>? {
        var states: [String: String] = [:]
        for node in manifest.participants.nodes where !isolated.contains(node) {
            guard let frame = batch.frame(of: node), let state = NodeState(rawValue: frame.state),
                NodeState.safeForRelease.contains(state)
            else { return nil }
            states[node.rawValue] = frame.state
        }
        guard let aggregatorFrame = batch.frame(of: manifest.participants.aggregator),
            aggregatorFrame.state == AggregatorState.merge.rawValue
        else { return nil }
        let clearance = ReleaseClearance(
            issuer: identity.id, jobId: jobId, tick: batch.tick, nodeStates: states,
            predicatesEvaluated: outcomes.map(\.rule.id)
        )
        return try Signed(signing: clearance, with: identity)
    }

    /// Records a verified acknowledgement. Returns `false` for an ack of an unknown command, from a
    /// participant that was not a target, or a repeated ack.
    public mutating func record(_ ack: CommandAck) -> Bool {
        guard var entry = outstanding[ack.commandId], entry.command.targets.contains(ack.participant),
            entry.acks[ack.participant] == nil
        else { return false }
        entry.acks[ack.participant] = ack.outcome
        outstanding[ack.commandId] = entry
        return true
    }

    /// Ends the dispatch phase of `tick`: returns the (command, target) pairs whose ack is missing, and forgets
    /// commands that are settled.
    public mutating func settle(tick: UInt64) throws -> [(command: ACommand, missing: ParticipantID)] {
        var missing: [(ACommand, ParticipantID)] = []
        for (id, entry) in outstanding.sorted(by: { $0.key.rawValue < $1.key.rawValue })
        where entry.command.ackBy <= tick + 1 {
            for target in entry.command.targets where entry.acks[target] == nil {
                missing.append((entry.command, target))
            }
            outstanding[id] = nil
        }
        if machine.state == .dispatch { try machine.fire(.acksSettled) }
        return missing
    }
}
