/// Splits an expression into tokens.
///
/// The lexer never throws: at the first malformed character it emits an ``ExpressionToken/Kind/invalid(_:)``
/// token and stops, so that the parser reports problems in source order.
struct ExpressionLexer {
    private typealias Kind = ExpressionToken.Kind

    private let source: ExpressionSource
    private var offset = 0

    init(_ source: ExpressionSource) {
        self.source = source
    }

    /// All tokens, ending with `.end` or `.invalid`.
    static func tokenize(_ source: ExpressionSource) -> [ExpressionToken] {
        var lexer = ExpressionLexer(source)
        var tokens: [ExpressionToken] = []
        while true {
            let token = lexer.next()
            tokens.append(token)
            switch token.kind {
            case .end, .invalid: return tokens
            default: continue
            }
        }
    }

    private var scalars: [Unicode.Scalar] { source.scalars }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        offset + ahead < scalars.count ? scalars[offset + ahead] : nil
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("0"..."9").contains(scalar)
    }

    private static func isNameStart(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isNameContinuation(_ scalar: Unicode.Scalar?) -> Bool {
        isNameStart(scalar) || isDigit(scalar)
    }

    private static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private mutating func next() -> ExpressionToken {
        while let scalar = peek(), Self.isWhitespace(scalar) {
            offset += 1
        }
        let start = offset
        guard let scalar = peek() else {
            return ExpressionToken(kind: .end, span: ExpressionSpan(start, start))
        }
        if Self.isDigit(scalar) {
            return number()
        }
        if Self.isNameStart(scalar) {
            return word()
        }
        offset += 1
        func token(_ kind: ExpressionToken.Kind) -> ExpressionToken {
            ExpressionToken(kind: kind, span: ExpressionSpan(start, offset))
        }
        func pair(_ second: Unicode.Scalar, _ long: Kind, else short: Kind) -> ExpressionToken {
            if peek() == second {
                offset += 1
                return token(long)
            }
            return token(short)
        }
        switch scalar {
        case "(": return token(.leftParenthesis)
        case ")": return token(.rightParenthesis)
        case ",": return token(.comma)
        case "+": return token(.binary(.add))
        case "-": return token(.binary(.subtract))
        case "*": return token(.binary(.multiply))
        case "/": return token(.binary(.divide))
        case "<": return pair("=", .binary(.lessOrEqual), else: .binary(.less))
        case ">": return pair("=", .binary(.greaterOrEqual), else: .binary(.greater))
        case "!": return pair("=", .binary(.notEqual), else: .not)
        case "=" where peek() == "=":
            offset += 1
            return token(.binary(.equal))
        case "&" where peek() == "&":
            offset += 1
            return token(.binary(.and))
        case "|" where peek() == "|":
            offset += 1
            return token(.binary(.or))
        case "." where Self.isDigit(peek()):
            while Self.isNameContinuation(peek()) || peek() == "." {
                offset += 1
            }
            let text = source.slice(ExpressionSpan(start, offset))
            return invalid(
                .invalidNumber,
                "malformed number '\(text)'",
                hint: "write a digit before the decimal point, e.g. 0.5",
                from: start
            )
        case ".":
            return invalid(
                .unexpectedToken,
                "unexpected '.'",
                hint: "only forecast.KEY and params.NAME contain a '.'",
                from: start
            )
        default:
            return invalid(
                .unexpectedCharacter,
                "unexpected character \(Self.describe(scalar))",
                hint: Self.hint(for: scalar),
                from: start
            )
        }
    }

    private mutating func number() -> ExpressionToken {
        let start = offset
        func digits() {
            while Self.isDigit(peek()) {
                offset += 1
            }
        }
        digits()
        if peek() == "." {
            offset += 1
            guard Self.isDigit(peek()) else {
                let text = source.slice(ExpressionSpan(start, offset))
                return invalid(
                    .invalidNumber,
                    "malformed number '\(text)'",
                    hint: "put a digit after the decimal point, e.g. \(text)0",
                    from: start
                )
            }
            digits()
        }
        if peek() == "e" || peek() == "E" {
            offset += 1
            if peek() == "+" || peek() == "-" {
                offset += 1
            }
            guard Self.isDigit(peek()) else {
                let text = source.slice(ExpressionSpan(start, offset))
                return invalid(
                    .invalidNumber,
                    "malformed number '\(text)'",
                    hint: "an exponent needs digits, e.g. 1e-3",
                    from: start
                )
            }
            digits()
        }
        if Self.isNameContinuation(peek()) || peek() == "." {
            while Self.isNameContinuation(peek()) || peek() == "." {
                offset += 1
            }
            let text = source.slice(ExpressionSpan(start, offset))
            return invalid(
                .invalidNumber,
                "malformed number '\(text)'",
                hint: text.contains(".") && !text.contains(where: \.isLetter)
                    ? "a number has at most one decimal point"
                    : "a name cannot start with a digit; separate numbers and names with an operator",
                from: start
            )
        }
        let span = ExpressionSpan(start, offset)
        let text = source.slice(span)
        guard let value = Double(text), value.isFinite else {
            return invalid(
                .invalidNumber,
                "number '\(text)' is out of range",
                hint: "numbers must be finite (below about 1.8e308)",
                from: start
            )
        }
        return ExpressionToken(kind: .number(value), span: span)
    }

    private mutating func word() -> ExpressionToken {
        let start = offset
        while Self.isNameContinuation(peek()) {
            offset += 1
        }
        let text = source.slice(ExpressionSpan(start, offset))
        func token(_ kind: ExpressionToken.Kind) -> ExpressionToken {
            ExpressionToken(kind: kind, span: ExpressionSpan(start, offset))
        }
        guard let keyword = ExpressionKeyword(rawValue: text) else {
            return token(.name(text))
        }
        switch keyword {
        case .and: return token(.binary(.and))
        case .or: return token(.binary(.or))
        case .not: return token(.not)
        case .true: return token(.boolean(true))
        case .false: return token(.boolean(false))
        case .any, .all, .count, .max, .min, .mean, .sum:
            return token(.aggregate(ExpressionAggregate(rawValue: text)!))
        case .params, .forecast:
            guard peek() == "." else { return token(.bareQualifier(keyword)) }
            offset += 1
            guard Self.isNameStart(peek()) else {
                let what = keyword == .params ? "a parameter name" : "a metric name"
                let example = keyword == .params ? "params.maxLagMs" : "forecast.noiseBits"
                return invalid(
                    .unexpectedToken,
                    "expected \(what) after '\(text).'",
                    hint: "write \(keyword == .params ? "params.NAME" : "forecast.KEY"), e.g. \(example)",
                    from: offset,
                    length: 1
                )
            }
            let nameStart = offset
            while Self.isNameContinuation(peek()) {
                offset += 1
            }
            let name = source.slice(ExpressionSpan(nameStart, offset))
            return token(keyword == .params ? .parameterReference(name) : .forecastReference(name))
        }
    }

    private func invalid(
        _ code: ExpressionError.Code,
        _ message: String,
        hint: String,
        from start: Int,
        length: Int? = nil
    ) -> ExpressionToken {
        let span = ExpressionSpan(start, length.map { start + $0 } ?? offset)
        return ExpressionToken(kind: .invalid(source.error(code, message, hint: hint, at: span)), span: span)
    }

    /// `'%'` for printable ASCII, `'é' (U+00E9)` for other visible characters, `U+00A0` otherwise.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        if scalar.isASCII, scalar.value > 0x20, scalar.value < 0x7F {
            return "'\(scalar)'"
        }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isMath || properties.generalCategory == .otherPunctuation {
            return "'\(scalar)' (\(code))"
        }
        return code
    }

    private static func hint(for scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "=": "use '==' to test equality"
        case "&": "use 'and' or '&&'"
        case "|": "use 'or' or '||'"
        case "%", "^": "the arithmetic operators are + - * /"
        case "\"", "'": "expressions have no strings; metric keys and parameters are written bare"
        default:
            if scalar.properties.isAlphabetic {
                "metric keys use only ASCII letters, digits and '_'"
            } else {
                "expressions use names, numbers, parentheses, ',' and the operators + - * / < <= > >= == != ! && ||"
            }
        }
    }
}
