/// A trained model that scores how likely a text is a prompt attack (injection, jailbreak or harmful request).
///
/// The scanner depends on this protocol rather than on the classifier type, so a deployment can swap in another
/// model (and tests can use the real one trained on generated data).
public protocol AttackModel: Sendable {
    /// Calibrated probability in [0, 1] that `text` is an attack.
    func attackProbability(_ text: NormalizedText) -> Double
    /// The model's identity for receipts: name and version, e.g. `phalanx-attack-lr 2026.12.07`.
    var modelVersion: String { get }
    /// The probability at which the model was chosen to flag (its operating point, e.g. the best F1 at a 5%
    /// false-positive rate on its validation split).
    var operatingThreshold: Double { get }
}

extension AttackModel {
    /// The model's probability as a category score for the policy: a monotone map that sends the model's operating
    /// point to 0.5, 0 to 0 and 1 to 1. A policy threshold of 0.5 then means "where the model was tuned to flag"
    /// whatever model is loaded, and higher thresholds are stricter about what counts as present.
    public func score(probability: Double) -> Double {
        let t = min(max(operatingThreshold, 1e-6), 1 - 1e-6)
        let p = min(max(probability, 0), 1)
        return p <= t ? 0.5 * p / t : 0.5 + 0.5 * (p - t) / (1 - t)
    }
}
