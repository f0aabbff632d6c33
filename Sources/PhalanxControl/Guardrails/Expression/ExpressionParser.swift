/// Turns tokens into an ``ExpressionSyntax`` tree by precedence climbing (a Pratt parser).
///
/// Binding strength, loosest first: `or`, `and`, prefix `not`, comparisons (non-associative),
/// `+ -`, `* /`, unary `-`. The parser checks syntax only; ``ExpressionChecker`` checks types and
/// where metrics may appear. See Pratt, "Top Down Operator Precedence", POPL 1973.
struct ExpressionParser {
    private let source: ExpressionSource
    private let tokens: [ExpressionToken]
    private var index = 0

    init(_ source: ExpressionSource) {
        self.source = source
        self.tokens = ExpressionLexer.tokenize(source)
    }

    /// Parses the whole text as one expression.
    mutating func parse() throws(ExpressionError) -> ExpressionSyntax {
        if case .end = current.kind {
            throw source.error(
                .emptyExpression,
                "expression is empty",
                hint: "write a condition, e.g. max(contributionL1) > params.maxContributionL1",
                at: ExpressionSpan(0, 0)
            )
        }
        let expression = try parseExpression(above: .or, depth: 1)
        switch current.kind {
        case .end:
            return expression
        case .invalid(let error):
            throw error
        case .rightParenthesis:
            throw source.error(
                .unexpectedToken,
                "unexpected ')'",
                hint: "no '(' is open here; remove it or add the matching '('",
                at: current.span
            )
        default:
            throw source.error(
                .unexpectedToken,
                "unexpected \(describe(current)) after a complete expression",
                hint: "join conditions with 'and' or 'or'",
                at: current.span
            )
        }
    }

    // MARK: - Tokens

    private var current: ExpressionToken { tokens[index] }

    private var previous: ExpressionToken? { index > 0 ? tokens[index - 1] : nil }

