import PhalanxCore

/// Evaluates a job's enabled guard-rail predicates on each sealed tick, over current values and a one-tick
/// forecast, and keeps each predicate's alert state (pending, firing, resolved).
///
/// **Alignment.** The collector seals one batch per tick with at most one accepted frame per participant, so the
/// streams are aligned by construction: the sentinel sees, per tick, each participant's current values.
/// **History and forecast.** It keeps the last `forecast.history` values per participant and metric and
/// forecasts the next tick with Holt's linear trend method (``ForecastMethod``; the default, `linear`, is the line
/// through the last two values, `2·x[t] − x[t−1]`); a predicate reads the forecast as `forecast.KEY`, e.g.
/// `min(forecast.noiseBits) < params.noiseFloorBits` acts one tick before the floor is crossed.
/// **Alert state.** `for:` and `keep_firing_for:` are applied by ``AlertTracker``: only a *firing* predicate's
/// command is issued, and a *pending* one already blocks the release.
public struct Sentinel: Sendable {
    public let predicates: [PredicateRule]
    public private(set) var parameters: [String: Double]
    public let forecast: ForecastSettings
    private var forecasters: [ParticipantID: [String: MetricForecaster]] = [:]
    private var alerts = AlertTracker()
    /// The offenders of each firing predicate when its expression last held: a predicate kept firing by
    /// `keep_firing_for` still names them.
    private var lastOffenders: [String: [String]] = [:]

    public init(predicates: [PredicateRule], parameters: [String: Double], forecast: ForecastSettings = .default) {
        self.predicates = predicates
        self.parameters = parameters
        self.forecast = forecast
    }

    /// Changes a policy parameter (an operator's `A-SET_PARAMETER`, checked against its range by the caller);
    /// the next evaluation uses the new value.
    public mutating func setParameter(_ name: String, to value: Double) {
        parameters[name] = value
    }

    /// The values the sentinel keeps for `participant`'s `metric`, oldest first.
    public func history(of participant: ParticipantID, metric: String) -> [(tick: UInt64, value: Double)] {
        forecasters[participant]?[metric]?.history ?? []
    }

    /// Evaluates every enabled predicate on `batch` and advances their alert states.
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
            var streams = forecasters[frame.nodeId] ?? [:]
            var predicted: [String: Double] = [:]
            for (key, value) in current {
                var stream = streams[key] ?? MetricForecaster(method: forecast.method, capacity: forecast.history)
                stream.observe(value, tick: batch.tick)
                predicted[key] = stream.forecast
                streams[key] = stream
            }
            forecasters[frame.nodeId] = streams
            return ParticipantMetrics(id: frame.nodeId.rawValue, current: current, forecast: predicted)
        }
        let context = ExpressionContext(participants: participants, parameters: parameters)
        return predicates.map { rule in
            var evaluation: ExpressionEvaluation?
            var failure: String?
            do {
                evaluation = try rule.expression.evaluate(context)
            } catch {
                failure = String(describing: error)
            }
            let status = alerts.update(rule, holds: evaluation?.holds == true, failed: failure != nil)
            if let held = evaluation, held.holds {
                lastOffenders[rule.id] = held.offenders
            } else if status == .firing, let quiet = evaluation {
                // Kept firing after the expression stopped holding: the same offenders, and the trace says why.
                evaluation = ExpressionEvaluation(
                    holds: false, offenders: lastOffenders[rule.id] ?? [],
                    trace: quiet.trace + ["kept firing (keep_firing_for: \(rule.keepFiringFor))"])
            } else if status == .inactive {
                lastOffenders[rule.id] = nil
            }
            return PredicateOutcome(rule: rule, evaluation: evaluation, failure: failure, status: status)
        }
    }
}

/// The result of one predicate on one tick.
public struct PredicateOutcome: Sendable {
    public let rule: PredicateRule
    public let evaluation: ExpressionEvaluation?
    /// Set when the predicate could not be evaluated; such a predicate fires at once (fail safe).
    public let failure: String?
    /// The alert state after this tick.
    public let status: AlertStatus

    public init(
        rule: PredicateRule, evaluation: ExpressionEvaluation?, failure: String?, status: AlertStatus? = nil
    ) {
        self.rule = rule
        self.evaluation = evaluation
        self.failure = failure
        self.status = status ?? (failure != nil || evaluation?.holds == true ? .firing : .inactive)
    }

    /// Whether the predicate fires this tick: its command is due.
    public var holds: Bool { status == .firing }
    /// Whether the expression itself held this tick (or could not be evaluated).
    public var expressionHolds: Bool { failure != nil || evaluation?.holds == true }
    /// Whether the predicate stands in the way of a release: firing, or pending.
    public var blocksRelease: Bool { status != .inactive }
}
