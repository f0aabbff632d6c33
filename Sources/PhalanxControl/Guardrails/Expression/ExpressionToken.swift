/// The operators that take two operands, with their spelling-independent meaning.
enum ExpressionBinaryOperator: Sendable, Hashable {
    case or
    case and
    case less
    case lessOrEqual
    case greater
    case greaterOrEqual
    case equal
    case notEqual
    case add
    case subtract
    case multiply
    case divide

    /// How tightly the operator binds; higher binds tighter.
    var precedence: ExpressionPrecedence {
        switch self {
        case .or: .or
        case .and: .and
        case .less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual: .comparison
        case .add, .subtract: .additive
        case .multiply, .divide: .multiplicative
        }
    }

    var isComparison: Bool { precedence == .comparison }

    /// The canonical spelling, used by ``GuardrailExpression/parenthesized``.
    var symbol: String {
        switch self {
        case .or: "or"
        case .and: "and"
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        case .equal: "=="
        case .notEqual: "!="
        case .add: "+"
        case .subtract: "-"
        case .multiply: "*"
        case .divide: "/"
        }
    }
}

/// Binding strength, loosest first.
enum ExpressionPrecedence: Int, Sendable, Comparable {
    case or = 1
    case and
    case not
    case comparison
    case additive
    case multiplicative
    case prefix

    /// The next tighter level (left-associative operators parse their right operand at it).
    var tighter: ExpressionPrecedence { ExpressionPrecedence(rawValue: rawValue + 1) ?? .prefix }

    static func < (lhs: ExpressionPrecedence, rhs: ExpressionPrecedence) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// The aggregates, which fold a per-participant body over the participants of a tick.
enum ExpressionAggregate: String, Sendable, Hashable, CaseIterable {
    case any
    case all
    case count
    case max
    case min
    case mean
    case sum

    /// Whether the body is a condition (`any`, `all`, `count`) rather than a number.
    var takesBooleanBody: Bool {
        switch self {
        case .any, .all, .count: true
        case .max, .min, .mean, .sum: false
        }
    }

    /// Whether the aggregate yields a boolean (`any`, `all`) rather than a number.
    var yieldsBoolean: Bool { self == .any || self == .all }
}

/// Words that cannot name a metric or a parameter.
enum ExpressionKeyword: String, Sendable, Hashable, CaseIterable {
    case and
    case or
    case not
    case `true`
    case `false`
    case params
    case forecast
    case any
    case all
    case count
    case max
    case min
    case mean
    case sum
}

/// One lexical unit of an expression.
struct ExpressionToken: Sendable, Hashable {
    enum Kind: Sendable, Hashable {
        case number(Double)
        /// A metric key (never a reserved word).
        case name(String)
        /// `true` or `false`.
        case boolean(Bool)
        /// An aggregate's name; a `(` must follow.
        case aggregate(ExpressionAggregate)
        /// `forecast` or `params` without the `.NAME` that must follow.
        case bareQualifier(ExpressionKeyword)
        /// `forecast.KEY`; the key may be a reserved word, which the parser rejects.
        case forecastReference(String)
        /// `params.NAME`; the name may be a reserved word, which the parser rejects.
        case parameterReference(String)
        /// `not` or `!`.
        case not
        /// A binary operator; `-` doubles as unary minus.
        case binary(ExpressionBinaryOperator)
        case leftParenthesis
        case rightParenthesis
        case comma
        /// The lexer stopped here; the parser throws this error when it reaches the token.
        case invalid(ExpressionError)
        case end
    }

    var kind: Kind
    var span: ExpressionSpan
}
