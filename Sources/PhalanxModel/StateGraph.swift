/// The reachable state graph, built breadth first: states in discovery order (so parent links give shortest
/// paths from the initial state) and successor lists in compressed rows.
struct StateGraph {
    var states: [PackedState] = []
    var index: [PackedState: Int32] = [:]
    /// The state each state was first reached from (-1 for the initial state).
    var parents: [Int32] = []
    /// Successors of state `i`: `edges[edgeStart[i]..<edgeStart[i + 1]]`, for expanded states.
    var edgeStart: [Int32] = [0]
    var edges: [Int32] = []
    /// Every machine is terminal.
    var terminal: [Bool] = []

    func successors(of i: Int) -> ArraySlice<Int32> {
        edges[Int(edgeStart[i])..<Int(edgeStart[i + 1])]
    }

    /// The shortest path from the initial state to `i`, as state indices.
    func path(to i: Int) -> [Int] {
        var path = [i]
        var current = i
        while parents[current] >= 0 {
            current = Int(parents[current])
            path.append(current)
        }
        return path.reversed()
    }

    /// Inserts `packed` if it is new; returns its index and whether it was new.
    mutating func insert(_ packed: PackedState, parent: Int, terminal isTerminal: Bool) -> (Int, Bool) {
        if let existing = index[packed] { return (Int(existing), false) }
        let i = states.count
        states.append(packed)
        index[packed] = Int32(i)
        parents.append(Int32(parent))
        terminal.append(isTerminal)
        return (i, true)
    }
}
