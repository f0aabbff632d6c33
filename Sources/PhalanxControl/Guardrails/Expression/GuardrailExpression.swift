/// A parsed, type-checked guard-rail predicate such as `max(contributionL1) > params.maxContributionL1`.
///
/// A value of this type can only be made by parsing, so it always satisfies the static rules of the
/// language (see `docs/guardrails.md`): metrics appear only inside aggregates, aggregates do not
/// nest, operand types match, and the whole expression is a condition. The sentinel evaluates it
/// once per tick over the participants that reported.
///
/// ```swift
/// let expression = try GuardrailExpression(parsing: "max(contributionL1) > params.maxContributionL1")
/// let result = try expression.evaluate(context)   // result.holds, result.offenders, result.trace
/// ```
public struct GuardrailExpression: Sendable, Hashable, CustomStringConvertible {
    /// The deepest nesting of operators and parentheses accepted; deeper text is refused at parse
    /// time so that checking and evaluation never exhaust the stack.
    public static let maximumDepth = 64

    /// The expression text exactly as written.
    public let source: String
    /// Where the text starts in its file; error positions are relative to it.
    public let origin: SourceOrigin
    let input: ExpressionSource
    let syntax: ExpressionSyntax

    /// Parses and checks `source`.
    ///
    /// - Parameter origin: the 1-based file position of the first character of `source`, so that
    ///   errors name the file's line and column (see ``SourceOrigin`` for multi-line text).
    /// - Throws: ``ExpressionError`` for the first syntax or static-rule violation.
    public init(
        parsing source: String,
        origin: SourceOrigin = SourceOrigin(line: 1, column: 1)
    ) throws(ExpressionError) {
        let input = ExpressionSource(source, origin: origin)
        var parser = ExpressionParser(input)
        let syntax = try parser.parse()
        try ExpressionChecker(input).check(syntax)
        self.source = source
        self.origin = origin
        self.input = input
        self.syntax = syntax
    }

    /// Every metric key the expression reads, from the current frame or through `forecast.`.
    public var metricKeys: Set<String> {
        let references = syntax.references
        return Set(references.current).union(references.forecast)
    }

    /// The metric keys the expression reads through `forecast.KEY`.
    public var forecastKeys: Set<String> {
        Set(syntax.references.forecast)
    }

    /// The parameters the expression reads through `params.NAME`.
    public var parameterNames: Set<String> {
        Set(syntax.references.parameters)
    }

    /// The expression with every operation parenthesized, showing how precedence grouped it:
    /// `not a < b and c` reads back as `((not (a < b)) and c)`.
    public var parenthesized: String {
        syntax.parenthesized
    }

    /// Evaluates the expression for one tick.
    ///
    /// - Throws: ``ExpressionError`` with code ``ExpressionError/Code/undefinedParameter`` when the
    ///   expression reads a parameter that `context` lacks; nothing else throws.
    public func evaluate(_ context: ExpressionContext) throws(ExpressionError) -> ExpressionEvaluation {
        try ExpressionEvaluator.evaluate(syntax, source: input, context: context)
    }

    /// Evaluates the expression over a tick already in columns (the sentinel's form); the same result as
    /// ``evaluate(_:)`` on the same participants.
    func evaluate(_ table: MetricTable, parameters: [String: Double]) throws(ExpressionError) -> ExpressionEvaluation {
        try ExpressionEvaluator.evaluate(syntax, source: input, table: table, parameters: parameters)
    }

    /// The source text.
    public var description: String { source }

    /// Two expressions are equal when their text and origin are equal.
    public static func == (lhs: GuardrailExpression, rhs: GuardrailExpression) -> Bool {
        lhs.source == rhs.source && lhs.origin == rhs.origin
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(origin)
    }
}
