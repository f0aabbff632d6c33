/// A node of a parsed guard-rail expression, with the span of text it came from.
struct ExpressionSyntax: Sendable, Hashable {
    indirect enum Kind: Sendable, Hashable {
        case number(Double)
        case boolean(Bool)
        /// A metric in the current frame of the participant being aggregated.
        case metric(String)
        /// The one-tick forecast of a metric for the participant being aggregated.
        case forecast(String)
        /// `params.NAME`.
        case parameter(String)
        case not(ExpressionSyntax, operatorSpan: ExpressionSpan)
        case negate(ExpressionSyntax)
        case binary(ExpressionBinaryOperator, ExpressionSyntax, ExpressionSyntax, operatorSpan: ExpressionSpan)
        case aggregate(ExpressionAggregateCall)
    }

    var kind: Kind
    /// The text of the node, including any parentheses written around it.
    var span: ExpressionSpan
    /// The height of the tree below and including this node.
    var depth: Int

    init(_ kind: Kind, span: ExpressionSpan) {
        self.kind = kind
        self.span = span
        self.depth = 1 + kind.children.map(\.depth).reduce(0, max)
    }
}

/// `any(body)`, `max(body)` and the other aggregates.
struct ExpressionAggregateCall: Sendable, Hashable {
    var function: ExpressionAggregate
    var body: ExpressionSyntax
    /// The aggregate's name, which errors about the aggregate underline.
    var nameSpan: ExpressionSpan
    /// Current-frame metric keys the body reads, sorted; a participant lacking one is skipped.
    var currentKeys: [String]
    /// Forecast metric keys the body reads, sorted; a participant lacking one is skipped.
    var forecastKeys: [String]
    /// Parameter names the body reads, in order of first appearance.
    var parameterNames: [String]

    init(function: ExpressionAggregate, body: ExpressionSyntax, nameSpan: ExpressionSpan) {
        self.function = function
        self.body = body
        self.nameSpan = nameSpan
        let references = body.references
        self.currentKeys = Set(references.current).sorted()
        self.forecastKeys = Set(references.forecast).sorted()
        self.parameterNames = references.parameters
    }
}

extension ExpressionSyntax.Kind {
    /// The direct sub-expressions, left to right.
    var children: [ExpressionSyntax] {
        switch self {
        case .number, .boolean, .metric, .forecast, .parameter: []
        case .not(let operand, _), .negate(let operand): [operand]
        case .binary(_, let lhs, let rhs, _): [lhs, rhs]
        case .aggregate(let call): [call.body]
        }
    }
}

extension ExpressionSyntax {
    /// Every reference in source order; parameter names are de-duplicated, keeping the first.
    var references: (current: [String], forecast: [String], parameters: [String]) {
        var current: [String] = []
        var forecast: [String] = []
        var parameters: [String] = []
        var pending = [self]
        while let node = pending.popLast() {
            switch node.kind {
            case .metric(let key): current.append(key)
            case .forecast(let key): forecast.append(key)
            case .parameter(let name) where !parameters.contains(name): parameters.append(name)
            default: break
            }
            pending.append(contentsOf: node.kind.children.reversed())
        }
        return (current, forecast, parameters)
    }

    /// The expression with every operation parenthesized, e.g. `((a + b) > 1)`.
    var parenthesized: String {
        switch kind {
        case .number(let value): ExpressionNumberFormat.string(value)
        case .boolean(let value): value ? "true" : "false"
        case .metric(let key): key
        case .forecast(let key): "forecast.\(key)"
        case .parameter(let name): "params.\(name)"
        case .not(let operand, _): "(not \(operand.parenthesized))"
        case .negate(let operand): "(-\(operand.parenthesized))"
        case .binary(let op, let lhs, let rhs, _): "(\(lhs.parenthesized) \(op.symbol) \(rhs.parenthesized))"
        case .aggregate(let call): "\(call.function.rawValue)(\(call.body.parenthesized))"
        }
    }
}

/// Prints numbers the way people write them: `400`, `0.5`, `1e-05`.
enum ExpressionNumberFormat {
    static func string(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(value)
    }
}
