/// One participant's metrics for a tick: its current frame and the sentinel's one-tick forecast.
public struct ParticipantMetrics: Sendable, Hashable {
    /// The node or aggregator id, as in its telemetry frames.
    public var id: String
    /// Metric key to value in the participant's current frame.
    public var current: [String: Double]
    /// Metric key to the forecast value for the next tick.
    public var forecast: [String: Double]

    /// Creates a participant's metrics; a key absent from a dictionary means "not reported".
    public init(id: String, current: [String: Double], forecast: [String: Double] = [:]) {
        self.id = id
        self.current = current
        self.forecast = forecast
    }
}

/// Everything an expression reads in one tick.
public struct ExpressionContext: Sendable {
    /// The participants that reported in this tick; aggregates range over them.
    public var participants: [ParticipantMetrics]
    /// The policy parameters, read as `params.NAME`.
    public var parameters: [String: Double]

    /// Creates a context for one tick.
    public init(participants: [ParticipantMetrics] = [], parameters: [String: Double] = [:]) {
        self.participants = participants
        self.parameters = parameters
    }
}

/// The outcome of evaluating a guard-rail expression for one tick.
public struct ExpressionEvaluation: Sendable, Hashable {
    /// Whether the expression is true, i.e. whether the predicate fires.
    public var holds: Bool
    /// The participants that made the expression hold, sorted and de-duplicated; empty when it
    /// does not hold. The rules per aggregate are in `docs/guardrails.md` ("Offenders"); in short,
    /// `any` and `count` name the participants whose condition is true, `all` those whose condition
    /// is false (every participant visited when `all` is true), `max` and `min` the participants at
    /// the extreme, and `mean` and `sum` nobody; a true `or` keeps only its true operands' offenders.
    public var offenders: [String]
    /// One line per parameter read and per aggregate evaluated, in source order, e.g.
    /// `max(contributionL1) = 1210 (org-c)` and `params.maxContributionL1 = 400`.
    public var trace: [String]

    /// Creates an evaluation outcome.
    public init(holds: Bool, offenders: [String], trace: [String]) {
        self.holds = holds
        self.offenders = offenders
        self.trace = trace
    }
}
