import PhalanxCore

/// A participant's single entry point for A-commands: it authenticates, de-duplicates and acknowledges.
///
/// A command is executed only if its signature verifies with the key of a participant whose role is `control`
/// (or `operator`, for signed human overrides), it names this job, and this participant is a target. A command
/// id seen before is acknowledged as `duplicate` and not executed again.
struct CommandGateway: Sendable {
    let identity: SigningIdentity
    let roster: FederationRoster
    private var executed: [CommandID: CommandAck.Outcome] = [:]

    init(identity: SigningIdentity, roster: FederationRoster) {
        self.identity = identity
        self.roster = roster
    }

    enum Admission {
        /// Execute it, then acknowledge with the outcome.
        case execute(ACommand)
        /// Acknowledge without executing.
        case acknowledge(ACommand, CommandAck.Outcome, detail: String)
        /// Not acknowledgeable: forged or not for us.
        case refuse(reason: String)
    }

    /// Decides what to do with `envelope` for job `jobId`.
    mutating func admit(_ envelope: Signed<ACommand>, jobId: SHA256Digest?) -> Admission {
        let command: ACommand
        do {
            command = try envelope.verify(with: roster).value
        } catch {
            return .refuse(reason: error.description)
        }
        guard let issuer = roster.identity(for: command.issuer), issuer.role == .control || issuer.role == .operator
        else {
            return .refuse(reason: "\(command.issuer) may not issue commands")
        }
        guard command.targets.contains(identity.id) else {
            return .refuse(reason: "\(identity.id) is not a target of \(command.id)")
        }
        if let previous = executed[command.id] {
            return .acknowledge(command, .duplicate, detail: "already \(previous.rawValue); not executed again")
        }
        guard command.jobId == nil || command.jobId == jobId else {
            executed[command.id] = .rejected
            return .acknowledge(command, .rejected, detail: "the command names another job")
        }
        return .execute(command)
    }

    /// Records the outcome of an executed command, so that a repeat is recognised.
    mutating func recordExecution(_ id: CommandID, _ outcome: CommandAck.Outcome) { executed[id] = outcome }

    func ack(
        _ command: ACommand, outcome: CommandAck.Outcome, detail: String?, stateAfter: String, tick: UInt64,
        nowMs: Int64
    ) throws -> Signed<CommandAck> {
        let ack = CommandAck(
            commandId: command.id, jobId: command.jobId, participant: identity.id, outcome: outcome, detail: detail,
            stateAfter: stateAfter, tick: tick, timestampMs: nowMs
        )
        return try Signed(signing: ack, with: identity)
    }
}
