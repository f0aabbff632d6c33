import PhalanxCore

/// What the control engine does when a participant does not acknowledge a command before the next tick, from
/// `escalation:` in `guardrails.yaml`.
///
/// The command is sent again with the **same id** (so a participant that did execute it, and whose ack was lost,
/// acknowledges `duplicate` without executing twice) at most ``ackRetries`` times, one tick apart. A participant
/// still silent after that is escalated: a node is isolated (``then`` = `A-ISOLATE_PARTY`; the job continues with
/// the quorum if the provider allows it) or the job is aborted (``then`` = `A-ABORT_JOB`). A silent aggregator
/// always aborts the job: nothing can be released without it.
public struct EscalationPolicy: Hashable, Sendable {
    /// Resends of a command whose ack is missing, before escalating (0–10).
    public var ackRetries: Int
    /// `A-ISOLATE_PARTY` or `A-ABORT_JOB`.
    public var then: CommandKind

    public static let `default` = EscalationPolicy(ackRetries: 2, then: .isolateParty)
    /// The commands an escalation may use.
    public static let allowedCommands: [CommandKind] = [.isolateParty, .abortJob]

    public init(ackRetries: Int, then: CommandKind) {
        self.ackRetries = ackRetries
        self.then = then
    }
}
