import PhalanxCore
import Testing

@testable import PhalanxModel

/// The pieces under the explorer: packing, symmetry, the compiled tables and the ranking function.
@Suite("model state")
struct ModelStateTests {
    /// Every state of a small exploration, decoded.
    static func reachable(_ configuration: ModelConfiguration) -> [ModelState] {
        let explorer = Explorer(configuration)
        let graph = explorer.explore().graph
        return graph.states.map(explorer.codec.decode)
    }

    @Test("packing is lossless on every reachable state")
    func packing() {
        let configuration = ModelConfiguration(nodes: 2, rounds: 1, delays: 0, crashes: 0)
        let codec = StateCodec(configuration)
        for state in Self.reachable(configuration) {
            #expect(codec.decode(codec.encode(state)) == state)
        }
    }

    @Test("the largest configuration fits in a packed state")
    func largest() throws {
        let configuration = ModelConfiguration(
            nodes: 4, rounds: 3, losses: 3, duplicates: 3, delays: 3, crashes: 3, retryLimit: 3, timeout: 12,
            predicates: [
                ModelPredicate(id: "noise", command: .bootstrap, episodes: 2),
                ModelPredicate(id: "dpBudget", command: .abortJob, episodes: 2),
                ModelPredicate(id: "quorum", command: .isolateParty, episodes: 1),
            ])
        try configuration.validate()
        #expect(StateCodec(configuration).bitsUsed <= PackedState.capacityBits)
    }

    @Test("the symmetry representative does not depend on how the nodes are numbered")
    func symmetry() {
        let configuration = ModelConfiguration(nodes: 3, rounds: 1, delays: 0, crashes: 0)
        let layout = InboxLayout(configuration)
        let permutations: [SIMD4<Int>] = [
            SIMD4(0, 2, 1, 3), SIMD4(1, 0, 2, 3), SIMD4(1, 2, 0, 3), SIMD4(2, 0, 1, 3), SIMD4(2, 1, 0, 3),
        ]
        for state in Self.reachable(configuration).prefix(3000) {
            let canonical = Symmetry.canonical(state, layout: layout)
            #expect(Symmetry.canonical(canonical, layout: layout) == canonical)
            for order in permutations {
                let renamed = Symmetry.permuted(state, order: order, layout: layout)
                #expect(Symmetry.canonical(renamed, layout: layout) == canonical)
            }
        }
    }

    @Test("the compiled tables agree with StateMachineSpec.target on every state, event and guard set")
    func compiledTables() {
        func check<S, E>(_ compiled: CompiledMachine<S, E>, _ spec: StateMachineSpec<S, E>) {
            for state in S.allCases {
                for event in E.allCases {
                    for bits in 0..<4 {
                        let guards = GuardBits(rawValue: bits)
                        let expected = try? spec.target(from: state, on: event, given: guards.transitionGuards)
                        let actual = try? compiled.target(from: state, on: event, given: guards).get()
                        #expect(actual == expected)
                        #expect(compiled.allows(state, event, given: guards) == (expected != nil))
                    }
                }
                #expect(compiled.isTerminal(state) == spec.terminal.contains(state))
            }
        }
        check(Tables.node, Machines.node)
        check(Tables.aggregator, Machines.aggregator)
        check(Tables.controlEngine, Machines.controlEngine)
        check(Tables.collector, Machines.collector)
        check(Tables.audit, Machines.audit)
    }

    @Test("the ranking function: the seed's ranks for one round, extended by the rounds left")
    func ranks() {
        func node(_ state: NodeState, round: Int = 0) -> ModelNode {
            ModelNode(state: state, round: round, hasJob: true, seen: 0)
        }
        let oneRound: [NodeState: Int] = [.idle: 4, .preflight: 3, .inflight: 2, .postflight: 1, .done: 0, .aborted: 0]
        for (state, rank) in oneRound { #expect(RankingFunction.rank(node(state), rounds: 1) == rank) }
        #expect(RankingFunction.rank(node(.inflight, round: 0), rounds: 3) == 4)
        #expect(RankingFunction.rank(node(.inflight, round: 2), rounds: 3) == 2)
        var aggregator = ModelState.initial(ModelConfiguration(rounds: 1)).aggregator
        #expect(RankingFunction.rank(aggregator, rounds: 1) == 2)
        aggregator.state = .merge
        aggregator.round = 1
        #expect(RankingFunction.rank(aggregator, rounds: 1) == 1)
        aggregator.state = .finalize
        #expect(RankingFunction.rank(aggregator, rounds: 1) == 0)
    }
}
