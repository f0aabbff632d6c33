import PhalanxControl

/// Fuzzes the guard-rail expression language directly: lexer, parser, checker and evaluator.
///
/// The input's bytes are read as UTF-8 (invalid sequences become U+FFFD, as a YAML reader would refuse
/// them earlier) and parsed at an origin drawn from the input. A parse error must be an ``ExpressionError``
/// located inside the text. What parses is evaluated against a small context drawn from the input — zero,
/// negative zero, NaN, infinities, the largest and smallest doubles, missing metrics and missing parameters —
/// and must not crash; the offenders must be sorted and unique, and the fully parenthesized form must parse
/// back to itself (or be refused only for its extra depth).
struct ExpressionFuzzTarget: FuzzTarget {
    let name = "expressions"
    let isTextual = true
    let maximumInputSize = 8 * 1_024

    var seeds: [[UInt8]] { Self.expressions.map { Array($0.utf8) } }

    /// Expressions from the default policy, `docs/guardrails.md` and the expression tests.
    static let expressions = [
        "max(contributionL1) > params.maxContributionL1",
        "any(lagMs > params.maxLagMs)",
        "max(epsilonSpent) > params.epsilonLimit or max(epsilonNext) > params.epsilonLimit",
        "min(forecast.noiseBits) < params.noiseFloorBits",
        "any(invalidShares > 0)",
        "sum(epsilonSpent) >= params.epsilonLimit || min(forecast.noiseBits) < params.noiseFloorBits",
        "count(lagMs > params.maxLagMs and not (noiseBits < 20)) >= 2",
        "!(mean(lagMs) / 1e-3 == -2.5E+2) && all(levelsLeft != 0)",
        "any(\n  lagMs > 3000\n)\r\n  or true",
        "max(a) + 2 * 3 > 1",
        "-max(a) * 2 > 1",
        "(max(a) >= params.x) != (1 < 2)",
        "count(lag_ms > 1 && ok_2 < 3) >= 2",
        "max(lagMs) > 2 * mean(lagMs)",
        "not not true",
        "params.a * params.b > params.c",
        "max(a) / 0 > 1 or min(b) - 1e308 < -1e308 * 2",
        "mean(x / y) == sum(x) / count(x > 0)",
    ]

    let dictionary: [[UInt8]] = [
        "max(", "min(", "any(", "all(", "count(", "mean(", "sum(", "avg(", "params.", "forecast.", "params.a",
        "forecast.x", "x", "lagMs", "not ", " and ", " or ", "true", "false", "(", ")", ",", "1", "0", "0.5", "1e-3",
        "1e308", "1e309", "-", "<", "<=", ">", ">=", "==", "!=", "+", "*", "/", "!", "&&", "||", "=", "&", "|", ".",
        "\n", "\r\n", "\r", "\t", "é", "\u{301}", "\u{0}", "\u{FEFF}", "9999999999999999999999", "params", "forecast",
    ].map { Array($0.utf8) }

    let nesting = [
        FuzzNesting("(", ")"), FuzzNesting("not "), FuzzNesting("!"), FuzzNesting("-"), FuzzNesting("any(", ")"),
        FuzzNesting("max(", ")"), FuzzNesting("(1 + ", ")"), FuzzNesting("", " + 1"),
    ]

    func run(_ input: [UInt8]) throws -> FuzzOutcome {
        let text = String(decoding: input, as: UTF8.self)
        var rng = FuzzRandom(hashing: input)
        let origin = SourceOrigin(line: 1 + rng.below(1_000), column: 1 + rng.below(200))
        let expression: GuardrailExpression
        do {
            expression = try GuardrailExpression(parsing: text, origin: origin)
        } catch {
            try Self.checkLocated(error, in: text, origin: origin)
            return .rejected("\(error.code)")
        }
        try Self.checkParenthesized(expression)
        let context = Self.context(for: expression, parameters: nil, using: &rng)
        let evaluation: ExpressionEvaluation
        do {
            evaluation = try expression.evaluate(context)
        } catch {
            guard error.code == .undefinedParameter else {
                throw FuzzInvariantViolation("evaluation threw \(error.code), not undefinedParameter: \(error)")
            }
            return .accepted("parsed; a parameter is undefined")
        }
        try Self.checkOffenders(evaluation)
        return .accepted(evaluation.holds ? "parsed; holds" : "parsed; does not hold")
    }

