import PhalanxCore

/// Packs a ``ModelState`` into a ``PackedState`` and back, with field widths derived from the configuration.
struct StateCodec: Sendable {
    let configuration: ModelConfiguration
    let layout: InboxLayout
    private let k: Int
    private let rounds: Int
    private let commands: Int
    private let predicates: Int
    private let tickBits: Int
    private let phaseBits: Int
    private let roundBits: Int
    private let subjectBits: Int
    private let retryBits: Int
    private let episodeBits: Int
    private let commandCountBits: Int
    private let countBits: Int
    private let inboxSizes: [Int]
    private static let kinds = ModelPredicate.modelledCommands

    init(_ configuration: ModelConfiguration) {
        self.configuration = configuration
        layout = InboxLayout(configuration)
        k = configuration.nodes
        rounds = configuration.rounds
        commands = configuration.maxCommands
        predicates = configuration.predicates.count
        tickBits = bitWidth(configuration.timeout)
        phaseBits = bitWidth(TickPhase.allCases.count - 1)
        roundBits = bitWidth(configuration.rounds)
        subjectBits = bitWidth(configuration.nodes - 1)
        retryBits = bitWidth(configuration.retryLimit)
        episodeBits = bitWidth(ModelConfiguration.episodeRange.upperBound)
        commandCountBits = bitWidth(configuration.maxCommands)
        countBits = bitWidth(Int(InboxLayout.capacity))
        inboxSizes = (0..<layout.inboxCount).map(layout.size)
    }

    /// Bits one packed state uses; at most ``PackedState/capacityBits`` for every valid configuration.
    var bitsUsed: Int { encodeWriter(ModelState.initial(configuration)).offset }

    func encode(_ state: ModelState) -> PackedState { encodeWriter(state).packed }

    private func encodeWriter(_ s: ModelState) -> BitWriter {
        var w = BitWriter()
        w.write(s.tick, bits: tickBits)
        w.write(s.phase, bits: phaseBits)
        for node in s.nodes {
            w.write(node.state.ordinal, bits: 3)
            w.write(node.round, bits: roundBits)
            w.write(node.hasJob)
            w.write(Int(node.seen), bits: commands)
        }
        let a = s.aggregator
        w.write(a.state.ordinal, bits: 2)
        w.write(a.round, bits: roundBits)
        w.write(a.hasJob)
        for round in 0..<rounds { w.write(Int(a.pending[round]), bits: k) }
        w.write(Int(a.completed), bits: rounds)
        w.write(Int(a.isolated), bits: k)
        w.write(Int(a.seen), bits: commands)
        let c = s.control
        w.write(c.engine.ordinal, bits: 2)
        w.write(c.concluded.rawValue, bits: 2)
        w.write(c.clearanceTainted)
        w.write(Int(c.isolated), bits: k)
        w.write(Int(c.holding), bits: predicates)
        for p in 0..<predicates {
            w.write(Int(c.episodesLeft[p]), bits: episodeBits)
            w.write(Int(c.episodeTargets[p]), bits: k)
        }
        w.write(c.commands.count, bits: commandCountBits)
        for command in c.commands {
            w.write(Self.kinds.firstIndex(of: command.kind)!, bits: 2)
            w.write(command.subject, bits: subjectBits)
            w.write(Int(command.targets), bits: k + 1)
            w.write(Int(command.acked), bits: k + 1)
            w.write(command.retries, bits: retryBits)
            w.write(command.closed)
        }
        w.write(s.collector.ordinal, bits: 2)
        w.write(s.audit.ordinal, bits: 1)
        w.write(s.budget.losses, bits: 2)
        w.write(s.budget.duplicates, bits: 2)
        w.write(s.budget.delays, bits: 2)
        w.write(s.budget.crashes, bits: 2)
        for (inbox, size) in inboxSizes.enumerated() {
            let counts = s.inboxes[inbox]
            for slot in 0..<size { w.write(Int(counts[slot]), bits: countBits) }
        }
        w.write(Int(s.framed), bits: k + 1)
        for p in 0...k { w.write(Int(s.ghost.executed[p]), bits: commands) }
        w.write(s.ghost.doubleExecution)
        w.write(s.ghost.finalizedTainted)
        w.write(s.ghost.illegalTransition)
        w.write(s.ghost.boundExceeded)
        return w
    }

    func decode(_ packed: PackedState) -> ModelState {
        var b = BitReader(packed)
        var s = ModelState.initial(configuration)
        s.tick = b.read(bits: tickBits)
        s.phase = b.read(bits: phaseBits)
        for i in 0..<k {
            s.nodes[i] = ModelNode(
                state: NodeState.at(b.read(bits: 3)), round: b.read(bits: roundBits), hasJob: b.readFlag(),
                seen: UInt8(b.read(bits: commands)))
        }
        s.aggregator.state = AggregatorState.at(b.read(bits: 2))
        s.aggregator.round = b.read(bits: roundBits)
        s.aggregator.hasJob = b.readFlag()
        for round in 0..<rounds { s.aggregator.pending[round] = UInt8(b.read(bits: k)) }
        s.aggregator.completed = UInt8(b.read(bits: rounds))
        s.aggregator.isolated = UInt8(b.read(bits: k))
        s.aggregator.seen = UInt8(b.read(bits: commands))
        s.control.engine = ControlEngineState.at(b.read(bits: 2))
        s.control.concluded = ModelConclusion(rawValue: b.read(bits: 2))!
        s.control.clearanceTainted = b.readFlag()
        s.control.isolated = UInt8(b.read(bits: k))
        s.control.holding = UInt8(b.read(bits: predicates))
        for p in 0..<predicates {
            s.control.episodesLeft[p] = UInt8(b.read(bits: episodeBits))
            s.control.episodeTargets[p] = UInt8(b.read(bits: k))
        }
        for _ in 0..<b.read(bits: commandCountBits) {
            s.control.commands.append(
                ModelCommand(
                    kind: Self.kinds[b.read(bits: 2)], subject: b.read(bits: subjectBits),
                    targets: UInt8(b.read(bits: k + 1)), acked: UInt8(b.read(bits: k + 1)),
                    retries: b.read(bits: retryBits), closed: b.readFlag()))
        }
        s.collector = CollectorState.at(b.read(bits: 2))
        s.audit = AuditState.at(b.read(bits: 1))
        s.budget = FaultBudget(
            losses: b.read(bits: 2), duplicates: b.read(bits: 2), delays: b.read(bits: 2), crashes: b.read(bits: 2))
        for (inbox, size) in inboxSizes.enumerated() {
            var counts = Bytes32.zero
            for slot in 0..<size { counts[slot] = UInt8(b.read(bits: countBits)) }
            s.inboxes[inbox] = counts
        }
        s.framed = UInt8(b.read(bits: k + 1))
        for p in 0...k { s.ghost.executed[p] = UInt8(b.read(bits: commands)) }
        s.ghost.doubleExecution = b.readFlag()
        s.ghost.finalizedTainted = b.readFlag()
        s.ghost.illegalTransition = b.readFlag()
        s.ghost.boundExceeded = b.readFlag()
        return s
    }
}
