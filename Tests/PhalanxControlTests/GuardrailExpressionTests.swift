import PhalanxControl
import Testing
import _TestSupport

// MARK: - Fixtures

/// One tick of a three-node federation plus its aggregator, as in `docs/guardrails.md`.
private let tick = ExpressionContext(
    participants: [
        ParticipantMetrics(
            id: "org-a",
            current: ["contributionL1": 310, "noiseBits": 18, "lagMs": 120],
            forecast: ["noiseBits": 15]
        ),
        ParticipantMetrics(
            id: "org-b",
            current: ["contributionL1": 220, "noiseBits": 31, "lagMs": 4100],
            forecast: ["noiseBits": 29]
        ),
        ParticipantMetrics(id: "org-c", current: ["contributionL1": 1210, "noiseBits": 18, "lagMs": 95]),
        ParticipantMetrics(id: "aggregator", current: ["lagMs": 12]),
    ],
    parameters: ["maxContributionL1": 400, "noiseFloorBits": 20, "maxLagMs": 3000, "epsilonLimit": 1.0]
)

private func parse(
    _ source: String,
    origin: SourceOrigin = SourceOrigin(line: 1, column: 1)
) throws(ExpressionError) -> GuardrailExpression {
    try GuardrailExpression(parsing: source, origin: origin)
}

/// The error that parsing `source` throws, or `nil` when it parses.
private func parseError(_ source: String, origin: SourceOrigin = SourceOrigin(line: 1, column: 1)) -> ExpressionError? {
    do {
        _ = try GuardrailExpression(parsing: source, origin: origin)
        return nil
    } catch {
        return error
    }
}

private let validExpressions = [
    "max(contributionL1) > params.maxContributionL1",
    "sum(epsilonSpent) >= params.epsilonLimit || min(forecast.noiseBits) < params.noiseFloorBits",
    "count(lagMs > params.maxLagMs and not (noiseBits < 20)) >= 2",
    "!(mean(lagMs) / 1e-3 == -2.5E+2) && all(levelsLeft != 0)",
    "any(\n  lagMs > 3000\n)\r\n  or true",
]

/// Parses `source`; parsing either succeeds or throws an `ExpressionError` located inside the text.
private func parseSafely(_ source: String, context: ExpressionContext) {
    let origin = SourceOrigin(line: 5, column: 9)
    do {
        let expression = try GuardrailExpression(parsing: source, origin: origin)
        // Whatever parses also evaluates without crashing.
        if let result = try? expression.evaluate(context) {
            #expect(result.offenders == Array(Set(result.offenders)).sorted())
        }
    } catch {
        let lines = source.unicodeScalars.filter { $0 == "\n" || $0 == "\r" }.count
        #expect(error.line >= origin.line && error.line <= origin.line + lines, "\(source.debugDescription)")
        #expect(error.column >= 1 && error.sourceColumn >= 1 && error.length >= 1)
        #expect(error.sourceColumn <= error.sourceLine.unicodeScalars.count + 1, "\(source.debugDescription)")
        #expect(!error.description.isEmpty)
    }
}

@Suite("Guard-rail expressions")
struct GuardrailExpressionTests {
    // MARK: - Parsing and precedence

    struct PrecedenceCase: Sendable, CustomTestStringConvertible {
        var source: String
        var parenthesized: String
        var testDescription: String { source }
    }

