/// Why bytes are not a usable model file; compare ``code`` against the static members, e.g.
/// `error.code == .digestMismatch`. Messages give offsets and sizes, never weights.
public struct ModelFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Which check failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        // A private enum in a struct, so that cases can be added without breaking callers' switches.
        private enum Kind: String, Hashable, Sendable {
            case badMagic, unsupportedVersion, truncated, trailingBytes, digestMismatch, invalidHeader
            case dimensionMismatch, nonFiniteParameter, io
        }

        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }
        public var description: String { kind.rawValue }

        /// The file does not start with `PHXM`: not a Phalanx model.
        public static let badMagic = Code(.badMagic)
        /// A format version this build cannot read (a newer writer, or corruption).
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// The file ends before the lengths it declares (an interrupted copy).
        public static let truncated = Code(.truncated)
        /// Bytes follow the digest.
        public static let trailingBytes = Code(.trailingBytes)
        /// The SHA-256 at the end does not match the bytes before it.
        public static let digestMismatch = Code(.digestMismatch)
        /// The JSON header does not decode, or holds an invalid configuration.
        public static let invalidHeader = Code(.invalidHeader)
        /// The number of parameters is not 2^bits + 1 for the header's feature configuration.
        public static let dimensionMismatch = Code(.dimensionMismatch)
        /// A weight or the bias is NaN or infinite.
        public static let nonFiniteParameter = Code(.nonFiniteParameter)
        /// The file could not be read or written.
        public static let io = Code(.io)
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "model file: \(message)" }
}
