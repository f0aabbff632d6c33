/// Evaluates a checked expression over one tick's participants.
///
/// Semantics, in the words of `docs/guardrails.md`:
/// - an aggregate skips every participant that lacks (or reports a non-finite value for) a metric
///   its body reads; numeric aggregates also skip participants whose body is undefined;
/// - over no participants `any` is false, `all` true, `count` 0 and `max`/`min`/`mean`/`sum` undefined;
/// - division by zero and any non-finite result are undefined, and undefined propagates through
///   arithmetic; a comparison with an undefined side is false ("no data, no alert"), so `not` of
///   such a comparison is true;
/// - every aggregate is evaluated (nothing short-circuits), so the trace is complete.
///
/// **How.** Outside aggregates an expression is a handful of scalars. An aggregate body is evaluated over a
/// ``MetricTable`` a column at a time: each operator is one loop over every row, with `NaN` standing for
/// "undefined" (IEEE comparisons with `NaN` are already false; `!=` is made false explicitly). The participants that
/// explain a value are kept as a ``RowSet`` and turned into ids only for what is printed or returned.
struct ExpressionEvaluator {
    /// A value: inside an aggregate body, one per row or a scalar that every row shares; outside aggregates, always a
    /// scalar (the same operators apply, on one value). `NaN` is undefined.
    private enum Column {
        case number(Double)
        case boolean(Bool)
        case numbers([Double])
        case booleans([Bool])

        var isBoolean: Bool {
            switch self {
            case .boolean, .booleans: true
            case .number, .numbers: false
            }
        }

        /// Whether a scalar is the condition `true`.
        var isTrue: Bool {
            if case .boolean(true) = self { true } else { false }
        }
    }

    /// A value and the participants that explain it (see ``ExpressionEvaluation/offenders``).
    private struct Outcome {
        var value: Column
        var witnesses = RowSet.empty
    }

    /// Lists of participants in the trace show at most this many ids, then how many more there are (a predicate
    /// over 5,000 nodes would otherwise print 5,000 ids a tick). Offenders are never cut.
    static let listedParticipants = 10

    private let source: ExpressionSource
    private let table: MetricTable
    private let parameters: [String: Double]
    private var trace: [String] = []
    private var tracedParameters: Set<String> = []

    private init(source: ExpressionSource, table: MetricTable, parameters: [String: Double]) {
        self.source = source
        self.table = table
        self.parameters = parameters
    }

    /// Evaluates `root`, a boolean expression that ``ExpressionChecker`` accepted, over `context`.
    static func evaluate(
        _ root: ExpressionSyntax,
        source: ExpressionSource,
        context: ExpressionContext
    ) throws(ExpressionError) -> ExpressionEvaluation {
        let references = root.references
        let table = MetricTable(
            context, currentKeys: Set(references.current), forecastKeys: Set(references.forecast))
        return try evaluate(root, source: source, table: table, parameters: context.parameters)
    }

    /// Evaluates `root` over `table`, which must have a column for every metric the expression reads (a missing
    /// column reads as "nobody reported it").
    static func evaluate(
        _ root: ExpressionSyntax,
        source: ExpressionSource,
        table: MetricTable,
        parameters: [String: Double]
    ) throws(ExpressionError) -> ExpressionEvaluation {
        for (name, span) in parameterReferences(in: root) where parameters[name] == nil {
            throw source.error(
                .undefinedParameter,
                "parameter '\(name)' is not defined",
                hint: "define it under 'parameters:' in guardrails.yaml; admission rejects predicates that name "
                    + "unknown parameters",
                at: span
            )
        }
        var evaluator = ExpressionEvaluator(source: source, table: table, parameters: parameters)
        let outcome = evaluator.global(root)
        let holds = outcome.value.isTrue
        return ExpressionEvaluation(
            holds: holds,
            offenders: holds ? evaluator.ids(outcome.witnesses) : [],
            trace: evaluator.trace
        )
    }

    private static func parameterReferences(in root: ExpressionSyntax) -> [(String, ExpressionSpan)] {
        var found: [(String, ExpressionSpan)] = []
        var pending = [root]
        while let node = pending.popLast() {
            if case .parameter(let name) = node.kind {
                found.append((name, node.span))
            }
            pending.append(contentsOf: node.kind.children.reversed())
        }
        return found
    }

