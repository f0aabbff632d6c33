import PhalanxCore

/// The successor function of the synchronous product: from a state, every way the next micro-step can go —
/// the components' deterministic behaviour combined with every choice of the environment (message fates,
/// crashes, predicate outcomes).
struct ModelDynamics: Sendable {
    let configuration: ModelConfiguration
    let layout: InboxLayout
    /// Store one representative per permutation of the nodes (they are interchangeable).
    let symmetry: Bool

    init(_ configuration: ModelConfiguration, symmetry: Bool = true) {
        self.configuration = configuration
        self.layout = InboxLayout(configuration)
        self.symmetry = symmetry
    }

    var initial: ModelState { ModelState.initial(configuration) }

    /// The transitions out of `state`: none once every machine is terminal or a safety property is broken.
    func successors(of state: ModelState, narrate: Bool = false) -> [(ModelStep, ModelState)] {
        guard !state.isTerminal, SafetyCheck.violation(in: state, configuration) == nil else { return [] }
        let k = configuration.nodes
        let phase = TickPhase(rawValue: state.phase)!
        let start = StepBuilder(
            state, configuration: configuration, layout: layout, actor: phase.description, narrate: narrate)
        var builders: [StepBuilder]
        switch phase {
        case .nodeSteps:
            builders = [start]
            for i in 0..<k {
                builders = builders.flatMap { participantStep(i, $0) { $0.nodeStep(i, delivered: $1) } }
            }
        case .aggregatorStep:
            builders = participantStep(k, start) { $0.aggregatorStep(delivered: $1) }
        case .collect:
            builders = collect(start)
        case .commands:
            builders = [start]
            for i in 0..<k {
                builders = builders.flatMap {
                    commandPhase(i, $0) { $0.nodeCommands(i, delivered: $1, acknowledge: $2) }
                }
            }
            builders = builders.flatMap {
                commandPhase(k, $0) { $0.aggregatorCommands(delivered: $1, acknowledge: $2) }
            }
        case .settle:
            builders = settle(start)
        }
        return builders.map { builder in
            var builder = builder
            let (step, next) = builder.finish(advance: phase != .settle)
            return (step, symmetry ? Symmetry.canonical(next, layout: layout) : next)
        }
    }

    private func isTerminal(_ p: Int, _ state: ModelState) -> Bool {
        p == configuration.nodes
            ? Tables.aggregator.isTerminal(state.aggregator.state)
            : Tables.node.isTerminal(state.nodes[p].state)
    }

    private func hasJob(_ p: Int, _ state: ModelState) -> Bool {
        p == configuration.nodes ? state.aggregator.hasJob : state.nodes[p].hasJob
    }

    private func name(_ p: Int) -> String {
        p == configuration.nodes ? "aggregator" : p == configuration.nodes + 1 ? "control" : "node \(p)"
    }

    /// A participant's step: it may crash first (losing its inbox and missing the step), or drain its whole
    /// inbox under every fate the budget allows and run the step.
    private func participantStep(
        _ p: Int, _ start: StepBuilder, run: (inout StepBuilder, Bytes32) -> Void
    ) -> [StepBuilder] {
        var out: [StepBuilder] = []
        let state = start.state
        // Fault-free choices come first, so that breadth-first parents (and traces) prefer them.
        for fate in fates(of: p, state, narrate: start.narrates, commandsOnly: false) {
            var builder = start.branch()
            builder.state.inboxes[p] = fate.kept
            builder.state.budget = fate.budget
            builder.note(fate.events)
            run(&builder, fate.delivered)
            out.append(builder)
        }
        if state.budget.crashes > 0, hasJob(p, state), !isTerminal(p, state) {
            var builder = start.branch()
            builder.crash(p)
            out.append(builder)
        }
        return out
    }

    /// A participant's command phase: it drains only commands; it may crash right after executing them, in
    /// which case the acks are never sent and the rest of its inbox is lost.
    private func commandPhase(
        _ p: Int, _ start: StepBuilder, run: (inout StepBuilder, Bytes32, Bool) -> Void
    ) -> [StepBuilder] {
        var out: [StepBuilder] = []
        let state = start.state
        let canCrash = state.budget.crashes > 0 && hasJob(p, state) && !isTerminal(p, state)
        for fate in fates(of: p, state, narrate: start.narrates, commandsOnly: true) {
            for crashes in canCrash ? [false, true] : [false] {
                var builder = start.branch()
                builder.state.inboxes[p] = fate.kept
                builder.state.budget = fate.budget
                builder.note(fate.events)
                run(&builder, fate.delivered, !crashes)
                if crashes { builder.crash(p) }
                out.append(builder)
            }
        }
        return out
    }

    private func fates(of inbox: Int, _ state: ModelState, narrate: Bool, commandsOnly: Bool) -> [DeliveryFate] {
        DeliveryFate.all(
            of: state.inboxes[inbox], size: layout.size(inbox),
            drains: { !commandsOnly || layout.isCommand($0, in: inbox) },
            budget: state.budget, narrate: narrate,
            name: { "\(layout.describe(layout.message(at: $0, in: inbox))) to \(name(inbox))" })
    }

    /// Collection: the control plane's acks under every fate, every subset of this tick's frames lost, every
    /// predicate outcome (predicates are evaluated only on a non-empty batch of a job not yet concluded).
    private func collect(_ start: StepBuilder) -> [StepBuilder] {
        var out: [StepBuilder] = []
        let state = start.state
        let k = configuration.nodes
        for fate in fates(of: layout.control, state, narrate: start.narrates, commandsOnly: false) {
            let framed = state.framed
            for lost in subsets(of: framed, atMost: fate.budget.losses) {
                let accepted = framed & ~lost
                let outcomes =
                    accepted != 0 && state.control.concluded == .none
                    ? PredicateOutcome.all(control: state.control, configuration: configuration)
                    : [PredicateOutcome.none]
                for outcome in outcomes {
                    var builder = start.branch()
                    builder.state.inboxes[layout.control] = fate.kept
                    builder.state.budget = fate.budget
                    builder.state.budget.losses -= lost.nonzeroBitCount
                    builder.note(fate.events)
                    for p in 0...k where lost & (1 << p) != 0 { builder.note("network lost the frame of \(name(p))") }
                    builder.receiveAcks(fate.delivered)
                    if start.narrates { describe(outcome, into: builder) }
                    builder.collect(accepted: accepted, outcome: outcome)
                    out.append(builder)
                }
            }
        }
        return out
    }

    private func describe(_ outcome: PredicateOutcome, into builder: StepBuilder) {
        for (p, predicate) in configuration.predicates.enumerated() where outcome.holds & (1 << p) != 0 {
            let offender = outcome.offender(p).map { " (offender node \($0))" } ?? ""
            builder.note("predicate \(predicate.id) holds\(offender)")
        }
    }

    private func settle(_ start: StepBuilder) -> [StepBuilder] {
        fates(of: layout.control, start.state, narrate: start.narrates, commandsOnly: false).map { fate in
            var builder = start.branch()
            builder.state.inboxes[layout.control] = fate.kept
            builder.state.budget = fate.budget
            builder.note(fate.events)
            builder.receiveAcks(fate.delivered)
            builder.settle()
            return builder
        }
    }

    /// Every subset of the bits of `set` with at most `limit` members.
    private func subsets(of set: UInt8, atMost limit: Int) -> [UInt8] {
        var result: [UInt8] = [0]
        for bit in 0..<8 where set & (1 << bit) != 0 {
            result += result.filter { $0.nonzeroBitCount < limit }.map { $0 | (1 << bit) }
        }
        return result
    }
}
