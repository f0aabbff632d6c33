import PhalanxCore

/// A machine state or event's position in its declaration order, so the model can store machine states in a
/// byte and look transitions up in a ``CompiledMachine`` without hashing strings.
protocol ModelOrdinal: CaseIterable, Equatable {
    var ordinal: Int { get }
    /// Every case in declaration order (`allCases`, computed once).
    static var ordered: [Self] { get }
}

extension ModelOrdinal {
    /// The case at `ordinal`.
    static func at(_ ordinal: Int) -> Self { ordered[ordinal] }
}

extension NodeState: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .idle: 0
        case .preflight: 1
        case .inflight: 2
        case .postflight: 3
        case .done: 4
        case .aborted: 5
        }
    }
}

extension NodeEvent: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .jobAnnounced: 0
        case .resourcesReady: 1
        case .roundCompleted: 2
        case .computationFinished: 3
        case .resultPublished: 4
        case .abort: 5
        }
    }
}

extension AggregatorState: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .wait: 0
        case .merge: 1
        case .finalize: 2
        case .aborted: 3
        }
    }
}

extension AggregatorEvent: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .contributionsComplete: 0
        case .roundMerged: 1
        case .releaseCleared: 2
        case .abort: 3
        }
    }
}

extension ControlEngineState: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .ready: 0
        case .evaluate: 1
        case .dispatch: 2
        }
    }
}

extension ControlEngineEvent: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .batchSealed: 0
        case .allClear: 1
        case .predicateFired: 2
        case .commandsDue: 3
        case .acksSettled: 4
        }
    }
}

extension CollectorState: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .open: 0
        case .write: 1
        case .seal: 2
        }
    }
}

extension CollectorEvent: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .frameAccepted: 0
        case .tickEnded: 1
        case .batchRecorded: 2
        }
    }
}

extension AuditState: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .append: 0
        case .commit: 1
        }
    }
}

extension AuditEvent: ModelOrdinal {
    static let ordered = Array(allCases)

    var ordinal: Int {
        switch self {
        case .recordAppended: 0
        case .blockSealed: 1
        case .blockCommitted: 2
        }
    }
}