    private var following: ExpressionToken { tokens[min(index + 1, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> ExpressionToken {
        let token = tokens[index]
        if index < tokens.count - 1 {
            index += 1
        }
        return token
    }

    private func text(_ token: ExpressionToken) -> String {
        source.slice(token.span)
    }

    /// How a message names a token: `number '12'`, `name 'foo'`, `')'`, `end of expression`.
    private func describe(_ token: ExpressionToken) -> String {
        switch token.kind {
        case .end: "end of expression"
        case .number: "number '\(text(token))'"
        case .name: "name '\(text(token))'"
        default: "'\(text(token))'"
        }
    }

    // MARK: - Grammar

    private mutating func parseExpression(
        above minimum: ExpressionPrecedence,
        depth: Int
    ) throws(ExpressionError) -> ExpressionSyntax {
        var lhs = try parsePrefix(above: minimum, depth: depth)
        var lhsIsComparison = false
        while case .binary(let op) = current.kind, op.precedence >= minimum {
            let operatorToken = advance()
            if op.isComparison && lhsIsComparison {
                throw source.error(
                    .chainedComparison,
                    "comparisons cannot be chained",
                    hint: "write 'a < b and b < c' instead of 'a < b < c'",
                    at: operatorToken.span
                )
            }
            // Comparisons are non-associative; the others associate to the left. Either way the
            // right operand binds tighter than the operator.
            let rhs = try parseExpression(above: op.precedence.tighter, depth: depth + 1)
            lhs = try node(
                .binary(op, lhs, rhs, operatorSpan: operatorToken.span),
                span: lhs.span.union(rhs.span),
                at: operatorToken.span
            )
            lhsIsComparison = op.isComparison
        }
        return lhs
    }

    private mutating func parsePrefix(
        above minimum: ExpressionPrecedence,
        depth: Int
    ) throws(ExpressionError) -> ExpressionSyntax {
        let token = current
        if depth > GuardrailExpression.maximumDepth {
            throw source.error(
                .nestedTooDeeply,
                "expression is nested more than \(GuardrailExpression.maximumDepth) levels deep",
                hint: "split it into several predicates",
                at: token.span
            )
        }
        switch token.kind {
        case .number(let value):
            advance()
            return ExpressionSyntax(.number(value), span: token.span)
        case .boolean(let value):
            advance()
            return ExpressionSyntax(.boolean(value), span: token.span)
        case .name(let key):
            if case .leftParenthesis = following.kind {
                throw unknownFunction(token, named: key)
            }
            advance()
            return ExpressionSyntax(.metric(key), span: token.span)
        case .forecastReference(let key):
            try rejectReserved(key, in: token, naming: "a metric")
            advance()
            return ExpressionSyntax(.forecast(key), span: token.span)
        case .parameterReference(let name):
            try rejectReserved(name, in: token, naming: "a parameter")
            advance()
            return ExpressionSyntax(.parameter(name), span: token.span)
        case .bareQualifier(let keyword):
            let example = keyword == .params ? "params.maxLagMs" : "forecast.noiseBits"
            throw source.error(
                .unexpectedToken,
                "expected '.' after '\(keyword.rawValue)'",
                hint: "'\(keyword.rawValue)' is reserved; write \(keyword.rawValue).NAME, e.g. \(example)",
                at: token.span
            )
        case .not:
            guard minimum <= .not else {
                let place = minimum == .prefix ? "a negation" : "a comparison or arithmetic"
                throw source.error(
                    .unexpectedToken,
                    "unexpected '\(text(token))' inside \(place)",
                    hint: "'not' binds looser than comparisons and arithmetic; wrap it in parentheses: (not …)",
                    at: token.span
                )
            }
            advance()
            let operand = try parseExpression(above: .not, depth: depth + 1)
            return try node(
                .not(operand, operatorSpan: token.span),
                span: token.span.union(operand.span),
                at: token.span
            )
        case .binary(.subtract):
            advance()
            let operand = try parseExpression(above: .prefix, depth: depth + 1)
            return try node(.negate(operand), span: token.span.union(operand.span), at: token.span)
        case .aggregate(let function):
            return try parseAggregate(function, depth: depth)
        case .leftParenthesis:
            advance()
            var inner = try parseExpression(above: .or, depth: depth + 1)
            let closing = try expectClosing(opening: token, after: "the parenthesized expression")
            inner.span = token.span.union(closing.span)
            return inner
        case .invalid(let error):
            throw error
        case .binary, .rightParenthesis, .comma, .end:
            throw missingOperand(found: token)
        }
    }

    private mutating func parseAggregate(
        _ function: ExpressionAggregate,
        depth: Int
    ) throws(ExpressionError) -> ExpressionSyntax {
        let name = advance()
        let kind = function.takesBooleanBody ? "condition" : "numeric expression"
        guard case .leftParenthesis = current.kind else {
            if case .invalid(let error) = current.kind {
                throw error
            }
            throw source.error(
                .unexpectedToken,
                "expected '(' after '\(function.rawValue)'",
                hint: "'\(function.rawValue)' is an aggregate and a reserved word: write \(function.rawValue)(\(kind))",
                at: current.span
            )
        }
        let opening = advance()
        if case .rightParenthesis = current.kind {
            throw source.error(
                .wrongArity,
                "'\(function.rawValue)' takes exactly one argument, found none",
                hint: "write \(function.rawValue)(\(kind))",
                at: current.span
            )
        }
        let body = try parseExpression(above: .or, depth: depth + 1)
        if case .comma = current.kind {
            throw source.error(
                .wrongArity,
                "'\(function.rawValue)' takes exactly one argument",
                hint: function.takesBooleanBody
                    ? "combine conditions inside one argument with 'and' / 'or', e.g. any(a > 1 and b < 2)"
                    : "aggregate one expression, e.g. max(a - b), or compare two aggregates, e.g. max(a) > max(b)",
                at: current.span
            )
        }
        let closing = try expectClosing(opening: opening, after: "the argument of '\(function.rawValue)'")
        return try node(
            .aggregate(ExpressionAggregateCall(function: function, body: body, nameSpan: name.span)),
            span: name.span.union(closing.span),
            at: name.span
        )
    }

    // MARK: - Helpers

    /// Builds a node, refusing trees deeper than ``GuardrailExpression/maximumDepth``.
    private func node(
        _ kind: ExpressionSyntax.Kind,
        span: ExpressionSpan,
        at anchor: ExpressionSpan
    ) throws(ExpressionError) -> ExpressionSyntax {
        let node = ExpressionSyntax(kind, span: span)
        guard node.depth <= GuardrailExpression.maximumDepth else {
            throw source.error(
                .nestedTooDeeply,
                "expression is nested more than \(GuardrailExpression.maximumDepth) levels deep",
                hint: "split it into several predicates",
                at: anchor
            )
        }
        return node
    }

    private mutating func expectClosing(
        opening: ExpressionToken,
        after what: String
    ) throws(ExpressionError) -> ExpressionToken {
        switch current.kind {
        case .rightParenthesis:
            return advance()
        case .end:
            throw source.error(
                .unterminatedParenthesis,
                "'(' is never closed",
                hint: "add ')' after \(what)",
                at: opening.span
            )
        case .invalid(let error):
            throw error
        default:
            let position = source.position(of: opening.span.lowerBound)
            throw source.error(
                .unexpectedToken,
                "expected ')' to close the '(' at \(position), found \(describe(current))",
                hint: "join conditions with 'and' or 'or', or close the parenthesis",
                at: current.span
            )
        }
    }

    private func missingOperand(found token: ExpressionToken) -> ExpressionError {
        let hint =
            switch token.kind {
            case .rightParenthesis where previous.map({ $0.kind == .leftParenthesis }) ?? false:
                "parentheses need an expression inside"
            case .end: "the expression ends too early; complete it"
            default: "an operand is a number, true/false, params.NAME, an aggregate or a parenthesized expression"
            }
        let message: String
        if let previous, previous.kind != .leftParenthesis {
            message = "expected an operand after '\(text(previous))', found \(describe(token))"
        } else if let previous {
            message = "expected an expression after '\(text(previous))', found \(describe(token))"
        } else {
            message = "expected an expression, found \(describe(token))"
        }
        return source.error(.unexpectedToken, message, hint: hint, at: token.span)
    }

    private func rejectReserved(
        _ name: String,
        in token: ExpressionToken,
        naming what: String
    ) throws(ExpressionError) {
        guard ExpressionKeyword(rawValue: name) != nil else { return }
        throw source.error(
            .reservedWord,
            "'\(name)' is a reserved word and cannot name \(what)",
            hint: "reserved words: \(ExpressionKeyword.allCases.map(\.rawValue).joined(separator: " "))",
            at: token.span
        )
    }

    private func unknownFunction(_ token: ExpressionToken, named name: String) -> ExpressionError {
        let available = ExpressionAggregate.allCases.map(\.rawValue).joined(separator: ", ")
        var hint = "the aggregates are \(available)"
        if let suggestion = Self.suggestion(for: name) {
            hint = "did you mean '\(suggestion)'? " + hint
        }
        return source.error(.unknownFunction, "unknown function '\(name)'", hint: hint, at: token.span)
    }

    /// The aggregate a misspelled or foreign function name most likely means.
    static func suggestion(for name: String) -> String? {
        let lowered = name.lowercased()
        let synonyms = [
            "avg": "mean", "average": "mean", "total": "sum", "exists": "any", "some": "any", "every": "all",
            "maximum": "max", "minimum": "min", "len": "count", "size": "count", "number": "count",
        ]
        if let synonym = synonyms[lowered] {
            return synonym
        }
        let scored = ExpressionAggregate.allCases.map { ($0.rawValue, editDistance(lowered, $0.rawValue)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= min(2, lowered.count / 2) else {
            return nil
        }
        return best.0
    }

    private static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.unicodeScalars)
        let b = Array(rhs.unicodeScalars)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var diagonal = row[0]
            row[0] = i
            for j in 1...b.count {
                let above = row[j]
                row[j] = Swift.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }
}
