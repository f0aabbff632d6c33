/// A participant's signed acknowledgement of an A-command.
public struct CommandAck: SignedPayload, Hashable {
    public static let payloadType = "phalanx.ack.v1"

    /// What the participant did with the command.
    public enum Outcome: String, Hashable, Sendable, Codable {
        /// Executed now.
        case applied
        /// Executed earlier; not executed again (commands are idempotent).
        case duplicate
        /// Refused; `detail` says why.
        case rejected
    }

    public var commandId: CommandID
    public var jobId: SHA256Digest?
    public var participant: ParticipantID
    public var outcome: Outcome
    public var detail: String?
    /// The participant's state-machine state after handling the command.
    public var stateAfter: String
    public var tick: UInt64
    public var timestampMs: Int64

    public init(
        commandId: CommandID,
        jobId: SHA256Digest?,
        participant: ParticipantID,
        outcome: Outcome,
        detail: String?,
        stateAfter: String,
        tick: UInt64,
        timestampMs: Int64
    ) {
        self.commandId = commandId
        self.jobId = jobId
        self.participant = participant
        self.outcome = outcome
        self.detail = detail
        self.stateAfter = stateAfter
        self.tick = tick
        self.timestampMs = timestampMs
    }

    public var author: ParticipantID { participant }
}
