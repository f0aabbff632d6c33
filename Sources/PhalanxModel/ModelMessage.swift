/// A message in flight between the model's components. Contents are abstracted to what the protocol decides
/// on; signatures are assumed to verify (authenticity is the signing layer's job and is tested there).
public enum ModelMessage: Hashable, Sendable, CustomStringConvertible {
    /// The aggregator's signed result, to a node.
    case result
    /// A signed A-command, by identifier (the same identifier on every retry).
    case command(Int)
    /// A node's protected contribution for a round, to the aggregator.
    case contribution(node: Int, round: Int)
    /// The control plane's signed release clearance, to the aggregator. `tainted` is bookkeeping for the
    /// checker, not message content: a predicate held in the tick the clearance was signed in.
    case clearance(tainted: Bool)
    /// A participant's signed acknowledgement of a command, to the control plane.
    case ack(participant: Int, command: Int)

    public var description: String {
        switch self {
        case .result: "result"
        case .command(let id): "cmd#\(id)"
        case .contribution(let node, let round): "contribution n\(node)/r\(round)"
        case .clearance(let tainted): tainted ? "clearance(predicate held)" : "clearance"
        case .ack(let participant, let command): "ack cmd#\(command) from participant \(participant)"
        }
    }
}

/// Where each kind of message sits in an inbox: every inbox is a bounded multiset, stored as one count per
/// possible message (the order of arrival within a drain is not modelled; delays model reordering across
/// drains).
struct InboxLayout: Hashable, Sendable {
    let nodes: Int
    let rounds: Int
    let commands: Int

    init(_ configuration: ModelConfiguration) {
        nodes = configuration.nodes
        rounds = configuration.rounds
        commands = configuration.maxCommands
    }

    /// Largest count of one message in one inbox; one more is a model-bounds violation.
    static let capacity: UInt8 = 3

    var inboxCount: Int { nodes + 2 }
    var aggregator: Int { nodes }
    var control: Int { nodes + 1 }

    /// Number of slots of inbox `inbox`.
    func size(_ inbox: Int) -> Int {
        switch inbox {
        case aggregator: nodes * rounds + 2 + commands
        case control: (nodes + 1) * commands
        default: 1 + commands
        }
    }

    func slot(of message: ModelMessage, in inbox: Int) -> Int {
        switch (message, inbox) {
        case (.result, _): 0
        case (.command(let id), aggregator): nodes * rounds + 2 + id
        case (.command(let id), _): 1 + id
        case (.contribution(let node, let round), _): node * rounds + round
        case (.clearance(let tainted), _): nodes * rounds + (tainted ? 1 : 0)
        case (.ack(let participant, let command), _): participant * commands + command
        }
    }

    func message(at slot: Int, in inbox: Int) -> ModelMessage {
        switch inbox {
        case aggregator:
            if slot < nodes * rounds { return .contribution(node: slot / rounds, round: slot % rounds) }
            if slot < nodes * rounds + 2 { return .clearance(tainted: slot == nodes * rounds + 1) }
            return .command(slot - nodes * rounds - 2)
        case control:
            return .ack(participant: slot / commands, command: slot % commands)
        default:
            return slot == 0 ? .result : .command(slot - 1)
        }
    }

    func isCommand(_ slot: Int, in inbox: Int) -> Bool {
        if case .command = message(at: slot, in: inbox) { return true }
        return false
    }

    /// The message's description with participants named (`n0`…, `agg`).
    func describe(_ message: ModelMessage) -> String {
        if case .ack(let participant, let command) = message {
            return "ack cmd#\(command) from \(participant == nodes ? "agg" : "n\(participant)")"
        }
        return message.description
    }
}
