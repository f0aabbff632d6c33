/// Termination on the explored graph (seed 003 eq. 3): no non-terminal state without a successor, and no cycle
/// through non-terminal states. Time is finite in the model (ticks stop at the job timeout), so a run that
/// never terminates must revisit a state: a cycle is exactly a run that lingers forever.
///
/// When the non-terminal part is acyclic, the analysis also computes the tightest variant: μ(s), the length
/// of the longest path from s to a terminal state. It strictly decreases along every transition out of a
/// non-terminal state — a certificate of termination that extends the seed's V, which may stay stable.
struct LivenessAnalysis {
    enum Verdict {
        /// μ of the initial state: the most micro-steps any run takes.
        case terminates(longestRun: Int)
        case deadlock(state: Int)
        /// A lasso: `prefix` leads from the initial state to `loop[0]`; `loop` returns to it.
        case cycle(prefix: [Int], loop: [Int])
    }

    static func analyse(_ graph: StateGraph) -> Verdict {
        let n = graph.states.count
        for i in 0..<n where !graph.terminal[i] && graph.successors(of: i).isEmpty {
            return .deadlock(state: i)
        }
        // Iterative depth-first search over non-terminal states; 0 white, 1 on the stack, 2 finished.
        var color = [UInt8](repeating: 0, count: n)
        var longest = [Int32](repeating: 0, count: n)
        var stack: [(node: Int, next: Int)] = []
        for root in 0..<n where color[root] == 0 && !graph.terminal[root] {
            stack.append((root, 0))
            color[root] = 1
            while let top = stack.last {
                let successors = graph.successors(of: top.node)
                if top.next < successors.count {
                    stack[stack.count - 1].next += 1
                    let j = Int(successors[successors.startIndex + top.next])
                    if graph.terminal[j] { continue }
                    switch color[j] {
                    case 0:
                        color[j] = 1
                        stack.append((j, 0))
                    case 1:
                        return lasso(through: j, graph)
                    default:
                        continue
                    }
                } else {
                    var best: Int32 = 0
                    for j in successors { best = max(best, graph.terminal[Int(j)] ? 1 : longest[Int(j)] + 1) }
                    longest[top.node] = best
                    color[top.node] = 2
                    stack.removeLast()
                }
            }
        }
        return .terminates(longestRun: graph.terminal[0] ? 0 : Int(longest[0]))
    }

    /// The shortest path to `entry` and the shortest cycle from `entry` back to itself through non-terminal
    /// states.
    private static func lasso(through entry: Int, _ graph: StateGraph) -> Verdict {
        var parent: [Int: Int] = [:]
        var queue = [entry]
        var head = 0
        var found = false
        search: while head < queue.count {
            let i = queue[head]
            head += 1
            for j32 in graph.successors(of: i) {
                let j = Int(j32)
                if graph.terminal[j] { continue }
                if j == entry {
                    parent[entry] = i
                    found = true
                    break search
                }
                if parent[j] == nil {
                    parent[j] = i
                    queue.append(j)
                }
            }
        }
        precondition(found, "a back edge implies a cycle through its target")
        var loop: [Int] = []
        var current = parent[entry]!
        while current != entry {
            loop.append(current)
            current = parent[current]!
        }
        loop.append(entry)
        return .cycle(prefix: graph.path(to: entry), loop: loop.reversed())
    }
}
