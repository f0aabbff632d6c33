/// A privacy-accounting request that cannot be answered: a parameter outside its domain (ε ≤ 0, δ outside (0, 1),
/// NaN or ∞, a noise multiplier ≤ 0, a sampling rate outside (0, 1], fewer than one step), a mechanism an
/// accountant does not support, or a calibration with no solution.
///
/// The ``code`` is for programs (compare it with the static members of ``Code``; new codes may be added), the
/// ``parameter`` names the offending argument when there is one, and the ``message`` is for people. Messages
/// hold only the public parameters of the request.
public struct DPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case invalidParameter
            case unsupportedEvent
            case unknownMechanism
            case calibrationFailed
            case distributionTooLarge
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A parameter is NaN, infinite or outside its domain; ``DPError/parameter`` names it.
        public static let invalidParameter = Code(.invalidParameter)
        /// The accountant cannot analyse this event (for example the RDP accountant and a Poisson-sampled Laplace
        /// mechanism).
        public static let unsupportedEvent = Code(.unsupportedEvent)
        /// A mechanism was named that this module does not know.
        public static let unknownMechanism = Code(.unknownMechanism)
        /// No parameter in the searched range meets the privacy target.
        public static let calibrationFailed = Code(.calibrationFailed)
        /// A privacy loss distribution would need more points than the accountant allows (a discretization
        /// interval too fine for the number of compositions).
        public static let distributionTooLarge = Code(.distributionTooLarge)

        public var description: String {
            switch wrapped {
            case .invalidParameter: "invalid parameter"
            case .unsupportedEvent: "unsupported event"
            case .unknownMechanism: "unknown mechanism"
            case .calibrationFailed: "calibration failed"
            case .distributionTooLarge: "distribution too large"
            }
        }
    }

    /// What kind of failure this is.
    public let code: Code
    /// The name of the offending parameter (for example `"delta"` or `"samplingRate"`), when there is one.
    public let parameter: String?
    /// What went wrong, for a person to read.
    public let message: String

    /// Creates an error with a code, the offending parameter's name if any, and a message.
    public init(_ code: Code, parameter: String? = nil, _ message: String) {
        self.code = code
        self.parameter = parameter
        self.message = message
    }

    public var description: String {
        if let parameter { return "\(code) (\(parameter)): \(message)" }
        return "\(code): \(message)"
    }
}

extension DPError {
    /// An ``Code/invalidParameter`` error naming `parameter`; `requirement` completes the sentence
    /// ("must be a finite number > 0").
    public static func invalid(_ parameter: String, _ requirement: String) -> DPError {
        DPError(.invalidParameter, parameter: parameter, "\(parameter) \(requirement)")
    }

    /// Checks that `value` is finite and strictly positive.
    static func requirePositive(_ value: Double, _ parameter: String) throws(DPError) {
        guard value.isFinite, value > 0 else {
            throw DPError(.invalidParameter, parameter: parameter, "\(parameter) must be finite and > 0, got \(value)")
        }
    }

    /// Checks that `value` is a probability strictly between 0 and 1.
    static func requireOpenUnitInterval(_ value: Double, _ parameter: String) throws(DPError) {
        guard value.isFinite, value > 0, value < 1 else {
            throw DPError(.invalidParameter, parameter: parameter, "\(parameter) must be in (0, 1), got \(value)")
        }
    }

    /// Checks that `value` is a sampling rate in (0, 1].
    static func requireSamplingRate(_ value: Double, _ parameter: String) throws(DPError) {
        guard value.isFinite, value > 0, value <= 1 else {
            throw DPError(.invalidParameter, parameter: parameter, "\(parameter) must be in (0, 1], got \(value)")
        }
    }

    /// Checks that a count of steps or compositions is at least 1.
    static func requireCount(_ value: Int, _ parameter: String) throws(DPError) {
        guard value >= 1 else {
            throw DPError(.invalidParameter, parameter: parameter, "\(parameter) must be at least 1, got \(value)")
        }
    }
}
