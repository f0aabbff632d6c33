/// A local agent policy: ordered rules (first match wins), thresholds per category, and the verdicts when no rule
/// matches. Loaded from YAML by ``AgentPolicyLoader``; the format is in `docs/agent.md`.
public struct AgentPolicy: Sendable, Hashable, Codable {
    public var name: String
    /// The score at which a category counts as present, per category.
    public var thresholds: [SafetyCategory: Double]
    public var rules: [PolicyRule]
    /// The verdict for a text (input or output) that no rule matched.
    public var defaultForText: Verdict
    /// The verdict for a request naming an action that no rule matched: deny unless the policy says otherwise.
    public var defaultForActions: Verdict
    /// How long decisions are kept in the events store, in days.
    public var retentionDays: Int
    /// Keep the raw text of every decision (otherwise only rules with `keep_text` keep it).
    public var keepText: Bool

    public init(
        name: String, thresholds: [SafetyCategory: Double], rules: [PolicyRule], defaultForText: Verdict = .allow,
        defaultForActions: Verdict = .deny, retentionDays: Int = 30, keepText: Bool = false
    ) {
        self.name = name
        self.thresholds = thresholds
        self.rules = rules
        self.defaultForText = defaultForText
        self.defaultForActions = defaultForActions
        self.retentionDays = retentionDays
        self.keepText = keepText
    }

    public func threshold(_ category: SafetyCategory) -> Double { thresholds[category] ?? 0.5 }
}
