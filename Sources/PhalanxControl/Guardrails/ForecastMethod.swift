/// How the sentinel forecasts each participant's metric one tick ahead, from `forecast:` in `guardrails.yaml`.
///
/// Both methods are Holt's linear trend method (double exponential smoothing) with a level ℓ and a trend b
/// per participant and metric:
///
///     ℓₜ = α·xₜ + (1 − α)·(ℓₜ₋₁ + g·bₜ₋₁)
///     bₜ = β·(ℓₜ − ℓₜ₋₁)/g + (1 − β)·bₜ₋₁
///     forecast = ℓₜ + bₜ
///
/// where g is the number of ticks since the previous value (1 unless frames were missing). The first value sets
/// ℓ and a zero trend; the second sets the trend to the slope between the two.
///
/// - ``linear`` is α = β = 1: the forecast is the straight line through the last two values, `2·xₜ − xₜ₋₁`.
///   It reacts at once and is exact for metrics that move by a constant step (a ciphertext's noise budget).
/// - ``holt(alpha:beta:)`` with smaller α and β smooths noisy metrics (latencies) at the cost of reacting later.
public enum ForecastMethod: Hashable, Sendable, CustomStringConvertible {
    case linear
    case holt(alpha: Double, beta: Double)

    /// The smoothing factors (α, β).
    public var factors: (alpha: Double, beta: Double) {
        switch self {
        case .linear: (1, 1)
        case .holt(let alpha, let beta): (alpha, beta)
        }
    }

    public var description: String {
        switch self {
        case .linear: "linear (Holt with α = β = 1)"
        case .holt(let alpha, let beta): "Holt's linear trend, α = \(alpha), β = \(beta)"
        }
    }
}

/// The sentinel's forecasting settings: the method and how many past values it keeps per participant and metric.
public struct ForecastSettings: Hashable, Sendable {
    public var method: ForecastMethod
    /// How many past values the sentinel keeps per participant and metric (for traces and inspection).
    public var history: Int

    public static let `default` = ForecastSettings(method: .linear, history: 8)

    public init(method: ForecastMethod, history: Int) {
        self.method = method
        self.history = history
    }
}
