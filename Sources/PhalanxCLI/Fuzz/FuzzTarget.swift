/// What one input did to the code under test.
enum FuzzOutcome: Hashable, Sendable {
    /// The input was accepted (parsed, decoded, verified…); `kind` says how far it got.
    case accepted(String)
    /// The input was refused with one of the code's documented errors; `reason` groups similar refusals.
    case rejected(String)
}

/// Code that must refuse hostile input with its documented errors and never crash.
///
/// ``run(_:)`` catches the documented error types and turns them into ``FuzzOutcome/rejected(_:)``; anything
/// it throws is a *finding*: an error type the code does not document, or a broken promise
/// (``FuzzInvariantViolation``). A crash ends the process, which is how the fuzzer detects the worst case.
protocol FuzzTarget {
    /// The name `phalanx fuzz` knows the target by.
    var name: String { get }
    /// Valid inputs to mutate, taken from the real thing (the default policy, real signed frames…).
    var seeds: [[UInt8]] { get }
    /// Fragments of the target's language that mutations and token soups insert.
    var dictionary: [[UInt8]] { get }
    /// The ways the target's format nests, for the deep-nesting mutation.
    var nesting: [FuzzNesting] { get }
    /// Inputs are never longer than this.
    var maximumInputSize: Int { get }
    /// Whether the target reads UTF-8 text (random bytes are then mostly printable ASCII).
    var isTextual: Bool { get }
    /// Runs one input; throws only for a finding.
    func run(_ input: [UInt8]) throws -> FuzzOutcome
}

/// An input made the code under test break one of its documented promises.
struct FuzzInvariantViolation: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

/// Groups error messages into reasons for the rejection histogram.
enum FuzzReason {
    /// The first line of `message` up to its first `;` (the hint), with quoted text, numbers and a leading
    /// `LINE:COLUMN:` or `FILE:LINE:` removed, at most 80 characters:
    /// `unknown key "x" in a predicate; expected…` becomes `unknown key "…" in a predicate`.
    static func normalize(_ message: String) -> String {
        var text = Substring(message.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        if let semicolon = text.firstIndex(of: ";") { text = text[..<semicolon] }
        var result = ""
        var quote: Character?
        var lastWasDigit = false
        for character in text {
            if let open = quote {
                if character == open {
                    result.append(character)
                    quote = nil
                }
                continue
            }
            if character == "\"" || character == "'" {
                result += "\(character)…"
                quote = character
                lastWasDigit = false
            } else if character.isASCII, character.isNumber {
                if !lastWasDigit { result.append("N") }
                lastWasDigit = true
            } else {
                result.append(character)
                lastWasDigit = false
            }
        }
        // "fuzz.yaml:N:N: problem" → "problem"
        while let colon = result.firstIndex(of: ":"), result[..<colon].allSatisfy({ $0 != " " }),
            result.index(after: colon) < result.endIndex
        {
            result = String(result[result.index(after: colon)...].drop(while: { $0 == " " }))
        }
        return String(result.prefix(80))
    }
}
