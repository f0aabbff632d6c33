/// What one model-checking run established: the figures of the exploration and a verdict.
public struct ModelCheckingResult: Sendable, Codable {
    public var configuration: ModelConfiguration
    /// Distinct reachable states (terminal states are merged when they differ only in spent budgets, messages
    /// still in flight and the like).
    public var states: Int
    public var transitions: Int
    /// Largest breadth-first depth: the longest of the shortest paths, in micro-steps.
    public var depth: Int
    /// The most micro-steps any run takes to terminate (μ of the initial state), when termination holds.
    public var longestRun: Int?
    /// V of the initial state.
    public var initialRank: Int
    /// Distinct terminal states by how the job ended.
    public var finalized: Int
    public var aborted: Int
    public var seconds: Double
    /// Bits of one packed state.
    public var stateBits: Int
    /// The exploration reached the state limit: no verdict.
    public var truncated: Bool
    /// The first property broken (safety before termination before ranking), or `nil`.
    public var counterexample: Counterexample?

    public var passed: Bool { !truncated && counterexample == nil }
}
