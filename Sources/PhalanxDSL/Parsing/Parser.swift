/// Reads a plug-in's source into its syntax tree, exactly as the grammar of `docs/dsl.md` says.
///
/// A hand-written recursive-descent parser with at most three tokens of lookahead, so it runs in time linear in
/// the text. It stops at the first problem and throws it as a ``Diagnostic`` that says where, what, and how to
/// fix it. No input can exhaust the stack or take long: the text may be at most ``maximumSize`` bytes, and an
/// expression may nest at most ``maximumDepth`` levels.
///
/// The parser checks syntax only. Both blocks accept every kind of statement; the checker says why one is out of
/// place, what a name refers to, and whether a range is empty.
public enum Parser {
    /// The longest source accepted: 1 MiB of UTF-8.
    public static let maximumSize = 1 << 20
    /// How deeply an expression may nest. Every operator, call, vector, index, `where` and pair of parentheses
    /// is a level: `-(a + f(b))` is 5 levels deep (`-`, `( )`, `+`, `f( )`, `b`).
    public static let maximumDepth = 64

    /// Parses a whole plug-in; throws the first problem found.
    public static func parse(_ source: SourceFile) throws(Diagnostic) -> PluginSyntax {
        var parser = try PluginParser(source)
        return try parser.parsePlugin()
    }
}

/// An expression as it is built, with the height of its tree (parentheses count as a level).
private struct Node {
    var syntax: ExpressionSyntax
    var height: Int
}

private struct PluginParser {
    private let source: SourceFile
    private let tokens: [Token]
    private var index = 0
    /// How many parentheses, brackets, calls and prefix operators enclose the token being read.
    private var nesting = 0

    init(_ source: SourceFile) throws(Diagnostic) {
        self.source = source
        // A scalar is at most 4 bytes of UTF-8: count them only when the text could be too large.
        var bytes = 0
        if source.count > Parser.maximumSize / 4 {
            for scalar in source.scalars {
                bytes &+= UTF8.width(scalar)
            }
        }
        guard bytes <= Parser.maximumSize else {
            throw Diagnostic(
                .tooLarge, "the plug-in is \(bytes) bytes long; the limit is 1 MiB (\(Parser.maximumSize) bytes)",
                hint: "a plug-in is a short program; data reaches it through its inputs, not as literals",
                at: SourceSpan(0, 0), in: source)
        }
        tokens = Lexer.tokenize(source)
        if case .invalid(let diagnostic) = tokens[0].kind { throw diagnostic }
    }

    // MARK: - Tokens

    private var current: Token { tokens[index] }

    /// The token `ahead` places after the current one (the last token when the text ends earlier).
    private func peek(_ ahead: Int) -> Token {
        tokens[min(index + ahead, tokens.count - 1)]
    }

    private var previous: Token? { index > 0 ? tokens[index - 1] : nil }

