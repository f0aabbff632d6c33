import PhalanxCore

/// The aggregator, as `AggregatorRuntime` behaves with the `plain` provider.
extension StepBuilder {
    /// `AggregatorRuntime.step`: handle the delivered messages, let the provider complete sums, merge the
    /// current round if its sum is complete, emit a frame. In FINALIZE it (re-)publishes the result.
    mutating func aggregatorStep(delivered: Bytes32) {
        if !state.aggregator.hasJob { note("aggregator receives the job announcement") }
        state.aggregator.hasJob = true
        let rounds = configuration.rounds
        for node in 0..<k {
            for round in 0..<rounds {
                let slot = layout.slot(of: .contribution(node: node, round: round), in: layout.aggregator)
                for _ in 0..<delivered[slot] { receiveContribution(node: node, round: round) }
            }
        }
        for tainted in [false, true] {
            let slot = layout.slot(of: .clearance(tainted: tainted), in: layout.aggregator)
            for _ in 0..<delivered[slot] { receiveClearance(tainted: tainted) }
        }
        aggregatorCommands(delivered: delivered, acknowledge: true)
        stepProvider()
        mergeIfComplete()
        if state.aggregator.state == .finalize {
            for node in 0..<k where state.aggregator.isolated & (1 << node) == 0 {
                if !Tables.node.isTerminal(state.nodes[node].state) { send(.result, to: node) }
            }
            note("aggregator publishes the result to every node it has not isolated")
        }
        state.framed |= 1 << k
    }

    /// `AggregatorRuntime.handleCommands` (and the command part of its step).
    mutating func aggregatorCommands(delivered: Bytes32, acknowledge: Bool) {
        for id in 0..<layout.commands {
            let slot = layout.slot(of: .command(id), in: layout.aggregator)
            for _ in 0..<delivered[slot] {
                receiveCommand(id, at: k, acknowledge: acknowledge) { builder, command in
                    builder.applyAggregatorCommand(command)
                }
            }
        }
    }

    /// `AggregatorRuntime.apply`: an abort discards pending contributions and merged outputs; an isolation
    /// removes the node from the expected contributors; a bootstrap is rejected.
    private mutating func applyAggregatorCommand(_ command: ModelCommand) {
        switch command.kind {
        case .abortJob:
            guard Tables.aggregator.allows(state.aggregator.state, .abort) else { return }
            moveAggregator(.abort)
        case .isolateParty:
            state.aggregator.isolated |= 1 << command.subject
            note("aggregator stops expecting node \(command.subject)")
        default:
            return
        }
    }

    /// `AggregatorRuntime.receiveContribution` and the provider's `receive`: kept for its round unless the
    /// node is isolated or the contribution is a second copy. (Contributions to rounds whose sum is already
    /// complete are dropped; the runtime would buffer them without effect on any merge.)
    private mutating func receiveContribution(node: Int, round: Int) {
        var a = state.aggregator
        guard a.state == .wait || a.state == .merge, a.isolated & (1 << node) == 0 else {
            return note("aggregator refuses contribution n\(node)/r\(round)")
        }
        guard round >= a.round, a.completed & (1 << round) == 0 else { return }
        guard a.pending[round] & (1 << node) == 0 else {
            return note("aggregator refuses a second contribution n\(node)/r\(round)")
        }
        a.pending[round] |= 1 << node
        state.aggregator = a
    }

    /// `AggregatorRuntime.receiveClearance`: after the last round, a verified clearance establishes the
    /// `releaseCleared` guard and the aggregator finalizes. A clearance in any other state is refused.
    private mutating func receiveClearance(tainted: Bool) {
        let a = state.aggregator
        guard a.round == configuration.rounds,
            Tables.aggregator.allows(a.state, .releaseCleared, given: [.releaseCleared])
        else { return note("aggregator refuses a clearance in \(a.state.rawValue)") }
        moveAggregator(.releaseCleared, given: [.releaseCleared])
        if state.aggregator.state == .finalize, tainted { state.ghost.finalizedTainted = true }
    }

    /// The provider's `step(active:)`: a round's sum completes once every node not isolated contributed.
    private mutating func stepProvider() {
        var a = state.aggregator
        guard a.state == .wait || a.state == .merge else { return }
        let active = allNodes & ~a.isolated
        for round in 0..<configuration.rounds where a.pending[round] != 0 && a.pending[round] & active == active {
            a.completed |= 1 << round
            a.pending[round] = 0
        }
        state.aggregator = a
    }

    /// `AggregatorRuntime.mergeIfComplete`: merge the current round; with rounds left go back to WAIT
    /// (guard `moreRounds`), otherwise stay in MERGE until the clearance.
    private mutating func mergeIfComplete() {
        let round = state.aggregator.round
        guard state.aggregator.state == .wait, round < configuration.rounds,
            state.aggregator.completed & (1 << round) != 0
        else { return }
        moveAggregator(.contributionsComplete)
        state.aggregator.completed &= ~(1 << round)
        note("aggregator merges round \(round)")
        state.aggregator.round = round + 1
        if round + 1 < configuration.rounds { moveAggregator(.roundMerged, given: [.moreRounds]) }
    }
}
