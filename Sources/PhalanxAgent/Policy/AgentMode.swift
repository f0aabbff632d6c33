import PhalanxCore

/// The agent's rung on the intervention ladder (seed 001): signed A-commands move it up and down.
///
/// - `normal`: the local policy as written.
/// - `observe` (`A-OBSERVE`): the policy as written, and every decision is logged with its findings in full — the
///   federation has seen something and wants evidence, not yet restrictions.
/// - `restrict` (`A-RESTRICT`): the federation's stricter thresholds replace the local ones, the categories it lists
///   are blocked outright, and actions are denied unless a rule marked `when_restricted: allow` allows them.
/// - `suspend` (`A-SUSPEND`): everything is denied until operators lift it.
public enum AgentMode: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case normal
    case observe
    case restrict
    case suspend

    /// The rung this mode stands on, as ``CommandKind/ladderRung`` numbers them (normal is 0).
    public var rung: Int {
        switch self {
        case .normal: 0
        case .observe: 1
        case .restrict: 2
        case .suspend: 3
        }
    }

    /// The mode a ladder command moves to, `nil` for a command that is not on the ladder.
    public init?(command: CommandKind) {
        switch command {
        case .resume: self = .normal
        case .observe: self = .observe
        case .restrict: self = .restrict
        case .suspend: self = .suspend
        default: return nil
        }
    }

    public static func < (lhs: AgentMode, rhs: AgentMode) -> Bool { lhs.rung < rhs.rung }
}
