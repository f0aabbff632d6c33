/// Splits a plug-in's source into tokens.
///
/// The lexer never throws: at the first malformed character it emits a ``Token/Kind/invalid(_:)`` token and
/// stops, so that the parser reports problems in the order they appear. Whitespace is spaces, tabs and line
/// breaks; comments run from `//` to the end of the line; a byte order mark (U+FEFF) is skipped at the start of
/// the text only. It runs in time linear in the text.
struct Lexer {
    private let source: SourceFile
    /// The source's scalars, held directly so that reading one does not copy the whole `SourceFile`.
    private let scalars: [Unicode.Scalar]
    private var offset = 0
    /// Where the last token ended: the end-of-text token sits there, so that "expected …" at the end of the
    /// file points just after the last thing written rather than at an empty line or a comment.
    private var lastTokenEnd = 0

    private init(_ source: SourceFile) {
        self.source = source
        self.scalars = source.scalars
        if source.scalars.first == "\u{FEFF}" {
            offset = 1
            lastTokenEnd = 1
        }
    }

    /// All tokens, ending with `.end` or `.invalid`.
    static func tokenize(_ source: SourceFile) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            switch token.kind {
            case .end, .invalid: return tokens
            default: lexer.lastTokenEnd = token.span.upperBound
            }
        }
    }

    // MARK: - Characters

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        offset + ahead < scalars.count ? scalars[offset + ahead] : nil
    }

    static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("0"..."9").contains(scalar)
    }

    static func isLetter(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    static func isNameCharacter(_ scalar: Unicode.Scalar?) -> Bool {
        isLetter(scalar) || isDigit(scalar)
    }

    static func isLineBreak(_ scalar: Unicode.Scalar?) -> Bool {
        scalar == "\n" || scalar == "\r"
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    // MARK: - Tokens

    private mutating func next() -> Token {
        skipWhitespaceAndComments()
        let start = offset
        guard let scalar = peek() else {
            return Token(.end, span: SourceSpan(lastTokenEnd, lastTokenEnd))
        }
        if Self.isDigit(scalar) { return number() }
        if Self.isLetter(scalar) { return word() }
        if scalar == "\"" { return string() }
        offset += 1
        func token(_ symbol: Token.Symbol) -> Token {
            Token(.symbol(symbol), span: SourceSpan(start, offset))
        }
        func pair(_ second: Unicode.Scalar, _ long: Token.Symbol, else short: Token.Symbol) -> Token {
            if peek() == second {
                offset += 1
                return token(long)
            }
            return token(short)
        }
        switch scalar {
        case "(": return token(.leftParenthesis)
        case ")": return token(.rightParenthesis)
        case "{": return token(.leftBrace)
        case "}": return token(.rightBrace)
        case "[": return token(.leftBracket)
        case "]": return token(.rightBracket)
        case ",": return token(.comma)
        case ":": return token(.colon)
        case "+": return token(.plus)
        case "-": return token(.minus)
        case "*": return token(.star)
        case "/": return token(.slash)
        case "<": return pair("=", .lessOrEqual, else: .less)
        case ">": return pair("=", .greaterOrEqual, else: .greater)
        case "=": return pair("=", .equal, else: .assign)
        case "!" where peek() == "=":
            offset += 1
            return token(.notEqual)
        case "." where peek() == ".":
            offset += 1
            if peek() == "=" || peek() == "<" {
                let long: Token.Symbol = peek() == "=" ? .inclusiveRange : .exclusiveRange
                offset += 1
                return token(long)
            }
            return invalid(
                .unexpectedToken, "'..' is not an operator",
                hint: "write '..=' for an inclusive range (0..=80) or '..<' for an exclusive one (0..<81)",
                from: start)
        case "." where Self.isDigit(peek()) && !(start > 0 && Self.isNameCharacter(scalars[start - 1])):
            while Self.isDigit(peek()) || Self.isLetter(peek()) { offset += 1 }
            return invalid(
                .invalidNumber, "malformed number '\(source.text(SourceSpan(start, offset)))'",
                hint: "write a digit before the decimal point, e.g. 0.5", from: start)
        case ".": return token(.dot)
        default:
            if scalar == "\u{FEFF}" {
                return invalid(
                    .unexpectedCharacter, "unexpected byte order mark U+FEFF",
                    hint:
                        "a byte order mark may only start the file; delete this one (it is invisible in most editors)",
                    from: start)
            }
            return invalid(
                .unexpectedCharacter, "unexpected character \(Self.describe(scalar))", hint: Self.hint(for: scalar),
                from: start)
        }
    }

    private mutating func skipWhitespaceAndComments() {
        // Local copies keep this loop, where most of a file's characters pass, free of copies of `self`.
        let scalars = scalars
        var offset = offset
        defer { self.offset = offset }
        while offset < scalars.count {
            let scalar = scalars[offset]
            if Self.isWhitespace(scalar) {
                offset += 1
            } else if scalar == "/", offset + 1 < scalars.count, scalars[offset + 1] == "/" {
                while offset < scalars.count, !Self.isLineBreak(scalars[offset]) { offset += 1 }
            } else {
                return
            }
        }
    }

    /// `digits [. digits] [(e|E) [+|-] digits]`, not run into a letter, a digit separator or a second `.`.
    private mutating func number() -> Token {
        let start = offset
        var isInteger = true
        func digits() {
            while Self.isDigit(peek()) { offset += 1 }
        }
        digits()
        if peek() == ".", Self.isDigit(peek(1)) {
            offset += 1
            digits()
            isInteger = false
        }
        if peek() == "e" || peek() == "E" {
            let signed = peek(1) == "+" || peek(1) == "-"
            if Self.isDigit(peek(signed ? 2 : 1)) {
                offset += signed ? 2 : 1
                digits()
                isInteger = false
            } else if signed || !(Self.isLetter(peek(1)) || Self.isDigit(peek(1))) {
                offset += signed ? 2 : 1
                return invalid(
                    .invalidNumber, "malformed number '\(source.text(SourceSpan(start, offset)))'",
                    hint: "an exponent needs digits, e.g. 1e-3", from: start)
            }
        }
        if Self.isLetter(peek()) || Self.isDigit(peek()) || (peek() == "." && Self.isDigit(peek(1))) {
            while Self.isLetter(peek()) || Self.isDigit(peek()) || (peek() == "." && Self.isDigit(peek(1))) {
                offset += 1
            }
            let text = source.text(SourceSpan(start, offset))
            let hint =
                text.unicodeScalars.contains(where: Self.isLetter)
                ? "a name cannot start with a digit, and numbers are decimal without separators (1000, not 1_000)"
                : "a number has at most one decimal point"
            return invalid(.invalidNumber, "malformed number '\(text)'", hint: hint, from: start)
        }
        let span = SourceSpan(start, offset)
        let text = source.text(span)
        if isInteger {
            var integer: Int64 = 0
            for scalar in scalars[start..<offset] {
                let (times, overflowA) = integer.multipliedReportingOverflow(by: 10)
                let (plus, overflowB) = times.addingReportingOverflow(Int64(scalar.value) &- 48)
                guard !overflowA, !overflowB else {
                    return invalid(
                        .invalidNumber, "the integer \(text) does not fit in 64 bits",
                        hint: "integers lie within ±9223372036854775807; write a real (e.g. 1e19) for a larger number",
                        from: start)
                }
                integer = plus
            }
            let literal = NumberLiteral(text: text, value: Double(integer), integer: integer, span: span)
            return Token(.number(literal), span: span)
        }
        guard let value = Double(text), value.isFinite else {
            return invalid(
                .invalidNumber, "the number \(text) is too large",
                hint: "reals must be finite (at most about 1.8e308)", from: start)
        }
        return Token(.number(NumberLiteral(text: text, value: value, integer: nil, span: span)), span: span)
    }

    private mutating func word() -> Token {
        let start = offset
        let scalars = scalars
        var end = offset
        while end < scalars.count, Self.isNameCharacter(scalars[end]) { end += 1 }
        offset = end
        let span = SourceSpan(start, offset)
        let text = source.text(span)
        if let keyword = Keyword(rawValue: text) {
            return Token(.keyword(keyword), span: span)
        }
        return Token(.identifier(text), span: span)
    }

    /// `"…"` on one line, with the escapes `\"`, `\\`, `\n` and `\t`.
    private mutating func string() -> Token {
        let start = offset
        offset += 1
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek(), !Self.isLineBreak(scalar) else {
                let atEnd = peek() == nil
                return invalid(
                    .unterminatedString,
                    atEnd ? "the file ends inside a string" : "the string is not closed on its line",
                    hint: "close it with '\"'; a string cannot span lines (write \\n for a line break)",
                    from: start)
            }
            if scalar == "\"" {
                offset += 1
                return Token(.string(String(value)), span: SourceSpan(start, offset))
            }
            guard scalar == "\\" else {
                value.append(scalar)
                offset += 1
                continue
            }
            switch peek(1) {
            case "\"": value.append("\"")
            case "\\": value.append("\\")
            case "n": value.append("\n")
            case "t": value.append("\t")
            case .some(let escaped) where !Self.isLineBreak(escaped):
                let escapeStart = offset
                offset += 2
                return invalid(
                    .invalidEscape, "unknown escape '\\' followed by \(Self.describe(escaped))",
                    hint: "the escapes are \\\" \\\\ \\n and \\t; write \\\\ for a backslash", from: escapeStart)
            default:
                // A backslash at the end of the line or of the file: the string is not closed on its line.
                offset += 1
                continue
            }
            offset += 2
        }
    }

    private func invalid(_ code: Diagnostic.Code, _ message: String, hint: String, from start: Int) -> Token {
        let span = SourceSpan(start, offset)
        return Token(.invalid(Diagnostic(code, message, hint: hint, at: span, in: source)), span: span)
    }

    // MARK: - Describing characters

    /// `'%'` for printable ASCII, `'é' (U+00E9)` for other visible characters, `U+00A0` for invisible ones.
    static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        if scalar.isASCII, scalar.value > 0x20, scalar.value < 0x7F {
            return "'\(scalar)'"
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse,
            .unassigned, .nonspacingMark, .enclosingMark, .spacingMark:
            return code
        default:
            return "'\(scalar)' (\(code))"
        }
    }

    private static func hint(for scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "!": "write 'not' for negation and '!=' for inequality"
        case "&": "write 'and'"
        case "|": "write 'or'"
        case "%", "^": "the arithmetic operators are + - * /"
        case "'", "`", "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}":
            "strings are written in straight double quotes: \"…\""
        case ";": "statements need no separator; remove the ';'"
        case "#": "comments start with //"
        case "\u{FFFD}": "the file must be UTF-8; this is an invalid byte sequence or a replacement character"
        default:
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format:
                "only spaces, tabs and line breaks separate tokens; delete this invisible character"
            default:
                scalar.properties.isAlphabetic
                    ? "names use only ASCII letters, digits and '_'; other text belongs in a string or a comment"
                    : "outside strings and comments a plug-in uses ASCII names, numbers and the operators "
                        + "== != < <= > >= + - * / ( ) { } [ ] , : . = ..= ..<"
            }
        }
    }
}
