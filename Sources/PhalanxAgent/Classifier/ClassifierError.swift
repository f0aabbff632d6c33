/// A classifier that cannot be built or trained as asked: an invalid feature or training configuration, a training
/// set without both classes, vectors of different dimensions. The message names the setting or input at fault.
public struct ClassifierError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
