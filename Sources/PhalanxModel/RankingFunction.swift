import PhalanxCore

/// Seed 003's ranking function (eq. 2), reconstructed: the extraction of the seed lost the formula and the
/// rank table, and kept only that V is "the sum of individual ranks assigned to each Node's state and the
/// Aggregator's state", that higher ranks are further from completion, that V decreases or stays stable as the
/// system runs, and that V = 0 means every node and the aggregator reached a safe terminal state.
///
/// Each state's rank is its distance to a terminal state along the machine's table, counting the rounds still
/// to run (R rounds; a node's `round` counts contributions sent, the aggregator's counts rounds merged):
///
///     ρ(IDLE) = R + 3, ρ(PREF) = R + 2, ρ(INF, r) = R − r + 1, ρ(POSTF) = 1, ρ(DONE) = ρ(ABORTED) = 0
///     ρ(WAIT, r) = 2(R − r), ρ(MERGE, r) = 2(R − r) + 1, ρ(FINALIZE) = ρ(ABORTED) = 0
///     V = Σ_nodes ρ + ρ(aggregator)
///
/// The aggregator rests in MERGE only after the last round (r = R, ρ = 1). For R = 1 the ranks are IDLE 4,
/// PREF 3, INF 2, POSTF 1, DONE/ABORTED 0 and WAIT 2, MERGE 1, FINALIZE/ABORTED 0.
enum RankingFunction {
    static func rank(_ node: ModelNode, rounds: Int) -> Int {
        switch node.state {
        case .idle: rounds + 3
        case .preflight: rounds + 2
        case .inflight: rounds - node.round + 1
        case .postflight: 1
        case .done, .aborted: 0
        }
    }

    static func rank(_ aggregator: ModelAggregator, rounds: Int) -> Int {
        switch aggregator.state {
        case .wait: 2 * (rounds - aggregator.round)
        case .merge: 2 * (rounds - aggregator.round) + 1
        case .finalize, .aborted: 0
        }
    }

    /// V(s).
    static func value(_ state: ModelState, rounds: Int) -> Int {
        state.nodes.reduce(rank(state.aggregator, rounds: rounds)) { $0 + rank($1, rounds: rounds) }
    }
}
