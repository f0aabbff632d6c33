import PhalanxCore
import Synchronization

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
    /// How many threads update the forecasts and evaluate the predicates of a tick (default: every core). The
    /// outcomes do not depend on it.
    public var parallelism: Int = Parallel.cores
    /// Each participant's slot: its forecasters are `streams[slot * keys.count ..< (slot + 1) * keys.count]`.
    private var slots: [ParticipantID: Int] = [:]
    /// A forecaster per participant and metric key, flat (participant-major), so that the per-tick update is an
    /// in-place mutation of one array element: no dictionary or nested array per participant.
    private var streams: [MetricForecaster] = []
    /// Every metric key seen, by index.
    private var keys: [String: Int] = [:]
    /// Per key index: the key's column in the tick's table of current values / forecasts, or `nil` when no
    /// predicate reads it that way.
    private var currentColumn: [Int?] = []
    private var forecastColumn: [Int?] = []
    /// The metric keys the predicates read from the current frame and through `forecast.`, in column order.
    private let currentKeys: [String]
    private let forecastKeys: [String]
    private var alerts = AlertTracker()
    /// The offenders of each firing predicate when its expression last held: a predicate kept firing by
    /// `keep_firing_for` still names them.
    private var lastOffenders: [String: [String]] = [:]
    /// The participants whose silence is counted (``MetricKey/missedTicks``): the job's nodes.
    private let absenceTracked: Set<ParticipantID>
    /// Ticks in a row each tracked participant has been missing.
    private var missedTicks: [ParticipantID: Int] = [:]

    /// Makes a sentinel for `predicates`.
    ///
    /// - Parameters:
    ///   - reporters, metricKeys: the job's participants and the metric keys their frames carry (the manifest's,
    ///     and `lagMs` and `opLatencyMs`), when known: their forecasters are made now rather than in the first
    ///     tick, which then costs what every other tick does. Others are added when they first appear.
    public init(
        predicates: [PredicateRule], parameters: [String: Double], forecast: ForecastSettings = .default,
        reporters: [ParticipantID] = [], metricKeys: [String] = [], absenceTracked: [ParticipantID] = []
    ) {
        self.absenceTracked = Set(absenceTracked)
        self.predicates = predicates
        self.parameters = parameters
        self.forecast = forecast
        let references = predicates.map { $0.expression.syntax.references }
        self.currentKeys = Set(references.flatMap(\.current)).sorted()
        self.forecastKeys = Set(references.flatMap(\.forecast)).sorted()
        // Keys first: a key added after participants widens every participant's row.
        for key in metricKeys { _ = index(of: key) }
        streams.reserveCapacity(reporters.count * keys.count)
        for participant in reporters { _ = slot(of: participant) }
    }

    /// Changes a policy parameter (an operator's `A-SET_PARAMETER`, checked against its range by the caller);
    /// the next evaluation uses the new value.
    public mutating func setParameter(_ name: String, to value: Double) {
        parameters[name] = value
    }

    /// The values the sentinel keeps for `participant`'s `metric`, oldest first.
    public func history(of participant: ParticipantID, metric: String) -> [(tick: UInt64, value: Double)] {
        guard let slot = slots[participant], let key = keys[metric] else { return [] }
        return streams[slot * keys.count + key].history
    }

    /// Evaluates every enabled predicate on `batch` and advances their alert states.
    ///
    /// `attributed` holds metrics the aggregator reported *about* a participant this tick (e.g. `invalidShares`
    /// for a node whose revealed shares failed their commitments); they replace what that participant's own frame
    /// says, because a misbehaving node would not report itself.
    public mutating func evaluate(
        _ batch: SealedBatch, attributed: [ParticipantID: [String: Double]] = [:]
    ) -> [PredicateOutcome] {
        let table = observe(batch, attributed: attributed)
        let parameters = parameters
        // Evaluations are independent of each other (the alert states are advanced below, in order).
        let results = Parallel.map(predicates, workers: table.count < 256 ? 1 : parallelism) { rule in
            Result { () throws(ExpressionError) in try rule.expression.evaluate(table, parameters: parameters) }
        }
        return zip(predicates, results).map { rule, result in
            var evaluation: ExpressionEvaluation?
            var failure: String?
            switch result {
            case .success(let value): evaluation = value
            case .failure(let error): failure = String(describing: error)
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

    /// Feeds every frame's metrics (with the attributed ones in their place) to its participant's forecasters and
    /// returns the tick as the predicates read it: a row per frame, a column per metric they read currently or
    /// through the forecast.
    private mutating func observe(_ batch: SealedBatch, attributed: [ParticipantID: [String: Double]]) -> MetricTable {
        let rows = batch.frames.count
        // The columns, flat: the column of key k is `k * rows ..< (k + 1) * rows`.
        var current = [Double](repeating: .nan, count: currentKeys.count * rows)
        var forecasts = [Double](repeating: .nan, count: forecastKeys.count * rows)
        // Participants seen for the first time get their slot now, so that the parallel part only reads `slots`.
        let frameSlots = batch.frames.map { slot(of: $0.nodeId) }
        // Each participant's forecasters are touched by its own frame only, and each frame writes its own row of the
        // columns: frames can be taken on several threads at once, writing through pointers to disjoint elements.
        // A frame with a metric key not seen before (which widens every row) or with attributed metrics is left to
        // the sequential pass below; so is every frame if a participant appears twice in the batch.
        let distinct = Set(frameSlots).count == rows
        let deferred = Mutex([Int]())
        if distinct, rows >= 256, parallelism > 1 {
            let keys = keys, currentColumn = currentColumn, forecastColumn = forecastColumn
            let width = keys.count, tick = batch.tick, frames = batch.frames
            streams.withUnsafeMutableBufferPointer { streams in
                current.withUnsafeMutableBufferPointer { current in
                    forecasts.withUnsafeMutableBufferPointer { forecasts in
                        let shared = SharedColumns(streams: streams, current: current, forecasts: forecasts)
                        Parallel.forEachChunk(count: rows, workers: parallelism) { range in
                            var later: [Int] = []
                            // One buffer per chunk: a frame's key indices, without an allocation per frame.
                            var indices: [(index: Int, value: Double)] = []
                            for row in range {
                                let frame = frames[row]
                                indices.removeAll(keepingCapacity: true)
                                var known = attributed.isEmpty || attributed[frame.nodeId] == nil
                                if known {
                                    Self.forEachMetric(of: frame) { key, value in
                                        if let index = keys[key] {
                                            indices.append((index, value))
                                        } else {
                                            known = false
                                        }
                                    }
                                }
                                guard known else {
                                    later.append(row)
                                    continue
                                }
                                for (index, value) in indices {
                                    let offset = frameSlots[row] * width + index
                                    shared.streams[offset].observe(value, tick: tick)
                                    if let column = currentColumn[index] {
                                        shared.current[column * rows + row] = value.isFinite ? value : .nan
                                    }
                                    if let column = forecastColumn[index],
                                        let predicted = shared.streams[offset].forecast
                                    {
                                        shared.forecasts[column * rows + row] = predicted.isFinite ? predicted : .nan
                                    }
                                }
                            }
                            if !later.isEmpty { deferred.withLock { $0 += later } }
                        }
                    }
                }
            }
        } else {
            deferred.withLock { $0 = Array(0..<rows) }
        }
        for row in deferred.withLock({ $0.sorted() }) {
            let frame = batch.frames[row], slot = frameSlots[row]
            let replaced = attributed.isEmpty ? nil : attributed[frame.nodeId]
            Self.forEachMetric(of: frame) { key, value in
                guard replaced?[key] == nil else { return }
                take(
                    key, value, slot: slot, row: row, rows: rows, tick: batch.tick, current: &current,
                    forecasts: &forecasts)
            }
            for (key, value) in replaced ?? [:] {
                take(
                    key, value, slot: slot, row: row, rows: rows, tick: batch.tick, current: &current,
                    forecasts: &forecasts)
            }
        }
        func columns(_ keys: [String], _ flat: [Double]) -> [String: [Double]] {
            Dictionary(
                uniqueKeysWithValues: keys.enumerated().map { column, key in
                    (key, Array(flat[(column * rows)..<((column + 1) * rows)]))
                })
        }
        let table = MetricTable(
            ids: batch.frames.map(\.nodeId.rawValue), current: columns(currentKeys, current),
            forecast: columns(forecastKeys, forecasts))
        return withAbsences(table, batch)
    }

    /// Adds ``MetricKey/missedTicks``: 0 on every frame's row, and a row for each tracked participant missing from
    /// the batch (every other metric `NaN`: it said nothing) holding how many ticks in a row it has been silent.
    private mutating func withAbsences(_ table: MetricTable, _ batch: SealedBatch) -> MetricTable {
        for frame in batch.frames { missedTicks[frame.nodeId] = 0 }
        let absent = batch.missing.filter { absenceTracked.contains($0) }
        for id in absent { missedTicks[id, default: 0] += 1 }
        guard currentKeys.contains(MetricKey.missedTicks) else { return table }
        var rows = batch.frames.map { (id: $0.nodeId, missed: 0.0, frame: true) }
        rows += absent.map { (id: $0, missed: Double(missedTicks[$0] ?? 1), frame: false) }
        let order = rows.indices.sorted { rows[$0].id < rows[$1].id }
        var frameRow = 0
        var source: [Int?] = []
        for row in rows {
            source.append(row.frame ? frameRow : nil)
            if row.frame { frameRow += 1 }
        }
        func reordered(_ columns: [String: [Double]]) -> [String: [Double]] {
            columns.mapValues { column in order.map { source[$0].map { column[$0] } ?? .nan } }
        }
        var current = reordered(table.currentColumns)
        current[MetricKey.missedTicks] = order.map { rows[$0].missed }
        return MetricTable(
            ids: order.map { rows[$0].id.rawValue }, current: current, forecast: reordered(table.forecastColumns))
    }

    /// Calls `body` with every metric of `frame` as predicates see it: its metrics, then `lagMs` and `opLatencyMs`.
    @inline(__always)
    private static func forEachMetric(of frame: TelemetryFrame, _ body: (String, Double) -> Void) {
        for (key, value) in frame.metrics { body(key, value) }
        body(MetricKey.lagMs, frame.lagMs)
        body(MetricKey.opLatencyMs, frame.opLatencyMs)
    }

    /// Feeds `value` of `key` to the forecaster of the participant in `slot`, and writes the value and the new
    /// forecast into the tick's columns when a predicate reads them.
    @inline(__always)
    private mutating func take(
        _ key: String, _ value: Double, slot: Int, row: Int, rows: Int, tick: UInt64,
        current: inout [Double], forecasts: inout [Double]
    ) {
        let index = self.index(of: key)
        let offset = slot * keys.count + index
        streams[offset].observe(value, tick: tick)
        if let column = currentColumn[index] { current[column * rows + row] = value.isFinite ? value : .nan }
        if let column = forecastColumn[index], let predicted = streams[offset].forecast {
            forecasts[column * rows + row] = predicted.isFinite ? predicted : .nan
        }
    }

    private mutating func slot(of participant: ParticipantID) -> Int {
        if let slot = slots[participant] { return slot }
        let slot = slots.count
        slots[participant] = slot
        streams.append(contentsOf: repeatElement(emptyForecaster, count: keys.count))
        return slot
    }

    private var emptyForecaster: MetricForecaster {
        MetricForecaster(method: forecast.method, capacity: forecast.history)
    }

    /// The index of metric `key`; a key seen for the first time widens every participant's row by one forecaster.
    private mutating func index(of key: String) -> Int {
        if let index = keys[key] { return index }
        let width = keys.count
        if !slots.isEmpty {
            var widened: [MetricForecaster] = []
            widened.reserveCapacity(slots.count * (width + 1))
            for slot in 0..<slots.count {
                widened.append(contentsOf: streams[(slot * width)..<((slot + 1) * width)])
                widened.append(emptyForecaster)
            }
            streams = widened
        }
        keys[key] = width
        currentColumn.append(currentKeys.firstIndex(of: key))
        forecastColumn.append(forecastKeys.firstIndex(of: key))
        return width
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

/// The sentinel's forecasters and the tick's columns, shared by the threads that take a tick's frames.
///
/// `@unchecked Sendable` because it is a set of raw pointers: it is sound only as ``Sentinel``'s parallel update uses
/// it — each thread writes only the forecasters of its own frames' participants (distinct in a batch) and only its
/// own frames' rows of the columns, and nothing else touches them until every thread has finished.
private struct SharedColumns: @unchecked Sendable {
    let streams: UnsafeMutableBufferPointer<MetricForecaster>
    let current: UnsafeMutableBufferPointer<Double>
    let forecasts: UnsafeMutableBufferPointer<Double>
}
