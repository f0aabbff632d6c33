/// Tracks the privacy loss of a sequence of ``PrivacyEvent``s and converts it to (ε, δ)-differential privacy
/// (dp-accounting's `PrivacyAccountant`). Neighbouring datasets differ by adding or removing one record.
///
/// Two implementations: ``RDPAccountant`` (Rényi DP: fast, an upper bound that is loose by a few percent) and
/// ``PLDAccountant`` (privacy loss distributions: tight up to a pessimistic discretization, slower).
public protocol PrivacyAccountant: Sendable {
    /// Adds `event`, run `count` times, to what this accountant has seen. Nothing is composed if the event is
    /// invalid or unsupported.
    ///
    /// - Throws: ``DPError`` for a parameter out of range, `count < 1`, or an event this accountant cannot analyse.
    mutating func compose(_ event: PrivacyEvent, count: Int) throws(DPError)

    /// The smallest ε (≥ 0) for which everything composed so far is (ε, `delta`)-DP; `+∞` if there is none.
    ///
    /// - Throws: ``DPError`` if `delta` is not in (0, 1).
    func epsilon(delta: Double) throws(DPError) -> Double

    /// The smallest δ for which everything composed so far is (`epsilon`, δ)-DP.
    ///
    /// - Throws: ``DPError`` if `epsilon` is not finite and > 0.
    func delta(epsilon: Double) throws(DPError) -> Double
}

extension PrivacyAccountant {
    /// Adds `event`, run once.
    public mutating func compose(_ event: PrivacyEvent) throws(DPError) {
        try compose(event, count: 1)
    }

    /// A copy of this accountant with `event` (run `count` times) composed.
    public func composing(_ event: PrivacyEvent, count: Int = 1) throws(DPError) -> Self {
        var copy = self
        try copy.compose(event, count: count)
        return copy
    }
}
