/// A failure of the federation PKI: which file (when there is one), what kind of problem, and a message a
/// person can act on.
///
/// Messages never contain key bytes, PEM bodies or signatures: they name the file and say what is wrong
/// with it. The kind is a struct over a private enum (as swift-nio does) so that kinds can be added without
/// breaking callers that switch on them.
public struct PKIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What sort of problem this is; the CLI maps each kind to an exit code.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case missingFile, malformedFile, alreadyExists, refused, ioFailure, invalidArgument, badSignature
        }

        private let base: Base

        /// A file the PKI needs does not exist or cannot be read.
        public static let missingFile = Kind(base: .missingFile)
        /// A file exists but its contents are not what the PKI wrote (bad PEM, wrong key type, bad JSON…).
        public static let malformedFile = Kind(base: .malformedFile)
        /// The operation would overwrite something Phalanx never overwrites (a CA, a live certificate).
        public static let alreadyExists = Kind(base: .alreadyExists)
        /// The operation is not allowed in the current state (revoking an unknown serial, issuing past the
        /// CA's expiry…).
        public static let refused = Kind(base: .refused)
        /// Writing to disk failed; nothing partial was left behind.
        public static let ioFailure = Kind(base: .ioFailure)
        /// An argument is out of range (an empty name, an unparsable IP address, a mismatched key…).
        public static let invalidArgument = Kind(base: .invalidArgument)
        /// A signature did not verify: a tampered revocation list, or a certificate not from this CA.
        public static let badSignature = Kind(base: .badSignature)

        public var description: String {
            switch base {
            case .missingFile: "missing file"
            case .malformedFile: "malformed file"
            case .alreadyExists: "already exists"
            case .refused: "refused"
            case .ioFailure: "I/O failure"
            case .invalidArgument: "invalid argument"
            case .badSignature: "bad signature"
            }
        }
    }

    public let kind: Kind
    /// The file concerned, when the problem is about one.
    public let path: String?
    /// What went wrong, and where useful what to do next. Never contains secret material.
    public let message: String

    public init(_ kind: Kind, path: String? = nil, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { path.map { "\($0): \(message)" } ?? message }
}
