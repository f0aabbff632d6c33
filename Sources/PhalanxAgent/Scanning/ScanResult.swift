/// Everything the scanner concluded about one text, before any policy is applied.
public struct ScanResult: Sendable, Hashable, Codable {
    public let findings: [ScanFinding]
    /// The highest score per category (0 when nothing of the category was found).
    public let scores: [SafetyCategory: Double]
    /// The classifier's calibrated probability that the text is an attack, `nil` without a model.
    public let attackProbability: Double?
    /// SHA-256 of the original text's UTF-8 bytes, hex: what the events store keeps instead of the text.
    public let textDigest: String
    /// The original text's length in UTF-8 bytes.
    public let textBytes: Int
    /// Whether the text was longer than ``NormalizedText/maximumBytes`` and only its start was scanned.
    public let truncated: Bool

    public func score(_ category: SafetyCategory) -> Double { scores[category] ?? 0 }

    /// The highest score over the attack categories: what `agent eval` compares with its threshold.
    public var attackScore: Double {
        [SafetyCategory.promptInjection, .jailbreak, .toxicity].map(score).max() ?? 0
    }
}
