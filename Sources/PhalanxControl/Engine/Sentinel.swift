import PhalanxCore

/// Evaluates a job's enabled guard-rail predicates on each sealed tick, over current values and a one-tick
/// forecast.
///
/// The forecast here is linear extrapolation from the last two accepted values of each participant's metric
/// (`2·x[t] − x[t−1]`; with one value, the value itself). It lets a predicate such as
/// `min(forecast.noiseBits) < params.noiseFloorBits` act one tick before the floor is crossed.
public struct Sentinel: Sendable {
    public let predicates: [PredicateRule]
    public let parameters: [String: Double]
    private var previous: [ParticipantID: [String: Double]] = [:]

    public init(predicates: [PredicateRule], parameters: [String: Double]) {
        self.predicates = predicates
        self.parameters = parameters
    }

    /// Evaluates every enabled predicate on `batch`, then remembers the batch for the next forecast.
    ///
    /// `attributed` holds metrics the aggregator reported *about* a participant this tick (e.g. `invalidShares`
    /// for a node whose revealed shares failed their commitments); they replace what that participant's own frame
    /// says, because a misbehaving node would not report itself.
    public mutating func evaluate(
        _ batch: SealedBatch, attributed: [ParticipantID: [String: Double]] = [:]
    ) -> [PredicateOutcome] {
        let participants = batch.frames.map { frame in
            var current = frame.allMetrics
            for (key, value) in attributed[frame.nodeId] ?? [:] { current[key] = value }
            var forecast: [String: Double] = [:]
            for (key, value) in current {
                forecast[key] = previous[frame.nodeId]?[key].map { 2 * value - $0 } ?? value
            }
            return ParticipantMetrics(id: frame.nodeId.rawValue, current: current, forecast: forecast)
        }
        let context = ExpressionContext(participants: participants, parameters: parameters)
        let outcomes = predicates.map { rule in
            do {
                return PredicateOutcome(rule: rule, evaluation: try rule.expression.evaluate(context), failure: nil)
            } catch {
                return PredicateOutcome(rule: rule, evaluation: nil, failure: String(describing: error))
            }
        }
        for frame in batch.frames {
            previous[frame.nodeId] = frame.allMetrics.merging(attributed[frame.nodeId] ?? [:]) { $1 }
        }
        return outcomes
    }
}

/// The result of one predicate on one tick.
public struct PredicateOutcome: Sendable {
    public let rule: PredicateRule
    public let evaluation: ExpressionEvaluation?
    /// Set when the predicate could not be evaluated; such a predicate is treated as holding (fail safe).
    public let failure: String?

    public var holds: Bool { failure != nil || evaluation?.holds == true }
}
