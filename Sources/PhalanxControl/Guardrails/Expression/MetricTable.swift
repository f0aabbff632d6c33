/// One tick's participants as columns: a row per participant, and per metric key one array of values, `NaN` where
/// the participant did not report the key or reported a non-finite value.
///
/// This is the form the evaluator works on. An aggregate body is evaluated a column at a time (one loop per
/// operator over every row) instead of a tree walk per participant through dictionaries: at 5,000 participants and
/// 50 predicates the sentinel's evaluation went from about 200 ms to a few milliseconds a tick
/// (docs/safety-loop-performance.md). ``ExpressionContext`` is converted to it; the sentinel builds it directly from
/// the sealed frames and its forecasts.
struct MetricTable: Sendable {
    /// The participant of each row.
    let ids: [String]
    /// Whether `ids` is sorted (the sentinel's rows are, since sealed batches are sorted by participant): lists of
    /// participants then come out sorted without a sort.
    let sortedByID: Bool
    private var current: [String: [Double]]
    private var forecast: [String: [Double]]

    var count: Int { ids.count }
    var currentColumns: [String: [Double]] { current }
    var forecastColumns: [String: [Double]] { forecast }

    /// A table whose columns are given; each must have one value per row, `NaN` for "not reported".
    init(ids: [String], current: [String: [Double]], forecast: [String: [Double]]) {
        precondition(current.values.allSatisfy { $0.count == ids.count }, "a column per row")
        precondition(forecast.values.allSatisfy { $0.count == ids.count }, "a column per row")
        self.ids = ids
        self.sortedByID = zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 }
        self.current = current
        self.forecast = forecast
    }

    /// The columns of `keys` (current and forecast) taken from `context`'s participants, in their order.
    init(_ context: ExpressionContext, currentKeys: Set<String>, forecastKeys: Set<String>) {
        func column(_ key: String, _ values: KeyPath<ParticipantMetrics, [String: Double]>) -> [Double] {
            context.participants.map { participant in
                guard let value = participant[keyPath: values][key], value.isFinite else { return .nan }
                return value
            }
        }
        self.init(
            ids: context.participants.map(\.id),
            current: Dictionary(uniqueKeysWithValues: currentKeys.map { ($0, column($0, \.current)) }),
            forecast: Dictionary(uniqueKeysWithValues: forecastKeys.map { ($0, column($0, \.forecast)) }))
    }

    /// The values of metric `key` in the current frames; all `NaN` when nobody reported it.
    func current(_ key: String) -> [Double] {
        current[key] ?? Array(repeating: .nan, count: count)
    }

    /// The one-tick forecasts of metric `key`; all `NaN` when there are none.
    func forecast(_ key: String) -> [Double] {
        forecast[key] ?? Array(repeating: .nan, count: count)
    }
}

/// A set of rows of a ``MetricTable``, as a bit per row: unions are a pass over words, not hashing of ids.
struct RowSet: Sendable, Equatable {
    private(set) var words: [UInt64] = []

    static let empty = RowSet()

    init() {}

    /// The rows `0..<count` for which `isMember` holds.
    init(count: Int, _ isMember: (Int) -> Bool) {
        var words = [UInt64](repeating: 0, count: (count + 63) / 64)
        for row in 0..<count where isMember(row) {
            words[row >> 6] |= 1 << UInt64(row & 63)
        }
        self.words = words
    }

    var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    func union(_ other: RowSet) -> RowSet {
        if other.words.isEmpty { return self }
        if words.isEmpty { return other }
        var result = RowSet()
        result.words = (0..<max(words.count, other.words.count)).map { index in
            (index < words.count ? words[index] : 0) | (index < other.words.count ? other.words[index] : 0)
        }
        return result
    }

    /// The rows in increasing order.
    var rows: [Int] {
        var rows: [Int] = []
        for (index, word) in words.enumerated() {
            var remaining = word
            while remaining != 0 {
                rows.append(index << 6 | remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
        return rows
    }
}
