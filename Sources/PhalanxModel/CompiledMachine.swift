import PhalanxCore

/// A machine's transition table compiled into an array, built by asking the table itself —
/// `StateMachineSpec.target(from:on:given:)`, the function the runtime's `StateMachine.fire` uses — about every
/// (state, event, established guards). The model makes every machine move through one of these, so it
/// follows the runtime's tables row for row without re-encoding them, at the cost of an array lookup.
struct CompiledMachine<S: MachineState & ModelOrdinal, E: MachineEvent & ModelOrdinal>: Sendable {
    let spec: StateMachineSpec<S, E>
    private let states: [S]
    private let events: [E]
    /// Per (state, event, guard bits): the target's ordinal, or -1 when the table has no row.
    private let targets: [Int8]
    /// Per (state, event, guard bits): the error `target` threw.
    private let errors: [IllegalTransition?]
    /// Per state: terminal.
    private let terminal: [Bool]

    init(_ spec: StateMachineSpec<S, E>) {
        self.spec = spec
        states = Array(S.allCases)
        events = Array(E.allCases)
        var targets: [Int8] = []
        var errors: [IllegalTransition?] = []
        for state in states {
            precondition(states[state.ordinal] == state, "ordinals follow the declaration order")
            for event in events {
                precondition(events[event.ordinal] == event, "ordinals follow the declaration order")
                for bits in 0..<(1 << GuardBits.all.count) {
                    let given = GuardBits(rawValue: bits).transitionGuards
                    do {
                        targets.append(Int8(try spec.target(from: state, on: event, given: given).ordinal))
                        errors.append(nil)
                    } catch {
                        targets.append(-1)
                        errors.append(error)
                    }
                }
            }
        }
        self.targets = targets
        self.errors = errors
        self.terminal = states.map { spec.terminal.contains($0) }
    }

    private func index(_ state: S, _ event: E, _ guards: GuardBits) -> Int {
        (state.ordinal * events.count + event.ordinal) << GuardBits.all.count | guards.rawValue
    }

    /// The table's target, or the error the runtime's `StateMachine.fire` would throw.
    func target(from state: S, on event: E, given guards: GuardBits = []) -> Result<S, IllegalTransition> {
        let i = index(state, event, guards)
        let target = targets[i]
        return target >= 0 ? .success(states[Int(target)]) : .failure(errors[i]!)
    }

    func allows(_ state: S, _ event: E, given guards: GuardBits = []) -> Bool {
        targets[index(state, event, guards)] >= 0
    }

    func isTerminal(_ state: S) -> Bool { terminal[state.ordinal] }

    var initial: S { spec.initial }
}

/// The guards a caller establishes, as bits (the tables' `TransitionGuard`s).
struct GuardBits: OptionSet, Sendable {
    let rawValue: Int

    static let releaseCleared = GuardBits(rawValue: 1)
    static let moreRounds = GuardBits(rawValue: 2)
    static let all: [(GuardBits, TransitionGuard)] = [(.releaseCleared, .releaseCleared), (.moreRounds, .moreRounds)]

    var transitionGuards: Set<TransitionGuard> { Set(Self.all.filter { contains($0.0) }.map(\.1)) }
}

/// The five machines of `Machines`, compiled once.
enum Tables {
    static let node = CompiledMachine(Machines.node)
    static let aggregator = CompiledMachine(Machines.aggregator)
    static let controlEngine = CompiledMachine(Machines.controlEngine)
    static let collector = CompiledMachine(Machines.collector)
    static let audit = CompiledMachine(Machines.audit)
}
