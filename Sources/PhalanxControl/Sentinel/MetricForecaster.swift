/// One participant's metric as the sentinel sees it over time: the last few values, and Holt's level and trend
/// for the one-tick forecast (``ForecastMethod``).
///
/// Values are aligned by tick: a participant whose frame was missing for some ticks is forecast across the gap
/// (the trend is per tick, and a gap of g ticks advances the prediction by g·b).
struct MetricForecaster: Sendable {
    let method: ForecastMethod
    let capacity: Int
    /// The last values, oldest first, at most `capacity`.
    private(set) var history: [(tick: UInt64, value: Double)] = []
    private var level = 0.0
    private var trend = 0.0
    private var observations = 0

    init(method: ForecastMethod, capacity: Int) {
        self.method = method
        self.capacity = max(2, capacity)
    }

    /// Takes the value of `tick` (ticks increase; a value for an older or the same tick is ignored).
    mutating func observe(_ value: Double, tick: UInt64) {
        if let last = history.last, tick <= last.tick { return }
        let gap = Double(history.last.map { tick - $0.tick } ?? 1)
        let (alpha, beta) = method.factors
        switch observations {
        case 0:
            level = value
            trend = 0
        case 1:
            trend = (value - level) / gap
            level = value
        default:
            let predicted = level + gap * trend
            let newLevel = alpha * value + (1 - alpha) * predicted
            trend = beta * (newLevel - level) / gap + (1 - beta) * trend
            level = newLevel
        }
        observations += 1
        history.append((tick, value))
        if history.count > capacity { history.removeFirst(history.count - capacity) }
    }

    /// The forecast for the tick after the last observed one: ℓ + b (the value itself after one observation).
    var forecast: Double? {
        observations == 0 ? nil : level + trend
    }
}
