/// A noise sampler or mechanism that refused its parameters or its input: a non-positive scale, variance or ε, a
/// probability above one, too few categories, a value that is not a finite number, or parameters whose exact
/// arithmetic would not fit the documented range.
///
/// Samplers check their parameters before drawing any randomness and never trap on bad input. The ``code`` is for
/// programs (compare it with the static members of ``Code``; new codes may be added), the ``message`` for people.
/// Messages name parameters and public values only; they never contain a drawn sample or random bits.
public struct SamplerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidParameter
            case invalidInput
            case outOfRange
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A parameter of the distribution or mechanism is out of its domain: a zero denominator, a scale, variance
        /// or ε that is not positive, a probability above one, fewer than two categories, a sensitivity or bound
        /// that is not a positive finite number.
        public static let invalidParameter = Code(.invalidParameter)
        /// The value to be released is not acceptable: NaN, infinite, or a category outside `0..<k`.
        public static let invalidInput = Code(.invalidInput)
        /// The parameters are valid mathematically but the exact integer arithmetic would overflow its documented
        /// range (see each type's documentation).
        public static let outOfRange = Code(.outOfRange)

        public var description: String {
            switch wrapped {
            case .invalidParameter: "invalid parameter"
            case .invalidInput: "invalid input"
            case .outOfRange: "out of range"
            }
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// What went wrong and what to change, for a person to read.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
