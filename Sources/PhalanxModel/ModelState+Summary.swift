import PhalanxCore

extension ModelState {
    /// One line per component, for counterexample traces.
    func summary(_ configuration: ModelConfiguration) -> String {
        let layout = InboxLayout(configuration)
        let k = configuration.nodes
        let nodes = self.nodes.enumerated().map { i, node in
            let round = node.state == .inflight ? " r\(node.round)" : ""
            let isolated = control.isolated & (1 << i) != 0 ? " (isolated)" : ""
            return "n\(i) \(node.state.rawValue)\(round)\(isolated)"
        }
        let a = aggregator
        let merged = a.state == .wait || a.state == .merge ? " r\(a.round)" : ""
        let commands = control.commands.enumerated().map { id, c in
            let subject = c.kind == .isolateParty ? " n\(c.subject)" : ""
            let acked = (0...k).filter { c.acked & (1 << $0) != 0 }.map { $0 == k ? "agg" : "n\($0)" }
            let state = c.closed ? " closed" : c.missing == 0 ? " settled" : " retries \(c.retries)"
            return "#\(id) \(c.kind.rawValue)\(subject) acked {\(acked.joined(separator: ","))}\(state)"
        }
        var flight: [String] = []
        for inbox in 0..<layout.inboxCount {
            for slot in 0..<layout.size(inbox) where inboxes[inbox, slot] > 0 {
                let count = inboxes[inbox, slot]
                let to = inbox == k ? "agg" : inbox == k + 1 ? "control" : "n\(inbox)"
                let copies = count > 1 ? " ×\(count)" : ""
                flight.append("\(layout.describe(layout.message(at: slot, in: inbox)))→\(to)\(copies)")
            }
        }
        let phase = TickPhase(rawValue: self.phase)!
        if isTerminal {
            return
                "nodes: \(nodes.joined(separator: ", ")) | aggregator: \(a.state.rawValue) | every machine is terminal"
        }
        return """
            nodes: \(nodes.joined(separator: ", ")) | aggregator: \(a.state.rawValue)\(merged) | \
            control: \(control.engine.rawValue), \(control.concluded) | next: tick \(tick) \(phase)
              commands: \(commands.isEmpty ? "none" : commands.joined(separator: "; ")) | \
            in flight: \(flight.isEmpty ? "nothing" : flight.joined(separator: ", ")) | budget: \(budget)
            """
    }
}
