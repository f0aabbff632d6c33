import PhalanxCore

/// The parameters of one model-checking run: how many nodes and rounds, how much the network and the processes
/// may misbehave, how patient the control plane is, and which planted fault (if any) is switched on.
///
/// The same configuration drives the Swift explorer and the Promela export, so both check the same model.
public struct ModelConfiguration: Hashable, Sendable, Codable {
    /// Number of nodes (k).
    public var nodes: Int
    /// Rounds of the job (R): each node sends one contribution per round.
    public var rounds: Int
    /// How many messages the network may lose in the whole run (telemetry frames included).
    public var losses: Int
    /// How many messages the network may duplicate (the copy arrives at the receiver's next drain).
    public var duplicates: Int
    /// How many messages the network may delay past a drain of the receiver (which reorders them).
    public var delays: Int
    /// How many times a node or the aggregator may crash and restart.
    public var crashes: Int
    /// How many times the control plane re-sends a command with a missing ack (same id) before it escalates
    /// to `A-ABORT_JOB`.
    public var retryLimit: Int
    /// The job timeout in ticks: at the first collection of tick `timeout` a job that has neither been
    /// cleared nor aborted is aborted. Ticks stop counting there, which keeps time finite.
    public var timeout: Int
    /// The enabled guard-rail predicates, in policy order.
    public var predicates: [ModelPredicate]
    /// A deliberate bug, or `nil` for the model of the protocol as designed.
    public var plantedFault: PlantedFault?
    /// Exploration stops (without a verdict) beyond this many states.
    public var stateLimit: Int

    public init(
        nodes: Int = 2,
        rounds: Int = 2,
        losses: Int = 1,
        duplicates: Int = 1,
        delays: Int = 1,
        crashes: Int = 1,
        retryLimit: Int = 2,
        timeout: Int? = nil,
        predicates: [ModelPredicate] = ModelPredicate.seedTable,
        plantedFault: PlantedFault? = nil,
        stateLimit: Int = 30_000_000
    ) {
        self.nodes = nodes
        self.rounds = rounds
        self.losses = losses
        self.duplicates = duplicates
        self.delays = delays
        self.crashes = crashes
        self.retryLimit = retryLimit
        self.timeout = timeout ?? Self.defaultTimeout(rounds: rounds)
        self.predicates = predicates
        self.plantedFault = plantedFault
        self.stateLimit = stateLimit
    }

    /// A fault-free job clears at tick R and finishes at tick R + 2; the default leaves room for one late tick.
    public static func defaultTimeout(rounds: Int) -> Int { rounds + 3 }

    public static let nodeRange = 1...4
    public static let roundRange = 1...3
    public static let budgetRange = 0...3
    public static let retryRange = 1...3
    public static let timeoutRange = 1...12
    public static let episodeRange = 1...2

    /// The participants that report frames and receive commands: the nodes, then the aggregator.
    var reporters: Int { nodes + 1 }
    /// The index of the aggregator among the reporters (and of its inbox).
    var aggregator: Int { nodes }
    /// The index of the control plane's inbox.
    var control: Int { nodes + 1 }
    /// Command identifiers the model needs: one `A-ABORT_JOB` (a job is aborted once), plus one command per
    /// episode of each predicate that does not abort.
    var maxCommands: Int { 1 + predicates.filter { $0.command != .abortJob }.map(\.episodes).reduce(0, +) }
    /// Micro-steps per tick (see ``TickPhase``).
    var phasesPerTick: Int { TickPhase.allCases.count }

    /// Checks every parameter against its range; the error names the first that is out of range.
    public func validate() throws(ModelConfigurationError) {
        func check(_ value: Int, _ range: ClosedRange<Int>, _ name: String) throws(ModelConfigurationError) {
            guard range.contains(value) else {
                throw ModelConfigurationError(
                    parameter: name, message: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
            }
        }
        try check(nodes, Self.nodeRange, "nodes")
        try check(rounds, Self.roundRange, "rounds")
        try check(losses, Self.budgetRange, "losses")
        try check(duplicates, Self.budgetRange, "duplicates")
        try check(delays, Self.budgetRange, "delays")
        try check(crashes, Self.budgetRange, "crashes")
        try check(retryLimit, Self.retryRange, "retryLimit")
        try check(timeout, Self.timeoutRange, "timeout")
        var ids = Set<String>()
        for predicate in predicates {
            guard ModelPredicate.modelledCommands.contains(predicate.command) else {
                throw ModelConfigurationError(
                    parameter: "predicates",
                    message: "\(predicate.id): the model executes only A-BOOTSTRAP, A-ABORT_JOB and A-ISOLATE_PARTY")
            }
            guard ids.insert(predicate.id).inserted else {
                throw ModelConfigurationError(parameter: "predicates", message: "\(predicate.id) appears twice")
            }
            try check(predicate.episodes, Self.episodeRange, "episodes of \(predicate.id)")
        }
        guard predicates.count <= 4, maxCommands <= ModelCommands.capacity else {
            throw ModelConfigurationError(
                parameter: "predicates",
                message: "at most 4 predicates and \(ModelCommands.capacity) command identifiers (one abort, plus "
                    + "one per episode of every other predicate)")
        }
    }
}

/// A model parameter out of its range.
public struct ModelConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let parameter: String
    public let message: String
    public var description: String { "\(parameter) \(message)" }
}
