/// The outcome of evaluating a policy on one scanned request.
public struct PolicyOutcome: Sendable, Hashable, Codable {
    public var verdict: Verdict
    /// The id of the rule that decided, or a reserved id: `default.text`, `default.action`, `ladder.suspend`,
    /// `ladder.restrict.block`, `ladder.restrict.action`.
    public var ruleId: String
    public var reason: String
    /// The categories that made the rule match (empty for rules without category conditions).
    public var matchedCategories: [SafetyCategory]
    /// Whether the events store keeps the raw text of this decision.
    public var keepText: Bool
}

/// Evaluates an ``AgentPolicy`` on a scanned request under the agent's current ``AgentMode``.
///
/// Rules are tried in order and the first whose conditions all hold decides. The ladder comes first: in `suspend`
/// everything is denied; in `restrict` the federation's blocked categories are denied once they reach the
/// (stricter) restrict thresholds, and an action is denied unless a rule that allows it is marked
/// `when_restricted: allow`.
public struct PolicyEngine: Sendable {
    public let policy: AgentPolicy
    public let federation: FederationAgentPolicy?

    public init(policy: AgentPolicy, federation: FederationAgentPolicy?) {
        self.policy = policy
        self.federation = federation
    }

    /// The threshold in force for `category` in `mode`.
    public func threshold(_ category: SafetyCategory, mode: AgentMode) -> Double {
        let local = policy.threshold(category)
        guard mode >= .restrict, let strict = federation?.restrictThreshold(category) else { return local }
        return min(local, strict)
    }

    public func evaluate(_ request: ScanRequest, scan: ScanResult, mode: AgentMode) -> PolicyOutcome {
        if mode == .suspend {
            return PolicyOutcome(
                verdict: .deny, ruleId: "ladder.suspend",
                reason: "the agent is suspended by the federation: everything is denied until operators lift it",
                matchedCategories: [], keepText: policy.keepText)
        }
        if mode == .restrict, let federation {
            let blocked = federation.restrictBlock.filter { scan.score($0) >= threshold($0, mode: mode) }
            if !blocked.isEmpty {
                return PolicyOutcome(
                    verdict: .deny, ruleId: "ladder.restrict.block",
                    reason: "restricted by the federation: \(blocked.map(\.rawValue).joined(separator: ", ")) "
                        + "at or above the restrict threshold",
                    matchedCategories: blocked, keepText: policy.keepText)
            }
        }
        for rule in policy.rules {
            guard let categories = matches(rule, request, scan, mode) else { continue }
            if mode == .restrict, request.action != nil, rule.verdict == .allow, !rule.allowWhenRestricted {
                return PolicyOutcome(
                    verdict: .deny, ruleId: "ladder.restrict.action",
                    reason: "restricted by the federation: only actions allowed by a rule marked "
                        + "when_restricted: allow may run (rule \(rule.id) is not)",
                    matchedCategories: categories, keepText: policy.keepText || rule.keepText)
            }
            return PolicyOutcome(
                verdict: rule.verdict, ruleId: rule.id, reason: rule.reason, matchedCategories: categories,
                keepText: policy.keepText || rule.keepText)
        }
        if request.action != nil {
            let verdict = mode == .restrict ? .deny : policy.defaultForActions
            return PolicyOutcome(
                verdict: verdict, ruleId: "default.action",
                reason: "no rule matched the action \"\(request.action ?? "")\"; the default for actions is "
                    + verdict.rawValue,
                matchedCategories: [], keepText: policy.keepText)
        }
        return PolicyOutcome(
            verdict: policy.defaultForText, ruleId: "default.text",
            reason: "no rule matched; the default for text is \(policy.defaultForText.rawValue)",
            matchedCategories: [], keepText: policy.keepText)
    }

    /// The categories that made `rule` match, or `nil` when it does not match.
    func matches(
        _ rule: PolicyRule, _ request: ScanRequest, _ scan: ScanResult, _ mode: AgentMode
    )
        -> [SafetyCategory]?
    {
        if let direction = rule.direction, direction != request.direction { return nil }
        if !rule.sources.isEmpty, !rule.sources.contains(request.source) { return nil }
        if !rule.actions.isEmpty {
            guard let action = request.action, rule.actions.contains(where: { Glob.matches($0, action) }) else {
                return nil
            }
        }
        if !rule.principals.isEmpty {
            guard let principal = request.principal, rule.principals.contains(where: { Glob.matches($0, principal) })
            else { return nil }
        }
        guard !rule.categories.isEmpty else { return [] }
        let present = rule.categories.filter { category in
            var bar = rule.minimumScore ?? policy.threshold(category)
            if mode >= .restrict, let strict = federation?.restrictThreshold(category) { bar = min(bar, strict) }
            return scan.score(category) >= bar
        }
        return present.isEmpty ? nil : present
    }
}
