/// One thing a detector found in a text.
///
/// The evidence is never the matched text itself when that text is a secret or personal data: a finding goes to
/// logs, the events store and the API, and must not leak what it caught. `span` locates it instead.
public struct ScanFinding: Sendable, Hashable, Codable {
    public let category: SafetyCategory
    /// Which detector fired, e.g. `secret.aws-access-key` or `pii.payment-card`.
    public let detector: String
    /// Confidence in [0, 1]: 1 for a format with a checksum that verified, less for heuristics.
    public let score: Double
    /// UTF-8 byte offsets of the match in the normalized text.
    public let span: Range<Int>
    /// A redacted description of the match (its shape, never its content when sensitive).
    public let evidence: String

    public init(category: SafetyCategory, detector: String, score: Double, span: Range<Int>, evidence: String) {
        self.category = category
        self.detector = detector
        self.score = score
        self.span = span
        self.evidence = evidence
    }
}

/// A detector over normalized text.
public protocol TextDetector: Sendable {
    func findings(in text: NormalizedText) -> [ScanFinding]
}

extension ScanFinding {
    /// A redacted rendering of `match`: its first `keep` characters, then its length, so an operator can tell
    /// which key leaked without the log holding the key.
    static func redacted(_ match: Substring, keep: Int = 4) -> String {
        let shown = match.prefix(keep)
        return "\(shown)… (\(match.count) characters)"
    }
}
