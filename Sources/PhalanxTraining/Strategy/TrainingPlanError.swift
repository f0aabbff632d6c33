/// A training plan that cannot run: an impossible combination, a value out of range, or a failure on the way.
/// The message names the option or the part at fault.
public struct TrainingPlanError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
