/// A predicate's alert state across ticks, as Prometheus alerting rules keep it: an expression that starts to
/// hold makes the predicate *pending*; once it has held for `for` (``PredicateRule/pendingFor``) it *fires*; after
/// it stops holding it keeps firing for `keep_firing_for` (``PredicateRule/keepFiringFor``), then *resolves*
/// (back to inactive).
///
/// Ticks are the sentinel's evaluations (one per sealed tick, 1 Hz). With `for: 0s` a predicate fires on the first
/// tick its expression holds; with `for: 2s` on the third consecutive one. A tick in which the expression does not
/// hold resets a pending predicate. A predicate that could not be evaluated fires at once (fail safe).
public enum AlertStatus: Hashable, Sendable, CustomStringConvertible {
    /// The expression does not hold (and the predicate is not kept firing).
    case inactive
    /// The expression has held for `heldTicks` consecutive ticks, fewer than `for` requires.
    case pending(heldTicks: Int)
    /// The predicate fires: its command is due, and no release may be cleared.
    case firing

    public var description: String {
        switch self {
        case .inactive: "inactive"
        case .pending(let held): "pending (held \(held) tick\(held == 1 ? "" : "s"))"
        case .firing: "firing"
        }
    }
}

struct AlertTracker: Sendable {
    private var held: [String: Int] = [:]
    /// For a firing predicate whose expression stopped holding: the ticks it has been quiet.
    private var quiet: [String: Int] = [:]
    private var firing: Set<String> = []

    /// The status of `rule` after a tick in which its expression did (`holds`) or did not hold.
    mutating func update(_ rule: PredicateRule, holds: Bool, failed: Bool) -> AlertStatus {
        let id = rule.id
        if holds || failed {
            held[id, default: 0] += 1
            quiet[id] = nil
            if failed || firing.contains(id) || held[id]! > rule.pendingFor.ticks {
                firing.insert(id)
                return .firing
            }
            return .pending(heldTicks: held[id]!)
        }
        held[id] = nil
        guard firing.contains(id) else { return .inactive }
        let silent = quiet[id, default: 0] + 1
        if silent <= rule.keepFiringFor.ticks {
            quiet[id] = silent
            return .firing
        }
        quiet[id] = nil
        firing.remove(id)
        return .inactive
    }
}
