/// A problem in a plug-in's source, located and explained the way a compiler reports one:
///
/// ```text
/// Plugins/broken.phx:9:13: error: 'deaths' is node-private and does not exist on the aggregator
///     release deaths as "deaths"
///             ^~~~~~
///   hint: send it with 'secure_sum deaths as deaths' in the node part and release the sum
/// ```
///
/// Diagnostics quote only the plug-in's text, never data.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem; stable names that tests and tools can match. New kinds may be added.
    public struct Code: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let name: String
        public init(_ name: String) { self.name = name }
        public init(stringLiteral value: String) { self.name = value }
        public var description: String { name }

        // Lexical and syntactic.
        public static let unexpectedCharacter: Code = "unexpected-character"
        public static let invalidNumber: Code = "invalid-number"
        public static let unterminatedString: Code = "unterminated-string"
        public static let invalidEscape: Code = "invalid-escape"
        public static let unexpectedToken: Code = "unexpected-token"
        public static let unterminatedBlock: Code = "unterminated-block"
        public static let chainedComparison: Code = "chained-comparison"
        public static let reservedWord: Code = "reserved-word"
        public static let nestedTooDeeply: Code = "nested-too-deeply"
        public static let tooLarge: Code = "too-large"
        // Declarations.
        public static let duplicateName: Code = "duplicate-name"
        public static let invalidRange: Code = "invalid-range"
        public static let invalidDomain: Code = "invalid-domain"
        // Names and types.
        public static let unknownName: Code = "unknown-name"
        public static let unknownFunction: Code = "unknown-function"
        public static let wrongArguments: Code = "wrong-arguments"
        public static let typeMismatch: Code = "type-mismatch"
        public static let lengthMismatch: Code = "length-mismatch"
        // Where data may go.
        public static let privateDataLeaves: Code = "private-data-leaves"
        public static let unboundedContribution: Code = "unbounded-contribution"
        public static let misplacedStatement: Code = "misplaced-statement"
        public static let noiseNotOnSum: Code = "noise-not-on-sum"
        public static let nothingReleased: Code = "nothing-released"
    }

    public let code: Code
    /// The file name, as given to the compiler.
    public let file: String
    /// 1-based line and column of the start of the offending text.
    public let line: Int
    public let column: Int
    /// What is wrong, in one sentence.
    public let message: String
    /// What would fix it; may be empty.
    public let hint: String
    /// The source line that holds the problem, without its line break.
    public let sourceLine: String
    /// How many characters of `sourceLine` to underline from `column` (at least 1).
    public let length: Int

    public init(_ code: Code, _ message: String, hint: String = "", at span: SourceSpan, in source: SourceFile) {
        let (line, column) = source.position(of: span.lowerBound)
        let end = source.position(of: span.upperBound)
        let text = source.line(line)
        self.code = code
        self.file = source.name
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
        self.sourceLine = text
        // Underline to the end of the span on the same line, at least one character.
        let lineLength = text.unicodeScalars.count
        let lastColumn = end.line == line ? end.column : lineLength + 1
        self.length = max(1, min(lastColumn, lineLength + 1) - column)
    }

    /// `FILE:LINE:COLUMN: error: MESSAGE`, the line, a caret under the offending text, and the hint.
    public var description: String {
        let indent = "    "
        // Tabs in the line are kept in the caret's indentation, so the caret lines up in a terminal; a byte order
        // mark (which a file may start with, and which takes no room) adds none.
        let prefix = sourceLine.unicodeScalars.prefix(column - 1)
            .map { $0 == "\t" ? "\t" : $0 == "\u{FEFF}" ? "" : " " }.joined()
        var text = "\(file):\(line):\(column): error: \(message)\n"
        text += indent + sourceLine + "\n"
        text += indent + prefix + "^" + String(repeating: "~", count: max(0, length - 1))
        if !hint.isEmpty { text += "\n  hint: \(hint)" }
        return text
    }
}
