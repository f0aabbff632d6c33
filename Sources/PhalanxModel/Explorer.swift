/// Breadth-first exploration of the synchronous product with a visited set. Safety is checked on every new
/// state (the first violation stops the search, so its trace is a shortest one); the ranking function is
/// checked on every transition; the whole graph is kept for the liveness analysis.
struct Explorer {
    let configuration: ModelConfiguration
    let dynamics: ModelDynamics
    let codec: StateCodec

    init(_ configuration: ModelConfiguration) {
        self.configuration = configuration
        self.dynamics = ModelDynamics(configuration)
        self.codec = StateCodec(configuration)
    }

    struct Outcome {
        var graph = StateGraph()
        var transitions = 0
        var depth = 0
        /// The first state breaking a safety property.
        var safety: (state: Int, property: ModelProperty, detail: String)?
        /// The first transition along which V increases, or a state where V = 0 disagrees with termination.
        var ranking: (from: Int, to: Int?, detail: String)?
        /// Exploration stopped at the state limit.
        var truncated = false
    }

    func explore() -> Outcome {
        var outcome = Outcome()
        let rounds = configuration.rounds
        let initial = dynamics.initial
        _ = outcome.graph.insert(codec.encode(initial), parent: -1, terminal: initial.isTerminal)
        var head = 0
        var levelEnd = 1
        var seen: Set<Int32> = []
        while head < outcome.graph.states.count {
            if head == levelEnd {
                outcome.depth += 1
                levelEnd = outcome.graph.states.count
            }
            let state = codec.decode(outcome.graph.states[head])
            let value = RankingFunction.value(state, rounds: rounds)
            if outcome.ranking == nil, (value == 0) != state.isTerminal {
                outcome.ranking = (
                    head, nil, "V = \(value) in a state that is\(state.isTerminal ? "" : " not") terminal"
                )
            }
            seen.removeAll(keepingCapacity: true)
            for (_, next) in dynamics.successors(of: state) {
                let (j, isNew) = outcome.graph.insert(codec.encode(next), parent: head, terminal: next.isTerminal)
                if seen.insert(Int32(j)).inserted {
                    outcome.graph.edges.append(Int32(j))
                    outcome.transitions += 1
                }
                let nextValue = RankingFunction.value(next, rounds: rounds)
                if outcome.ranking == nil, nextValue > value {
                    outcome.ranking = (head, j, "V rises from \(value) to \(nextValue)")
                }
                if isNew, let (property, detail) = SafetyCheck.violation(in: next, configuration) {
                    outcome.graph.edgeStart.append(Int32(outcome.graph.edges.count))
                    outcome.safety = (j, property, detail)
                    if j >= levelEnd { outcome.depth += 1 }
                    return outcome
                }
            }
            outcome.graph.edgeStart.append(Int32(outcome.graph.edges.count))
            head += 1
            if outcome.graph.states.count > configuration.stateLimit {
                outcome.truncated = true
                return outcome
            }
        }
        return outcome
    }
}
