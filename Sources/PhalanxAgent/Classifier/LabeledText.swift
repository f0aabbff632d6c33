/// A text with its label, as the corpus files hold it: `isAttack` is the label 1 (a prompt attack), false the label 0.
public struct LabeledText: Codable, Hashable, Sendable {
    public var text: String
    public var isAttack: Bool

    public init(text: String, isAttack: Bool) {
        self.text = text
        self.isAttack = isAttack
    }
}
