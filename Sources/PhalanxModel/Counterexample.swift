/// A run of the model that breaks a property, from the initial state: every step with what each component
/// and the environment did, and the global state after it. A liveness counterexample is a lasso: the steps
/// from `loopStart` on repeat forever.
public struct Counterexample: Sendable, Codable {
    public struct Entry: Sendable, Codable {
        /// `nil` for the initial state.
        public var step: ModelStep?
        public var state: String
    }

    public var property: ModelProperty
    public var detail: String
    public var entries: [Entry]
    /// For a cycle: the index of the entry whose state the last step returns to.
    public var loopStart: Int?

    /// The trace as numbered text.
    public var text: String {
        var lines = ["counterexample: \(property) — \(detail)"]
        for (n, entry) in entries.enumerated() {
            if let step = entry.step { lines.append("\(n). \(step)") } else { lines.append("0. initial state") }
            lines.append(entry.state.split(separator: "\n").map { "     " + $0 }.joined(separator: "\n"))
            if let loopStart, n == loopStart { lines.append("-- loop: the steps below repeat forever --") }
        }
        if let loopStart { lines.append("-- back to the state after step \(loopStart) --") }
        return lines.joined(separator: "\n")
    }

    /// Rebuilds the steps between consecutive states of `path` by re-running the successor function with
    /// narration. The explorer stores one representative per permutation of the nodes; the trace follows
    /// concrete states instead, so a node keeps its number from step to step.
    static func build(
        _ property: ModelProperty, _ detail: String, path: [Int], loopStart: Int? = nil, graph: StateGraph,
        explorer: Explorer
    ) -> Counterexample {
        let configuration = explorer.configuration
        let concrete = ModelDynamics(configuration, symmetry: false)
        var state = explorer.codec.decode(graph.states[path[0]])
        var entries = [Entry(step: nil, state: state.summary(configuration))]
        for target in path.dropFirst() {
            let packed = graph.states[target]
            let found = concrete.successors(of: state, narrate: true).first {
                explorer.codec.encode(Symmetry.canonical($0.1, layout: concrete.layout)) == packed
            }
            guard let (step, next) = found else { preconditionFailure("a trace step is not a transition") }
            entries.append(Entry(step: step, state: next.summary(configuration)))
            state = next
        }
        return Counterexample(property: property, detail: detail, entries: entries, loopStart: loopStart)
    }
}
