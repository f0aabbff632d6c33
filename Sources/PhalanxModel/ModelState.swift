import PhalanxCore

/// One global state of the synchronous product: every machine's state with the local data the runtime keeps
/// beside it, the messages in flight, the remaining fault budget, and ghost bookkeeping for the properties.
///
/// Bit sets are indexed by participant (nodes `0..<k`, then the aggregator at `k`) or by command identifier.
/// The state is a plain value (fixed-capacity inline vectors, no heap), so exploring copies it cheaply.
struct ModelState: Hashable, Sendable {
    /// Ticks elapsed, saturating at the job timeout.
    var tick: Int
    /// The next micro-step of the tick (a ``TickPhase``).
    var phase: Int
    var nodes: ModelNodes
    var aggregator: ModelAggregator
    var control: ModelControl
    var collector: CollectorState
    var audit: AuditState
    var budget: FaultBudget
    var inboxes: Inboxes
    /// Reporters whose frame of this tick waits to be collected.
    var framed: UInt8
    var ghost: ModelGhost
}

/// A node: its machine state and what it persists (in SQLite in the real system) across a restart.
struct ModelNode: Hashable, Sendable {
    var state: NodeState
    /// Contributions sent so far.
    var round: Int
    /// The job announcement was received.
    var hasJob: Bool
    /// The command gateway's seen-set: command identifiers already executed.
    var seen: UInt8
}

/// The nodes, stored lane by lane.
struct ModelNodes: Hashable, Sendable, RandomAccessCollection, MutableCollection {
    private var states = Bytes4.zero
    private var rounds = Bytes4.zero
    private var jobs = Bytes4.zero
    private var seens = Bytes4.zero
    private let count_: UInt8

    init(count: Int) {
        count_ = UInt8(count)
        for i in 0..<count { self[i] = ModelNode(state: Tables.node.initial, round: 0, hasJob: false, seen: 0) }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { Int(count_) }

    subscript(i: Int) -> ModelNode {
        get {
            ModelNode(
                state: NodeState.at(Int(states[i])), round: Int(rounds[i]), hasJob: jobs[i] != 0, seen: seens[i])
        }
        set {
            states[i] = UInt8(newValue.state.ordinal)
            rounds[i] = UInt8(newValue.round)
            jobs[i] = newValue.hasJob ? 1 : 0
            seens[i] = newValue.seen
        }
    }
}

/// The aggregator: its machine state, round, the contributions of unfinished rounds (volatile: a restart loses
/// them with the provider session), and what it persists.
struct ModelAggregator: Hashable, Sendable {
    var state: AggregatorState
    /// Rounds merged so far.
    var round: Int
    var hasJob: Bool
    /// Per round, the nodes whose contribution arrived and whose sum is not complete yet.
    var pending: Bytes4
    /// Rounds whose sum is complete but not merged yet.
    var completed: UInt8
    /// Nodes isolated by an executed `A-ISOLATE_PARTY`.
    var isolated: UInt8
    var seen: UInt8
}

/// How the control engine concluded the job, if it did.
enum ModelConclusion: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0, aborting, cleared

    var description: String {
        switch self {
        case .none: "not concluded"
        case .aborting: "aborting"
        case .cleared: "cleared"
        }
    }
}

/// A signed command the control plane tracks until every target has acknowledged it.
struct ModelCommand: Hashable, Sendable {
    var kind: CommandKind
    /// For `A-ISOLATE_PARTY`: the isolated node.
    var subject: Int
    var targets: UInt8
    var acked: UInt8
    /// Re-sends so far (saturating at the retry limit).
    var retries: Int
    /// No longer tracked (planted fault `noAckRetry`: forgotten after one settlement).
    var closed: Bool

    var missing: UInt8 { closed ? 0 : targets & ~acked }
}

/// The commands signed so far, by identifier, stored lane by lane.
struct ModelCommands: Hashable, Sendable, RandomAccessCollection, MutableCollection {
    private var kinds = Bytes4.zero
    private var subjects = Bytes4.zero
    private var targets = Bytes4.zero
    private var acked = Bytes4.zero
    private var retries = Bytes4.zero
    private var closed = Bytes4.zero
    private var count_: UInt8 = 0

    static let capacity = 4
    private static let kinds: [CommandKind] = [.bootstrap, .abortJob, .isolateParty]