    @Test(arguments: [
        PrecedenceCase(source: "0.5 < 12", parenthesized: "(0.5 < 12)"),
        PrecedenceCase(source: "1e-3 <= 2.5E+2", parenthesized: "(0.001 <= 250)"),
        PrecedenceCase(source: "true", parenthesized: "true"),
        PrecedenceCase(
            source: "any(a > 1) or any(b > 1) and any(c > 1)",
            parenthesized: "(any((a > 1)) or (any((b > 1)) and any((c > 1))))"
        ),
        PrecedenceCase(source: "true || false && false", parenthesized: "(true or (false and false))"),
        PrecedenceCase(source: "(true or false) and false", parenthesized: "((true or false) and false)"),
        PrecedenceCase(source: "not any(a > 1) and true", parenthesized: "((not any((a > 1))) and true)"),
        PrecedenceCase(source: "not max(a) < 2", parenthesized: "(not (max(a) < 2))"),
        PrecedenceCase(source: "!true == false", parenthesized: "(not (true == false))"),
        PrecedenceCase(source: "not not true", parenthesized: "(not (not true))"),
        PrecedenceCase(source: "true and not false or false", parenthesized: "((true and (not false)) or false)"),
        PrecedenceCase(source: "max(a) + 2 * 3 > 1", parenthesized: "((max(a) + (2 * 3)) > 1)"),
        PrecedenceCase(source: "max(a) - 2 - 3 > 1", parenthesized: "(((max(a) - 2) - 3) > 1)"),
        PrecedenceCase(source: "max(a) / 2 / 4 > 1", parenthesized: "(((max(a) / 2) / 4) > 1)"),
        PrecedenceCase(source: "(max(a) + 2) * 3 > 1", parenthesized: "(((max(a) + 2) * 3) > 1)"),
        PrecedenceCase(source: "-max(a) * 2 > 1", parenthesized: "(((-max(a)) * 2) > 1)"),
        PrecedenceCase(source: "- -1 < 2", parenthesized: "((-(-1)) < 2)"),
        PrecedenceCase(source: "1 - -1 == 2", parenthesized: "((1 - (-1)) == 2)"),
        PrecedenceCase(source: "(max(a) >= params.x) != (1 < 2)", parenthesized: "((max(a) >= params.x) != (1 < 2))"),
        PrecedenceCase(
            source: "any(forecast.noiseBits < params.floor)",
            parenthesized: "any((forecast.noiseBits < params.floor))"
        ),
        PrecedenceCase(
            source: "count(lag_ms > 1 && ok_2 < 3) >= 2", parenthesized: "(count(((lag_ms > 1) and (ok_2 < 3))) >= 2)"),
        PrecedenceCase(
            source: "any(lagMs > 1)\n  or\n  all(x < 2)",
            parenthesized: "(any((lagMs > 1)) or all((x < 2)))"
        ),
        PrecedenceCase(source: "params.a * params.b > params.c", parenthesized: "((params.a * params.b) > params.c)"),
    ])
    func parsesWithPrecedence(_ testCase: PrecedenceCase) throws {
        let expression = try parse(testCase.source)
        #expect(expression.parenthesized == testCase.parenthesized)
        #expect(expression.source == testCase.source)
        #expect(expression.description == testCase.source)
    }

