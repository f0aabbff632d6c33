/// What the network does to the messages of one inbox when its owner drains it: each copy is delivered, lost,
/// duplicated (delivered now, and a copy stays for the owner's next drain) or delayed (stays for the next
/// drain, so it arrives after messages sent later). Every loss, duplicate and delay spends the fault budget.
///
/// Choosing the fates at the drain rather than at any moment in between loses no behaviour: an inbox is only
/// observed when its owner drains it.
struct DeliveryFate {
    /// Copies delivered now, per slot.
    var delivered: Bytes32
    /// The inbox after the drain: undrained slots unchanged, drained slots hold the delayed and duplicated copies.
    var kept: Bytes32
    var budget: FaultBudget
    /// What went wrong, for counterexample traces (filled only when narrating).
    var events: [String]

    /// Every fate of the first `size` slots of `inbox` for which `drains` holds, within `budget`.
    static func all(
        of inbox: Bytes32, size: Int, drains: (Int) -> Bool, budget: FaultBudget, narrate: Bool,
        name: (Int) -> String
    ) -> [DeliveryFate] {
        var results: [DeliveryFate] = []
        var current = DeliveryFate(delivered: .zero, kept: inbox, budget: budget, events: [])
        func visit(_ slot: Int) {
            guard slot < size else {
                results.append(current)
                return
            }
            let count = Int(inbox[slot])
            guard count > 0, drains(slot) else { return visit(slot + 1) }
            let saved = current
            for lost in 0...min(count, saved.budget.losses) {
                for duplicated in 0...min(count - lost, saved.budget.duplicates) {
                    for delayed in 0...min(count - lost - duplicated, saved.budget.delays) {
                        current = saved
                        current.budget.losses -= lost
                        current.budget.duplicates -= duplicated
                        current.budget.delays -= delayed
                        current.delivered[slot] = UInt8(count - lost - delayed)
                        current.kept[slot] = UInt8(delayed + duplicated)
                        if narrate {
                            let message = name(slot)
                            if lost > 0 { current.events.append("network lost \(message)\(times(lost))") }
                            if duplicated > 0 {
                                current.events.append("network duplicated \(message)\(times(duplicated))")
                            }
                            if delayed > 0 { current.events.append("network delayed \(message)\(times(delayed))") }
                        }
                        visit(slot + 1)
                    }
                }
            }
            current = saved
        }
        visit(0)
        return results
    }

    private static func times(_ n: Int) -> String { n == 1 ? "" : " ×\(n)" }
}