    private static func ordinal(of kind: CommandKind) -> UInt8 {
        switch kind {
        case .bootstrap: 0
        case .abortJob: 1
        case .isolateParty: 2
        default: preconditionFailure("the model does not execute \(kind.rawValue)")
        }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { Int(count_) }

    subscript(i: Int) -> ModelCommand {
        get {
            ModelCommand(
                kind: Self.kinds[Int(kinds[i])], subject: Int(subjects[i]), targets: targets[i],
                acked: acked[i], retries: Int(retries[i]), closed: closed[i] != 0)
        }
        set {
            kinds[i] = Self.ordinal(of: newValue.kind)
            subjects[i] = UInt8(newValue.subject)
            targets[i] = newValue.targets
            acked[i] = newValue.acked
            retries[i] = UInt8(newValue.retries)
            closed[i] = newValue.closed ? 1 : 0
        }
    }

    mutating func append(_ command: ModelCommand) {
        count_ += 1
        self[Int(count_) - 1] = command
    }
}

/// The control plane: the control engine's machine and decision memory.
struct ModelControl: Hashable, Sendable {
    var engine: ControlEngineState
    var concluded: ModelConclusion
    /// Bookkeeping: a predicate held when the clearance was signed (only under a planted fault).
    var clearanceTainted: Bool
    /// Nodes the control plane decided to isolate.
    var isolated: UInt8
    /// Predicates that held at the last evaluation.
    var holding: UInt8
    /// Per predicate: how many more times it may start holding.
    var episodesLeft: Bytes4
    /// Per predicate: nodes already commanded in the current episode (one command per episode, as the runtime).
    var episodeTargets: Bytes4
    var commands: ModelCommands
}

/// Bookkeeping the properties need; none of it influences the protocol.
struct ModelGhost: Hashable, Sendable {
    /// Per participant: command identifiers executed (whatever the gateway remembers).
    var executed: Bytes8
    /// Some participant executed a command a second time.
    var doubleExecution: Bool
    /// The aggregator finalized on a clearance signed while a predicate held.
    var finalizedTainted: Bool
    /// A machine was asked for an event its table does not allow (the runtime would throw).
    var illegalTransition: Bool
    /// An inbox or the command table exceeded the model's bounds.
    var boundExceeded: Bool
}

/// Every inbox: the nodes', the aggregator's (index k) and the control plane's (index k + 1), each a count per
/// possible message (see ``InboxLayout``).
struct Inboxes: Hashable, Sendable {
    private var inboxes: (Bytes32, Bytes32, Bytes32, Bytes32, Bytes32, Bytes32) = (
        .zero, .zero, .zero, .zero, .zero, .zero
    )
    let count: Int

    init(count: Int) { self.count = count }

    subscript(inbox: Int) -> Bytes32 {
        get {
            switch inbox {
            case 0: inboxes.0
            case 1: inboxes.1
            case 2: inboxes.2
            case 3: inboxes.3
            case 4: inboxes.4
            default: inboxes.5
            }
        }
        set {
            switch inbox {
            case 0: inboxes.0 = newValue
            case 1: inboxes.1 = newValue
            case 2: inboxes.2 = newValue
            case 3: inboxes.3 = newValue
            case 4: inboxes.4 = newValue
            default: inboxes.5 = newValue
            }
        }
    }

    subscript(inbox: Int, slot: Int) -> UInt8 {
        get { self[inbox][slot] }
        set { self[inbox][slot] = newValue }
    }

    static func == (a: Inboxes, b: Inboxes) -> Bool {
        (0..<6).allSatisfy { a[$0] == b[$0] }
    }

    func hash(into hasher: inout Hasher) {
        for i in 0..<6 { hasher.combine(self[i]) }
    }
}

extension ModelState {
    /// The state before the first tick: the job was admitted and announced; nothing else happened.
    static func initial(_ configuration: ModelConfiguration) -> ModelState {
        let k = configuration.nodes
        var episodes = Bytes4.zero
        for (p, predicate) in configuration.predicates.enumerated() { episodes[p] = UInt8(predicate.episodes) }
        return ModelState(
            tick: 0,
            phase: 0,
            nodes: ModelNodes(count: k),
            aggregator: ModelAggregator(
                state: Tables.aggregator.initial, round: 0, hasJob: false, pending: .zero, completed: 0, isolated: 0,
                seen: 0),
            control: ModelControl(
                engine: Tables.controlEngine.initial, concluded: .none, clearanceTainted: false, isolated: 0,
                holding: 0, episodesLeft: episodes, episodeTargets: .zero, commands: ModelCommands()),
            collector: Tables.collector.initial,
            audit: Tables.audit.initial,
            budget: FaultBudget(configuration),
            inboxes: Inboxes(count: k + 2),
            framed: 0,
            ghost: ModelGhost(
                executed: .zero, doubleExecution: false, finalizedTainted: false, illegalTransition: false,
                boundExceeded: false)
        )
    }

    /// Every machine is terminal: each node DONE or ABORTED, the aggregator FINALIZE or ABORTED.
    var isTerminal: Bool {
        Tables.aggregator.isTerminal(aggregator.state) && nodes.allSatisfy { Tables.node.isTerminal($0.state) }
    }

    /// The aggregator reached FINALIZE or ABORTED (the liveness goal as the issue states it).
    var aggregatorConcluded: Bool { Tables.aggregator.isTerminal(aggregator.state) }
}