    // MARK: - Across participants

    private mutating func global(_ node: ExpressionSyntax) -> Outcome {
        switch node.kind {
        case .number(let value):
            return Outcome(value: .number(value))
        case .boolean(let value):
            return Outcome(value: .boolean(value))
        case .parameter(let name):
            traceParameter(name)
            return Outcome(value: .number(parameter(name)))
        case .metric, .forecast:
            // The checker admits metrics only inside aggregates, which evaluate them per participant.
            return Outcome(value: .number(.nan))
        case .not(let operand, _):
            let inner = global(operand)
            return Outcome(value: Self.not(inner.value), witnesses: inner.witnesses)
        case .negate(let operand):
            let inner = global(operand)
            return Outcome(value: Self.negate(inner.value), witnesses: inner.witnesses)
        case .binary(let op, let lhs, let rhs, _):
            let left = global(lhs)
            let right = global(rhs)
            let value = Self.apply(op, left.value, right.value, rows: 1)
            switch op {
            case .and where !value.isTrue, .or where value.isTrue:
                // Only the operands that decided the outcome explain it.
                let wanted = op == .or
                return Outcome(
                    value: value,
                    witnesses: (left.value.isTrue == wanted ? left.witnesses : .empty)
                        .union(right.value.isTrue == wanted ? right.witnesses : .empty)
                )
            default:
                return Outcome(value: value, witnesses: left.witnesses.union(right.witnesses))
            }
        case .aggregate(let call):
            return aggregate(call)
        }
    }

    private mutating func aggregate(_ call: ExpressionAggregateCall) -> Outcome {
        for name in call.parameterNames {
            traceParameter(name)
        }
        let rows = table.count
        // A participant is considered when it reports every metric the body reads with a finite value.
        var considered = [Bool](repeating: true, count: rows)
        for column in call.currentKeys.map(table.current) + call.forecastKeys.map(table.forecast) {
            for row in 0..<rows where column[row].isNaN { considered[row] = false }
        }
        let consideredCount = considered.reduce(0) { $0 + ($1 ? 1 : 0) }
        var skipped = RowSet(count: rows) { !considered[$0] }
        let body = local(call.body)
        let label = "\(call.function.rawValue)(\(source.compactSlice(call.body.span)))"
        let outcome: Outcome
        let summary: String
        switch call.function {
        case .any, .all, .count:
            let truth = Self.truths(body, rows: rows)
            var trueCount = 0
            for row in 0..<rows where considered[row] && truth[row] { trueCount += 1 }
            // Only the id set the outcome needs is built.
            func witnesses(_ wanted: Bool) -> RowSet { RowSet(count: rows) { considered[$0] && truth[$0] == wanted } }
            switch call.function {
            case .any:
                let holds = trueCount > 0
                let set = witnesses(holds)
                outcome = Outcome(value: .boolean(holds), witnesses: set)
                summary = "\(holds)" + list(holds ? set : .empty)
            case .all:
                let holds = trueCount == consideredCount
                let set = witnesses(holds)
                outcome = Outcome(value: .boolean(holds), witnesses: set)
                summary = "\(holds)" + list(holds ? .empty : set)
            default:
                let set = witnesses(true)
                outcome = Outcome(value: .number(Double(trueCount)), witnesses: set)
                summary = "\(trueCount)" + list(set)
            }
        case .max, .min, .mean, .sum:
            let values = Self.numbers(body, rows: rows)
            var defined = 0
            var result = Double.nan
            var total = 0.0
            for row in 0..<rows where considered[row] {
                let value = values[row]
                guard !value.isNaN else { continue }
                defined += 1
                total += value
                // The first of equal extremes is kept, as `Array.max()` does.
                if defined == 1 || (call.function == .max ? result < value : value < result) { result = value }
            }
            skipped = skipped.union(RowSet(count: rows) { considered[$0] && values[$0].isNaN })
            var witnesses = RowSet.empty
            switch call.function {
            case .max, .min:
                if defined > 0 { witnesses = RowSet(count: rows) { considered[$0] && values[$0] == result } }
            case .mean:
                result = defined == 0 ? .nan : total / Double(defined)
            default:
                result = defined == 0 ? .nan : total
            }
            if !result.isFinite {
                result = .nan
            }
            outcome = Outcome(value: .number(result), witnesses: witnesses)
            if !result.isNaN {
                let over =
                    call.function == .mean || call.function == .sum
                    ? " over \(defined) participant\(defined == 1 ? "" : "s")" : list(witnesses)
                summary = ExpressionNumberFormat.string(result) + over
            } else {
                summary = "undefined"
            }
        }
        var line = "\(label) = \(summary)"
        if consideredCount == 0 {
            line += rows == 0 ? " (no participants)" : " (no participant reported \(keys(call)))"
        } else if case .number(let value) = outcome.value, value.isNaN {
            line += " (no defined value)"
        }
        if consideredCount > 0, !skipped.isEmpty {
            line += " [skipped: \(listing(skipped))]"
        }
        trace.append(line)
        return outcome
    }

