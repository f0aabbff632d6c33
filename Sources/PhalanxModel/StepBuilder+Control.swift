import PhalanxCore

/// The control plane, as `ControlPlane` and `ControlEngine` behave, with the retry and escalation of missing
/// acks, the job timeout and the re-sending of a clearance that did not arrive.
extension StepBuilder {
    /// `ControlPlane.receiveAck` and `ControlEngine.record`: an ack of a tracked command from one of its targets
    /// counts once; repeated acks are ignored.
    mutating func receiveAcks(_ delivered: Bytes32) {
        for slot in 0..<layout.size(layout.control) where delivered[slot] > 0 {
            guard case .ack(let participant, let id) = layout.message(at: slot, in: layout.control),
                id < state.control.commands.count
            else { continue }
            let bit = UInt8(1) << participant
            var command = state.control.commands[id]
            guard command.targets & bit != 0, command.acked & bit == 0 else { continue }
            command.acked |= bit
            state.control.commands[id] = command
            audit()
            note("ledger ← ack of cmd#\(id) from \(participantName(participant))")
        }
    }

    /// `ControlPlane.collect`: seal the frames that arrived, evaluate the predicates (`outcome`), let the
    /// engine decide, sign and send the commands or the clearance; abort at the job timeout.
    mutating func collect(accepted: UInt8, outcome: PredicateOutcome) {
        for p in 0...k where accepted & (1 << p) != 0 { moveCollector(.frameAccepted) }
        moveCollector(.tickEnded)
        audit()
        note("ledger ← batch of tick \(state.tick): \(accepted.nonzeroBitCount) frame(s)")
        moveCollector(.batchRecorded)
        state.framed = 0
        let wasCleared = state.control.concluded == .cleared
        decide(accepted: accepted, outcome: outcome)
        let timedOut = state.tick >= configuration.timeout && fault != .noJobTimeout
        if timedOut, state.control.concluded == .none || fault == .timeoutAfterClearance && wasCleared,
            !state.control.commands.contains(where: { $0.kind == .abortJob })
        {
            note("job timeout")
            issue(.abortJob, targets: allReporters)
            state.control.concluded = .aborting
        }
        if wasCleared, accepted & (1 << k) != 0, state.aggregator.state == .merge {
            note("the aggregator still reports MERGE: control re-sends the clearance")
            send(.clearance(tainted: state.control.clearanceTainted), to: layout.aggregator)
        }
    }

    /// `ControlEngine.decide`.
    private mutating func decide(accepted: UInt8, outcome: PredicateOutcome) {
        moveEngine(.batchSealed)
        for p in configuration.predicates.indices {
            if outcome.holds & (1 << p) == 0 {
                state.control.episodeTargets[p] = 0
            } else {
                if state.control.holding & (1 << p) == 0 { state.control.episodesLeft[p] -= 1 }
                audit()
                note("ledger ← predicate \(configuration.predicates[p].id) holds")
            }
        }
        state.control.holding = outcome.holds
        if outcome.holds == 0 {
            moveEngine(.allClear)
            if state.control.concluded == .none, clearanceAllowed(accepted) { issueClearance(tainted: false) }
            return
        }
        moveEngine(.predicateFired)
        if fault == .finalizeWithFiringPredicate, state.control.concluded == .none, clearanceAllowed(accepted) {
            issueClearance(tainted: true)
        }
        guard state.control.concluded == .none else { return }
        for (p, predicate) in configuration.predicates.enumerated() where outcome.holds & (1 << p) != 0 {
            switch predicate.command {
            case .abortJob:
                issue(.abortJob, targets: allReporters)
                state.control.concluded = .aborting
                return
            case .isolateParty:
                guard let offender = outcome.offender(p), state.control.isolated & (1 << offender) == 0 else {
                    continue
                }
                state.control.isolated |= 1 << offender
                issue(.isolateParty, targets: allReporters, subject: offender)
            default:
                let targets = allNodes & ~state.control.episodeTargets[p]
                state.control.episodeTargets[p] |= targets
                if targets != 0 { issue(predicate.command, targets: targets) }
            }
        }
    }

    /// `ControlEngine.clearance(for:)`: every node not isolated reported POSTF or DONE in this batch and the
    /// aggregator reported MERGE.
    private func clearanceAllowed(_ accepted: UInt8) -> Bool {
        for i in 0..<k where state.control.isolated & (1 << i) == 0 {
            guard accepted & (1 << i) != 0, NodeState.safeForRelease.contains(state.nodes[i].state) else {
                return false
            }
        }
        return accepted & (1 << k) != 0 && state.aggregator.state == .merge
    }

    private mutating func issueClearance(tainted: Bool) {
        state.control.concluded = .cleared
        state.control.clearanceTainted = tainted
        audit()
        note("ledger ← release clearance")
        send(.clearance(tainted: tainted), to: layout.aggregator)
    }

    /// Signs a new command, records it, and sends it to every target.
    mutating func issue(_ kind: CommandKind, targets: UInt8, subject: Int = 0) {
        let id = state.control.commands.count
        guard id < configuration.maxCommands else {
            state.ghost.boundExceeded = true
            return note("BOUND: no command identifier left for \(kind.rawValue)")
        }
        state.control.commands.append(
            ModelCommand(kind: kind, subject: subject, targets: targets, acked: 0, retries: 0, closed: false))
        audit()
        note("ledger ← cmd#\(id) \(kind.rawValue)\(kind == .isolateParty ? " node \(subject)" : "") issued")
        for p in 0...k where targets & (1 << p) != 0 { send(.command(id), to: p) }
    }

    /// `ControlPlane.settle`: the acks gathered so far settle the tick; a missing ack is re-sent with the same
    /// identifier at every settlement until it arrives, and after ``ModelConfiguration/retryLimit`` re-sends of a
    /// command that does not abort, a job not yet concluded is aborted (escalation). The audit block is
    /// committed and the tick ends.
    mutating func settle() {
        for id in state.control.commands.indices {
            let missing = state.control.commands[id].missing
            guard missing != 0 else { continue }
            audit()
            note("ledger ← ack of cmd#\(id) missing")
            if fault == .noAckRetry {
                state.control.commands[id].closed = true
                continue
            }
            let command = state.control.commands[id]
            if command.retries >= configuration.retryLimit, command.kind != .abortJob,
                state.control.concluded == .none
            {
                note("cmd#\(id) unacknowledged after \(configuration.retryLimit) re-sends: control escalates")
                issue(.abortJob, targets: allReporters)
                state.control.concluded = .aborting
            }
            state.control.commands[id].retries = min(command.retries + 1, configuration.retryLimit)
            note("control re-sends cmd#\(id)")
            for p in 0...k where missing & (1 << p) != 0 { send(.command(id), to: p) }
        }
        if state.control.engine == .dispatch { moveEngine(.acksSettled) }
        moveAudit(.blockSealed)
        moveAudit(.blockCommitted)
        state.tick = min(state.tick + 1, configuration.timeout)
        state.phase = 0
    }
}
