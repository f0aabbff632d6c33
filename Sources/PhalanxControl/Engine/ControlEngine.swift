import PhalanxCore

/// Decides, for each sealed tick, which A-commands to sign and whether the aggregator may release.
///
/// It drives the control-engine machine (READY → EVALUATE → READY | DISPATCH → READY) and tracks every command
/// until each target has acknowledged it. A target that misses the deadline (the next tick) is sent the same
/// signed command again — same id, so it executes at most once — up to ``EscalationPolicy/ackRetries`` times, then
/// escalated: a silent node is isolated (or the job aborted, by policy), a silent aggregator aborts the job.
///
/// **The local-agent ladder.** Predicates whose command is `A-OBSERVE`, `A-RESTRICT` or `A-SUSPEND` move their
/// offenders up the ladder observe → restrict → suspend; a participant is sent a command only when the rung the
/// firing predicates ask for is above its current one. When they stop firing, the engine walks the participant
/// back down to the highest rung still asked for, or to normal service with `A-RESUME`. A suspension is never
/// lifted automatically: only an operator's override (``receiveOverride(_:roster:nowMs:)``) does that.
public struct ControlEngine: Sendable {
    public let identity: SigningIdentity
    public let manifest: JobManifest
    public let jobId: SHA256Digest
    public let escalation: EscalationPolicy
    public let overrides: OverridePolicy
    private var machine = StateMachine(Machines.controlEngine)
    private var outstanding: [CommandID: Outstanding] = [:]
    /// Participants quarantined during the job (by a predicate, or for not acknowledging).
    public private(set) var isolated: Set<ParticipantID> = []
    /// For each predicate firing now, the participants already commanded during this firing episode: while a
    /// predicate keeps firing, its command is not sent again to the same targets (one command per episode, as an
    /// alert manager sends one notification per firing alert); new offenders still get one.
    private var episodes: [String: Set<ParticipantID>] = [:]
    /// Each participant's rung on the local-agent ladder (absent: normal service).
    public private(set) var ladder: [ParticipantID: CommandKind] = [:]
    /// Verified overrides waiting for the next decision.
    var pendingOverrides: [VerifiedOverride] = []
    /// Overrides already accepted, by id: an override executes at most once.
    var appliedOverrides: Set<CommandID> = []
    /// The clearance once signed, to send again if it was lost.
    private var signedClearance: Signed<ReleaseClearance>?
    /// Set once an `A-ABORT_JOB` was issued or a clearance was signed; no further decisions are made.
    public internal(set) var concluded: Conclusion?

    public enum Conclusion: Hashable, Sendable {
        case aborting(predicate: String)
        case cleared(tick: UInt64)
    }

    struct Outstanding: Sendable {
        let envelope: Signed<ACommand>
        var command: ACommand
        var acks: [ParticipantID: CommandAck.Outcome]
        /// The tick by which each target still owing an ack must answer.
        var deadline: UInt64
        /// How many times the command was resent.
        var attempts: Int
    }

    public init(
        identity: SigningIdentity, manifest: JobManifest, escalation: EscalationPolicy = .default,
        overrides: OverridePolicy = .default
    ) {
        self.identity = identity
        self.manifest = manifest
        self.jobId = manifest.hash
        self.escalation = escalation
        self.overrides = overrides
    }

    public var state: ControlEngineState { machine.state }

    /// What to send after a sealed tick.
    public struct Decision: Sendable {
        public var commands: [Signed<ACommand>] = []
        public var clearance: Signed<ReleaseClearance>?
        /// Whether ``clearance`` is the one signed earlier, sent again because the aggregator has not acted on it.
        public var clearanceIsResend = false
        /// Overrides applied this tick, with the parameter change they make (for `A-SET_PARAMETER`).
        public var overrides: [VerifiedOverride] = []
    }

