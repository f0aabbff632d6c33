import PhalanxCore

/// Applies one micro-step to a copy of a state. Every machine move goes through the machine's transition
/// table (``Tables``, compiled from `Machines` by `StateMachineSpec.target(from:on:given:)`), exactly the tables
/// the runtime drives; an event the table refuses leaves the machine where it is and marks the state (the
/// runtime would throw).
struct StepBuilder {
    let configuration: ModelConfiguration
    let layout: InboxLayout
    var state: ModelState
    let actor: String
    /// The tick in which the step happens (settlement ends it).
    let tick: Int
    /// Where the step's description goes when narrating (a class, so that noting is not a mutation).
    private var narration: Narration?

    final class Narration {
        var events: [String] = []
        init(_ events: [String] = []) { self.events = events }
    }

    init(_ state: ModelState, configuration: ModelConfiguration, layout: InboxLayout, actor: String, narrate: Bool) {
        self.state = state
        self.configuration = configuration
        self.layout = layout
        self.narration = narrate ? Narration() : nil
        self.actor = actor
        self.tick = state.tick
    }

    /// A copy to continue along another choice of the environment.
    func branch() -> StepBuilder {
        var copy = self
        copy.narration = narration.map { Narration($0.events) }
        return copy
    }

    var k: Int { configuration.nodes }
    var fault: PlantedFault? { configuration.plantedFault }
    var allNodes: UInt8 { UInt8((1 << k) - 1) }
    var allReporters: UInt8 { UInt8((1 << (k + 1)) - 1) }
    var narrates: Bool { narration != nil }

    func note(_ text: @autoclosure () -> String) {
        narration?.events.append(text())
    }

    func note(_ more: [String]) {
        narration?.events += more
    }

    /// The table's target of `event`, or `state` itself (and the state is marked) when the table has no row.
    mutating func fire<S, E>(
        _ machine: CompiledMachine<S, E>, _ state: S, _ event: E, given guards: GuardBits = [], who: String
    ) -> S {
        switch machine.target(from: state, on: event, given: guards) {
        case .success(let next):
            if next != state, who != "collector", who != "audit" {
                note("\(who) \(state.rawValue) --\(event.rawValue)--> \(next.rawValue)")
            }
            return next
        case .failure(let error):
            self.state.ghost.illegalTransition = true
            note("ILLEGAL: \(error.description)")
            return state
        }
    }

    mutating func moveNode(_ i: Int, _ event: NodeEvent) {
        let next = fire(Tables.node, state.nodes[i].state, event, who: "node \(i)")
        state.nodes[i].state = next
    }

    mutating func moveAggregator(_ event: AggregatorEvent, given guards: GuardBits = []) {
        let next = fire(Tables.aggregator, state.aggregator.state, event, given: guards, who: "aggregator")
        state.aggregator.state = next
    }

    mutating func moveEngine(_ event: ControlEngineEvent) {
        let next = fire(Tables.controlEngine, state.control.engine, event, who: "control engine")
        state.control.engine = next
    }

    mutating func moveCollector(_ event: CollectorEvent) {
        let next = fire(Tables.collector, state.collector, event, who: "collector")
        state.collector = next
    }

    mutating func moveAudit(_ event: AuditEvent) {
        let next = fire(Tables.audit, state.audit, event, who: "audit")
        state.audit = next
    }

    /// The audit engine appends one record (what it records is noted by the caller).
    mutating func audit() {
        moveAudit(.recordAppended)
    }

    /// Puts `message` into inbox `inbox`; past the inbox's capacity the state is marked (model bound).
    mutating func send(_ message: ModelMessage, to inbox: Int) {
        let slot = layout.slot(of: message, in: inbox)
        if state.inboxes[inbox, slot] >= InboxLayout.capacity {
            state.ghost.boundExceeded = true
            note("BOUND: inbox \(inbox) holds \(InboxLayout.capacity) copies of \(message) already")
            return
        }
        state.inboxes[inbox, slot] += 1
    }

