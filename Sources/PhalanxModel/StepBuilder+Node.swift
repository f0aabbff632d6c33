import PhalanxCore

/// A node, as `NodeRuntime` behaves.
extension StepBuilder {
    /// `NodeRuntime.step`: handle the delivered messages, advance the job by one step, emit a frame.
    mutating func nodeStep(_ i: Int, delivered: Bytes32) {
        var announcedNow = false
        if !state.nodes[i].hasJob {
            // The announcement is delivered reliably at admission (see docs/model-checking.md).
            note("node \(i) receives the job announcement")
            if Tables.node.allows(state.nodes[i].state, .jobAnnounced) {
                moveNode(i, .jobAnnounced)
                state.nodes[i].hasJob = true
                announcedNow = true
            }
        }
        for _ in 0..<delivered[0] { receiveResult(i) }
        for id in 0..<layout.commands {
            for _ in 0..<delivered[1 + id] { receiveNodeCommand(id, at: i, acknowledge: true) }
        }
        if !announcedNow { advance(i) }
        if state.nodes[i].hasJob { state.framed |= 1 << i }
    }

    /// `NodeRuntime.handleCommands`: execute and acknowledge the delivered commands.
    mutating func nodeCommands(_ i: Int, delivered: Bytes32, acknowledge: Bool) {
        for id in 0..<layout.commands {
            for _ in 0..<delivered[1 + id] { receiveNodeCommand(id, at: i, acknowledge: acknowledge) }
        }
    }

    /// `NodeRuntime.receiveResult`: the result of the job moves a node in POSTF to DONE; elsewhere it is refused.
    private mutating func receiveResult(_ i: Int) {
        guard state.nodes[i].hasJob, Tables.node.allows(state.nodes[i].state, .resultPublished) else {
            return note("node \(i) refuses a result in \(state.nodes[i].state.rawValue)")
        }
        moveNode(i, .resultPublished)
    }

    /// `NodeRuntime.apply`: an abort, or an isolation naming this node, aborts the job if the table allows it;
    /// a bootstrap is rejected (no noise budget to refresh); other isolations are only noted.
    private mutating func receiveNodeCommand(_ id: Int, at i: Int, acknowledge: Bool) {
        receiveCommand(id, at: i, acknowledge: acknowledge) { builder, command in
            let stops = command.kind == .abortJob || (command.kind == .isolateParty && command.subject == i)
            guard stops, Tables.node.allows(builder.state.nodes[i].state, .abort) else { return }
            builder.moveNode(i, .abort)
        }
    }

    /// `NodeRuntime.advance`: PREF binds the provider and moves to INF; each INF step sends one round's
    /// contribution and completes the round (the `plain` provider finishes a round in one step).
    private mutating func advance(_ i: Int) {
        if state.nodes[i].state == .preflight { moveNode(i, .resourcesReady) }
        if state.nodes[i].state == .inflight {
            let round = state.nodes[i].round
            if !Tables.aggregator.isTerminal(state.aggregator.state) {
                send(.contribution(node: i, round: round), to: layout.aggregator)
            }
            note("node \(i) sends its contribution of round \(round)")
            state.nodes[i].round = round + 1
            moveNode(i, round + 1 < configuration.rounds ? .roundCompleted : .computationFinished)
        }
    }
}
