/// Faults the in-process federation can inject, to show the safety loop at work.
public enum Fault: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// A node's clipping step is broken in one round, so its contribution exceeds the declared bound; the
    /// `contribution-bound` predicate fires and the control plane aborts the job before anything is released.
    case overspend
    /// An attacker injects a frame that claims to come from a node but is signed with another key, and one from
    /// a participant outside the roster; the collector rejects both and the job finishes.
    case forgedFrame = "forged-frame"
    /// A captured frame is sent again later; the collector rejects it as a replay and the job finishes.
    case replay
    /// Under `secagg`, a node reveals corrupted shares; the aggregator's commitment checks catch it, the
    /// `malformed-share` predicate fires, `A-ISOLATE_PARTY` quarantines the node and the job finishes with the
    /// remaining quorum (seed 003, scenario C).
    case malformedShare = "malformed-share"
    /// Under `dp` or `dp+secagg`, the job is launched with noise calibrated for ε = 1.6, above the policy's
    /// per-job limit of 1.0 (the organizations' budgets of 3.0 accept it); after the first release the nodes'
    /// accountants report that the next one would cross 1.0, the `dp-budget` predicate fires, `A-ABORT_JOB`
    /// stops the job, nodes wipe their noise seeds and the aggregator discards the pending contributions
    /// (seed 003, scenario B).
    case privacyOverspend = "privacy-overspend"
    /// One node falls far behind (its frames report a lag beyond the policy's `maxLagMs`) and stops answering
    /// commands: the `straggler` predicate sends it `A-OBSERVE`, its ack never comes, the control plane sends the
    /// same command twice more, then isolates the node and the job finishes without it.
    case silentNode = "silent-node"
    /// The network loses the aggregator's result on its way to one node (the second), once: that node stays in
    /// POSTF while the others finish; the aggregator, still in FINALIZE, publishes the same signed result again at
    /// its next step, the node accepts it and finishes, and the others ignore the identical copy.
    case lostResult = "lost-result"
    /// In federated training, one organization boosts its model update forty times (the model-replacement attack):
    /// its runtime reports the update's `clipRatioL2`, the `update-norm` predicate fires, `A-ISOLATE_PARTY` takes it
    /// out and the round is summed without it. A training fault: the demo runs it with training rounds through the
    /// safety loop, not on the safety-event count.
    case poisonedUpdate = "poisoned-update"

    public var description: String { rawValue }

    /// What the fault does, for `--help` and the story.
    public var summary: String {
        switch self {
        case .overspend: "a node skips clipping and over-contributes; the guard-rail aborts the job"
        case .forgedFrame: "forged telemetry frames are injected; the collector rejects them"
        case .replay: "an old frame is replayed; the collector rejects it"
        case .malformedShare:
            "a node reveals corrupted shares under secagg; it is isolated and the job finishes without it"
        case .privacyOverspend:
            "a DP job would spend ε beyond the policy limit; the guard-rail aborts it before the release that would"
        case .silentNode:
            "a node lags and ignores commands; after two resends it is isolated and the job finishes without it"
        case .lostResult:
            "the aggregator's result to one node is lost in the network; the aggregator publishes it again and the node finishes"
        case .poisonedUpdate:
            "in federated training an organization boosts its update ×40; the update-norm guard-rail isolates it"
        }
    }

    /// Whether the job is expected to abort under this fault.
    public var abortsJob: Bool { self == .overspend || self == .privacyOverspend }

    /// The ε a job is calibrated for under ``privacyOverspend``: above the default policy's `epsilonLimit` (1.0).
    public static let overspentEpsilon = 1.6
}
