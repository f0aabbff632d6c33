/// The properties the model checker establishes (docs/model-checking.md gives their exact statements).
public enum ModelProperty: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// Seed 003 eq. (1): the aggregator is in FINALIZE only if every node that was not isolated is in POSTF or
    /// DONE, and no enabled predicate held in the tick whose batch the clearance was signed on.
    case releaseSafety = "release-safety"
    /// Every participant executes each command id at most once (retries and duplicates are acknowledged only).
    case atMostOnce = "at-most-once"
    /// Every machine move the model makes is a row of the machine's table (the runtime would throw otherwise).
    case tableConformance = "table-conformance"
    /// The model's bounds held: no inbox exceeded its capacity and no more commands were signed than the model
    /// has identifiers for. A violation means the model, not the system, must be enlarged.
    case modelBounds = "model-bounds"
    /// Seed 003 eq. (3): every run ends with every machine terminal (each node DONE or ABORTED, the aggregator
    /// FINALIZE or ABORTED): no reachable cycle or dead end among non-terminal states.
    case termination = "termination"
    /// Seed 003 eq. (2): the ranking function never increases along a transition and is 0 exactly in terminal
    /// states.
    case ranking = "ranking"

    public var isSafety: Bool { ![.termination, .ranking].contains(self) }

    public var description: String { rawValue }
}
