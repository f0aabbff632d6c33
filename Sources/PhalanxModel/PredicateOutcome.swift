/// One evaluation of the enabled predicates on a sealed batch, chosen by the environment: which predicates
/// hold, and for an isolation predicate that starts holding, the node it names.
struct PredicateOutcome: Hashable {
    /// Bit `p`: predicate `p` holds.
    var holds: UInt8
    /// Per predicate: the offender named by an isolation predicate that starts holding now, else -1.
    var offenders: SIMD4<Int8>

    static let none = PredicateOutcome(holds: 0, offenders: SIMD4(repeating: -1))

    func offender(_ p: Int) -> Int? { offenders[p] >= 0 ? Int(offenders[p]) : nil }

    /// Every outcome the environment may choose. A predicate that held at the last evaluation may go on
    /// holding; one that did not may start only while it has episodes left. An isolation predicate names one
    /// node not yet isolated, and only while another node remains (the quorum).
    static func all(control: ModelControl, configuration: ModelConfiguration) -> [PredicateOutcome] {
        var outcomes = [PredicateOutcome.none]
        let k = configuration.nodes
        for (p, predicate) in configuration.predicates.enumerated() {
            let continuing = control.holding & (1 << p) != 0
            guard continuing || control.episodesLeft[p] > 0 else { continue }
            var offenders: [Int8] = [-1]
            if predicate.command == .isolateParty, !continuing {
                let remaining = (0..<k).filter { control.isolated & (1 << $0) == 0 }
                offenders = remaining.count >= 2 ? remaining.map { Int8($0) } : []
            }
            outcomes += outcomes.flatMap { outcome in
                offenders.map { offender in
                    var next = outcome
                    next.holds |= 1 << p
                    next.offenders[p] = offender
                    return next
                }
            }
        }
        return outcomes
    }
}
