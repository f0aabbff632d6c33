/// Why the events store refused or failed an operation: which file, and what.
public struct AgentStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// SQLite failed (disk full, permissions, a locked or corrupt file).
        case database
        /// Feedback names an event the store does not hold (never decided, or purged by retention).
        case unknownEvent
        /// Feedback carries a text whose SHA-256 is not the digest stored for the event.
        case digestMismatch
        /// Feedback that is not a label (0 or 1).
        case invalidFeedback
    }

    public let code: Code
    public let file: String
    public let message: String

    public init(_ code: Code, file: String, _ message: String) {
        self.code = code
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}
