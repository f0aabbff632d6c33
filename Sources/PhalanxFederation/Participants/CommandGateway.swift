import PhalanxCore

/// A participant's single entry point for A-commands: it authenticates, de-duplicates and acknowledges.
///
/// A command is executed only if its signature verifies with the key of a participant whose role is `control`
/// (operators' overrides reach participants re-signed by the control plane, after its checks), it names this job, and this participant is a target. A command
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
    private mutating func admit(_ envelope: Signed<ACommand>, jobId: SHA256Digest?) -> Admission {
        let command: ACommand
        do {
            command = try envelope.verify(with: roster).value
        } catch {
            return .refuse(reason: error.description)
        }
        // Only the control plane's key is obeyed. Operators' overrides go through the control plane, which checks
        // the reason, the allowed range and the second operator before it signs the resulting command.
        guard let issuer = roster.identity(for: command.issuer), issuer.role == .control else {
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

    /// What happened to a command, for the participant to send and report.
    enum Handling {
        /// Not acknowledged: forged, or not addressed to this participant.
        case refused(reason: String)
        /// Acknowledged with `ack`; `executed` is set when the command ran now.
        case acknowledged(command: ACommand, ack: Signed<CommandAck>, executed: CommandAck.Outcome?)
    }

    /// Admits `envelope`, runs `apply` if it should execute, and signs the ack. `state` gives the participant's
    /// state-machine state after handling, for the ack.
    mutating func handle(
        _ envelope: Signed<ACommand>,
        jobId: SHA256Digest?,
        tick: UInt64,
        nowMs: Int64,
        apply: (ACommand) throws -> (CommandAck.Outcome, String?),
        state: () -> String
    ) throws -> Handling {
        switch admit(envelope, jobId: jobId) {
        case .refuse(let reason):
            return .refused(reason: reason)
        case .acknowledge(let command, let outcome, let detail):
            let ack = try self.ack(
                command, outcome: outcome, detail: detail, stateAfter: state(), tick: tick, nowMs: nowMs)
            return .acknowledged(command: command, ack: ack, executed: nil)
        case .execute(let command):
            let (outcome, detail) = try apply(command)
            executed[command.id] = outcome
            let ack = try self.ack(
                command, outcome: outcome, detail: detail, stateAfter: state(), tick: tick, nowMs: nowMs)
            return .acknowledged(command: command, ack: ack, executed: outcome)
        }
    }

    private func ack(
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
