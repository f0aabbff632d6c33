/// A state of some machine; its raw value is the name used in telemetry, tables and the model checker.
public protocol MachineState: RawRepresentable<String>, Hashable, Sendable, CaseIterable, Codable {}
/// An event that drives a machine.
public protocol MachineEvent: RawRepresentable<String>, Hashable, Sendable, CaseIterable, Codable {}

/// A named condition that must hold for a guarded transition. Guards are part of the table, not hidden in
/// code, so the model checker sees them: the caller states which guards it has established.
public struct TransitionGuard: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Every node is in a safe state (POSTF or later) and no enabled guard-rail predicate holds.
    public static let releaseCleared = TransitionGuard(rawValue: "releaseCleared")
    /// More rounds remain.
    public static let moreRounds = TransitionGuard(rawValue: "moreRounds")
}

/// One row of a transition table.
public struct Transition<State: MachineState, Event: MachineEvent>: Hashable, Sendable {
    public let from: State
    public let event: Event
    public let to: State
    public let guardCondition: TransitionGuard?

    public init(_ from: State, _ event: Event, _ to: State, when guardCondition: TransitionGuard? = nil) {
        self.from = from
        self.event = event
        self.to = to
        self.guardCondition = guardCondition
    }
}

/// A finite-state machine as data: states, an initial state, terminal states and a transition table.
///
/// The same table drives the runtime (through ``StateMachine``) and is exported for model checking, so it
/// must be deterministic: at most one row per (state, event, guard).
public struct StateMachineSpec<State: MachineState, Event: MachineEvent>: Sendable {
    public let name: String
    public let initial: State
    public let terminal: Set<State>
    public let transitions: [Transition<State, Event>]

    public init(name: String, initial: State, terminal: Set<State>, transitions: [Transition<State, Event>]) {
        self.name = name
        self.initial = initial
        self.terminal = terminal
        self.transitions = transitions
    }

    /// The rows leaving `state` on `event`.
    public func rows(from state: State, on event: Event) -> [Transition<State, Event>] {
        transitions.filter { $0.from == state && $0.event == event }
    }

    /// The target of `event` in `state` given the guards the caller has established, or an error.
    public func target(
        from state: State,
        on event: Event,
        given guards: Set<TransitionGuard> = []
    ) throws(IllegalTransition) -> State {
        let rows = rows(from: state, on: event)
        guard !rows.isEmpty else {
            throw IllegalTransition(machine: name, from: state.rawValue, event: event.rawValue, missingGuard: nil)
        }
        if let row = rows.first(where: { $0.guardCondition.map(guards.contains) ?? true }) {
            return row.to
        }
        throw IllegalTransition(
            machine: name,
            from: state.rawValue,
            event: event.rawValue,
            missingGuard: rows.compactMap(\.guardCondition).first
        )
    }

    /// Problems that would make the table ambiguous or leave states unreachable; empty when well formed.
    public func problems() -> [String] {
        var problems: [String] = []
        var seen = Set<String>()
        for row in transitions {
            let key = "\(row.from.rawValue)|\(row.event.rawValue)|\(row.guardCondition?.rawValue ?? "")"
            if !seen.insert(key).inserted {
                problems.append("\(name): two rows for \(row.from.rawValue) on \(row.event.rawValue)")
            }
            if terminal.contains(row.from) {
                problems.append("\(name): terminal state \(row.from.rawValue) has an outgoing transition")
            }
        }
        var reachable: Set<State> = [initial]
        var frontier = [initial]
        while let state = frontier.popLast() {
            for row in transitions where row.from == state && reachable.insert(row.to).inserted {
                frontier.append(row.to)
            }
        }
        for state in State.allCases where !reachable.contains(state) {
            problems.append("\(name): state \(state.rawValue) is unreachable")
        }
        return problems
    }

    /// A type-erased description, for listings and model-checker export.
    public var table: MachineTable {
        MachineTable(
            name: name,
            states: State.allCases.map(\.rawValue),
            events: Event.allCases.map(\.rawValue),
            initial: initial.rawValue,
            terminal: terminal.map(\.rawValue).sorted(),
            transitions: transitions.map {
                .init(
                    from: $0.from.rawValue, event: $0.event.rawValue, to: $0.to.rawValue,
                    guard: $0.guardCondition?.rawValue)
            }
        )
    }
}

/// A state machine's table with plain strings.
public struct MachineTable: Hashable, Sendable, Codable {
    public struct Row: Hashable, Sendable, Codable {
        public let from: String
        public let event: String
        public let to: String
        public let `guard`: String?
    }

    public let name: String
    public let states: [String]
    public let events: [String]
    public let initial: String
    public let terminal: [String]
    public let transitions: [Row]
}

/// An event that the table does not allow in the current state.
public struct IllegalTransition: Error, Hashable, Sendable, CustomStringConvertible {
    public let machine: String
    public let from: String
    public let event: String
    /// Set when a row exists but its guard was not established.
    public let missingGuard: TransitionGuard?

    public var description: String {
        if let missingGuard {
            return "\(machine) state machine: \(event) in \(from) requires the guard \(missingGuard)"
        }
        return "\(machine) state machine: \(event) is not allowed in state \(from)"
    }
}

/// A running instance of a machine. Illegal events throw and leave the state unchanged.
public struct StateMachine<State: MachineState, Event: MachineEvent>: Sendable {
    public let spec: StateMachineSpec<State, Event>
    public private(set) var state: State
    /// Every transition taken, in order.
    public private(set) var history: [Transition<State, Event>] = []

    public init(_ spec: StateMachineSpec<State, Event>) {
        self.spec = spec
        self.state = spec.initial
    }

    public var isTerminal: Bool { spec.terminal.contains(state) }

    /// Whether `event` is allowed now (given `guards`).
    public func allows(_ event: Event, given guards: Set<TransitionGuard> = []) -> Bool {
        (try? spec.target(from: state, on: event, given: guards)) != nil
    }

    /// Takes the transition for `event`, or throws ``IllegalTransition``.
    @discardableResult
    public mutating func fire(
        _ event: Event, given guards: Set<TransitionGuard> = []
    ) throws(IllegalTransition) -> State {
        let next = try spec.target(from: state, on: event, given: guards)
        history.append(Transition(state, event, next))
        state = next
        return next
    }
}
