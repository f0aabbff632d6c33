import PhalanxCore

/// A guard-rail predicate as the model sees it: a boolean the environment switches on and off, and the
/// A-command the control engine signs while it holds.
///
/// The data a predicate reads (noise budgets, privacy loss, share proofs) is abstracted away: in every sealed
/// tick with at least one frame, each predicate may hold or not. A predicate may *start* holding at most
/// ``episodes`` times per job (its firing budget); it may stop at any tick.
public struct ModelPredicate: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The predicate's id in `guardrails.yaml`.
    public var id: String
    /// What the control engine signs while it holds: `A-BOOTSTRAP`, `A-ABORT_JOB` or `A-ISOLATE_PARTY`.
    public var command: CommandKind
    /// How many times the predicate may start holding in one job.
    public var episodes: Int

    public init(id: String, command: CommandKind, episodes: Int = 1) {
        self.id = id
        self.command = command
        self.episodes = episodes
    }

    /// The commands the model knows how to execute.
    public static let modelledCommands: [CommandKind] = [.bootstrap, .abortJob, .isolateParty]

    /// Seed 003, Table 1, in its order: noise → A-BOOTSTRAP, DP budget → A-ABORT_JOB, quorum → A-ISOLATE_PARTY.
    public static let seedTable: [ModelPredicate] = [
        ModelPredicate(id: "noise", command: .bootstrap),
        ModelPredicate(id: "dpBudget", command: .abortJob),
        ModelPredicate(id: "quorum", command: .isolateParty),
    ]

    public var description: String { "\(id) → \(command.rawValue) (≤ \(episodes) episode\(episodes == 1 ? "" : "s"))" }
}
