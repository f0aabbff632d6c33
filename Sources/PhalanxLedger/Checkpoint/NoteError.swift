/// A signed note, checkpoint or verifier key that was refused, and why.
///
/// `line` is the 1-based line of the note (or checkpoint text) where the problem was found, when there is one.
/// Messages quote at most a short prefix of the offending input and never contain key material beyond public keys.
public struct NoteError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem this is; compare with the static members (`error.code == .malformedNote`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String, Hashable, Sendable {
            case malformedNote, malformedCheckpoint, badKeyName, malformedVerifierKey, ambiguousKey
            case badSignature, noVerifiedSignature, originMismatch, tooLarge
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The note is not a C2SP signed note: bad UTF-8 or control characters, no final newline, no blank line
        /// before the signatures, or a signature line that is not `— <name> <base64>` with at least 5 bytes.
        public static let malformedNote = Code(.malformedNote)
        /// The text is not a C2SP `tlog-checkpoint` body (origin, decimal size, base64 root, extension lines).
        public static let malformedCheckpoint = Code(.malformedCheckpoint)
        /// A key name is empty or contains a `+` or a Unicode space.
        public static let badKeyName = Code(.badKeyName)
        /// A verifier key string is not `<name>+<8 hex digits>+<base64(0x01 ‖ 32-byte Ed25519 key)>`, or its key ID
        /// does not match the name and key.
        public static let malformedVerifierKey = Code(.malformedVerifierKey)
        /// Two different verifier keys share a name and key ID and a signature line names them both.
        public static let ambiguousKey = Code(.ambiguousKey)
        /// A signature line names a known key (name and key ID) but does not verify with it.
        public static let badSignature = Code(.badSignature)
        /// No signature line was made by a known key, so the note must be rejected.
        public static let noVerifiedSignature = Code(.noVerifiedSignature)
        /// A verified checkpoint names another log than the one expected.
        public static let originMismatch = Code(.originMismatch)
        /// The input exceeds ``SignedNote/maximumSize`` bytes or ``SignedNote/maximumSignatures`` signature lines.
        public static let tooLarge = Code(.tooLarge)

        public var description: String { kind.rawValue }
    }

    public let code: Code
    /// The 1-based line where the problem is, when it is on one line.
    public let line: Int?
    public let message: String

    public init(_ code: Code, line: Int? = nil, _ message: String) {
        self.code = code
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(code) at line \(line): \(message)" }
        return "\(code): \(message)"
    }

    /// At most `limit` characters of untrusted input, quoted with control characters escaped, for a message.
    static func quote(_ text: some StringProtocol, limit: Int = 48) -> String {
        let prefix = String(text.prefix(limit))
        return prefix.debugDescription + (prefix.count < text.count ? "…" : "")
    }
}
