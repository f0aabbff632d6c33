/// A second operator's signed approval of an override that needs two people (`overrides.two_person` in
/// `guardrails.yaml`): it names the command by id and by the digest of the first operator's signed envelope, so it
/// approves exactly that command and nothing else.
public struct OverrideApproval: SignedPayload, Hashable {
    public static let payloadType = "phalanx.override-approval.v1"

    public var commandId: CommandID
    /// SHA-256 of the signed `A-` command envelope being approved.
    public var commandDigest: SHA256Digest
    public var approver: ParticipantID
    /// Why the approver agrees; required, like the override's own reason.
    public var reason: String
    public var timestampMs: Int64

    public init(
        commandId: CommandID, commandDigest: SHA256Digest, approver: ParticipantID, reason: String, timestampMs: Int64
    ) {
        self.commandId = commandId
        self.commandDigest = commandDigest
        self.approver = approver
        self.reason = reason
        self.timestampMs = timestampMs
    }

    public var author: ParticipantID { approver }
}

/// A human override as it travels to the control plane: the operator's signed command and the approvals of
/// further operators. `phalanx control override` writes one, `phalanx control approve` adds an approval.
public struct OverrideRequest: Hashable, Sendable, Codable {
    public var command: Signed<ACommand>
    public var approvals: [Signed<OverrideApproval>]

    public init(command: Signed<ACommand>, approvals: [Signed<OverrideApproval>] = []) {
        self.command = command
        self.approvals = approvals
    }
}