    // MARK: - Static errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var source: String
        var code: ExpressionError.Code
        var line = 1
        var column: Int
        var message: String
        var testDescription: String { source.debugDescription }
    }

    @Test(arguments: [
        ErrorCase(source: "", code: .emptyExpression, column: 1, message: "expression is empty"),
        ErrorCase(source: "  \n ", code: .emptyExpression, column: 1, message: "expression is empty"),
        ErrorCase(
            source: "max(x) >",
            code: .unexpectedToken,
            column: 9,
            message: "expected an operand after '>', found end of expression"
        ),
        ErrorCase(source: "(max(x) > 1", code: .unterminatedParenthesis, column: 1, message: "'(' is never closed"),
        ErrorCase(
            source: "true and any(x > 1", code: .unterminatedParenthesis, column: 13, message: "'(' is never closed"),
        ErrorCase(source: "max(x) > 1)", code: .unexpectedToken, column: 11, message: "unexpected ')'"),
        ErrorCase(
            source: "()",
            code: .unexpectedToken,
            column: 2,
            message: "expected an expression after '(', found ')'"
        ),
        ErrorCase(
            source: "1 2 > 0",
            code: .unexpectedToken,
            column: 3,
            message: "unexpected number '2' after a complete expression"
        ),
        ErrorCase(
            source: "max(x) > 1 max(y) > 2",
            code: .unexpectedToken,
            column: 12,
            message: "unexpected 'max' after a complete expression"
        ),
        ErrorCase(
            source: "(max(x) > 1 max(y)",
            code: .unexpectedToken,
            column: 13,
            message: "expected ')' to close the '(' at 1:1, found 'max'"
        ),
        ErrorCase(
            source: "max(a) < max(b) < 3", code: .chainedComparison, column: 17,
            message: "comparisons cannot be chained"),
        ErrorCase(
            source: "1 == 1 != true", code: .chainedComparison, column: 8, message: "comparisons cannot be chained"),
        ErrorCase(source: "max(x) $ 1", code: .unexpectedCharacter, column: 8, message: "unexpected character '$'"),
        ErrorCase(source: "max(x) = 1", code: .unexpectedCharacter, column: 8, message: "unexpected character '='"),
        ErrorCase(
            source: "max(x) > 1 & true", code: .unexpectedCharacter, column: 12, message: "unexpected character '&'"),
        ErrorCase(
            source: "max(é) > 1", code: .unexpectedCharacter, column: 5, message: "unexpected character 'é' (U+00E9)"),
        ErrorCase(
            source: "max(x)\u{A0}> 1", code: .unexpectedCharacter, column: 7, message: "unexpected character U+00A0"),
        ErrorCase(source: "max(a.b) > 1", code: .unexpectedToken, column: 6, message: "unexpected '.'"),
        ErrorCase(source: "1.5.3 > 1", code: .invalidNumber, column: 1, message: "malformed number '1.5.3'"),
        ErrorCase(source: "12abc > 1", code: .invalidNumber, column: 1, message: "malformed number '12abc'"),
        ErrorCase(source: "1. > 1", code: .invalidNumber, column: 1, message: "malformed number '1.'"),
        ErrorCase(source: "1 > 2e+", code: .invalidNumber, column: 5, message: "malformed number '2e+'"),
        ErrorCase(source: ".5 > 1", code: .invalidNumber, column: 1, message: "malformed number '.5'"),
        ErrorCase(source: "1e999 > 1", code: .invalidNumber, column: 1, message: "number '1e999' is out of range"),
        ErrorCase(source: "avg(x) > 1", code: .unknownFunction, column: 1, message: "unknown function 'avg'"),
        ErrorCase(source: "1 < MAX(x)", code: .unknownFunction, column: 5, message: "unknown function 'MAX'"),
        ErrorCase(source: "max(x, y) > 1", code: .wrongArity, column: 6, message: "'max' takes exactly one argument"),
        ErrorCase(
            source: "count() > 1", code: .wrongArity, column: 7,
            message: "'count' takes exactly one argument, found none"),
        ErrorCase(source: "max > 1", code: .unexpectedToken, column: 5, message: "expected '(' after 'max'"),
        ErrorCase(source: "params > 1", code: .unexpectedToken, column: 1, message: "expected '.' after 'params'"),
        ErrorCase(
            source: "any(forecast > 1)", code: .unexpectedToken, column: 5, message: "expected '.' after 'forecast'"),
        ErrorCase(
            source: "params. > 1", code: .unexpectedToken, column: 8,
            message: "expected a parameter name after 'params.'"),
        ErrorCase(
            source: "params.max > 1",
            code: .reservedWord,
            column: 1,
            message: "'max' is a reserved word and cannot name a parameter"
        ),
        ErrorCase(
            source: "any(forecast.count > 1)",
            code: .reservedWord,
            column: 5,
            message: "'count' is a reserved word and cannot name a metric"
        ),
        ErrorCase(
            source: "1 + not true",
            code: .unexpectedToken,
            column: 5,
            message: "unexpected 'not' inside a comparison or arithmetic"
        ),
        ErrorCase(
            source: "min(x) > 1 and noiseBits < 20",
            code: .metricOutsideAggregate,
            column: 16,
            message: "metric 'noiseBits' is used outside an aggregate"
        ),
        ErrorCase(
            source: "forecast.noiseBits < 20",
            code: .metricOutsideAggregate,
            column: 1,
            message: "forecast 'forecast.noiseBits' is used outside an aggregate"
        ),
        ErrorCase(
            source: "max(any(x > 1)) > 1",
            code: .nestedAggregate,
            column: 5,
            message: "aggregate 'any' is nested inside 'max'"
        ),
        ErrorCase(
            source: "any(x > mean(x))",
            code: .nestedAggregate,
            column: 9,
            message: "aggregate 'mean' is nested inside 'any'"
        ),
        ErrorCase(
            source: "any(x)",
            code: .typeMismatch,
            column: 5,
            message: "'any' needs a condition as its argument, but this is a number"
        ),
        ErrorCase(
            source: "max(x > 1) > 0",
            code: .typeMismatch,
            column: 5,
            message: "'max' needs a numeric argument, but this is a boolean"
        ),
        ErrorCase(
            source: "max(x) && true",
            code: .typeMismatch,
            column: 1,
            message: "'&&' needs conditions on both sides, but its left operand is a number"
        ),
        ErrorCase(
            source: "max(x) + true > 1",
            code: .typeMismatch,
            column: 10,
            message: "'+' needs numbers on both sides, but its right operand is a boolean"
        ),
        ErrorCase(
            source: "true < false",
            code: .typeMismatch,
            column: 1,
            message: "'<' compares numbers, but its left operand is a boolean"
        ),
        ErrorCase(
            source: "1 == true",
            code: .typeMismatch,
            column: 3,
            message:
                "'==' compares values of one type, but its left operand is a number and its right operand is a boolean"
        ),
        ErrorCase(
            source: "not 3", code: .typeMismatch, column: 5,
            message: "'not' needs a condition, but its operand is a number"
        ),
        ErrorCase(
            source: "!params.x",
            code: .typeMismatch,
            column: 2,
            message: "'!' needs a condition, but its operand is a number"
        ),
        ErrorCase(
            source: "-true", code: .typeMismatch, column: 2,
            message: "unary '-' needs a number, but its operand is a boolean"),
        ErrorCase(
            source: "max(x) * 2",
            code: .notBoolean,
            column: 1,
            message: "a guard-rail expression must be a condition, but this is a number"
        ),
        ErrorCase(
            source: String(repeating: "(", count: 100) + "true" + String(repeating: ")", count: 100),
            code: .nestedTooDeeply,
            column: 65,
            message: "expression is nested more than 64 levels deep"
        ),
    ])
    func reportsStaticError(_ testCase: ErrorCase) throws {
        let error = try #require(parseError(testCase.source))
        #expect(error.code == testCase.code)
        #expect(error.message == testCase.message)
        #expect(error.line == testCase.line)
        #expect(error.column == testCase.column)
        #expect(error.hint?.isEmpty == false, "every error tells the user what to do")
    }

    @Test func describesErrorLikeACompiler() throws {
        let error = try #require(parseError("min(x) > 1 and noiseBits < 20", origin: SourceOrigin(line: 3, column: 2)))
        #expect(error.line == 3)
        #expect(error.column == 17)
        #expect(error.sourceLine == "min(x) > 1 and noiseBits < 20")
        #expect(error.sourceColumn == 16)
        #expect(error.length == 9)
        #expect(
            error.description == """
                3:17: metric 'noiseBits' is used outside an aggregate
                    min(x) > 1 and noiseBits < 20
                                   ^~~~~~~~~
                  hint: each participant reports its own noiseBits; wrap it in max(...), any(...), … to say which \
                participants count, e.g. max(noiseBits) or any(noiseBits > params.limit)
                """
        )
    }

    @Test func caretAtEndOfInputAndUnderTabs() throws {
        let atEnd = try #require(parseError("max(x) >"))
        #expect(atEnd.description.split(separator: "\n")[2] == "            ^")
        let tabbed = try #require(parseError("\tmax(x) > 1 and\tlagMs < 2"))
        #expect(tabbed.column == 17)
        #expect(
            tabbed.description.split(separator: "\n")[2] == "    \t" + String(repeating: " ", count: 14) + "\t^~~~~")
    }

    @Test func everyParseErrorCarriesAHint() throws {
        // The table above covers each code; this checks the hint texts that steer users most.
        #expect(parseError("avg(x) > 1")?.hint?.hasPrefix("did you mean 'mean'?") == true)
        #expect(parseError("maxx(x) > 1")?.hint?.hasPrefix("did you mean 'max'?") == true)
        #expect(parseError("foo(x) > 1")?.hint == "the aggregates are any, all, count, max, min, mean, sum")
        #expect(parseError("max(x) = 1")?.hint == "use '==' to test equality")
        #expect(parseError("a < b < c")?.hint == "write 'a < b and b < c' instead of 'a < b < c'")
        #expect(parseError("noiseBits < 20")?.hint?.contains("wrap it in max(...), any(...), …") == true)
    }

    // MARK: - Positions with an origin

    @Test func mapsMultiLinePositionsThroughTheOrigin() throws {
        let origin = SourceOrigin(line: 12, column: 11)
        let onFirstLine = try #require(parseError("any(lagMs > $)\n  or true", origin: origin))
        #expect((onFirstLine.line, onFirstLine.column) == (12, 23))

        let onSecondLine = try #require(parseError("any(lagMs > params.maxLagMs)\n  or noiseBits < 20", origin: origin))
        #expect((onSecondLine.line, onSecondLine.column) == (13, 6))
        #expect(onSecondLine.sourceLine == "  or noiseBits < 20")
        #expect(onSecondLine.sourceColumn == 6)
        #expect(onSecondLine.description.hasPrefix("13:6: metric 'noiseBits' is used outside an aggregate\n"))

        let closingLine = try #require(parseError("any(\n  lagMs >\n)", origin: SourceOrigin(line: 4, column: 9)))
        #expect((closingLine.line, closingLine.column) == (6, 1))
        #expect(closingLine.message == "expected an operand after '>', found ')'")

        let crlf = try #require(parseError("any(x > 1)\r\n  and $", origin: origin))
        #expect((crlf.line, crlf.column) == (13, 7))
        #expect(crlf.sourceLine == "  and $")

        let carriageReturn = try #require(parseError("any(x > 1)\r\rand 1", origin: origin))
        #expect((carriageReturn.line, carriageReturn.column) == (14, 5))
    }

    @Test func underlinesOnlyTheFirstLineOfAMultiLineSpan() throws {
        let error = try #require(parseError("max(\n  x) and true"))
        #expect(error.code == .typeMismatch)
        #expect((error.line, error.column) == (1, 1))
        #expect(error.sourceLine == "max(")
        #expect(error.description.split(separator: "\n")[2] == "    ^~~~")
    }

    // MARK: - Keys

    struct KeysCase: Sendable, CustomTestStringConvertible {
        var source: String
        var metrics: Set<String>
        var forecasts: Set<String>
        var parameters: Set<String>
        var testDescription: String { source }
    }

    @Test(arguments: [
        KeysCase(
            source: "max(contributionL1) > params.maxContributionL1",
            metrics: ["contributionL1"],
            forecasts: [],
            parameters: ["maxContributionL1"]
        ),
        KeysCase(
            source: "min(forecast.noiseBits) < params.noiseFloorBits or any(noiseBits < params.noiseFloorBits)",
            metrics: ["noiseBits"],
            forecasts: ["noiseBits"],
            parameters: ["noiseFloorBits"]
        ),
        KeysCase(
            source: "count(lagMs > params.maxLagMs and forecast.levelsLeft < 2) > params.k * 2",
            metrics: ["lagMs", "levelsLeft"],
            forecasts: ["levelsLeft"],
            parameters: ["maxLagMs", "k"]
        ),
        KeysCase(source: "count(true) < 3", metrics: [], forecasts: [], parameters: []),
    ])
    func extractsKeys(_ testCase: KeysCase) throws {
        let expression = try parse(testCase.source)
        #expect(expression.metricKeys == testCase.metrics)
        #expect(expression.forecastKeys == testCase.forecasts)
        #expect(expression.parameterNames == testCase.parameters)
    }

    // MARK: - Evaluation

    struct EvaluationCase: Sendable, CustomTestStringConvertible {
        var source: String
        var holds: Bool
        var offenders: [String]
        var trace: [String]
        var testDescription: String { source }
    }

    @Test(arguments: [
        EvaluationCase(
            source: "max(contributionL1) > params.maxContributionL1",
            holds: true,
            offenders: ["org-c"],
            trace: ["max(contributionL1) = 1210 (org-c) [skipped: aggregator]", "params.maxContributionL1 = 400"]
        ),
        EvaluationCase(
            source: "min(noiseBits) < params.noiseFloorBits",
            holds: true,
            offenders: ["org-a", "org-c"],
            trace: ["min(noiseBits) = 18 (org-a, org-c) [skipped: aggregator]", "params.noiseFloorBits = 20"]
        ),
        EvaluationCase(
            source: "any(lagMs > params.maxLagMs) or all(noiseBits > 20)",
            holds: true,
            offenders: ["org-b"],
            trace: [
                "params.maxLagMs = 3000",
                "any(lagMs > params.maxLagMs) = true (org-b)",
                "all(noiseBits > 20) = false (org-a, org-c) [skipped: aggregator]",
            ]
        ),
        EvaluationCase(
            source: "not all(noiseBits > 20)",
            holds: true,
            offenders: ["org-a", "org-c"],
            trace: ["all(noiseBits > 20) = false (org-a, org-c) [skipped: aggregator]"]
        ),
        EvaluationCase(
            source: "all(lagMs >= 12)",
            holds: true,
            offenders: ["aggregator", "org-a", "org-b", "org-c"],
            trace: ["all(lagMs >= 12) = true"]
        ),
        EvaluationCase(
            source: "count(lagMs > 100) >= 2",
            holds: true,
            offenders: ["org-a", "org-b"],
            trace: ["count(lagMs > 100) = 2 (org-a, org-b)"]
        ),
        EvaluationCase(
            source: "mean(lagMs) > 1000 and sum(contributionL1) > 0",
            holds: true,
            offenders: [],
            trace: [
                "mean(lagMs) = 1081.75 over 4 participants",
                "sum(contributionL1) = 1740 over 3 participants [skipped: aggregator]",
            ]
        ),
        EvaluationCase(
            source: "max(contributionL1) - min(contributionL1) > 500",
            holds: true,
            offenders: ["org-b", "org-c"],
            trace: [
                "max(contributionL1) = 1210 (org-c) [skipped: aggregator]",
                "min(contributionL1) = 220 (org-b) [skipped: aggregator]",
            ]
        ),
        EvaluationCase(
            source: "max(contributionL1) > params.maxContributionL1 and any(lagMs > params.maxLagMs)",
            holds: true,
            offenders: ["org-b", "org-c"],
            trace: [
                "max(contributionL1) = 1210 (org-c) [skipped: aggregator]",
                "params.maxContributionL1 = 400",
                "params.maxLagMs = 3000",
                "any(lagMs > params.maxLagMs) = true (org-b)",
            ]
        ),
        EvaluationCase(
            // The false branch does not explain a true `or`.
            source: "any(lagMs > 5000) or max(contributionL1) > 1000",
            holds: true,
            offenders: ["org-c"],
            trace: [
                "any(lagMs > 5000) = false",
                "max(contributionL1) = 1210 (org-c) [skipped: aggregator]",
            ]
        ),
        EvaluationCase(
            source: "max(contributionL1) > 5000",
            holds: false,
            offenders: [],
            trace: ["max(contributionL1) = 1210 (org-c) [skipped: aggregator]"]
        ),
        EvaluationCase(
            source: "any(contributionL1 / 0 > 1)",
            holds: false,
            offenders: [],
            trace: ["any(contributionL1 / 0 > 1) = false [skipped: aggregator]"]
        ),
        EvaluationCase(
            source: "max(contributionL1 / (noiseBits - 18)) > 0",
            holds: true,
            offenders: ["org-b"],
            trace: [
                "max(contributionL1 / (noiseBits - 18)) = 16.923076923076923 (org-b) [skipped: aggregator, org-a, org-c]"
            ]
        ),
        EvaluationCase(
            source: "max(\n    contributionL1\n) > params.maxContributionL1",
            holds: true,
            offenders: ["org-c"],
            trace: ["max(contributionL1) = 1210 (org-c) [skipped: aggregator]", "params.maxContributionL1 = 400"]
        ),
        EvaluationCase(
            source: "count(true) == 4 and params.epsilonLimit == 1 and 1e-3 * 2 < 0.5",
            holds: true,
            offenders: ["aggregator", "org-a", "org-b", "org-c"],
            trace: ["count(true) = 4 (aggregator, org-a, org-b, org-c)", "params.epsilonLimit = 1"]
        ),
    ])
    func evaluates(_ testCase: EvaluationCase) throws {
        let result = try parse(testCase.source).evaluate(tick)
        #expect(result.holds == testCase.holds)
        #expect(result.offenders == testCase.offenders)
        #expect(result.trace == testCase.trace)
    }

    @Test func forecastReferencesReadTheForecast() throws {
        let expression = try parse("min(forecast.noiseBits) < params.noiseFloorBits")
        let result = try expression.evaluate(tick)
        #expect(result.holds)
        #expect(result.offenders == ["org-a"])
        // org-c sends no forecast and the aggregator no noiseBits: both are skipped.
        #expect(
            result.trace == [
                "min(forecast.noiseBits) = 15 (org-a) [skipped: aggregator, org-c]",
                "params.noiseFloorBits = 20",
            ]
        )

        let trend = try parse("any(forecast.noiseBits < noiseBits - 2)").evaluate(tick)
        #expect(trend.holds)
        #expect(trend.offenders == ["org-a"])

        let noForecasts = ExpressionContext(
            participants: [ParticipantMetrics(id: "n1", current: ["noiseBits": 5])],
            parameters: ["noiseFloorBits": 20]
        )
        let quiet = try expression.evaluate(noForecasts)
        #expect(!quiet.holds)
        #expect(quiet.trace.first == "min(forecast.noiseBits) = undefined (no participant reported forecast.noiseBits)")
    }

    // MARK: - No data

    struct NoDataCase: Sendable, CustomTestStringConvertible {
        var source: String
        var holds: Bool
        var testDescription: String { source }
    }

    /// With no participant reporting `epsilonSpent`, comparisons against undefined values are false,
    /// so an alert never fires for missing data; `not` of such a comparison is therefore true.
    @Test(arguments: [
        NoDataCase(source: "any(epsilonSpent > 0)", holds: false),
        NoDataCase(source: "all(epsilonSpent > 0)", holds: true),
        NoDataCase(source: "count(epsilonSpent > 0) == 0", holds: true),
        NoDataCase(source: "max(epsilonSpent) > params.epsilonLimit", holds: false),
        NoDataCase(source: "max(epsilonSpent) <= params.epsilonLimit", holds: false),
        NoDataCase(source: "max(epsilonSpent) == max(epsilonSpent)", holds: false),
        NoDataCase(source: "max(epsilonSpent) != 1", holds: false),
        NoDataCase(source: "min(epsilonSpent) + 1 > 0", holds: false),
        NoDataCase(source: "-mean(epsilonSpent) < 0", holds: false),
        NoDataCase(source: "sum(epsilonSpent) * 0 == 0", holds: false),
        NoDataCase(source: "not (max(epsilonSpent) > params.epsilonLimit)", holds: true),
        NoDataCase(source: "(max(epsilonSpent) > 1) == false", holds: true),
        NoDataCase(source: "params.epsilonLimit / 0 > 0", holds: false),
        NoDataCase(source: "not (params.epsilonLimit / 0 > 0)", holds: true),
    ])
    func treatsMissingDataAsNoAlert(_ testCase: NoDataCase) throws {
        let result = try parse(testCase.source).evaluate(tick)
        #expect(result.holds == testCase.holds)
    }

    @Test func aggregatesOverNoParticipants() throws {
        let empty = ExpressionContext(participants: [], parameters: ["limit": 1])
        #expect(try !parse("any(x > 0)").evaluate(empty).holds)
        #expect(try parse("all(x > 0)").evaluate(empty).holds)
        #expect(try parse("count(x > 0) == 0").evaluate(empty).holds)
        for function in ["max", "min", "mean", "sum"] {
            let result = try parse("\(function)(x) < params.limit").evaluate(empty)
            #expect(!result.holds)
            #expect(result.trace == ["\(function)(x) = undefined (no participants)", "params.limit = 1"])
        }
        #expect(try parse("all(x > 0)").evaluate(empty).trace == ["all(x > 0) = true (no participants)"])
    }

    @Test func nonFiniteValuesCountAsMissing() throws {
        let context = ExpressionContext(participants: [
            ParticipantMetrics(id: "p1", current: ["x": .nan]),
            ParticipantMetrics(id: "p2", current: ["x": .infinity]),
            ParticipantMetrics(id: "p3", current: ["x": 2]),
        ])
        let result = try parse("max(x) > 1").evaluate(context)
        #expect(result.holds)
        #expect(result.offenders == ["p3"])
        #expect(result.trace == ["max(x) = 2 (p3) [skipped: p1, p2]"])
        #expect(try !parse("sum(x * 1e308) > 0").evaluate(context).holds, "overflow is undefined")
    }

    @Test func missingParameterIsARuntimeError() throws {
        let expression = try parse("any(lagMs > 1) and max(x) > params.nope", origin: SourceOrigin(line: 7, column: 11))
        #expect(expression.parameterNames == ["nope"])
        let thrown = #expect(throws: ExpressionError.self) { try expression.evaluate(tick) }
        let error = try #require(thrown)
        #expect(error.code == .undefinedParameter)
        #expect(error.message == "parameter 'nope' is not defined")
        #expect((error.line, error.column) == (7, 39))
        #expect(throws: ExpressionError.self) { try expression.evaluate(ExpressionContext()) }
        // Defining the parameter is all it takes.
        var defined = tick
        defined.parameters["nope"] = 1
        #expect(try expression.evaluate(defined).trace.last == "params.nope = 1")
    }

    @Test func equalityFollowsSourceAndOrigin() throws {
        let a = try parse("max(x) > 1")
        let b = try parse("max(x) > 1")
        let moved = try parse("max(x) > 1", origin: SourceOrigin(line: 2, column: 1))
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != moved)
        #expect(Set([a, b, moved]).count == 2)
    }

    // MARK: - Robustness

    @Test func randomStringsNeverCrash() {
        let alphabet = Array("abxyz_ELMS019.e+-*/<>=!&|(),  \n\tnotandorparamsforecastanyallcountmaxminmeansum")
        let words = [
            "max(", "min(", "any(", "all(", "count(", "mean(", "sum(", "params.a", "forecast.x", "x", "y", "not", "and",
            "or", "true", "false", "(", ")", ",", "1", "0.5", "1e-3", "<", "<=", "==", "!=", "+", "-", "*", "/", "!",
            "&&", "||",
        ]
        let context = ExpressionContext(
            participants: [
                ParticipantMetrics(id: "n1", current: ["x": 1, "y": 0, "a": 3], forecast: ["x": 2]),
                ParticipantMetrics(id: "n2", current: ["x": -4], forecast: [:]),
            ],
            parameters: ["a": 2]
        )
        var generator = SplitMix64(state: 0x5EED)
        var parsed = 0
        for round in 0..<20_000 {
            let length = Int.random(in: 0...40, using: &generator)
            let source: String
            if round.isMultiple(of: 2) {
                source = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            } else {
                source = (0..<length / 3).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ")
            }
            if (try? GuardrailExpression(parsing: source)) != nil {
                parsed += 1
            }
            parseSafely(source, context: context)
        }
        #expect(parsed > 0, "the token soup yields some valid expressions")
    }

    @Test(arguments: validExpressions)
    func everyPrefixParsesOrThrows(_ source: String) throws {
        _ = try parse(source)
        let scalars = Array(source.unicodeScalars)
        for end in 0...scalars.count {
            var prefix = String.UnicodeScalarView()
            prefix.append(contentsOf: scalars[..<end])
            parseSafely(String(prefix), context: tick)
        }
    }

    @Test func deepInputIsRefusedNotOverflowed() throws {
        let deep = String(repeating: "(", count: 50_000) + "true" + String(repeating: ")", count: 50_000)
        #expect(parseError(deep)?.code == .nestedTooDeeply)
        let long = "max(x)" + String(repeating: " + 1", count: 50_000) + " > 0"
        #expect(parseError(long)?.code == .nestedTooDeeply)
        let negations = String(repeating: "not ", count: 50_000) + "true"
        #expect(parseError(negations)?.code == .nestedTooDeeply)
        #expect(
            try parse(String(repeating: "(", count: 60) + "true" + String(repeating: ")", count: 60)).evaluate(tick)
                .holds)
    }
}
