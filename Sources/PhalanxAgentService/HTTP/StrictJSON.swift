/// A JSON value as the API's strict parser reads it (RFC 8259).
///
/// The API parses request bodies itself rather than handing them to `JSONDecoder`, so that it can refuse what a
/// general decoder accepts or reports vaguely: nesting beyond ``StrictJSON/maximumDepth`` (refused while parsing, so
/// a deep body costs no stack), duplicate keys (two readers could disagree on which one counts), lone surrogates, and
/// unknown fields (checked on the parsed object). Its messages give a byte offset and the problem, never the text.
enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// The number and its literal text (so an integer field can refuse `1.5` or `1e400`).
    case number(Double, literal: String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type's name, for "must be a string, not a number" messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Why a body is not acceptable JSON: the kind of problem and where (a byte offset), without quoting the body.
struct StrictJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case invalidUTF8
        case syntax
        case tooDeep
    }

    let kind: Kind
    let offset: Int
    let problem: String

    var description: String { "\(problem) at byte \(offset)" }
}

/// The strict JSON parser of request bodies. Iterative over the bytes, recursive only in nesting, which it bounds.
struct StrictJSON {
    /// The deepest nesting of arrays and objects a body may have; no request of the API needs more than 3.
    static let maximumDepth = 32

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one JSON document (whitespace around it allowed, nothing else after it).
    static func parse(_ bytes: [UInt8]) throws(StrictJSONError) -> JSONValue {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw StrictJSONError(
                kind: .invalidUTF8, offset: firstInvalidUTF8(bytes), problem: "the body is not valid UTF-8")
        }
        var parser = StrictJSON(bytes)
        parser.skipWhitespace()
        guard parser.index < bytes.count else {
            throw StrictJSONError(kind: .syntax, offset: 0, problem: "the body is empty; expected a JSON object")
        }
        let value = try parser.value(depth: 1)
        parser.skipWhitespace()
        guard parser.index == bytes.count else {
            throw parser.error("unexpected data after the JSON value")
        }
        return value
    }

    /// The offset of the first byte that is not part of valid UTF-8 (for the message).
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var low = 0, high = bytes.count
        // The longest valid prefix, by bisection: a prefix that ends inside a valid character is also refused, so
        // this can land up to three bytes early, which is close enough to point at the problem.
        while low < high {
            let middle = (low + high + 1) / 2
            if String(validating: bytes[0..<middle], as: UTF8.self) != nil { low = middle } else { high = middle - 1 }
        }
        return low
    }

    private func error(_ problem: String, at offset: Int? = nil) -> StrictJSONError {
        StrictJSONError(kind: .syntax, offset: offset ?? index, problem: problem)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func value(depth: Int) throws(StrictJSONError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of the body; expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("unexpected character; expected a value")
        }
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(StrictJSONError) -> JSONValue {
        let expected = Array(word.utf8)
        guard index + expected.count <= bytes.count, Array(bytes[index..<index + expected.count]) == expected else {
            throw error("unexpected character; expected a value")
        }
        index += expected.count
        return value
    }

    private mutating func enter(_ depth: Int) throws(StrictJSONError) {
        guard depth <= Self.maximumDepth else {
            throw StrictJSONError(
                kind: .tooDeep, offset: index,
                problem: "the JSON is nested more than \(Self.maximumDepth) levels deep")
        }
        index += 1
    }

    private mutating func object(depth: Int) throws(StrictJSONError) -> JSONValue {
        try enter(depth)
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a member name in double quotes")
            }
            let keyOffset = index
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            let member = try value(depth: depth + 1)
            guard members.updateValue(member, forKey: key) == nil else {
                throw error("the member \"\(Self.printable(key))\" appears twice", at: keyOffset)
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of the body; expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(StrictJSONError) -> JSONValue {
        try enter(depth)
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of the body; expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    private mutating func number() throws(StrictJSONError) -> JSONValue {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw error("a number needs digits") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw error("a number needs digits")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw error("a number needs digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard digits() > 0 else { throw error("a number needs digits in its exponent") }
        }
        let literal = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(literal), value.isFinite else {
            throw error("the number is out of range", at: start)
        }
        return .number(value, literal: literal)
    }

    private mutating func string() throws(StrictJSONError) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                // The body is valid UTF-8 and escapes produce valid scalars, so this decoding loses nothing.
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unterminated escape sequence") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): out += Array(String(try unicodeEscape()).utf8)
                default: throw error("invalid escape sequence", at: index - 2)
                }
            case 0x00..<0x20:
                throw error("a control character in a string must be escaped")
            default:
                out.append(byte)
                index += 1
            }
        }
    }

    /// After `\u`: four hex digits, and for a high surrogate the `\uDC00`–`\uDFFF` that must follow it.
    private mutating func unicodeEscape() throws(StrictJSONError) -> Character {
        let start = index - 2
        let first = try hex4()
        if (0xD800...0xDBFF).contains(first) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw error("a high surrogate escape must be followed by a low surrogate escape", at: start) }
            index += 2
            let second = try hex4()
            guard (0xDC00...0xDFFF).contains(second) else {
                throw error("a high surrogate escape must be followed by a low surrogate escape", at: start)
            }
            let scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            // Every value from a valid surrogate pair is a valid scalar.
            return Character(Unicode.Scalar(scalar)!)
        }
        guard let scalar = Unicode.Scalar(first) else {
            throw error("a lone low surrogate escape is not a character", at: start)
        }
        return Character(scalar)
    }

    private mutating func hex4() throws(StrictJSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("\\u needs four hexadecimal digits") }
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("\\u needs four hexadecimal digits")
            }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    /// A member name as messages show it: at most 64 characters of printable ASCII; anything else is `?`.
    ///
    /// Field names are the client's, not the scanned text, but they are still bounded and cleaned before they reach
    /// an error message or a log line.
    static func printable(_ name: String) -> String {
        let cleaned = name.unicodeScalars.prefix(64).map { scalar in
            (0x20...0x7E).contains(scalar.value) && scalar != "\"" && scalar != "\\" ? Character(scalar) : "?"
        }
        return String(cleaned) + (name.unicodeScalars.count > 64 ? "…" : "")
    }
}
