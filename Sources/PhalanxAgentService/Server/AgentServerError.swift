/// Why the agent could not start: which file (the configuration, the policy, a key, the ledger…), and what is wrong.
public struct AgentServerError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}
