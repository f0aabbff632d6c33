/// What a scanner found, in the categories the federation counts (the safety-event-count plug-in's
/// `safety_events.category`), plus obfuscation, which is a signal about the text rather than a harm of its own.
public enum SafetyCategory: String, Sendable, Hashable, Codable, CaseIterable {
    case promptInjection = "prompt_injection"
    case jailbreak
    case secretExfiltration = "secret_exfiltration"
    case piiExfiltration = "pii_exfiltration"
    case toxicity
    /// Invisible characters, homoglyphs or encoded payloads: the text was dressed up to slip past a filter.
    case obfuscation
}

/// Lets `[SafetyCategory: Double]` encode as a JSON object keyed by the category's name.
extension SafetyCategory: CodingKeyRepresentable {}