    func participantName(_ p: Int) -> String { p == k ? "aggregator" : "node \(p)" }

    /// The command gateway of participant `p` (a node or the aggregator) handles command `id`: a seen
    /// identifier is acknowledged as duplicate and not executed; otherwise `apply` runs, the identifier is
    /// remembered, and the command is acknowledged. With `acknowledge` false the ack is never sent (the
    /// participant crashes right after executing).
    mutating func receiveCommand(
        _ id: Int, at p: Int, acknowledge: Bool, apply: (inout StepBuilder, ModelCommand) -> Void
    ) {
        let bit = UInt8(1) << id
        let command = state.control.commands[id]
        let seen = p == k ? state.aggregator.seen : state.nodes[p].seen
        if seen & bit != 0, fault != .noAckDeduplication {
            note("\(participantName(p)) acks cmd#\(id) as duplicate, not executed again")
        } else {
            if state.ghost.executed[p] & bit != 0 {
                state.ghost.doubleExecution = true
                note("\(participantName(p)) EXECUTES cmd#\(id) (\(command.kind.rawValue)) A SECOND TIME")
            } else {
                note("\(participantName(p)) executes cmd#\(id) (\(command.kind.rawValue))")
            }
            state.ghost.executed[p] |= bit
            if p == k { state.aggregator.seen |= bit } else { state.nodes[p].seen |= bit }
            apply(&self, command)
        }
        if acknowledge { send(.ack(participant: p, command: id), to: layout.control) }
    }

    /// A crash and restart of participant `p`: messages in flight to it are lost, and so is what it kept only
    /// in memory; the machine state, the round and the command log survive (they are persisted).
    mutating func crash(_ p: Int) {
        state.budget.crashes -= 1
        state.inboxes[p] = .zero
        if p == k {
            state.aggregator.pending = .zero
            state.aggregator.completed = 0
        }
        if fault == .volatileCommandLog {
            if p == k { state.aggregator.seen = 0 } else { state.nodes[p].seen = 0 }
        }
        note("\(participantName(p)) crashes and restarts: its inbox and in-memory data are lost")
    }

    /// Drops what can no longer matter, so equivalent states are stored once: a finished node's round and
    /// results, a finished aggregator's contributions and clearances. Once every machine is terminal only the
    /// machines, the isolation decisions, the conclusion and the ghost flags are kept.
    mutating func normalize() {
        for i in 0..<k where Tables.node.isTerminal(state.nodes[i].state) {
            state.nodes[i].round = 0
            state.inboxes[i, 0] = 0
        }
        if Tables.aggregator.isTerminal(state.aggregator.state) {
            if state.aggregator.state == .aborted { state.aggregator.round = 0 }
            state.aggregator.pending = .zero
            state.aggregator.completed = 0
            let inbox = layout.aggregator
            for slot in 0..<layout.size(inbox) where !layout.isCommand(slot, in: inbox) {
                state.inboxes[inbox, slot] = 0
            }
        }
        if state.isTerminal {
            var final = ModelState.initial(configuration)
            final.budget = FaultBudget(losses: 0, duplicates: 0, delays: 0, crashes: 0)
            final.control.episodesLeft = .zero
            for i in 0..<k {
                final.nodes[i] = ModelNode(state: state.nodes[i].state, round: 0, hasJob: true, seen: 0)
            }
            final.aggregator.state = state.aggregator.state
            final.aggregator.hasJob = true
            final.control.isolated = state.control.isolated
            final.control.concluded = state.control.concluded
            final.ghost = state.ghost
            final.ghost.executed = .zero
            state = final
        }
    }

    /// The finished transition: normalized, moved to the next micro-step.
    mutating func finish(advance: Bool = true) -> (ModelStep, ModelState) {
        if advance { state.phase += 1 }
        normalize()
        return (ModelStep(tick: tick, actor: actor, events: narration?.events ?? []), state)
    }
}
