/// A Shamir split or reconstruction that was refused: bad parameters, malformed shares, too few shares, or shares
/// that are not a sharing of any secret of the stated length.
///
/// The ``code`` is for programs (compare it with the static members of ``Code``; new codes may be added), the
/// ``message`` for people. Messages name only public facts — thresholds, counts, lengths and share abscissas
/// (`x`) — and never a share value, a coefficient or a byte of a secret.
public struct ShamirError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case thresholdInvalid
            case belowThreshold
            case zeroX
            case xOutOfField
            case duplicateX
            case valueOutOfField
            case secretLengthInvalid
            case lengthMismatch
            case notASharing
            case basisMismatch
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The threshold is below 1, or above the number of share holders in a split.
        public static let thresholdInvalid = Code(.thresholdInvalid)
        /// Fewer (well-formed) shares than the threshold were given.
        public static let belowThreshold = Code(.belowThreshold)
        /// A share or share holder has abscissa 0, where the secret itself sits.
        public static let zeroX = Code(.zeroX)
        /// An abscissa is not below the field modulus 2⁶¹ − 1.
        public static let xOutOfField = Code(.xOutOfField)
        /// Two shares or share holders have the same abscissa.
        public static let duplicateX = Code(.duplicateX)
        /// A share value is not below the field modulus 2⁶¹ − 1.
        public static let valueOutOfField = Code(.valueOutOfField)
        /// The secret (or the stated secret length) is empty or negative.
        public static let secretLengthInvalid = Code(.secretLengthInvalid)
        /// A share holds a number of values different from the number of 7-byte chunks of the secret.
        public static let lengthMismatch = Code(.lengthMismatch)
        /// The interpolated value of a chunk does not fit in its bytes, so at least one share used is corrupted.
        public static let notASharing = Code(.notASharing)
        /// The shares' abscissas are not those a ``LagrangeBasis`` was built for.
        public static let basisMismatch = Code(.basisMismatch)

        public var description: String {
            switch wrapped {
            case .thresholdInvalid: "threshold invalid"
            case .belowThreshold: "below threshold"
            case .zeroX: "zero x"
            case .xOutOfField: "x out of field"
            case .duplicateX: "duplicate x"
            case .valueOutOfField: "value out of field"
            case .secretLengthInvalid: "secret length invalid"
            case .lengthMismatch: "length mismatch"
            case .notASharing: "not a sharing"
            case .basisMismatch: "basis mismatch"
            }
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong, for a person to read.
    public let message: String
    /// The abscissa of the share or holder at fault, when one share is to blame.
    public let x: UInt64?

    /// Creates an error with a code, a message and, when one share is to blame, its abscissa.
    public init(_ code: Code, _ message: String, x: UInt64? = nil) {
        self.code = code
        self.message = message
        self.x = x
    }

    public var description: String { "\(code): \(message)" }
}
