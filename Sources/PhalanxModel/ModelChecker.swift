import PhalanxCore

/// Explores the synchronous product of k nodes, the aggregator, the control engine, the telemetry collector
/// and the audit ledger — built from the transition tables in `Machines` — under lost, duplicated and delayed
/// messages and crashes, and checks seed 003's safety invariant, at-most-once command execution, termination
/// and the ranking function.
public struct ModelChecker: Sendable {
    public let configuration: ModelConfiguration

    public init(_ configuration: ModelConfiguration) throws(ModelConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
    }

    /// Runs the exploration and the analyses; nothing is printed.
    public func run() -> ModelCheckingResult {
        let started = ContinuousClock.now
        let explorer = Explorer(configuration)
        let outcome = explorer.explore()
        let graph = outcome.graph
        var counterexample: Counterexample?
        var longestRun: Int?
        if let safety = outcome.safety {
            counterexample = .build(
                safety.property, safety.detail, path: graph.path(to: safety.state), graph: graph, explorer: explorer)
        } else if !outcome.truncated {
            switch LivenessAnalysis.analyse(graph) {
            case .terminates(let longest):
                longestRun = longest
            case .deadlock(let state):
                counterexample = .build(
                    .termination, "a non-terminal state without successors (deadlock)", path: graph.path(to: state),
                    graph: graph, explorer: explorer)
            case .cycle(let prefix, let loop):
                let entry = explorer.codec.decode(graph.states[prefix.last!])
                let detail =
                    entry.aggregatorConcluded
                    ? "a cycle in which the aggregator is \(entry.aggregator.state.rawValue) but some node never "
                        + "finishes"
                    : "a cycle in which the aggregator never reaches FINALIZE or ABORTED"
                counterexample = .build(
                    .termination, detail, path: prefix + loop.dropFirst() + [loop[0]], loopStart: prefix.count - 1,
                    graph: graph, explorer: explorer)
            }
            if counterexample == nil, let ranking = outcome.ranking {
                let path = graph.path(to: ranking.from) + (ranking.to.map { [$0] } ?? [])
                counterexample = .build(.ranking, ranking.detail, path: path, graph: graph, explorer: explorer)
            }
        }
        var finalized = 0
        var aborted = 0
        for i in graph.states.indices where graph.terminal[i] {
            if explorer.codec.decode(graph.states[i]).aggregator.state == .finalize {
                finalized += 1
            } else {
                aborted += 1
            }
        }
        let elapsed = ContinuousClock.now - started
        return ModelCheckingResult(
            configuration: configuration, states: graph.states.count, transitions: outcome.transitions,
            depth: outcome.depth, longestRun: longestRun,
            initialRank: RankingFunction.value(explorer.dynamics.initial, rounds: configuration.rounds),
            finalized: finalized, aborted: aborted,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            stateBits: explorer.codec.bitsUsed, truncated: outcome.truncated, counterexample: counterexample)
    }
}