    /// Evaluates the outcomes of `batch` and returns the signed commands and, when safe, the release clearance.
    public mutating func decide(batch: SealedBatch, outcomes: [PredicateOutcome], nowMs: Int64) throws -> Decision {
        try machine.fire(.batchSealed)
        var decision = Decision()
        let fired = outcomes.filter(\.holds)
        episodes = episodes.filter { id, _ in fired.contains { $0.rule.id == id } }
        let overrides = pendingOverrides
        pendingOverrides = []

        // What the firing predicates ask of each participant on the ladder.
        var wanted: [ParticipantID: (rung: Int, rule: PredicateRule, reason: String)] = [:]
        for outcome in fired {
            guard let rung = outcome.rule.command.ladderRung, rung > 0 else { continue }
            let offenders = (outcome.evaluation?.offenders ?? []).compactMap { try? ParticipantID($0) }
                .filter(manifest.participants.reporters.contains)
            for target in offenders.isEmpty ? manifest.participants.reporters : offenders
            where (wanted[target]?.rung ?? 0) < rung {
                wanted[target] = (rung, outcome.rule, Self.reason(outcome))
            }
        }
        // An abort settles everything: no ladder step or override is worth sending with it.
        let aborting = concluded == nil && fired.contains { $0.rule.command == .abortJob }
        let ladderMoves = aborting ? [] : ladderCommands(wanted: wanted)

        if fired.isEmpty {
            if ladderMoves.isEmpty && overrides.isEmpty {
                try machine.fire(.allClear)
            } else {
                try machine.fire(.commandsDue)
            }
        } else {
            try machine.fire(.predicateFired)
        }
        for (kind, targets, rule, reason) in ladderMoves {
            for target in targets { ladder[target] = kind == .resume ? nil : kind }
            decision.commands.append(
                try sign(kind, targets: targets, predicate: rule?.id, reason: reason, tick: batch.tick, nowMs: nowMs))
        }
        for verified in overrides {
            decision.overrides.append(verified)
            try apply(verified, tick: batch.tick, nowMs: nowMs, into: &decision)
        }
        if fired.isEmpty {
            if concluded == nil, !outcomes.contains(where: \.blocksRelease),
                let clearance = try clearance(for: batch, outcomes: outcomes)
            {
                decision.clearance = clearance
                signedClearance = clearance
                concluded = .cleared(tick: batch.tick)
            } else if case .cleared(let tick) = concluded, batch.tick > tick, let signedClearance,
                batch.frame(of: manifest.participants.aggregator)?.state == AggregatorState.merge.rawValue
            {
                // The aggregator still merges a tick after the clearance: it was lost. Send the same one again
                // (the aggregator refuses a second copy once it has finalized).
                decision.clearance = signedClearance
                decision.clearanceIsResend = true
            }
            return decision
        }
        guard concluded == nil else { return decision }
        let reporters = manifest.participants.reporters
        for outcome in fired {
            let rule = outcome.rule
            let offenders = (outcome.evaluation?.offenders ?? []).compactMap { try? ParticipantID($0) }
            let reason = Self.reason(outcome)
            switch rule.command {
            case .abortJob:
                decision.commands.append(
                    try sign(
                        .abortJob, targets: reporters, predicate: rule.id, reason: reason, tick: batch.tick,
                        nowMs: nowMs))
                concluded = .aborting(predicate: rule.id)
                return decision
            case .isolateParty:
                for offender in offenders
                where manifest.participants.nodes.contains(offender) && isolated.insert(offender).inserted {
                    decision.commands.append(
                        try sign(
                            .isolateParty, targets: reporters, subject: offender, predicate: rule.id, reason: reason,
                            tick: batch.tick, nowMs: nowMs))
                }
            case .bootstrap:
                let targets = manifest.participants.nodes.filter {
                    !isolated.contains($0) && episodes[rule.id, default: []].insert($0).inserted
                }
                if !targets.isEmpty {
                    decision.commands.append(
                        try sign(
                            .bootstrap, targets: targets, predicate: rule.id, reason: reason, tick: batch.tick,
                            nowMs: nowMs))
                }
            case .observe, .restrict, .suspend, .resume, .setParameter:
                // Ladder commands were handled above; resume and set-parameter are operator-only (refused at load).
                continue
            }
        }
        return decision
    }

