/// Names of telemetry metrics.
public enum MetricKey {
    /// Delay between the tick boundary and the frame's emission, in milliseconds. Every frame has it.
    public static let lagMs = "lagMs"
    /// Time the participant spent on its last operation, in milliseconds. Every frame has it.
    public static let opLatencyMs = "opLatencyMs"
    /// The metrics that are top-level frame fields rather than provider metrics.
    public static let frameFields: Set<String> = [lagMs, opLatencyMs]
    /// Ticks in a row for which a node sent no accepted frame (0 when its frame arrived). The control plane
    /// derives it: a crashed, killed or cut-off node reports nothing, and silence is itself a signal.
    public static let missedTicks = "missedTicks"
    /// Metrics the control plane derives about participants rather than reads from their frames.
    public static let controlDerived: Set<String> = [missedTicks]
    /// What predicates can read whatever the execution provider: frame fields and derived metrics.
    public static let alwaysAvailable: Set<String> = frameFields.union(controlDerived)
    /// The largest ratio, in a node's last round, of a vector's L2 norm to the bound of the `clip_l2` the plug-in
    /// applied to it: at most 1 when nothing was clipped, 40 for a model update boosted forty times past the norm
    /// the plug-in bounds it to. The node's runtime measures it before the vector leaves (under secure aggregation
    /// no one else can); a node whose runtime lies escapes it, though not the clip.
    public static let clipRatioL2 = "clipRatioL2"

    /// The metrics a node's runtime derives from running `plugin`, whatever the provider: ``clipRatioL2`` when the
    /// node program clips to an L2 norm. A job's manifest lists them with the provider's keys.
    public static func runtimeDerived(by plugin: PluginIR) -> Set<String> {
        plugin.node.contains { if case .clipL2 = $0 { true } else { false } } ? [clipRatioL2] : []
    }

    /// Whether `key` is a well-formed metric key: ASCII letters, digits and `_`, not starting with a digit.
    public static func isValid(_ key: String) -> Bool {
        guard let first = key.utf8.first, key.utf8.count <= 64 else { return false }
        func isLetter(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == 0x5F }
        return isLetter(first) && key.utf8.allSatisfy { isLetter($0) || (0x30...0x39).contains($0) }
    }
}
