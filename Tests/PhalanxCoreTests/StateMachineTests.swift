import Testing

@testable import PhalanxCore

@Suite("State machines as transition tables")
struct StateMachineTests {
    @Test("every table is deterministic, has no exits from terminal states and reaches every state")
    func tablesAreWellFormed() {
        #expect(Machines.node.problems().isEmpty)
        #expect(Machines.aggregator.problems().isEmpty)
        #expect(Machines.controlEngine.problems().isEmpty)
        #expect(Machines.collector.problems().isEmpty)
        #expect(Machines.audit.problems().isEmpty)
        #expect(Machines.all.map(\.name) == ["node", "aggregator", "control-engine", "collector", "audit"])
    }

    @Test("the seed's states are all present")
    func seedStates() {
        #expect(NodeState.allCases.map(\.rawValue) == ["IDLE", "PREF", "INF", "POSTF", "DONE", "ABORTED"])
        #expect(AggregatorState.allCases.map(\.rawValue) == ["WAIT", "MERGE", "FINALIZE", "ABORTED"])
        #expect(ControlEngineState.allCases.map(\.rawValue) == ["READY", "EVALUATE", "DISPATCH"])
        #expect(CollectorState.allCases.map(\.rawValue) == ["OPEN", "WRITE", "SEAL"])
        #expect(AuditState.allCases.map(\.rawValue) == ["APPEND", "COMMIT"])
    }

    @Test("a node runs the happy path to DONE")
    func nodeHappyPath() throws {
        var m = StateMachine(Machines.node)
        for e: NodeEvent in [.jobAnnounced, .resourcesReady, .roundCompleted, .computationFinished, .resultPublished] {
            try m.fire(e)
        }
        #expect(m.state == .done)
        #expect(m.isTerminal)
        #expect(m.history.count == 5)
    }

    @Test("every (state, event) pair without a row throws and leaves the state unchanged")
    func nodeIllegalTransitions() throws {
        var illegal = 0
        for state in NodeState.allCases {
            for event in NodeEvent.allCases where Machines.node.rows(from: state, on: event).isEmpty {
                var m = StateMachine(Machines.node)
                try drive(&m, to: state)
                #expect(
                    throws: IllegalTransition(
                        machine: "node", from: state.rawValue, event: event.rawValue, missingGuard: nil)
                ) {
                    try m.fire(event)
                }
                #expect(m.state == state)
                illegal += 1
            }
        }
        // 6 states × 6 events = 36 pairs, 9 rows in the table.
        #expect(illegal == 27)
    }

    @Test("terminal states accept nothing")
    func terminalStates() throws {
        var m = StateMachine(Machines.node)
        try m.fire(.abort)
        for event in NodeEvent.allCases { #expect(!m.allows(event)) }
    }

    @Test("the aggregator cannot finalize without the releaseCleared guard")
    func aggregatorGuard() throws {
        var m = StateMachine(Machines.aggregator)
        try m.fire(.contributionsComplete)
        #expect(
            throws: IllegalTransition(
                machine: "aggregator", from: "MERGE", event: "releaseCleared", missingGuard: .releaseCleared)
        ) {
            try m.fire(.releaseCleared)
        }
        #expect(m.state == .merge)
        #expect(throws: IllegalTransition.self) { try m.fire(.roundMerged) }  // needs moreRounds
        try m.fire(.releaseCleared, given: [.releaseCleared])
        #expect(m.state == .finalize)
        #expect(throws: IllegalTransition.self) { try m.fire(.abort) }
    }

    @Test("the control engine cannot dispatch without evaluating first")
    func controlEngineOrder() throws {
        var m = StateMachine(Machines.controlEngine)
        #expect(throws: IllegalTransition.self) { try m.fire(.predicateFired) }
        try m.fire(.batchSealed)
        try m.fire(.predicateFired)
        #expect(throws: IllegalTransition.self) { try m.fire(.batchSealed) }
        try m.fire(.acksSettled)
        #expect(m.state == .ready)
    }

    @Test("the table export lists guards")
    func export() {
        let table = Machines.aggregator.table
        #expect(table.transitions.contains { $0.event == "releaseCleared" && $0.guard == "releaseCleared" })
        #expect(table.terminal == ["ABORTED", "FINALIZE"])
    }

    private func drive(_ m: inout StateMachine<NodeState, NodeEvent>, to target: NodeState) throws {
        let path: [NodeState: [NodeEvent]] = [
            .idle: [], .preflight: [.jobAnnounced], .inflight: [.jobAnnounced, .resourcesReady],
            .postflight: [.jobAnnounced, .resourcesReady, .computationFinished],
            .done: [.jobAnnounced, .resourcesReady, .computationFinished, .resultPublished], .aborted: [.abort],
        ]
        for e in path[target]! { try m.fire(e) }
    }
}
