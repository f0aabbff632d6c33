/// One participant's metric as the sentinel sees it over time: the last few values, and Holt's level and trend
/// for the one-tick forecast (``ForecastMethod``).
///
/// Values are aligned by tick: a participant whose frame was missing for some ticks is forecast across the gap
/// (the trend is per tick, and a gap of g ticks advances the prediction by g·b).
///
/// The history is a ring of `capacity` slots, allocated when the forecaster is made and overwritten in place: the
/// sentinel observes every metric of every participant every tick (50,000 values a tick at 5,000 nodes), so an
/// observation must not allocate.
struct MetricForecaster: Sendable {
    let method: ForecastMethod
    let capacity: Int
    private var ring: [(tick: UInt64, value: Double)] = []
    /// Where the next value goes once the ring is full (the oldest value).
    private var head = 0
    private var level = 0.0
    private var trend = 0.0
    private var observations = 0
    /// The tick of the last value taken.
    private var lastTick: UInt64?

    init(method: ForecastMethod, capacity: Int) {
        self.method = method
        self.capacity = max(2, capacity)
        ring.reserveCapacity(self.capacity)
    }

    /// The last values, oldest first, at most `capacity`.
    var history: [(tick: UInt64, value: Double)] {
        ring.count < capacity ? ring : Array(ring[head...] + ring[..<head])
    }

    /// Takes the value of `tick` (ticks increase; a value for an older or the same tick is ignored).
    mutating func observe(_ value: Double, tick: UInt64) {
        if let last = lastTick, tick <= last { return }
        let gap = Double(lastTick.map { tick - $0 } ?? 1)
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
        lastTick = tick
        if ring.count < capacity {
            ring.append((tick, value))
        } else {
            ring[head] = (tick, value)
            head = (head + 1) % capacity
        }
    }

    /// The forecast for the tick after the last observed one: ℓ + b (the value itself after one observation).
    var forecast: Double? {
        observations == 0 ? nil : level + trend
    }
}
