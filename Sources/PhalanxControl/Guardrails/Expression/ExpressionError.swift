/// A problem with a guard-rail expression, located in the file that holds it.
///
/// Parsing reports syntax errors, type errors and misuse of metrics outside aggregates; evaluation
/// reports only a parameter that the context does not define. The `description` reads like a
/// compiler diagnostic:
///
/// ```text
/// 3:17: metric 'noiseBits' is used outside an aggregate
///     min(x) > 1 and noiseBits < 20
///                    ^~~~~~~~~
///   hint: a metric has one value per participant; wrap it in max(...), any(...), …
/// ```
///
/// Errors quote only the expression text, which is policy, never telemetry values.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem. Compare against the static members; new codes may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Wrapped: String, Sendable, Hashable {
            case emptyExpression
            case unexpectedCharacter
            case invalidNumber
            case unexpectedToken
            case unterminatedParenthesis
            case chainedComparison
            case reservedWord
            case unknownFunction
            case wrongArity
            case metricOutsideAggregate
            case nestedAggregate
            case typeMismatch
            case notBoolean
            case nestedTooDeeply
            case undefinedParameter
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The expression holds nothing but whitespace.
        public static let emptyExpression = Code(.emptyExpression)
        /// A character that the language does not use.
        public static let unexpectedCharacter = Code(.unexpectedCharacter)
        /// A malformed or out-of-range number literal.
        public static let invalidNumber = Code(.invalidNumber)
        /// A token where the grammar does not allow it.
        public static let unexpectedToken = Code(.unexpectedToken)
        /// A `(` that is never closed.
        public static let unterminatedParenthesis = Code(.unterminatedParenthesis)
        /// `a < b < c`: comparisons do not chain.
        public static let chainedComparison = Code(.chainedComparison)
        /// A reserved word used as a metric or parameter name.
        public static let reservedWord = Code(.reservedWord)
        /// A call of something that is not an aggregate.
        public static let unknownFunction = Code(.unknownFunction)
        /// An aggregate called with other than exactly one argument.
        public static let wrongArity = Code(.wrongArity)
        /// A metric or forecast reference outside any aggregate.
        public static let metricOutsideAggregate = Code(.metricOutsideAggregate)
        /// An aggregate inside another aggregate's body.
        public static let nestedAggregate = Code(.nestedAggregate)
        /// An operand of the wrong type (number where a boolean is needed, or the reverse).
        public static let typeMismatch = Code(.typeMismatch)
        /// The whole expression is a number, not a condition.
        public static let notBoolean = Code(.notBoolean)
        /// The expression nests deeper than ``GuardrailExpression/maximumDepth``.
        public static let nestedTooDeeply = Code(.nestedTooDeeply)
        /// Evaluation met `params.NAME` for a name the context does not define.
        public static let undefinedParameter = Code(.undefinedParameter)

        public var description: String { wrapped.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// The 1-based line in the enclosing file.
    public var line: Int
    /// The 1-based column in the enclosing file.
    public var column: Int
    /// What went wrong, in one sentence without a trailing period.
    public var message: String
    /// What to do about it.
    public var hint: String?
    /// The line of the expression text that holds the problem, without its line break.
    public var sourceLine: String
    /// The 1-based column of the problem within ``sourceLine``.
    public var sourceColumn: Int
    /// How many characters of ``sourceLine`` the problem covers (at least 1).
    public var length: Int

    /// Creates an error; `column` is in the enclosing file, `sourceColumn` within `sourceLine`.
    public init(
        code: Code,
        line: Int,
        column: Int,
        message: String,
        hint: String? = nil,
        sourceLine: String,
        sourceColumn: Int,
        length: Int = 1
    ) {
        self.code = code
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
        self.sourceLine = sourceLine
        self.sourceColumn = max(1, sourceColumn)
        self.length = max(1, length)
    }

    /// `line:column: message`, the source line, a caret line under the problem and the hint.
    public var description: String {
        let shown = Array(sourceLine.unicodeScalars).map { scalar -> Character in
            scalar.properties.generalCategory == .control && scalar != "\t" ? "?" : Character(scalar)
        }
        var padding = ""
        for index in 0..<(sourceColumn - 1) {
            padding.append(index < shown.count && shown[index] == "\t" ? "\t" : " ")
        }
        let available = max(1, shown.count - (sourceColumn - 1))
        let underline = "^" + String(repeating: "~", count: min(length, available) - 1)
        var text = "\(line):\(column): \(message)\n    \(String(shown))\n    \(padding)\(underline)"
        if let hint {
            text += "\n  hint: \(hint)"
        }
        return text
    }
}
