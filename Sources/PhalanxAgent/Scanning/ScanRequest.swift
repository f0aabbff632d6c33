/// Which way a text is going: into the model (a user's prompt, a tool's output, a retrieved document) or out of it.
public enum Direction: String, Sendable, Hashable, Codable, CaseIterable {
    case input
    case output
}

/// Where an input came from. Text that arrives through a tool or a retrieved document and talks to the model is
/// an *indirect* injection: the user did not write it, so instructions in it are suspect on their face.
public enum ContentSource: String, Sendable, Hashable, Codable, CaseIterable {
    case user
    case system
    case tool
    case retrieval
    case model
}

/// What is being checked: the text, its direction, and the context the policy may match on.
public struct ScanRequest: Sendable, Hashable, Codable {
    public var text: String
    public var direction: Direction
    public var source: ContentSource
    /// The action the model or agent is about to take (a tool name such as `db.delete`), if any.
    public var action: String?
    /// Who is asking: a user, a service account or an agent id, as the deployment names them.
    public var principal: String?

    public init(
        text: String, direction: Direction = .input, source: ContentSource? = nil, action: String? = nil,
        principal: String? = nil
    ) {
        self.text = text
        self.direction = direction
        self.source = source ?? (direction == .input ? .user : .model)
        self.action = action
        self.principal = principal
    }
}
