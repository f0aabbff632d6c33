import PhalanxAgent

/// The body of `POST /v1/scan`: `{"text", "direction"?, "context"?: {"source"?, "action"?, "principal"?}}`.
enum ScanRequestBody {
    static let fields: Set<String> = ["text", "direction", "context"]
    static let contextFields: Set<String> = ["source", "action", "principal"]
    /// The longest action or principal name: far beyond any tool or account name, and a bound on what a receipt holds.
    static let maximumNameBytes = 256

    static func parse(_ value: JSONValue) throws(APIError) -> ScanRequest {
        let body = try JSONFields(value, allowed: fields)
        let text = try body.requiredString("text")
        let direction = try body.choice("direction", as: Direction.self) ?? .input
        let context = try body.object("context", allowed: contextFields)
        return ScanRequest(
            text: text, direction: direction, source: try context?.choice("source", as: ContentSource.self),
            action: try context?.string("action", maximumBytes: maximumNameBytes),
            principal: try context?.string("principal", maximumBytes: maximumNameBytes))
    }
}

/// The answer of `POST /v1/scan`.
struct ScanResponseBody: Encodable {
    let decision: String
    let ruleId: String
    let reason: String
    let mode: String
    let categories: [String: Double]
    let findings: [AgentEvent.Finding]
    let redactedText: String?
    let receiptId: String
    let sequence: UInt64
    let textSHA256: String
    let attackProbability: Double?
    let latencyUs: Int64

    enum CodingKeys: String, CodingKey {
        case decision
        case ruleId = "rule_id"
        case reason, mode, categories, findings
        case redactedText = "redacted_text"
        case receiptId = "receipt_id"
        case sequence
        case textSHA256 = "text_sha256"
        case attackProbability = "attack_probability"
        case latencyUs = "latency_us"
    }

    init(_ decision: AgentDecision, latency: Duration) {
        self.decision = decision.verdict.rawValue
        ruleId = decision.ruleId
        reason = decision.reason
        mode = decision.mode.rawValue
        categories = decision.receipt.scores
        findings = decision.scan.findings.map(AgentEvent.Finding.init)
        redactedText = decision.redactedText
        receiptId = decision.receipt.hash
        sequence = decision.receipt.sequence
        textSHA256 = decision.scan.textDigest
        attackProbability = decision.scan.attackProbability
        let (seconds, attoseconds) = latency.components
        latencyUs = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