    /// Moves past the current token and returns it; reaching a malformed token throws its problem.
    @discardableResult
    private mutating func advance() throws(Diagnostic) -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        if case .invalid(let diagnostic) = tokens[index].kind { throw diagnostic }
        return token
    }

    private func error(
        _ code: Diagnostic.Code, _ message: String, hint: String = "", at span: SourceSpan
    ) -> Diagnostic {
        Diagnostic(code, message, hint: hint, at: span, in: source)
    }

    /// `12:1`, the line and column where `span` starts.
    private func place(_ span: SourceSpan) -> String {
        let (line, column) = source.position(of: span.lowerBound)
        return "\(line):\(column)"
    }

    /// How a message names a token: `'survival'`, `keyword 'as'`, `number '12'`, `string "a"`, `'}'`,
    /// `the end of the file`.
    private func describe(_ token: Token) -> String {
        let text = source.text(token.span)
        let shown = text.unicodeScalars.count > 30 ? String(text.unicodeScalars.prefix(30)) + "…" : text
        switch token.kind {
        case .identifier: return "'\(shown)'"
        case .keyword: return "keyword '\(shown)'"
        case .number: return "number '\(shown)'"
        case .string: return "string \(shown)"
        case .symbol: return "'\(shown)'"
        case .end, .invalid: return "the end of the file"
        }
    }

    private var isAtEnd: Bool {
        if case .end = current.kind { return true }
        return false
    }

    /// Whether the current token starts a part of the plug-in (`plugin`, `input`, `node`, `aggregator`): met
    /// inside a block, it means the block's `}` is missing.
    private var startsPart: Bool {
        current.is(.plugin) || current.is(.input) || current.is(.node) || current.is(.aggregator)
    }

    // MARK: - The plug-in

    mutating func parsePlugin() throws(Diagnostic) -> PluginSyntax {
        guard current.is(.plugin) else {
            throw error(
                .unexpectedToken,
                "expected 'plugin' and the plug-in's name at the start of the file, found \(describe(current))",
                hint: "a plug-in starts with its header, e.g. plugin \"kaplan-meier\" version \"1.0.0\"",
                at: current.span)
        }
        try advance()
        let name = try expectString(
            "expected a string after 'plugin' (the plug-in's name, e.g. \"kaplan-meier\"), found \(describe(current))",
            hint: "a plug-in starts with its header, e.g. plugin \"kaplan-meier\" version \"1.0.0\"")
        guard current.is(.version) else {
            throw error(
                .unexpectedToken,
                "expected 'version' and the plug-in's version after its name, found \(describe(current))",
                hint: "e.g. plugin \(source.text(name.span)) version \"1.0.0\"", at: current.span)
        }
        try advance()
        let version = try expectString(
            "expected a string after 'version' (the plug-in's version, e.g. \"1.0.0\"), found \(describe(current))",
            hint: "versions are strings: version \"1.0.0\"")
        var inputs: [InputSyntax] = []
        while current.is(.input) {
            inputs.append(try parseInput())
        }
        guard current.is(.node) else { throw missingNodeBlock(afterInputs: !inputs.isEmpty) }
        let node = try parseBlock()
        guard current.is(.aggregator) else { throw missingAggregatorBlock() }
        let aggregator = try parseBlock()
        guard isAtEnd else {
            let hint =
                if current.is(.rightBrace) {
                    "this '}' closes nothing: the aggregator block is already closed"
                } else if current.is(.aggregator) {
                    "a plug-in has one aggregator block; put all its statements in it"
                } else if current.is(.node) || current.is(.input) {
                    "the order is: the header, the inputs, node { … }, aggregator { … }"
                } else {
                    "the aggregator block ends the plug-in; only comments may follow it"
                }
            throw error(
                .unexpectedToken, "unexpected \(describe(current)) after the aggregator block", hint: hint,
                at: current.span)
        }
        return PluginSyntax(name: name, version: version, inputs: inputs, node: node, aggregator: aggregator)
    }

    private func missingNodeBlock(afterInputs: Bool) -> Diagnostic {
        let order = "the order is: the header, the inputs, node { … }, aggregator { … }"
        if current.is(.aggregator) {
            return error(
                .unexpectedToken, "expected the node block before the aggregator block", hint: order,
                at: current.span)
        }
        if isAtEnd {
            return error(
                .unexpectedToken,
                "expected the node block ('node { … }') after the \(afterInputs ? "inputs" : "header")",
                hint: "a plug-in has a node block and an aggregator block", at: current.span)
        }
        if current.is(.plugin) || current.is(.version) {
            return error(
                .unexpectedToken, "unexpected \(describe(current)): a plug-in has one header", hint: order,
                at: current.span)
        }
        return error(
            .unexpectedToken, "expected an input or the node block, found \(describe(current))",
            hint: "inputs are declared as input NAME { … } and the node block, node { … }, follows them",
            at: current.span)
    }

    private func missingAggregatorBlock() -> Diagnostic {
        if isAtEnd {
            return error(
                .unexpectedToken, "expected the aggregator block ('aggregator { … }') after the node block",
                hint: "a plug-in has a node block and an aggregator block", at: current.span)
        }
        let hint =
            if current.is(.node) {
                "a plug-in has one node block; put all its statements in it"
            } else if current.is(.input) {
                "inputs are declared before the node block"
            } else {
                "the order is: the header, the inputs, node { … }, aggregator { … }"
            }
        return error(
            .unexpectedToken, "expected the aggregator block after the node block, found \(describe(current))",
            hint: hint, at: current.span)
    }

    // MARK: - Inputs

    /// `input NAME { column … }`
    private mutating func parseInput() throws(Diagnostic) -> InputSyntax {
        let keyword = try advance()
        let name = try expectIdentifier(
            "the input's name", after: "'input'", example: "input survival { time: int in 0..=80 }")
        guard current.is(.leftBrace) else {
            throw error(
                .unexpectedToken,
                "expected '{' after 'input \(name.name)' to open its columns, found \(describe(current))",
                hint: "e.g. input \(name.name) { time: int in 0..=80 }", at: current.span)
        }
        try advance()
        var columns: [ColumnSyntax] = []
        while true {
            if current.is(.rightBrace) { break }
            if current.word != nil, peek(1).is(.colon) {
                columns.append(try parseColumn())
                continue
            }
            if isAtEnd || startsPart {
                throw unterminated("the input block of '\(name.name)'", openedAt: keyword)
            }
            if current.word != nil {
                throw error(
                    .unexpectedToken,
                    "expected ':' and a type after column '\(source.text(current.span))', found \(describe(peek(1)))",
                    hint: "a column is NAME: int in A..=B, NAME: real [in A..=B] or NAME: category in { \"a\", … }",
                    at: peek(1).span)
            }
            throw error(
                .unexpectedToken, "expected a column or '}' in input '\(name.name)', found \(describe(current))",
                hint: "a column is NAME: int in A..=B, NAME: real [in A..=B] or NAME: category in { \"a\", … }",
                at: current.span)
        }
        let close = try advance()
        return InputSyntax(name: name, columns: columns, span: keyword.span.union(close.span))
    }

    /// `NAME: int in A..=B`, `NAME: real [in A..=B]`, `NAME: category in { "a", … }`. A column's name may be a
    /// keyword (`category: category in { … }`): nothing else can stand before the `:` here.
    private mutating func parseColumn() throws(Diagnostic) -> ColumnSyntax {
        let nameToken = try advance()
        let name = Identifier(source.text(nameToken.span), span: nameToken.span)
        try advance()  // ':'
        let typeToken = current
        let kind: ColumnSyntax.Kind
        var end = typeToken.span
        switch typeToken.kind {
        case .keyword(.int):
            try advance()
            try expectIn(after: "int", example: "\(name.name): int in 0..=80", what: "an int column declares its range")
            let range = try parseRange(integer: true, of: "an int column")
            kind = .integer(range)
            end = range.span
        case .keyword(.real):
            try advance()
            if current.is(.in) {
                try advance()
                let range = try parseRange(integer: false, of: "a real column")
                kind = .real(range)
                end = range.span
            } else {
                kind = .real(nil)
            }
        case .keyword(.category):
            try advance()
            try expectIn(
                after: "category", example: "\(name.name): category in { \"a\", \"b\" }",
                what: "a category column declares its values")
            let (values, span) = try parseStrings(of: "the category's values")
            kind = .category(values)
            end = span
        default:
            throw error(
                .unexpectedToken, "expected a column type after '\(name.name):', found \(describe(typeToken))",
                hint: "the column types are int in A..=B, real [in A..=B] and category in { \"a\", … }",
                at: typeToken.span)
        }
        return ColumnSyntax(name: name, kind: kind, span: nameToken.span.union(end))
    }

    private mutating func expectIn(after type: String, example: String, what: String) throws(Diagnostic) {
        guard current.is(.in) else {
            throw error(
                .unexpectedToken, "expected 'in' after '\(type)', found \(describe(current))",
                hint: "\(what), e.g. \(example)", at: current.span)
        }
        try advance()
    }

    /// `{ "a", "b" [,] }`: a category's values or a release's labels.
    private mutating func parseStrings(of what: String) throws(Diagnostic) -> ([StringLiteral], SourceSpan) {
        guard current.is(.leftBrace) else {
            throw error(
                .unexpectedToken, "expected '{' and \(what), found \(describe(current))",
                hint: "write the values as strings in braces, e.g. { \"a\", \"b\" }", at: current.span)
        }
        let open = try advance()
        var values: [StringLiteral] = []
        while true {
            guard case .string(let value) = current.kind else {
                let hint =
                    values.isEmpty && current.is(.rightBrace)
                    ? "the list needs at least one string"
                    : "\(what) are strings in double quotes, e.g. { \"a\", \"b\" }"
                throw error(
                    .unexpectedToken, "expected a string in \(what), found \(describe(current))", hint: hint,
                    at: current.span)
            }
            values.append(StringLiteral(value, span: current.span))
            try advance()
            if current.is(.comma) {
                try advance()
                if current.is(.rightBrace) { break }
            } else if current.is(.rightBrace) {
                break
            } else {
                throw error(
                    .unexpectedToken,
                    "expected ',' or '}' to close the list opened at \(place(open.span)), found \(describe(current))",
                    hint: "separate the strings with ','", at: current.span)
            }
        }
        let close = try advance()
        return (values, open.span.union(close.span))
    }

    // MARK: - Ranges

    /// `A..=B` or `A..<B` with integer bounds (`integer`), or `A..=B` with any numbers; a bound may carry `-`.
    private mutating func parseRange(integer: Bool, of what: String) throws(Diagnostic) -> RangeSyntax {
        let lower = try parseBound(integer: integer, of: what, after: nil)
        guard current.isRangeOperator else {
            throw error(
                .unexpectedToken,
                "expected '..=' or '..<' after the lower bound of \(what), found \(describe(current))",
                hint: "a range is written 0..=80 (80 included) or 0..<81 (81 excluded)", at: current.span)
        }
        let op = try advance()
        let inclusive = op.is(.inclusiveRange)
        if !integer, !inclusive {
            throw error(
                .unexpectedToken, "the range of \(what) is inclusive: write '..=' instead of '..<'",
                hint: "real ranges include both bounds, e.g. -1.0..=1.0", at: op.span)
        }
        let upper = try parseBound(integer: integer, of: what, after: op)
        return RangeSyntax(lower: lower, upper: upper, inclusive: inclusive, span: lower.span.union(upper.span))
    }

    private mutating func parseBound(
        integer: Bool, of what: String, after op: Token?
    ) throws(Diagnostic) -> NumberLiteral {
        let bound = op == nil ? "lower bound" : "upper bound"
        var minus: Token?
        if current.is(.minus) { minus = try advance() }
        guard case .number(let literal) = current.kind else {
            let after = previous.map { "'\(source.text($0.span))'" } ?? "the start"
            throw error(
                .unexpectedToken,
                "expected a number after \(after) (the \(bound) of \(what)), found \(describe(current))",
                hint: "a range is written 0..=80 (80 included) or 0..<81 (81 excluded)", at: current.span)
        }
        if integer, literal.integer == nil {
            throw error(
                .unexpectedToken, "the bounds of \(what) are integers, found \(describe(current))",
                hint: "write an integer, e.g. 0..=80", at: current.span)
        }
        try advance()
        guard let minus else { return literal }
        return NumberLiteral(
            text: "-" + literal.text, value: -literal.value, integer: literal.integer.map { 0 &- $0 },
            span: minus.span.union(literal.span))
    }

    // MARK: - Blocks and statements

    /// `node { … }` or `aggregator { … }`; either accepts every kind of statement.
    private mutating func parseBlock() throws(Diagnostic) -> BlockSyntax {
        let keyword = try advance()
        let name = source.text(keyword.span)
        guard current.is(.leftBrace) else {
            throw error(
                .unexpectedToken, "expected '{' after '\(name)' to open the \(name) block, found \(describe(current))",
                hint: "e.g. \(name) { let x = … }", at: current.span)
        }
        try advance()
        var statements: [StatementSyntax] = []
        while !current.is(.rightBrace) {
            switch current.kind {
            case .keyword(.let): statements.append(try parseLet())
            case .keyword(.secureSum): statements.append(try parseSecureSum())
            case .keyword(.release): statements.append(try parseRelease())
            case .keyword(.thresholdRelease): statements.append(try parseThresholdRelease())
            default:
                if isAtEnd || startsPart {
                    throw unterminated("the \(name) block", openedAt: keyword)
                }
                let hint =
                    if case .identifier(let word) = current.kind, peek(1).is(.assign) {
                        "a binding starts with 'let': let \(word) = …"
                    } else if current.is(.rightParenthesis) || current.is(.rightBracket) {
                        "this '\(source.text(current.span))' closes nothing: no bracket is open here"
                    } else {
                        "statements start with let, secure_sum, release or threshold_release; the \(name) block "
                            + "was opened at \(place(keyword.span))"
                    }
                throw error(
                    .unexpectedToken, "expected a statement or '}' in the \(name) block, found \(describe(current))",
                    hint: hint, at: current.span)
            }
        }
        let close = try advance()
        return BlockSyntax(keyword: keyword.span, statements: statements, span: keyword.span.union(close.span))
    }

    private func unterminated(_ what: String, openedAt open: Token) -> Diagnostic {
        error(
            .unterminatedBlock, "expected '}' to close \(what) opened at \(place(open.span))",
            hint: "found \(describe(current)); every '{' needs a matching '}'", at: current.span)
    }

    /// `let NAME = value`
    private mutating func parseLet() throws(Diagnostic) -> StatementSyntax {
        let keyword = try advance()
        let name = try expectIdentifier("a variable's name", after: "'let'", example: "let total = count(t)")
        guard current.is(.assign) else {
            let hint =
                current.is(.equal)
                ? "a binding uses a single '=': let \(name.name) = …" : "e.g. let \(name.name) = count(t)"
            throw error(
                .unexpectedToken, "expected '=' after 'let \(name.name)', found \(describe(current))", hint: hint,
                at: current.span)
        }
        try advance()
        let value = try parseExpression().syntax
        return StatementSyntax(
            .binding(name: name, value: value), keyword: keyword.span, span: keyword.span.union(value.span))
    }

    /// `secure_sum value as CHANNEL`
    private mutating func parseSecureSum() throws(Diagnostic) -> StatementSyntax {
        let keyword = try advance()
        let value = try parseExpression().syntax
        guard current.is(.as) else {
            throw error(
                .unexpectedToken,
                "expected 'as' and a channel name after the value of secure_sum, found \(describe(current))",
                hint: "e.g. secure_sum clip_linf(counts, 100) as counts", at: current.span)
        }
        try advance()
        let channel = try expectIdentifier(
            "a channel name", after: "'as'", example: "secure_sum clip_linf(counts, 100) as counts")
        return StatementSyntax(
            .secureSum(value: value, channel: channel), keyword: keyword.span, span: keyword.span.union(channel.span))
    }

    /// `release value as "NAME" [labels …]`
    private mutating func parseRelease() throws(Diagnostic) -> StatementSyntax {
        let keyword = try advance()
        let value = try parseExpression().syntax
        let name = try parseReleasedName(of: "release", example: "release total as \"total\"")
        let labels = try parseLabelsIfPresent()
        return StatementSyntax(
            .release(value: value, name: name, labels: labels?.labels), keyword: keyword.span,
            span: keyword.span.union(labels?.span ?? name.span))
    }

    /// `threshold_release value at threshold as "NAME" [labels …]`
    private mutating func parseThresholdRelease() throws(Diagnostic) -> StatementSyntax {
        let keyword = try advance()
        let value = try parseExpression().syntax
        guard current.is(.at) else {
            throw error(
                .unexpectedToken,
                "expected 'at' and the threshold after the value of threshold_release, found \(describe(current))",
                hint: "e.g. threshold_release noisy at 20 as \"counts\"", at: current.span)
        }
        try advance()
        let threshold = try parseExpression().syntax
        let name = try parseReleasedName(
            of: "threshold_release", example: "threshold_release noisy at 20 as \"counts\"")
        let labels = try parseLabelsIfPresent()
        return StatementSyntax(
            .thresholdRelease(value: value, threshold: threshold, name: name, labels: labels?.labels),
            keyword: keyword.span, span: keyword.span.union(labels?.span ?? name.span))
    }

    /// `as "NAME"` after a released value.
    private mutating func parseReleasedName(of statement: String, example: String) throws(Diagnostic) -> StringLiteral {
        guard current.is(.as) else {
            throw error(
                .unexpectedToken,
                "expected 'as' and the released name (a string) after the value of \(statement), "
                    + "found \(describe(current))",
                hint: "e.g. \(example)", at: current.span)
        }
        try advance()
        let hint =
            if case .identifier(let word) = current.kind {
                "the released name is a string: as \"\(word)\""
            } else {
                "e.g. \(example)"
            }
        return try expectString(
            "expected a string after 'as' (the name the value is released under), found \(describe(current))",
            hint: hint)
    }

    /// `labels 0..=80`, `labels { "a", "b" }` or `labels table.column`, if present.
    private mutating func parseLabelsIfPresent() throws(Diagnostic) -> (labels: LabelsSyntax, span: SourceSpan)? {
        guard current.is(.labels) else { return nil }
        try advance()
        switch current.kind {
        case .symbol(.leftBrace):
            let (strings, span) = try parseStrings(of: "the labels")
            return (.strings(strings, span: span), span)
        case .symbol(.minus), .number:
            let range = try parseRange(integer: true, of: "the labels")
            return (.range(range), range.span)
        case .identifier, .keyword:
            let table = try expectIdentifier(
                "a table name", after: "'labels'", example: "labels survival.group")
            guard current.is(.dot) else {
                throw error(
                    .unexpectedToken, "expected '.' and a column after '\(table.name)', found \(describe(current))",
                    hint: "labels name a category column as TABLE.COLUMN, e.g. labels survival.group", at: current.span)
            }
            try advance()
            let column = try expectColumnName(after: table)
            return (.column(table: table, column: column), table.span.union(column.span))
        default:
            throw error(
                .unexpectedToken, "expected labels after 'labels', found \(describe(current))",
                hint: "labels are a range (0..=80), strings ({ \"a\", \"b\" }) or a category column (survival.group)",
                at: current.span)
        }
    }

    // MARK: - Names and strings

    private mutating func expectIdentifier(
        _ role: String, after: String, example: String
    ) throws(Diagnostic) -> Identifier {
        switch current.kind {
        case .identifier(let name):
            let token = try advance()
            return Identifier(name, span: token.span)
        case .keyword(let keyword):
            throw error(
                .reservedWord, "'\(keyword.rawValue)' is a keyword and cannot be \(role)",
                hint: "choose another name, e.g. '\(keyword.rawValue)_'", at: current.span)
        default:
            throw error(
                .unexpectedToken, "expected \(role) after \(after), found \(describe(current))",
                hint: "e.g. \(example)",
                at: current.span)
        }
    }

    /// The column after `table.`; a keyword is a column name here (`safety_events.category`).
    private mutating func expectColumnName(after table: Identifier) throws(Diagnostic) -> Identifier {
        guard let word = current.word else {
            throw error(
                .unexpectedToken, "expected a column name after '\(table.name).', found \(describe(current))",
                hint: "a column is written TABLE.COLUMN, e.g. survival.time", at: current.span)
        }
        let token = try advance()
        return Identifier(word, span: token.span)
    }

    private mutating func expectString(_ message: String, hint: String) throws(Diagnostic) -> StringLiteral {
        guard case .string(let value) = current.kind else {
            throw error(.unexpectedToken, message, hint: hint, at: current.span)
        }
        let token = try advance()
        return StringLiteral(value, span: token.span)
    }

    // MARK: - Expressions

    /// `disjunction [where disjunction]`
    private mutating func parseExpression() throws(Diagnostic) -> Node {
        let value = try parseDisjunction()
        guard current.is(.where) else { return value }
        let whereToken = try advance()
        let condition = try parseDisjunction()
        let filter = try node(
            .filter(value.syntax, condition: condition.syntax, whereSpan: whereToken.span),
            span: value.syntax.span.union(condition.syntax.span), height: 1 + max(value.height, condition.height),
            at: whereToken.span)
        if current.is(.where) {
            throw error(
                .unexpectedToken, "a filter takes one condition, found a second 'where'",
                hint: "join the conditions with 'and': t where a and b", at: current.span)
        }
        return filter
    }

    private mutating func parseDisjunction() throws(Diagnostic) -> Node {
        var lhs = try parseConjunction()
        while current.is(.or) {
            let op = try advance()
            let rhs = try parseConjunction()
            lhs = try binary(.or, lhs, rhs, op)
        }
        return lhs
    }

    private mutating func parseConjunction() throws(Diagnostic) -> Node {
        var lhs = try parseNegation()
        while current.is(.and) {
            let op = try advance()
            let rhs = try parseNegation()
            lhs = try binary(.and, lhs, rhs, op)
        }
        return lhs
    }

    /// `not negation | comparison`
    private mutating func parseNegation() throws(Diagnostic) -> Node {
        guard current.is(.not) else { return try parseComparison() }
        let op = current
        try enter(op)
        try advance()
        let operand = try parseNegation()
        leave()
        return try node(
            .unary(.not, operand.syntax, operatorSpan: op.span), span: op.span.union(operand.syntax.span),
            height: 1 + operand.height, at: op.span)
    }

    /// `sum [comparison sum]`; a second comparison is an error, not a chain.
    private mutating func parseComparison() throws(Diagnostic) -> Node {
        let lhs = try parseSum()
        guard let comparison = current.comparison else { return lhs }
        let op = try advance()
        let rhs = try parseSum()
        let result = try binary(comparison, lhs, rhs, op)
        if let second = current.comparison {
            throw error(
                .chainedComparison,
                "comparisons do not chain: '\(comparison.rawValue)' is followed by '\(second.rawValue)'",
                hint: "compare twice and join with 'and': a < b and b < c", at: current.span)
        }
        return result
    }

    private mutating func parseSum() throws(Diagnostic) -> Node {
        var lhs = try parseProduct()
        while current.is(.plus) || current.is(.minus) {
            let op = try advance()
            let rhs = try parseProduct()
            lhs = try binary(op.is(.plus) ? .add : .subtract, lhs, rhs, op)
        }
        return lhs
    }

    private mutating func parseProduct() throws(Diagnostic) -> Node {
        var lhs = try parsePrefix()
        while current.is(.star) || current.is(.slash) {
            let op = try advance()
            let rhs = try parsePrefix()
            lhs = try binary(op.is(.star) ? .multiply : .divide, lhs, rhs, op)
        }
        return lhs
    }

    /// `- prefix | postfix`; in `-A..=B` and `-A..<B` the `-` belongs to the range's lower bound.
    private mutating func parsePrefix() throws(Diagnostic) -> Node {
        guard current.is(.minus), !startsRange else { return try parsePostfix() }
        let op = current
        try enter(op)
        try advance()
        let operand = try parsePrefix()
        leave()
        return try node(
            .unary(.negate, operand.syntax, operatorSpan: op.span), span: op.span.union(operand.syntax.span),
            height: 1 + operand.height, at: op.span)
    }

    /// `primary { [ expression ] }`
    private mutating func parsePostfix() throws(Diagnostic) -> Node {
        var value = try parsePrimary()
        while current.is(.leftBracket) {
            let open = current
            try enter(open)
            try advance()
            let position = try parseExpression()
            guard current.is(.rightBracket) else {
                throw error(
                    .unexpectedToken,
                    "expected ']' to close the index opened at \(place(open.span)), found \(describe(current))",
                    hint: "an index is one expression in brackets, e.g. v[0]", at: current.span)
            }
            let close = try advance()
            leave()
            value = try node(
                .index(value.syntax, position.syntax), span: value.syntax.span.union(close.span),
                height: 1 + max(value.height, position.height), at: open.span)
        }
        return value
    }

    private mutating func parsePrimary() throws(Diagnostic) -> Node {
        let token = current
        switch token.kind {
        case _ where startsRange:
            let range = try parseRange(integer: true, of: "a range")
            return Node(syntax: ExpressionSyntax(.range(range), span: range.span), height: 1)
        case .number(let literal):
            try advance()
            return Node(syntax: ExpressionSyntax(.number(literal), span: token.span), height: 1)
        case .string(let value):
            try advance()
            return Node(
                syntax: ExpressionSyntax(.string(StringLiteral(value, span: token.span)), span: token.span), height: 1)
        case .keyword(let keyword)
        where keyword.couldBeAName && (peek(1).is(.leftParenthesis) || peek(1).is(.dot)):
            let role = peek(1).is(.dot) ? "a table's name" : "a function's name"
            throw error(
                .reservedWord, "'\(keyword.rawValue)' is a keyword and cannot be \(role)",
                hint: keyword == .round
                    ? "'round' is the index of the round being computed; to round numbers, use quantize"
                    : "keywords: \(Keyword.allCases.map(\.rawValue).joined(separator: " "))",
                at: token.span)
        case .keyword(.true), .keyword(.false):
            try advance()
            return Node(syntax: ExpressionSyntax(.boolean(token.is(.true)), span: token.span), height: 1)
        case .keyword(.round):
            try advance()
            return Node(syntax: ExpressionSyntax(.round, span: token.span), height: 1)
        case .keyword(.not):
            throw error(
                .unexpectedToken, "unexpected 'not' inside an arithmetic expression or a comparison",
                hint: "'not' binds looser than comparisons and arithmetic; put it in parentheses: (not …)",
                at: token.span)
        case .identifier(let name):
            if peek(1).is(.leftParenthesis) { return try parseCall() }
            try advance()
            let identifier = Identifier(name, span: token.span)
            guard current.is(.dot) else {
                return Node(syntax: ExpressionSyntax(.name(identifier), span: token.span), height: 1)
            }
            try advance()
            let column = try expectColumnName(after: identifier)
            let span = token.span.union(column.span)
            return Node(syntax: ExpressionSyntax(.column(table: identifier, column: column), span: span), height: 1)
        case .symbol(.leftParenthesis):
            try enter(token)
            try advance()
            let inner = try parseExpression()
            guard current.is(.rightParenthesis) else {
                throw error(
                    .unexpectedToken,
                    "expected ')' to close the '(' opened at \(place(token.span)), found \(describe(current))",
                    hint: "close the parenthesis, or join the parts with an operator", at: current.span)
            }
            let close = try advance()
            leave()
            var syntax = inner.syntax
            syntax.span = token.span.union(close.span)
            return try node(syntax.kind, span: syntax.span, height: inner.height + 1, at: token.span)
        case .symbol(.leftBracket):
            return try parseVector()
        default:
            let after = previous.map { "'\(source.text($0.span))'" } ?? "the start"
            let hint =
                if isAtEnd {
                    "the file ends too early; complete the expression"
                } else if token.is(.rightParenthesis) || token.is(.rightBracket) {
                    "brackets need an expression inside"
                } else {
                    "an expression is a number, a string, true, false, round, a name, table.column, a call f(…), "
                        + "a vector […] or an expression in parentheses"
                }
            throw error(
                .unexpectedToken, "expected an expression after \(after), found \(describe(token))", hint: hint,
                at: token.span)
        }
    }

    /// `NAME ( [argument {, argument}] )`, where an argument is `[label :] expression`.
    private mutating func parseCall() throws(Diagnostic) -> Node {
        let nameToken = try advance()
        let function = Identifier(source.text(nameToken.span), span: nameToken.span)
        let open = try advance()
        var arguments: [ArgumentSyntax] = []
        var height = 1
        if !current.is(.rightParenthesis) {
            try enter(open)
            while true {
                var label: Identifier?
                if peek(1).is(.colon) {
                    if case .identifier(let name) = current.kind {
                        label = Identifier(name, span: current.span)
                        try advance()
                        try advance()
                    } else if case .keyword(let keyword) = current.kind {
                        throw error(
                            .reservedWord, "'\(keyword.rawValue)' is a keyword and cannot label an argument",
                            hint: "argument labels are names such as bins:, length:, scale: or mechanism:",
                            at: current.span)
                    }
                }
                let value = try parseExpression()
                arguments.append(ArgumentSyntax(label: label, value: value.syntax))
                height = max(height, value.height + 1)
                if current.is(.comma) {
                    try advance()
                } else if current.is(.rightParenthesis) {
                    break
                } else {
                    throw error(
                        .unexpectedToken,
                        "expected ',' or ')' to close the call of '\(function.name)' opened at \(place(open.span)), "
                            + "found \(describe(current))",
                        hint: "separate the arguments with ','", at: current.span)
                }
            }
            leave()
        }
        let close = try advance()
        return try node(
            .call(function: function, arguments: arguments), span: nameToken.span.union(close.span), height: height,
            at: nameToken.span)
    }

    /// `[ [expression {, expression}] ]`
    private mutating func parseVector() throws(Diagnostic) -> Node {
        let open = try advance()
        var elements: [ExpressionSyntax] = []
        var height = 1
        if !current.is(.rightBracket) {
            try enter(open)
            while true {
                let element = try parseExpression()
                elements.append(element.syntax)
                height = max(height, element.height + 1)
                if current.is(.comma) {
                    try advance()
                } else if current.is(.rightBracket) {
                    break
                } else {
                    throw error(
                        .unexpectedToken,
                        "expected ',' or ']' to close the vector opened at \(place(open.span)), "
                            + "found \(describe(current))",
                        hint: "separate the elements with ','", at: current.span)
                }
            }
            leave()
        }
        let close = try advance()
        return try node(.vector(elements), span: open.span.union(close.span), height: height, at: open.span)
    }

    /// Whether a range used as a value starts here (`0..=80`, `-5..<5`, e.g. as `bins:`): a number, or `-` and a
    /// number, followed by `..=` or `..<`. Its bounds must be integers.
    private var startsRange: Bool {
        let minus = current.is(.minus) ? 1 : 0
        guard case .number = peek(minus).kind else { return false }
        return peek(minus + 1).isRangeOperator
    }

    // MARK: - Building nodes within the depth limit

    private func binary(_ op: BinaryOperator, _ lhs: Node, _ rhs: Node, _ token: Token) throws(Diagnostic) -> Node {
        try node(
            .binary(op, lhs.syntax, rhs.syntax, operatorSpan: token.span),
            span: lhs.syntax.span.union(rhs.syntax.span), height: 1 + max(lhs.height, rhs.height), at: token.span)
    }

    private func node(
        _ kind: ExpressionSyntax.Kind, span: SourceSpan, height: Int, at anchor: SourceSpan
    ) throws(Diagnostic) -> Node {
        guard height <= Parser.maximumDepth else { throw tooDeep(at: anchor) }
        return Node(syntax: ExpressionSyntax(kind, span: span), height: height)
    }

    /// Enters a parenthesis, bracket, call or prefix operator. What is inside is at least one level deeper, so a
    /// construct at nesting 64 would make a tree deeper than the limit: refusing it here keeps the recursion
    /// (and so the stack) bounded before anything inside is read.
    private mutating func enter(_ token: Token) throws(Diagnostic) {
        nesting += 1
        guard nesting < Parser.maximumDepth else { throw tooDeep(at: token.span) }
    }

    private mutating func leave() {
        nesting -= 1
    }

    private func tooDeep(at anchor: SourceSpan) -> Diagnostic {
        error(
            .nestedTooDeeply, "the expression nests more than \(Parser.maximumDepth) levels deep",
            hint: "split it into steps with let bindings", at: anchor)
    }
}

extension Keyword {
    /// Whether someone could mean the keyword as a function or table name (`round(x)`, `category.x`); the
    /// connectives and statement parts (`and`, `where`, `as`…) read as what they are.
    fileprivate var couldBeAName: Bool {
        switch self {
        case .and, .or, .not, .where, .as, .at, .in: false
        default: true
        }
    }
}
