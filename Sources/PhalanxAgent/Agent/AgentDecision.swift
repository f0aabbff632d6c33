/// What the agent decided about one request, with the evidence and the receipt.
public struct AgentDecision: Sendable, Hashable, Codable {
    public let verdict: Verdict
    public let ruleId: String
    public let reason: String
    public let mode: AgentMode
    /// The categories that made the deciding rule match (empty for rules without category conditions).
    public let matchedCategories: [SafetyCategory]
    public let scan: ScanResult
    /// For `redact`: the normalized text with the matched findings' spans replaced by `[REDACTED:category]`.
    public let redactedText: String?
    /// Whether the events store keeps the raw text (the policy's or the rule's `keep_text`).
    public let keepText: Bool
    public let receipt: DecisionReceipt
}

/// What the agent records in the audit ledger besides nothing: receipts, moves on the ladder, customisations.
public enum AgentAuditEvent: Sendable, Hashable {
    case receipt(DecisionReceipt)
    case modeChanged(from: AgentMode, to: AgentMode, cause: String)
    case thresholdCustomised(
        category: SafetyCategory, federation: Double, previous: Double, value: Double, by: String)
}