    /// A parse error points inside the text: a line the text has, a column of at least 1, a caret on the line.
    static func checkLocated(_ error: ExpressionError, in text: String, origin: SourceOrigin) throws {
        let breaks = text.unicodeScalars.filter { $0 == "\n" || $0 == "\r" }.count
        guard error.line >= origin.line, error.line <= origin.line + breaks, error.column >= 1,
            error.sourceColumn >= 1, error.sourceColumn <= error.sourceLine.unicodeScalars.count + 1,
            error.length >= 1, !error.description.isEmpty
        else {
            throw FuzzInvariantViolation(
                "error \(error.code) at \(error.line):\(error.column) (source column \(error.sourceColumn)) "
                    + "lies outside the text (origin \(origin), \(breaks) line breaks)")
        }
    }

    /// The parenthesized form reads back as itself, unless the added parentheses nest too deeply.
    static func checkParenthesized(_ expression: GuardrailExpression) throws {
        let parenthesized = expression.parenthesized
        let reparsed: GuardrailExpression
        do {
            reparsed = try GuardrailExpression(parsing: parenthesized)
        } catch {
            guard error.code == .nestedTooDeeply else {
                throw FuzzInvariantViolation("\(parenthesized) does not parse back: \(error.code)")
            }
            return
        }
        guard reparsed.parenthesized == parenthesized else {
            throw FuzzInvariantViolation(
                "\(parenthesized) reads back as \(reparsed.parenthesized); precedence is not stable")
        }
    }

    static func checkOffenders(_ evaluation: ExpressionEvaluation) throws {
        guard evaluation.offenders == Array(Set(evaluation.offenders)).sorted(),
            evaluation.holds || evaluation.offenders.isEmpty
        else {
            throw FuzzInvariantViolation("offenders \(evaluation.offenders) are not sorted and unique, or not empty")
        }
    }

    /// Values that stress arithmetic: signed zeros, extremes, non-finite values and ordinary ones.
    static let awkwardValues: [Double] = [
        0, -0.0, 1, -1, 0.5, 3, 250, 5_000, 1e308, -1e308, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        .leastNonzeroMagnitude, .leastNormalMagnitude, .nan, .infinity, -.infinity, 1e-300, 9_007_199_254_740_992,
    ]

    /// 0–4 participants reporting some of the expression's metrics, and most of its parameters (or exactly
    /// `parameters` when given), with values from ``awkwardValues`` or random ones.
    static func context(
        for expression: GuardrailExpression,
        parameters: [String: Double]?,
        using rng: inout FuzzRandom
    ) -> ExpressionContext {
        func value() -> Double {
            rng.chance(3, in: 4) ? rng.pick(awkwardValues) : Double(bitPattern: rng.next())
        }
        // A key read both now and as a forecast is in both lists; extra keys do no harm.
        let current = expression.metricKeys.sorted()
        let forecast = expression.forecastKeys.sorted()
        var participants: [ParticipantMetrics] = []
        for index in 0..<rng.below(5) {
            var metrics = ParticipantMetrics(id: "p\(index)", current: [:], forecast: [:])
            for key in current where rng.chance(4, in: 5) {
                metrics.current[key] = value()
            }
            for key in forecast where rng.chance(4, in: 5) {
                metrics.forecast[key] = value()
            }
            participants.append(metrics)
        }
        var defined = parameters ?? [:]
        if parameters == nil {
            for name in expression.parameterNames.sorted() where rng.chance(9, in: 10) {
                defined[name] = value()
            }
        }
        return ExpressionContext(participants: participants, parameters: defined)
    }
}
