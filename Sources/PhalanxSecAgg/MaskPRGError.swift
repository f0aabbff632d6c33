/// A mask expansion that was refused: a seed of the wrong length, a negative lane count, or a failure inside the
/// AES-CTR backend.
///
/// The ``code`` is for programs (compare it with the static members of ``Code``; new codes may be added), the
/// ``message`` for people. Messages give lengths and counts only, never seed or keystream bytes.
public struct MaskPRGError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case seedLength
            case countInvalid
            case backendFailure
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The seed is not ``MaskPRG/seedByteCount`` bytes long.
        public static let seedLength = Code(.seedLength)
        /// The number of lanes is negative or too large to address in bytes.
        public static let countInvalid = Code(.countInvalid)
        /// swift-crypto refused the derived key or the counter block (not expected to happen).
        public static let backendFailure = Code(.backendFailure)

        public var description: String {
            switch wrapped {
            case .seedLength: "seed length"
            case .countInvalid: "count invalid"
            case .backendFailure: "backend failure"
            }
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, for a person to read.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
