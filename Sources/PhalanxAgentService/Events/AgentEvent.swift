import PhalanxAgent

/// One decision as the events store keeps it and `GET /v1/events` lists it: the receipt's fields, the findings
/// with their redacted evidence, and the text's SHA-256 — never the text itself in this form.
public struct AgentEvent: Sendable, Hashable, Codable {
    /// One finding, without the matched text: where it was and what shape it had (``FindingEvidence``).
    public struct Finding: Sendable, Hashable, Codable {
        public var category: String
        public var detector: String
        public var score: Double
        /// UTF-8 byte offsets `[start, end)` in the normalized text.
        public var span: [Int]
        public var evidence: String

        public init(_ finding: ScanFinding) {
            category = finding.category.rawValue
            detector = finding.detector
            score = finding.score
            span = [finding.span.lowerBound, finding.span.upperBound]
            evidence = FindingEvidence.redacted(finding.evidence)
        }
    }

    /// The receipt's hash: the event's id.
    public var receiptId: String
    public var sequence: UInt64
    public var timeMs: Int64
    public var direction: String
    public var source: String
    public var action: String?
    public var principal: String?
    public var verdict: String
    public var ruleId: String
    public var reason: String
    public var mode: String
    /// Category scores above zero.
    public var categories: [String: Double]
    /// The categories at or above their threshold when the decision was made, highest first: what was found.
    public var present: [String]
    public var findings: [Finding]
    public var textSHA256: String
    /// Whether the store holds the text (the policy or the deciding rule said `keep_text`).
    public var textKept: Bool
    /// When the event and its text are deleted (`retention_days` after the decision).
    public var expiresAtMs: Int64

    enum CodingKeys: String, CodingKey {
        case receiptId = "receipt_id"
        case sequence
        case timeMs = "time_ms"
        case direction, source, action, principal, verdict
        case ruleId = "rule_id"
        case reason, mode, categories, present, findings
        case textSHA256 = "text_sha256"
        case textKept = "text_kept"
        case expiresAtMs = "expires_at_ms"
    }

    /// The safety-event category of the decision: the highest-scoring of the present categories the federation
    /// counts (`obfuscation` is a signal, not a counted harm); `nil` when none was found.
    public var countedCategory: String? {
        present.first { $0 != SafetyCategory.obfuscation.rawValue }
    }
}

/// A page of ``AgentEvent``s, oldest first, and the cursor for the next page.
public struct AgentEventPage: Sendable, Hashable, Codable {
    public var events: [AgentEvent]
    /// Pass as `after` to read on; `nil` when this page is the last.
    public var next: UInt64?
}

/// Which events to list.
public struct AgentEventQuery: Sendable, Hashable {
    /// The most events a page may hold.
    public static let maximumLimit = 500

    public var limit: Int
    /// Only events with a larger sequence number (the previous page's `next`).
    public var after: UInt64?
    public var verdict: Verdict?
    /// Only events where this category scored above zero.
    public var category: SafetyCategory?
    /// Only events decided at or after this time, milliseconds since the epoch.
    public var sinceMs: Int64?

    public init(
        limit: Int = 100, after: UInt64? = nil, verdict: Verdict? = nil, category: SafetyCategory? = nil,
        sinceMs: Int64? = nil
    ) {
        self.limit = min(max(limit, 1), Self.maximumLimit)
        self.after = after
        self.verdict = verdict
        self.category = category
        self.sinceMs = sinceMs
    }
}
