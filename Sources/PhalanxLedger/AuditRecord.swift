import PhalanxCore

/// What an audit entry records. Records hold identifiers and digests — never raw data, values or secrets.
public enum AuditRecord: Hashable, Sendable, Codable {
    /// A job passed admission. `jobId` is the manifest hash.
    case jobAdmitted(jobId: SHA256Digest, plugin: String, provider: String, predicates: [String])
    /// A job was refused at admission.
    case jobRejected(jobId: SHA256Digest, reason: String)
    /// The collector sealed a tick's accepted frames.
    case framesSealed(
        jobId: SHA256Digest, tick: UInt64, frames: [SHA256Digest], rejected: [String: Int], missing: [ParticipantID])
    /// The aggregator merged a round; the digest is of the merged vector's canonical encoding.
    case aggregationStep(jobId: SHA256Digest, round: Int, contributors: [ParticipantID], mergedDigest: SHA256Digest)
    /// A guard-rail predicate held in a sealed tick.
    case predicateFired(jobId: SHA256Digest, tick: UInt64, predicate: String, offenders: [ParticipantID])
    /// An A-command was signed and dispatched; `digest` is of the signed envelope.
    case commandIssued(
        jobId: SHA256Digest?, command: CommandID, kind: CommandKind, predicate: String?, targets: [ParticipantID],
        digest: SHA256Digest)
    case ackReceived(command: CommandID, participant: ParticipantID, outcome: CommandAck.Outcome, digest: SHA256Digest)
    /// A target did not acknowledge before the deadline.
    case ackMissing(command: CommandID, participant: ParticipantID)
    /// A command whose ack was missing was sent again, with the same id and signature, to one target.
    case commandResent(command: CommandID, participant: ParticipantID, attempt: Int)
    /// The control plane cleared the aggregator to release.
    case releaseCleared(jobId: SHA256Digest, tick: UInt64, digest: SHA256Digest)
    case jobFinalized(jobId: SHA256Digest, resultDigest: SHA256Digest)
    case jobAborted(jobId: SHA256Digest, reason: String)
    /// The aggregator's provider caught misbehaving nodes or could not complete a secure sum.
    case providerIncident(
        jobId: SHA256Digest, kind: String, round: Int, offenders: [ParticipantID], digest: SHA256Digest)
    /// Privacy budget reserved for a node at admission (the job's worst case).
    case privacyReserved(jobId: SHA256Digest, participant: ParticipantID, epsilon: Double, delta: Double)
    /// Privacy budget spent by a release: the increase of the node's ε (and δ) for this round.
    case privacySpent(jobId: SHA256Digest, participant: ParticipantID, round: Int, epsilon: Double, delta: Double)
    /// A human operator's signed command that overrode the automatic loop; `digest` is of the signed envelope.
    case override(operator: ParticipantID, command: CommandID, kind: CommandKind, reason: String, digest: SHA256Digest)
    /// A second operator approved an override that needs two (`digest` is of the signed approval).
    case overrideApproved(operator: ParticipantID, command: CommandID, digest: SHA256Digest)
    /// An override was refused (unknown operator, missing reason, value out of range, approvals missing, …).
    case overrideRefused(operator: ParticipantID, command: CommandID?, reason: String)
    /// A batch of a local safety agent's decision receipts: their hashes in order, the chain's head after them.
    /// The receipts themselves (rule, reason, scores, text digest) stay in the agent's events store; the ledger fixes
    /// their hashes, so a receipt shown later can be proven to be the one recorded.
    case agentReceipts(agent: ParticipantID, firstSequence: UInt64, receiptHashes: [String], head: String)
    /// A local safety agent moved on the intervention ladder (`normal`, `observe`, `restrict`, `suspend`).
    case agentModeChanged(agent: ParticipantID, from: String, to: String, cause: String)
    /// A local safety agent's operator set a threshold other than the federation's, within its signed range.
    case agentThresholdCustomised(
        agent: ParticipantID, category: String, federation: Double, previous: Double, value: Double, by: String)

    /// A short name for listings.
    public var kind: String {
        switch self {
        case .jobAdmitted: "job-admitted"
        case .jobRejected: "job-rejected"
        case .framesSealed: "frames-sealed"
        case .aggregationStep: "aggregation-step"
        case .predicateFired: "predicate-fired"
        case .commandIssued: "command-issued"
        case .ackReceived: "ack-received"
        case .ackMissing: "ack-missing"
        case .commandResent: "command-resent"
        case .releaseCleared: "release-cleared"
        case .jobFinalized: "job-finalized"
        case .jobAborted: "job-aborted"
        case .override: "override"
        case .overrideApproved: "override-approved"
        case .overrideRefused: "override-refused"
        case .providerIncident: "provider-incident"
        case .privacyReserved: "privacy-reserved"
        case .privacySpent: "privacy-spent"
        case .agentReceipts: "agent-receipts"
        case .agentModeChanged: "agent-mode-changed"
        case .agentThresholdCustomised: "agent-threshold-customised"
        }
    }
}
