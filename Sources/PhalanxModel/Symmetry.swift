import PhalanxCore

/// Symmetry reduction over nodes: nodes are interchangeable (same machine, same code, same budgets), so the
/// explorer stores one representative per permutation of them — the state whose nodes are sorted by
/// everything that concerns each node. Two nodes with equal signatures can be swapped without changing the
/// state, so the representative is unique.
enum Symmetry {
    static func canonical(_ state: ModelState, layout: InboxLayout) -> ModelState {
        let k = layout.nodes
        guard k > 1 else { return state }
        var signatures: [Bytes64] = []
        signatures.reserveCapacity(k)
        for j in 0..<k { signatures.append(signature(of: j, in: state, layout: layout)) }
        // Insertion sort of at most four nodes, stable, so equal signatures keep their order.
        var order = SIMD4<Int>(0, 1, 2, 3)
        for i in 1..<k {
            var j = i
            while j > 0, signatures[order[i]].precedes(signatures[order[j - 1]], count: 64) { j -= 1 }
            if j < i {
                let moving = order[i]
                var m = i
                while m > j {
                    order[m] = order[m - 1]
                    m -= 1
                }
                order[j] = moving
            }
        }
        if (0..<k).allSatisfy({ order[$0] == $0 }) { return state }
        return permuted(state, order: order, layout: layout)
    }

    /// Everything about node `j`, in a fixed order.
    private static func signature(of j: Int, in s: ModelState, layout: InboxLayout) -> Bytes64 {
        let bit = UInt8(1) << j
        var out = Bytes64.zero
        var n = 0
        func put(_ value: UInt8) {
            out[n] = value
            n += 1
        }
        func put(_ flag: Bool) { put(flag ? 1 : 0) }
        let node = s.nodes[j]
        put(UInt8(node.state.ordinal))
        put(UInt8(node.round))
        put(node.hasJob)
        put(node.seen)
        put(s.ghost.executed[j])
        put(s.framed & bit != 0)
        put(s.aggregator.isolated & bit != 0)
        put(s.control.isolated & bit != 0)
        let inbox = s.inboxes[j]
        for slot in 0..<layout.size(j) { put(inbox[slot]) }
        let aggregatorInbox = s.inboxes[layout.aggregator]
        for round in 0..<layout.rounds {
            put(aggregatorInbox[layout.slot(of: .contribution(node: j, round: round), in: layout.aggregator)])
            put(s.aggregator.pending[round] & bit != 0)
        }
        for p in 0..<4 { put(s.control.episodeTargets[p] & bit != 0) }
        for command in s.control.commands {
            put(command.kind == .isolateParty && command.subject == j)
            put(command.targets & bit != 0)
            put(command.acked & bit != 0)
        }
        let controlInbox = s.inboxes[layout.control]
        for id in 0..<layout.commands {
            put(controlInbox[layout.slot(of: .ack(participant: j, command: id), in: layout.control)])
        }
        return out
    }

    /// The state whose node `n` is node `order[n]` of `s`.
    static func permuted(_ s: ModelState, order: SIMD4<Int>, layout: InboxLayout) -> ModelState {
        let k = layout.nodes
        func remap(_ mask: UInt8) -> UInt8 {
            var out = mask & ~UInt8((1 << k) - 1)
            for n in 0..<k where mask & (1 << order[n]) != 0 { out |= 1 << n }
            return out
        }
        var t = s
        let agg = layout.aggregator
        let control = layout.control
        for n in 0..<k {
            let j = order[n]
            t.nodes[n] = s.nodes[j]
            t.inboxes[n] = s.inboxes[j]
            t.ghost.executed[n] = s.ghost.executed[j]
            for round in 0..<layout.rounds {
                let to = layout.slot(of: .contribution(node: n, round: round), in: agg)
                let from = layout.slot(of: .contribution(node: j, round: round), in: agg)
                t.inboxes[agg, to] = s.inboxes[agg, from]
            }
            for id in 0..<layout.commands {
                let to = layout.slot(of: .ack(participant: n, command: id), in: control)
                let from = layout.slot(of: .ack(participant: j, command: id), in: control)
                t.inboxes[control, to] = s.inboxes[control, from]
            }
        }
        for round in 0..<layout.rounds { t.aggregator.pending[round] = remap(s.aggregator.pending[round]) }
        t.aggregator.isolated = remap(s.aggregator.isolated)
        t.control.isolated = remap(s.control.isolated)
        for p in 0..<4 { t.control.episodeTargets[p] = remap(s.control.episodeTargets[p]) }
        for id in s.control.commands.indices {
            var c = s.control.commands[id]
            c.targets = remap(c.targets)
            c.acked = remap(c.acked)
            if c.kind == .isolateParty { c.subject = (0..<k).first { order[$0] == c.subject }! }
            t.control.commands[id] = c
        }
        t.framed = remap(s.framed)
        return t
    }
}
