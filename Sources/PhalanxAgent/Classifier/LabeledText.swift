/// A text with its label, as the corpus files hold it: `isAttack` is the label 1 (a prompt attack), false the label 0.
public struct LabeledText: Codable, Hashable, Sendable {
    public var text: String
    public var isAttack: Bool
    /// Where the corpus says the example is from, when it says: its category (`prompt_injection`, `jailbreak`,
    /// `harmful`, `benign`) and source package. Training ignores both; the federated evaluation uses them to give
    /// each simulated organization its own attack families and its own benign traffic.
    public var category: String?
    public var source: String?

    public init(text: String, isAttack: Bool, category: String? = nil, source: String? = nil) {
        self.text = text
        self.isAttack = isAttack
        self.category = category
        self.source = source
    }
}
