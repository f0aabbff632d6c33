/// The parsed form of a plug-in, exactly as written, with the source span of every part.
///
/// The parser (``Parser``) builds it; it knows nothing of types or of where data may go — the checker does. Both
/// blocks accept every kind of statement here, so that the checker can say *why* one is out of place
/// (e.g. "release exists only on the aggregator: node-private data leaves a node only through secure_sum").
public struct PluginSyntax: Sendable, Hashable {
    /// `plugin "NAME"`.
    public var name: StringLiteral
    /// `version "X.Y.Z"`.
    public var version: StringLiteral
    public var inputs: [InputSyntax]
    public var node: BlockSyntax
    public var aggregator: BlockSyntax

    public init(
        name: StringLiteral, version: StringLiteral, inputs: [InputSyntax], node: BlockSyntax,
        aggregator: BlockSyntax
    ) {
        self.name = name
        self.version = version
        self.inputs = inputs
        self.node = node
        self.aggregator = aggregator
    }
}

/// A name as written, e.g. a table, column, variable, channel or function name.
public struct Identifier: Sendable, Hashable {
    public var name: String
    public var span: SourceSpan

    public init(_ name: String, span: SourceSpan) {
        self.name = name
        self.span = span
    }
}

/// A string literal: its value (escapes resolved) and the span of the literal, quotes included.
public struct StringLiteral: Sendable, Hashable {
    public var value: String
    public var span: SourceSpan

    public init(_ value: String, span: SourceSpan) {
        self.value = value
        self.span = span
    }
}

/// A number literal. `integer` is set when the text has no `.` or exponent and fits in an `Int64`; `value` is
/// the nearest `Double` either way.
public struct NumberLiteral: Sendable, Hashable {
    public var text: String
    public var value: Double
    public var integer: Int64?
    public var span: SourceSpan

    public init(text: String, value: Double, integer: Int64?, span: SourceSpan) {
        self.text = text
        self.value = value
        self.integer = integer
        self.span = span
    }
}

/// `input NAME { column: type … }`: a node-local table every node holds.
public struct InputSyntax: Sendable, Hashable {
    public var name: Identifier
    public var columns: [ColumnSyntax]
    /// From `input` to the closing `}`.
    public var span: SourceSpan

    public init(name: Identifier, columns: [ColumnSyntax], span: SourceSpan) {
        self.name = name
        self.columns = columns
        self.span = span
    }
}

/// `name: int in 0..=80`, `name: real`, `name: category in { "a", "b" }`.
public struct ColumnSyntax: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case integer(RangeSyntax)
        case real(RangeSyntax?)
        case category([StringLiteral])
    }

    public var name: Identifier
    public var kind: Kind
    public var span: SourceSpan

    public init(name: Identifier, kind: Kind, span: SourceSpan) {
        self.name = name
        self.kind = kind
        self.span = span
    }
}

/// `a..=b` (inclusive) or `a..<b` (exclusive); the bounds may carry a leading `-`.
public struct RangeSyntax: Sendable, Hashable {
    public var lower: NumberLiteral
    public var upper: NumberLiteral
    public var inclusive: Bool
    public var span: SourceSpan

    public init(lower: NumberLiteral, upper: NumberLiteral, inclusive: Bool, span: SourceSpan) {
        self.lower = lower
        self.upper = upper
        self.inclusive = inclusive
        self.span = span
    }
}

/// `node { … }` or `aggregator { … }`.
public struct BlockSyntax: Sendable, Hashable {
    /// The `node` or `aggregator` keyword.
    public var keyword: SourceSpan
    public var statements: [StatementSyntax]
    /// From the keyword to the closing `}`.
    public var span: SourceSpan

    public init(keyword: SourceSpan, statements: [StatementSyntax], span: SourceSpan) {
        self.keyword = keyword
        self.statements = statements
        self.span = span
    }
}

/// One statement of a block.
public struct StatementSyntax: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// `let name = value`
        case binding(name: Identifier, value: ExpressionSyntax)
        /// `secure_sum value as channel`
        case secureSum(value: ExpressionSyntax, channel: Identifier)
        /// `release value as "name" [labels …]`
        case release(value: ExpressionSyntax, name: StringLiteral, labels: LabelsSyntax?)
        /// `threshold_release value at threshold as "name" [labels …]`
        case thresholdRelease(
            value: ExpressionSyntax, threshold: ExpressionSyntax, name: StringLiteral, labels: LabelsSyntax?)
    }

    public var kind: Kind
    /// The statement's keyword (`let`, `secure_sum`, `release`, `threshold_release`).
    public var keyword: SourceSpan
    /// The whole statement.
    public var span: SourceSpan

    public init(_ kind: Kind, keyword: SourceSpan, span: SourceSpan) {
        self.kind = kind
        self.keyword = keyword
        self.span = span
    }
}

/// What names the elements of a released vector.
public enum LabelsSyntax: Sendable, Hashable {
    /// `labels 0..=80`: one label per integer.
    case range(RangeSyntax)
    /// `labels { "a", "b" }`.
    case strings([StringLiteral], span: SourceSpan)
    /// `labels survival.group`: the declared domain of a category column.
    case column(table: Identifier, column: Identifier)
}

/// An expression, with the span of its text (parentheses written around it included).
public struct ExpressionSyntax: Sendable, Hashable {
    public indirect enum Kind: Sendable, Hashable {
        case number(NumberLiteral)
        case string(StringLiteral)
        case boolean(Bool)
        /// `round`: the index of the round being computed (0-based).
        case round
        /// A variable, channel or input table.
        case name(Identifier)
        /// `table.column`.
        case column(table: Identifier, column: Identifier)
        /// `function(arguments)`, with optional labels: `histogram(t.c, bins: 0..=9)`.
        case call(function: Identifier, arguments: [ArgumentSyntax])
        /// `[a, b, c]`.
        case vector([ExpressionSyntax])
        /// `-x` or `not x`.
        case unary(UnaryOperator, ExpressionSyntax, operatorSpan: SourceSpan)
        case binary(BinaryOperator, ExpressionSyntax, ExpressionSyntax, operatorSpan: SourceSpan)
        /// `value where condition`.
        case filter(ExpressionSyntax, condition: ExpressionSyntax, whereSpan: SourceSpan)
        /// `value[index]`.
        case index(ExpressionSyntax, ExpressionSyntax)
        /// A range used as a value, e.g. the `bins:` argument of `histogram`: `0..=80`.
        case range(RangeSyntax)
    }

    public var kind: Kind
    public var span: SourceSpan

    public init(_ kind: Kind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// `label: value` or `value` in a call.
public struct ArgumentSyntax: Sendable, Hashable {
    public var label: Identifier?
    public var value: ExpressionSyntax

    public init(label: Identifier?, value: ExpressionSyntax) {
        self.label = label
        self.value = value
    }
}

public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-"
    case not
}

public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case add = "+", subtract = "-", multiply = "*", divide = "/"

    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: true
        default: false
        }
    }

    public var isLogical: Bool { self == .and || self == .or }
}

/// The keywords of the language, which are not identifiers.
public enum Keyword: String, Sendable, Hashable, CaseIterable {
    case plugin, version, input, int, real, category, `in`, node, aggregator, `let`
    case secureSum = "secure_sum", `as`, release, thresholdRelease = "threshold_release", at, labels
    case `where`, and, or, not, `true`, `false`, round
}
