// The five machines of seed 003, Appendix B, as transition tables. The runtime drives these exact tables and
// the model checker reads them; the only conditions on transitions are the named guards in the tables.

/// A node's job lifecycle.
public enum NodeState: String, MachineState {
    case idle = "IDLE", preflight = "PREF", inflight = "INF", postflight = "POSTF", done = "DONE", aborted = "ABORTED"

    /// States in which a node may let the aggregator release (seed 003 §6.1: POSTF or later).
    public static let safeForRelease: Set<NodeState> = [.postflight, .done]
}

public enum NodeEvent: String, MachineEvent {
    /// The admitted manifest arrived: load data, bind the execution provider.
    case jobAnnounced
    /// Data loaded and provider bound.
    case resourcesReady
    /// A round's contribution was sent and more rounds remain.
    case roundCompleted
    /// The last round's contribution was sent.
    case computationFinished
    /// The aggregator published the released result.
    case resultPublished
    /// An `A-ABORT_JOB` or a local failure.
    case abort
}

public enum AggregatorState: String, MachineState {
    case wait = "WAIT", merge = "MERGE", finalize = "FINALIZE", aborted = "ABORTED"
}

public enum AggregatorEvent: String, MachineEvent {
    /// Every expected contribution of the round has arrived.
    case contributionsComplete
    /// The round was merged; with more rounds to come the aggregator waits again.
    case roundMerged
    /// The control plane signed a release clearance.
    case releaseCleared
    case abort
}

public enum ControlEngineState: String, MachineState {
    case ready = "READY", evaluate = "EVALUATE", dispatch = "DISPATCH"
}

public enum ControlEngineEvent: String, MachineEvent {
    /// A sealed batch of frames is available.
    case batchSealed
    /// No enabled predicate holds.
    case allClear
    /// At least one predicate holds.
    case predicateFired
    /// No predicate fires, but commands are due: a ladder step to reverse, or a verified human override.
    case commandsDue
    /// Every target acknowledged, or the ack deadline passed (missing acks are recorded).
    case acksSettled
}

public enum CollectorState: String, MachineState {
    case open = "OPEN", write = "WRITE", seal = "SEAL"
}

public enum CollectorEvent: String, MachineEvent {
    /// A frame passed every check and was buffered.
    case frameAccepted
    /// The tick ended; the batch is sealed (possibly empty: missing frames are an event too).
    case tickEnded
    /// The sealed batch was handed to the ledger.
    case batchRecorded
}

public enum AuditState: String, MachineState {
    case append = "APPEND", commit = "COMMIT"
}

public enum AuditEvent: String, MachineEvent {
    case recordAppended
    case blockSealed
    case blockCommitted
}

/// The transition tables of Phalanx's state machines.
public enum Machines {
    public static let node = StateMachineSpec<NodeState, NodeEvent>(
        name: "node",
        initial: .idle,
        terminal: [.done, .aborted],
        transitions: [
            Transition(.idle, .jobAnnounced, .preflight),
            Transition(.preflight, .resourcesReady, .inflight),
            Transition(.inflight, .roundCompleted, .inflight),
            Transition(.inflight, .computationFinished, .postflight),
            Transition(.postflight, .resultPublished, .done),
            Transition(.idle, .abort, .aborted),
            Transition(.preflight, .abort, .aborted),
            Transition(.inflight, .abort, .aborted),
            Transition(.postflight, .abort, .aborted),
        ]
    )

    public static let aggregator = StateMachineSpec<AggregatorState, AggregatorEvent>(
        name: "aggregator",
        initial: .wait,
        terminal: [.finalize, .aborted],
        transitions: [
            Transition(.wait, .contributionsComplete, .merge),
            Transition(.merge, .roundMerged, .wait, when: .moreRounds),
            Transition(.merge, .releaseCleared, .finalize, when: .releaseCleared),
            Transition(.wait, .abort, .aborted),
            Transition(.merge, .abort, .aborted),
        ]
    )

    public static let controlEngine = StateMachineSpec<ControlEngineState, ControlEngineEvent>(
        name: "control-engine",
        initial: .ready,
        terminal: [],
        transitions: [
            Transition(.ready, .batchSealed, .evaluate),
            Transition(.evaluate, .allClear, .ready),
            Transition(.evaluate, .predicateFired, .dispatch),
            Transition(.evaluate, .commandsDue, .dispatch),
            Transition(.dispatch, .acksSettled, .ready),
        ]
    )

    public static let collector = StateMachineSpec<CollectorState, CollectorEvent>(
        name: "collector",
        initial: .open,
        terminal: [],
        transitions: [
            Transition(.open, .frameAccepted, .write),
            Transition(.write, .frameAccepted, .write),
            Transition(.open, .tickEnded, .seal),
            Transition(.write, .tickEnded, .seal),
            Transition(.seal, .batchRecorded, .open),
        ]
    )

    public static let audit = StateMachineSpec<AuditState, AuditEvent>(
        name: "audit",
        initial: .append,
        terminal: [],
        transitions: [
            Transition(.append, .recordAppended, .append),
            Transition(.append, .blockSealed, .commit),
            Transition(.commit, .blockCommitted, .append),
        ]
    )

    /// Every table, for listings and export.
    public static var all: [MachineTable] {
        [node.table, aggregator.table, controlEngine.table, collector.table, audit.table]
    }
}