    // MARK: - For every participant at once

    private func local(_ node: ExpressionSyntax) -> Column {
        switch node.kind {
        case .number(let value): return .number(value)
        case .boolean(let value): return .boolean(value)
        case .parameter(let name): return .number(parameter(name))
        case .metric(let key): return .numbers(table.current(key))
        case .forecast(let key): return .numbers(table.forecast(key))
        case .not(let operand, _): return Self.not(local(operand))
        case .negate(let operand): return Self.negate(local(operand))
        case .binary(let op, let lhs, let rhs, _):
            return Self.apply(op, local(lhs), local(rhs), rows: table.count)
        // The checker rejects nested aggregates.
        case .aggregate: return .number(.nan)
        }
    }

    private static func apply(_ op: ExpressionBinaryOperator, _ lhs: Column, _ rhs: Column, rows: Int) -> Column {
        switch op {
        case .and:
            return combine(truths(lhs), truths(rhs), rows: rows) { $0 && $1 }
        case .or:
            return combine(truths(lhs), truths(rhs), rows: rows) { $0 || $1 }
        case .equal where lhs.isBoolean && rhs.isBoolean:
            return combine(truths(lhs), truths(rhs), rows: rows) { $0 == $1 }
        case .notEqual where lhs.isBoolean && rhs.isBoolean:
            return combine(truths(lhs), truths(rhs), rows: rows) { $0 != $1 }
        default:
            break
        }
        guard !lhs.isBoolean, !rhs.isBoolean else {
            // A condition where a number belongs (the checker rules this out): as undefined.
            return op.isComparison ? .boolean(false) : .number(.nan)
        }
        let a = numbers(lhs), b = numbers(rhs)
        switch op {
        case .less: return combine(a, b, rows: rows) { $0 < $1 }
        case .lessOrEqual: return combine(a, b, rows: rows) { $0 <= $1 }
        case .greater: return combine(a, b, rows: rows) { $0 > $1 }
        case .greaterOrEqual: return combine(a, b, rows: rows) { $0 >= $1 }
        case .equal: return combine(a, b, rows: rows) { $0 == $1 }
        case .notEqual: return combine(a, b, rows: rows) { !$0.isNaN && !$1.isNaN && $0 != $1 }
        case .add: return combine(a, b, rows: rows) { finite($0 + $1) }
        case .subtract: return combine(a, b, rows: rows) { finite($0 - $1) }
        case .multiply: return combine(a, b, rows: rows) { finite($0 * $1) }
        case .divide: return combine(a, b, rows: rows) { $1 == 0 ? .nan : finite($0 / $1) }
        case .and, .or: return .boolean(false)
        }
    }

    /// A column's numbers: a scalar, or one per row (`NaN` for a condition).
    private enum Operand<Element> {
        case scalar(Element)
        case rows([Element])
    }

    private static func numbers(_ column: Column) -> Operand<Double> {
        switch column {
        case .number(let value): .scalar(value)
        case .numbers(let values): .rows(values)
        case .boolean, .booleans: .scalar(.nan)
        }
    }

    private static func truths(_ column: Column) -> Operand<Bool> {
        switch column {
        case .boolean(let value): .scalar(value)
        case .booleans(let values): .rows(values)
        case .number, .numbers: .scalar(false)
        }
    }

    /// Every row's truth value, a scalar repeated.
    private static func truths(_ column: Column, rows: Int) -> [Bool] {
        switch truths(column) {
        case .scalar(let value): [Bool](repeating: value, count: rows)
        case .rows(let values): values
        }
    }

