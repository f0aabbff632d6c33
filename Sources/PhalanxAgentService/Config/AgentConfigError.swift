/// An `agent.yaml` (or a file it points at) that cannot be used: where — file and line when known — and what is wrong.
public struct AgentConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}
