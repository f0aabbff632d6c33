import PhalanxCore

/// The agent's position on the intervention ladder, moved only by signed A-commands from the control plane (or
/// operators), and by the agent itself when the control plane goes silent.
///
/// - A command is applied only if its signature verifies under a key the agent trusts, it names this agent among
///   its targets, and it is a ladder command (`A-OBSERVE`, `A-RESTRICT`, `A-SUSPEND`, `A-RESUME`). A command id
///   seen before is acknowledged again as `duplicate` without being applied twice.
/// - A suspension is lifted only by a command issued by an operator (seed 003: resuming from suspend is a human
///   override); a predicate's `A-RESUME` is refused while suspended.
/// - **Fallback.** When no verified message from the control plane arrives for `fallbackAfterTicks` ticks, the
///   agent moves to `restrict` on its own (unless it is already at `restrict` or `suspend`), and returns to the mode
///   it was in when contact resumes. This is the conservative policy seed 001 asks for when the coordinator is lost.
public struct AgentLadder: Sendable {
    public private(set) var mode: AgentMode = .normal
    /// Whether the current mode is the fallback for a lost control plane rather than a command.
    public private(set) var inFallback = false
    /// The mode commands have set (what the agent returns to when contact resumes).
    public private(set) var commandedMode: AgentMode = .normal
    public private(set) var lastContactTick: UInt64 = 0
    private var seen: [CommandID: CommandAck.Outcome] = [:]
    private var seenOrder: [CommandID] = []

    /// How many command ids are remembered for idempotency.
    static let rememberedCommands = 4_096

    public init() {}

    /// A change of mode, for the audit record and the logs.
    public struct Transition: Sendable, Hashable {
        public let from: AgentMode
        public let to: AgentMode
        public let cause: String
    }

    /// Verifies and applies a signed command. Returns the acknowledgement to sign and send back, and the transition
    /// when the mode changed.
    public mutating func apply(
        _ envelope: Signed<ACommand>, trusted: some PublicKeyDirectory, operators: Set<ParticipantID>,
        agent: ParticipantID, tick: UInt64, nowMs: Int64
    ) -> (ack: CommandAck, transition: Transition?) {
        func ack(_ id: CommandID, _ outcome: CommandAck.Outcome, _ detail: String?) -> CommandAck {
            CommandAck(
                commandId: id, jobId: nil, participant: agent, outcome: outcome, detail: detail,
                stateAfter: mode.rawValue, tick: tick, timestampMs: nowMs)
        }
        let command: ACommand
        do {
            command = try envelope.verify(with: trusted).value
        } catch {
            // Not from anyone trusted: no contact, no acknowledgement of a command id we cannot trust either.
            return (ack(CommandID(), .rejected, "signature not accepted: \(error)"), nil)
        }
        lastContactTick = max(lastContactTick, tick)
        if let outcome = seen[command.id] {
            return (ack(command.id, outcome == .rejected ? .rejected : .duplicate, "already handled"), nil)
        }
        guard command.targets.contains(agent) else {
            return (remember(command.id, ack(command.id, .rejected, "the command is not addressed to \(agent)")), nil)
        }
        guard let target = AgentMode(command: command.kind) else {
            return (
                remember(command.id, ack(command.id, .rejected, "\(command.kind) is not a command for a local agent")),
                nil
            )
        }
        if mode == .suspend, target < .suspend, !operators.contains(command.issuer) {
            return (
                remember(
                    command.id,
                    ack(
                        command.id, .rejected,
                        "a suspension is lifted only by an operator; \(command.issuer) is not one")),
                nil
            )
        }
        let from = mode
        commandedMode = target
        inFallback = false
        mode = target
        let transition =
            from == target
            ? nil
            : Transition(from: from, to: target, cause: "\(command.kind) from \(command.issuer): \(command.reason)")
        return (remember(command.id, ack(command.id, .applied, nil)), transition)
    }

    /// Records a verified message from the control plane other than a command (a heartbeat): contact, and the end of
    /// a fallback.
    public mutating func contact(tick: UInt64) -> Transition? {
        lastContactTick = max(lastContactTick, tick)
        guard inFallback else { return nil }
        inFallback = false
        let from = mode
        mode = commandedMode
        return from == mode ? nil : Transition(from: from, to: mode, cause: "the control plane is reachable again")
    }

    /// Advances the agent's clock; moves to the fallback when the control plane has been silent too long.
    public mutating func tick(_ tick: UInt64, fallbackAfterTicks: Int) -> Transition? {
        guard !inFallback, fallbackAfterTicks > 0, tick >= lastContactTick + UInt64(fallbackAfterTicks),
            mode < .restrict
        else { return nil }
        inFallback = true
        let from = mode
        mode = .restrict
        return Transition(
            from: from, to: .restrict,
            cause: "no message from the control plane for \(tick - lastContactTick) ticks: conservative fallback")
    }

    private mutating func remember(_ id: CommandID, _ ack: CommandAck) -> CommandAck {
        seen[id] = ack.outcome
        seenOrder.append(id)
        if seenOrder.count > Self.rememberedCommands {
            seen[seenOrder.removeFirst()] = nil
        }
        return CommandAck(
            commandId: ack.commandId, jobId: nil, participant: ack.participant, outcome: ack.outcome,
            detail: ack.detail, stateAfter: mode.rawValue, tick: ack.tick, timestampMs: ack.timestampMs)
    }
}
