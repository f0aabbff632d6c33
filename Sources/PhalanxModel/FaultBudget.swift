/// What the environment may still do wrong in this run. Every fault spends one unit, so every run has finitely
/// many faults and the state space is finite.
public struct FaultBudget: Hashable, Sendable, Codable, CustomStringConvertible {
    public var losses: Int
    public var duplicates: Int
    public var delays: Int
    public var crashes: Int

    public init(losses: Int, duplicates: Int, delays: Int, crashes: Int) {
        self.losses = losses
        self.duplicates = duplicates
        self.delays = delays
        self.crashes = crashes
    }

    init(_ configuration: ModelConfiguration) {
        self.init(
            losses: configuration.losses, duplicates: configuration.duplicates, delays: configuration.delays,
            crashes: configuration.crashes)
    }

    public var total: Int { losses + duplicates + delays + crashes }

    public var description: String { "loss \(losses) dup \(duplicates) delay \(delays) crash \(crashes)" }
}
