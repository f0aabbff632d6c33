/// What the agent does with a text or an action.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// Let it through.
    case allow
    /// Block it.
    case deny
    /// Hold it for a human's approval.
    case escalate
    /// Let it through with the spans of the findings that matched replaced by `[REDACTED:category]`.
    case redact
}