    /// Every row's number, a scalar repeated.
    private static func numbers(_ column: Column, rows: Int) -> [Double] {
        switch numbers(column) {
        case .scalar(let value): [Double](repeating: value, count: rows)
        case .rows(let values): values
        }
    }

    /// `operation` row by row, a scalar side applying to every row; a scalar when both sides are.
    @inline(__always)
    private static func zip<Element, Result>(
        _ lhs: Operand<Element>, _ rhs: Operand<Element>, rows: Int, _ operation: (Element, Element) -> Result
    ) -> Operand<Result> {
        switch (lhs, rhs) {
        case (.scalar(let a), .scalar(let b)):
            return .scalar(operation(a, b))
        case (.rows(let a), .scalar(let b)):
            return .rows(a.map { operation($0, b) })
        case (.scalar(let a), .rows(let b)):
            return .rows(b.map { operation(a, $0) })
        case (.rows(let a), .rows(let b)):
            return .rows(
                [Result](unsafeUninitializedCapacity: rows) { buffer, initialized in
                    for row in 0..<rows { buffer.initializeElement(at: row, to: operation(a[row], b[row])) }
                    initialized = rows
                })
        }
    }

    @inline(__always)
    private static func combine<Element>(
        _ lhs: Operand<Element>, _ rhs: Operand<Element>, rows: Int, _ operation: (Element, Element) -> Double
    ) -> Column {
        switch zip(lhs, rhs, rows: rows, operation) {
        case .scalar(let value): .number(value)
        case .rows(let values): .numbers(values)
        }
    }

    @inline(__always)
    private static func combine<Element>(
        _ lhs: Operand<Element>, _ rhs: Operand<Element>, rows: Int, _ operation: (Element, Element) -> Bool
    ) -> Column {
        switch zip(lhs, rhs, rows: rows, operation) {
        case .scalar(let value): .boolean(value)
        case .rows(let values): .booleans(values)
        }
    }

    private static func not(_ value: Column) -> Column {
        switch value {
        case .boolean(let value): .boolean(!value)
        case .booleans(let values): .booleans(values.map { !$0 })
        // Not a condition: never true, so its negation always is (the checker rules this out).
        case .number, .numbers: .boolean(true)
        }
    }

    private static func negate(_ value: Column) -> Column {
        switch value {
        case .number(let value): .number(-value)
        case .numbers(let values): .numbers(values.map { -$0 })
        case .boolean, .booleans: .number(.nan)
        }
    }

    @inline(__always)
    private static func finite(_ value: Double) -> Double {
        value.isFinite ? value : .nan
    }

    private func parameter(_ name: String) -> Double {
        parameters[name].map(Self.finite) ?? .nan
    }

    private mutating func traceParameter(_ name: String) {
        guard tracedParameters.insert(name).inserted else { return }
        let value = parameter(name)
        trace.append("params.\(name) = \(value.isNaN ? "undefined" : ExpressionNumberFormat.string(value))")
    }

    // MARK: - Participants by name

    /// The ids of `rows`, sorted and without repeats.
    private func ids(_ rows: RowSet) -> [String] {
        let ids = rows.rows.map { table.ids[$0] }
        if table.sortedByID { return ids }
        var unique: [String] = []
        for id in ids.sorted() where id != unique.last { unique.append(id) }
        return unique
    }

    /// `a, b, c` for the ids of `rows`, sorted; past ``listedParticipants`` ids, the first ones and how many more.
    private func listing(_ rows: RowSet) -> String {
        let limit = Self.listedParticipants
        let shown: [String]
        let total: Int
        if table.sortedByID {
            // Rows in id order: the first set rows are the smallest ids, and nothing else needs a name.
            total = rows.count
            shown = rows.rows.prefix(limit).map { table.ids[$0] }
        } else {
            let all = ids(rows)
            total = all.count
            shown = Array(all.prefix(limit))
        }
        let more = total - shown.count
        return shown.joined(separator: ", ") + (more > 0 ? " … and \(more) more" : "")
    }

    /// ` (a, b)` for a non-empty set of rows; nothing for an empty one.
    private func list(_ rows: RowSet) -> String {
        rows.isEmpty ? "" : " (\(listing(rows)))"
    }

    private func keys(_ call: ExpressionAggregateCall) -> String {
        (call.currentKeys + call.forecastKeys.map { "forecast.\($0)" }).joined(separator: ", ")
    }
}
