/// A configuration or policy file that cannot be used: the file, the line when known, and what is wrong —
/// `FILE:LINE: message`, as compilers write it. Participant configurations, agent policies and `agent.yaml` all
/// report their problems with it.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { "\(file):\(line): \(message)" } else { "\(file): \(message)" }
    }
}