    private static func reason(_ outcome: PredicateOutcome) -> String {
        ([outcome.rule.description] + (outcome.evaluation?.trace ?? []) + [outcome.failure].compactMap { $0 })
            .filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// The ladder moves this tick: up to a wanted rung above the current one, down to the highest rung still wanted
    /// (or to `A-RESUME`) when the current one is no longer asked for — except from a suspension, which only an
    /// operator lifts. Grouped by command, targets sorted.
    private func ladderCommands(
        wanted: [ParticipantID: (rung: Int, rule: PredicateRule, reason: String)]
    ) -> [(CommandKind, [ParticipantID], PredicateRule?, String)] {
        var moves: [CommandKind: (targets: [ParticipantID], rule: PredicateRule?, reason: String)] = [:]
        // In the manifest's order of reporters (a dictionary, not a linear search per comparison).
        let rank = Dictionary(uniqueKeysWithValues: manifest.participants.reporters.enumerated().map { ($1, $0) })
        let participants = Set(wanted.keys).union(ladder.keys).subtracting(isolated).sorted {
            (rank[$0] ?? rank.count, $0) < (rank[$1] ?? rank.count, $1)
        }
        for participant in participants {
            let current = ladder[participant]?.ladderRung ?? 0
            let target = wanted[participant]?.rung ?? 0
            guard target != current, concluded == nil || target < current else { continue }
            if target < current, ladder[participant] == .suspend { continue }
            let kind = target == 0 ? CommandKind.resume : CommandKind.ladder[target - 1]
            let reason =
                wanted[participant]?.reason
                ?? "\(ladder[participant]?.rawValue ?? "?") is no longer asked for by any firing predicate"
            moves[kind, default: ([], wanted[participant]?.rule, reason)].targets.append(participant)
        }
        return moves.sorted { $0.key.rawValue < $1.key.rawValue }.map { ($0.key, $0.value.0, $0.value.1, $0.value.2) }
    }

    mutating func clearLadder(_ participant: ParticipantID) { ladder[participant] = nil }

    mutating func sign(
        _ kind: CommandKind, targets: [ParticipantID], subject: ParticipantID? = nil, predicate: String?,
        reason: String, tick: UInt64, nowMs: Int64
    ) throws -> Signed<ACommand> {
        let command = ACommand(
            kind: kind, jobId: jobId, issuer: identity.id, targets: targets, subject: subject, predicate: predicate,
            reason: reason, issuedAtTick: tick, ackBy: tick + 1, issuedAtMs: nowMs)
        let envelope = try Signed(signing: command, with: identity)
        outstanding[command.id] = Outstanding(
            envelope: envelope, command: command, acks: [:], deadline: tick + 1, attempts: 0)
        return envelope
    }

    /// Signs an `A-ABORT_JOB` outside the predicates (a failed secure sum), unless the job is already concluding.
    public mutating func abortJob(reason: String, tick: UInt64, nowMs: Int64) throws -> Signed<ACommand>? {
        guard concluded == nil else { return nil }
        concluded = .aborting(predicate: "provider")
        return try sign(
            .abortJob, targets: manifest.participants.reporters, predicate: nil, reason: reason, tick: tick,
            nowMs: nowMs)
    }

    /// The clearance for the aggregator, when every node that is not isolated reported a safe state and the
    /// aggregator is merging the last round. Called only when no predicate fires or is pending.
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

    /// What ending a tick's dispatch phase produced.
    public struct Settlement: Sendable {
        /// (command, target) pairs whose ack is missing at the deadline.
        public var missing: [(command: ACommand, participant: ParticipantID)] = []
        /// The same signed command to send again to a silent target, with the attempt number (1, 2, …).
        public var resend: [(envelope: Signed<ACommand>, participant: ParticipantID, attempt: Int)] = []
        /// New commands escalating targets that stayed silent through every retry.
        public var escalations: [Signed<ACommand>] = []
    }

    /// Ends the dispatch phase of `tick`: reports missing acks, schedules resends of the same command, and
    /// escalates targets that stayed silent through every retry. Commands every target acknowledged are forgotten.
    public mutating func settle(tick: UInt64, nowMs: Int64 = 0) throws -> Settlement {
        var settlement = Settlement()
        var silent: [(ParticipantID, ACommand)] = []
        for (id, var entry) in outstanding.sorted(by: { $0.key.rawValue < $1.key.rawValue })
        where entry.deadline <= tick + 1 {
            let owing = entry.command.targets.filter { entry.acks[$0] == nil && !isolated.contains($0) }
            for target in owing { settlement.missing.append((entry.command, target)) }
            guard !owing.isEmpty else {
                outstanding[id] = nil
                continue
            }
            if entry.attempts < escalation.ackRetries {
                entry.attempts += 1
                entry.deadline = tick + 2
                outstanding[id] = entry
                for target in owing { settlement.resend.append((entry.envelope, target, entry.attempts)) }
            } else {
                outstanding[id] = nil
                for target in owing { silent.append((target, entry.command)) }
            }
        }
        if machine.state == .dispatch { try machine.fire(.acksSettled) }
        for (target, command) in silent where !isolated.contains(target) {
            let reason =
                "\(target) did not acknowledge \(command.kind.rawValue) \(command.id.rawValue.prefix(8))… after "
                + "\(escalation.ackRetries) resend\(escalation.ackRetries == 1 ? "" : "s")"
            if command.kind == .abortJob { continue }  // already aborting: the ack-missing records say who was silent
            if target == manifest.participants.aggregator || escalation.then == .abortJob {
                if let abort = try abortJob(reason: reason, tick: tick + 1, nowMs: nowMs) {
                    concluded = .aborting(predicate: "escalation")
                    settlement.escalations.append(abort)
                }
                continue
            }
            guard concluded == nil, manifest.participants.nodes.contains(target) else { continue }
            isolated.insert(target)
            settlement.escalations.append(
                try sign(
                    .isolateParty, targets: manifest.participants.reporters.filter { !isolated.contains($0) },
                    subject: target, predicate: nil, reason: reason, tick: tick + 1, nowMs: nowMs))
        }
        return settlement
    }
}
