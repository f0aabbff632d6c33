@testable import PhalanxControl

/// The guard-rail evaluator as it was before the columnar one (a tree walk per participant over dictionaries),
/// kept as the reference the columnar evaluator must agree with (`ExpressionEquivalenceTests`).
struct ReferenceExpressionEvaluator {
    private enum Value: Hashable {
        /// `nil` is undefined.
        case number(Double?)
        case boolean(Bool)

        var isTrue: Bool { self == .boolean(true) }

        var number: Double? {
            if case .number(let value) = self { value } else { nil }
        }
    }

    /// A value and the participants that explain it (see ``ExpressionEvaluation/offenders``).
    private struct Outcome {
        var value: Value
        var witnesses: Set<String> = []
    }

    private let source: ExpressionSource
    private let context: ExpressionContext
    private var trace: [String] = []
    private var tracedParameters: Set<String> = []

    private init(source: ExpressionSource, context: ExpressionContext) {
        self.source = source
        self.context = context
    }

    /// Evaluates `root`, a boolean expression that ``ExpressionChecker`` accepted.
    static func evaluate(
        _ root: ExpressionSyntax,
        source: ExpressionSource,
        context: ExpressionContext
    ) throws(ExpressionError) -> ExpressionEvaluation {
        for (name, span) in parameterReferences(in: root) where context.parameters[name] == nil {
            throw source.error(
                .undefinedParameter,
                "parameter '\(name)' is not defined",
                hint: "define it under 'parameters:' in guardrails.yaml; admission rejects predicates that name "
                    + "unknown parameters",
                at: span
            )
        }
        var evaluator = ReferenceExpressionEvaluator(source: source, context: context)
        let outcome = evaluator.global(root)
        let holds = outcome.value.isTrue
        return ExpressionEvaluation(
            holds: holds,
            offenders: holds ? outcome.witnesses.sorted() : [],
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
            return Outcome(value: .number(nil))
        case .not(let operand, _):
            let inner = global(operand)
            return Outcome(value: .boolean(!inner.value.isTrue), witnesses: inner.witnesses)
        case .negate(let operand):
            let inner = global(operand)
            return Outcome(value: Self.negate(inner.value), witnesses: inner.witnesses)
        case .binary(let op, let lhs, let rhs, _):
            let left = global(lhs)
            let right = global(rhs)
            let value = Self.apply(op, left.value, right.value)
            switch op {
            case .and where !value.isTrue, .or where value.isTrue:
                // Only the operands that decided the outcome explain it.
                let wanted = op == .or
                return Outcome(
                    value: value,
                    witnesses: (left.value.isTrue == wanted ? left.witnesses : [])
                        .union(right.value.isTrue == wanted ? right.witnesses : [])
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
        var considered: [(id: String, value: Value)] = []
        var skipped: [String] = []
        for participant in context.participants {
            let reportsEverything =
                call.currentKeys.allSatisfy { participant.current[$0]?.isFinite ?? false }
                && call.forecastKeys.allSatisfy { participant.forecast[$0]?.isFinite ?? false }
            if reportsEverything {
                considered.append((participant.id, local(call.body, participant)))
            } else {
                skipped.append(participant.id)
            }
        }
        let label = "\(call.function.rawValue)(\(source.compactSlice(call.body.span)))"
        let outcome: Outcome
        let summary: String
        switch call.function {
        case .any, .all, .count:
            // One pass; only the id set the outcome needs is hashed (this runs for every participant, every tick).
            let trueCount = considered.reduce(0) { $0 + ($1.value.isTrue ? 1 : 0) }
            func ids(_ wanted: Bool) -> Set<String> {
                var set = Set<String>(minimumCapacity: wanted ? trueCount : considered.count - trueCount)
                for entry in considered where entry.value.isTrue == wanted { set.insert(entry.id) }
                return set
            }
            switch call.function {
            case .any:
                let holds = trueCount > 0
                let witnesses = ids(holds)
                outcome = Outcome(value: .boolean(holds), witnesses: witnesses)
                summary = "\(holds)" + Self.list(holds ? witnesses : [])
            case .all:
                let holds = trueCount == considered.count
                let witnesses = ids(holds)
                outcome = Outcome(value: .boolean(holds), witnesses: witnesses)
                summary = "\(holds)" + Self.list(holds ? [] : witnesses)
            default:
                let witnesses = ids(true)
                outcome = Outcome(value: .number(Double(trueCount)), witnesses: witnesses)
                summary = "\(trueCount)" + Self.list(witnesses)
            }
        case .max, .min, .mean, .sum:
            let defined = considered.compactMap { entry in entry.value.number.map { (id: entry.id, value: $0) } }
            skipped += considered.filter { $0.value.number == nil }.map(\.id)
            let values = defined.map(\.value)
            var result: Double?
            var witnesses: Set<String> = []
            switch call.function {
            case .max, .min:
                result = call.function == .max ? values.max() : values.min()
                witnesses = Set(defined.filter { $0.value == result }.map(\.id))
            case .mean:
                result = values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
            default:
                result = values.isEmpty ? nil : values.reduce(0, +)
            }
            if let value = result, !value.isFinite {
                result = nil
            }
            outcome = Outcome(value: .number(result), witnesses: witnesses)
            if let result {
                let over =
                    call.function == .mean || call.function == .sum
                    ? " over \(values.count) participant\(values.count == 1 ? "" : "s")" : Self.list(witnesses)
                summary = ExpressionNumberFormat.string(result) + over
            } else {
                summary = "undefined"
            }
        }
        var line = "\(label) = \(summary)"
        if considered.isEmpty {
            line += context.participants.isEmpty ? " (no participants)" : " (no participant reported \(keys(call)))"
        } else if outcome.value == .number(nil) {
            line += " (no defined value)"
        }
        if !considered.isEmpty, !skipped.isEmpty {
            line += " [skipped: \(Set(skipped).sorted().joined(separator: ", "))]"
        }
        trace.append(line)
        return outcome
    }

    // MARK: - For one participant

    private func local(_ node: ExpressionSyntax, _ participant: ParticipantMetrics) -> Value {
        switch node.kind {
        case .number(let value): .number(value)
        case .boolean(let value): .boolean(value)
        case .parameter(let name): .number(parameter(name))
        case .metric(let key): .number(participant.current[key].flatMap(Self.finite))
        case .forecast(let key): .number(participant.forecast[key].flatMap(Self.finite))
        case .not(let operand, _): .boolean(!local(operand, participant).isTrue)
        case .negate(let operand): Self.negate(local(operand, participant))
        case .binary(let op, let lhs, let rhs, _): Self.apply(op, local(lhs, participant), local(rhs, participant))
        // The checker rejects nested aggregates.
        case .aggregate: .number(nil)
        }
    }

    // MARK: - Operators

    private static func apply(_ op: ExpressionBinaryOperator, _ lhs: Value, _ rhs: Value) -> Value {
        switch (op, lhs, rhs) {
        case (.and, _, _): return .boolean(lhs.isTrue && rhs.isTrue)
        case (.or, _, _): return .boolean(lhs.isTrue || rhs.isTrue)
        case (.equal, .boolean(let a), .boolean(let b)): return .boolean(a == b)
        case (.notEqual, .boolean(let a), .boolean(let b)): return .boolean(a != b)
        default: break
        }
        guard let a = lhs.number, let b = rhs.number else {
            // Undefined arithmetic stays undefined; a comparison with an undefined side is false.
            return op.isComparison ? .boolean(false) : .number(nil)
        }
        switch op {
        case .less: return .boolean(a < b)
        case .lessOrEqual: return .boolean(a <= b)
        case .greater: return .boolean(a > b)
        case .greaterOrEqual: return .boolean(a >= b)
        case .equal: return .boolean(a == b)
        case .notEqual: return .boolean(a != b)
        case .add: return .number(finite(a + b))
        case .subtract: return .number(finite(a - b))
        case .multiply: return .number(finite(a * b))
        case .divide: return .number(b == 0 ? nil : finite(a / b))
        case .and, .or: return .boolean(false)
        }
    }

    private static func negate(_ value: Value) -> Value {
        .number(value.number.map { -$0 })
    }

    private static func finite(_ value: Double) -> Double? {
        value.isFinite ? value : nil
    }

    private func parameter(_ name: String) -> Double? {
        context.parameters[name].flatMap(Self.finite)
    }

    private mutating func traceParameter(_ name: String) {
        guard tracedParameters.insert(name).inserted else { return }
        let value = parameter(name).map(ExpressionNumberFormat.string) ?? "undefined"
        trace.append("params.\(name) = \(value)")
    }

    /// ` (a, b)` for a non-empty set of ids, sorted; nothing for an empty one.
    private static func list(_ ids: Set<String>) -> String {
        ids.isEmpty ? "" : " (\(ids.sorted().joined(separator: ", ")))"
    }

    private func keys(_ call: ExpressionAggregateCall) -> String {
        (call.currentKeys + call.forecastKeys.map { "forecast.\($0)" }).joined(separator: ", ")
    }
}
