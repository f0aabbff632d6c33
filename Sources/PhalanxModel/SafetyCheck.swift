import PhalanxCore

/// The state invariants: seed 003's release safety (eq. 1), at-most-once execution of commands, conformance to
/// the transition tables, and the model's own bounds.
enum SafetyCheck {
    /// The first property `state` breaks, with a sentence saying how; `nil` when it breaks none.
    static func violation(in state: ModelState, _ configuration: ModelConfiguration) -> (ModelProperty, String)? {
        if state.ghost.illegalTransition {
            return (.tableConformance, "a machine was driven by an event its transition table does not allow")
        }
        if state.ghost.boundExceeded {
            return (.modelBounds, "an inbox or the command table exceeded the model's bounds")
        }
        if state.ghost.doubleExecution {
            return (.atMostOnce, "a participant executed the same command identifier twice")
        }
        guard state.aggregator.state == .finalize else { return nil }
        if state.ghost.finalizedTainted {
            return (.releaseSafety, "the aggregator finalized on a clearance signed while a predicate held")
        }
        for (i, node) in state.nodes.enumerated()
        where state.control.isolated & (1 << i) == 0 && !NodeState.safeForRelease.contains(node.state) {
            return (
                .releaseSafety,
                "the aggregator is in FINALIZE while node \(i) (not isolated) is in \(node.state.rawValue)"
            )
        }
        return nil
    }
}
