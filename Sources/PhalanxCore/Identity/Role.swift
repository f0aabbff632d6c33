/// What a participant is allowed to do in a federation.
public enum Role: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// An organization's node: holds private data, runs the node side of plug-ins.
    case node
    /// Merges protected contributions and releases results.
    case aggregator
    /// The control plane: admits jobs, collects telemetry, signs A-commands.
    case control
    /// A human operator who may sign overrides.
    case `operator`

    public var description: String { rawValue }
}
