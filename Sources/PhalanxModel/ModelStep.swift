/// One transition of the model, described for a counterexample trace: which component acted, in which tick,
/// and what happened (machine moves, messages sent and what the network or a crash did).
public struct ModelStep: Hashable, Sendable, Codable, CustomStringConvertible {
    public var tick: Int
    public var actor: String
    public var events: [String]

    public var description: String {
        "tick \(tick) · \(actor): " + (events.isEmpty ? "nothing to do" : events.joined(separator: "; "))
    }
}
