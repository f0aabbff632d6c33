/// The static rules of the language, checked once at parse time.
///
/// - metric and forecast references appear only inside an aggregate body;
/// - aggregates do not nest;
/// - every operator gets operands of the type it needs, and the whole expression is boolean.
///
/// The first violation in left-to-right order is reported.
struct ExpressionChecker {
    enum ValueType: Sendable, Hashable, CustomStringConvertible {
        case number
        case boolean

        var description: String { self == .number ? "a number" : "a boolean" }
    }

    private let source: ExpressionSource

    init(_ source: ExpressionSource) {
        self.source = source
    }

    /// Checks `root`, which must be a boolean expression.
    func check(_ root: ExpressionSyntax) throws(ExpressionError) {
        let type = try infer(root, inside: nil)
        guard type == .boolean else {
            throw source.error(
                .notBoolean,
                "a guard-rail expression must be a condition, but this is a number",
                hint: "compare it with a threshold, e.g. max(contributionL1) > params.maxContributionL1",
                at: root.span
            )
        }
    }

    private func infer(
        _ node: ExpressionSyntax,
        inside aggregate: ExpressionAggregate?
    ) throws(ExpressionError) -> ValueType {
        switch node.kind {
        case .number, .parameter:
            return .number
        case .boolean:
            return .boolean
        case .metric(let key):
            guard aggregate != nil else {
                throw source.error(
                    .metricOutsideAggregate,
                    "metric '\(key)' is used outside an aggregate",
                    hint: "each participant reports its own \(key); wrap it in max(...), any(...), … "
                        + "to say which participants count, e.g. max(\(key)) or any(\(key) > params.limit)",
                    at: node.span
                )
            }
            return .number
        case .forecast(let key):
            guard aggregate != nil else {
                throw source.error(
                    .metricOutsideAggregate,
                    "forecast 'forecast.\(key)' is used outside an aggregate",
                    hint: "each participant has its own forecast; wrap it in max(...), any(...), … "
                        + "to say which participants count, e.g. min(forecast.\(key))",
                    at: node.span
                )
            }
            return .number
        case .not(let operand, let operatorSpan):
            try expect(.boolean, operand, inside: aggregate) {
                "'\(source.slice(operatorSpan))' needs a condition, but its operand is \($0)"
            } hint: {
                "compare the number with something first, e.g. not (max(x) > params.limit)"
            }
            return .boolean
        case .negate(let operand):
            try expect(.number, operand, inside: aggregate) {
                "unary '-' needs a number, but its operand is \($0)"
            } hint: {
                "use 'not' to negate a condition"
            }
            return .number
        case .binary(let op, let lhs, let rhs, let operatorSpan):
            return try inferBinary(
                op, lhs, rhs, spelled: source.slice(operatorSpan), at: operatorSpan, inside: aggregate)
        case .aggregate(let call):
            if let aggregate {
                throw source.error(
                    .nestedAggregate,
                    "aggregate '\(call.function.rawValue)' is nested inside '\(aggregate.rawValue)'",
                    hint: "aggregates do not nest: a body is evaluated for one participant at a time; "
                        + "compare two aggregates instead, e.g. max(lagMs) > 2 * mean(lagMs)",
                    at: call.nameSpan
                )
            }
            let name = call.function.rawValue
            if call.function.takesBooleanBody {
                try expect(.boolean, call.body, inside: call.function) {
                    "'\(name)' needs a condition as its argument, but this is \($0)"
                } hint: {
                    "compare it, e.g. \(name)(lagMs > params.maxLagMs); use max, min, mean or sum to fold numbers"
                }
            } else {
                try expect(.number, call.body, inside: call.function) {
                    "'\(name)' needs a numeric argument, but this is \($0)"
                } hint: {
                    "use any, all or count to fold conditions, e.g. count(lagMs > params.maxLagMs)"
                }
            }
            return call.function.yieldsBoolean ? .boolean : .number
        }
    }

    private func inferBinary(
        _ op: ExpressionBinaryOperator,
        _ lhs: ExpressionSyntax,
        _ rhs: ExpressionSyntax,
        spelled spelling: String,
        at operatorSpan: ExpressionSpan,
        inside aggregate: ExpressionAggregate?
    ) throws(ExpressionError) -> ValueType {
        switch op {
        case .and, .or:
            for (side, operand) in [("left", lhs), ("right", rhs)] {
                try expect(.boolean, operand, inside: aggregate) {
                    "'\(spelling)' needs conditions on both sides, but its \(side) operand is \($0)"
                } hint: {
                    "compare the number with something, e.g. max(lagMs) > params.maxLagMs"
                }
            }
            return .boolean
        case .add, .subtract, .multiply, .divide:
            for (side, operand) in [("left", lhs), ("right", rhs)] {
                try expect(.number, operand, inside: aggregate) {
                    "'\(spelling)' needs numbers on both sides, but its \(side) operand is \($0)"
                } hint: {
                    "combine conditions with 'and' / 'or', or turn one into a number with count(...)"
                }
            }
            return .number
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            for (side, operand) in [("left", lhs), ("right", rhs)] {
                try expect(.number, operand, inside: aggregate) {
                    "'\(spelling)' compares numbers, but its \(side) operand is \($0)"
                } hint: {
                    "only '==' and '!=' compare conditions"
                }
            }
            return .boolean
        case .equal, .notEqual:
            let left = try infer(lhs, inside: aggregate)
            let right = try infer(rhs, inside: aggregate)
            guard left == right else {
                throw source.error(
                    .typeMismatch,
                    "'\(spelling)' compares values of one type, but its left operand is \(left) "
                        + "and its right operand is \(right)",
                    hint: "compare a number with a number or a condition with a condition",
                    at: operatorSpan
                )
            }
            return .boolean
        }
    }

    /// Infers `node` and throws a type mismatch underlining it unless its type is `expected`.
    private func expect(
        _ expected: ValueType,
        _ node: ExpressionSyntax,
        inside aggregate: ExpressionAggregate?,
        message: (ValueType) -> String,
        hint: () -> String
    ) throws(ExpressionError) {
        let actual = try infer(node, inside: aggregate)
        guard actual == expected else {
            throw source.error(.typeMismatch, message(actual), hint: hint(), at: node.span)
        }
    }
}
