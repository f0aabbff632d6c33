import PhalanxCore

/// Something that happened during a job, in the order it happened. The demo tells its story from these;
/// the audit record holds the verifiable subset.
public enum JobEvent: Sendable {
    case admitted(
        jobId: SHA256Digest, plugin: String, provider: ProviderDescriptor, enabled: [String],
        disabled: [(id: String, missing: [String])])
    case refused(AdmissionError)
    case announced(jobId: SHA256Digest, participants: Int)
    case transition(participant: ParticipantID, machine: String, from: String, event: String, to: String)
    case contributionSent(node: ParticipantID, round: Int, provider: String, step: String, bytes: Int)
    /// The aggregator's provider reported misbehaving nodes or a failed sum.
    case incident(kind: String, round: Int, offenders: [String: Int], detail: String)
    case roundMerged(round: Int, contributors: [ParticipantID])
    case frameRejected(tick: UInt64, signer: ParticipantID, reason: FrameRejection)
    case tickSealed(tick: UInt64, accepted: Int, rejected: Int, missing: [ParticipantID])
    case predicateHeld(
        tick: UInt64, predicate: String, severity: String, command: CommandKind, trace: [String], offenders: [String])
    /// A predicate's expression held but it has not held for its `for:` yet: no command, and no release.
    case predicatePending(tick: UInt64, predicate: String, heldTicks: Int, needed: Int)
    case commandIssued(tick: UInt64, command: ACommand)
    /// A command whose ack was missing was sent again with the same id.
    case commandResent(tick: UInt64, participant: ParticipantID, command: CommandID, attempt: Int)
    /// An operator's override was verified and applied (`approvers`: the second operators).
    case overrideApplied(tick: UInt64, command: ACommand, approvers: [ParticipantID])
    case overrideRefused(tick: UInt64, operatorID: ParticipantID, reason: String)
    case commandExecuted(
        participant: ParticipantID, command: CommandID, kind: CommandKind, outcome: CommandAck.Outcome,
        stateAfter: String)
    case ackReceived(tick: UInt64, participant: ParticipantID, command: CommandID, outcome: CommandAck.Outcome)
    case ackMissing(tick: UInt64, participant: ParticipantID, command: CommandID)
    case clearanceIssued(tick: UInt64)
    case finalized(outputs: [ReleasedOutput])
    case aborted(reason: String)
    /// A participant refused a message (bad signature, wrong job…).
    case messageRefused(participant: ParticipantID, kind: String, reason: String)
}
