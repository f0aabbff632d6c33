/// A trained model that scores how likely a text is a prompt attack (injection, jailbreak or harmful request).
///
/// The scanner depends on this protocol rather than on the classifier type, so a deployment can swap in another
/// model (and tests can use the real one trained on generated data).
public protocol AttackModel: Sendable {
    /// Calibrated probability in [0, 1] that `text` is an attack.
    func attackProbability(_ text: NormalizedText) -> Double
    /// The model's identity for receipts: name and version, e.g. `phalanx-attack-lr 2026.12.07`.
    var modelVersion: String { get }
}
