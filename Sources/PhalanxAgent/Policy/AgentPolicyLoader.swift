import Yams

/// Parses an agent policy from YAML (the format is in `docs/agent.md`). Unknown keys, unknown categories or
/// verdicts, duplicate rule ids, scores outside [0, 1] and thresholds outside the federation's signed range are
/// refused with the file and line.
public enum AgentPolicyLoader {
    static let topKeys: Set<String> = ["name", "defaults", "thresholds", "rules", "retention_days", "keep_text"]
    static let ruleKeys: Set<String> = [
        "id", "direction", "sources", "categories", "min_score", "actions", "principals", "then", "reason",
        "when_restricted", "keep_text",
    ]
    /// The most rules a policy may have: far beyond any real policy, and a bound on the work per decision.
    static let maximumRules = 1_000

    public static func load(
        _ bytes: [UInt8], file: String, federation: FederationAgentPolicy? = nil
    ) throws(AgentPolicyError) -> AgentPolicy {
        let reader = try YAMLFileReader(bytes: bytes, file: file, emptyMessage: "expected rules")
        let top = try reader.mapping(reader.root, what: "the top level", allowed: topKeys)
        let name = try top["name"].map { n throws(AgentPolicyError) in try reader.string(n, what: "name") } ?? "policy"

        var defaultForText = Verdict.allow, defaultForActions = Verdict.deny
        if let node = top["defaults"] {
            let defaults = try reader.mapping(node, what: "defaults", allowed: ["text", "actions"])
            if let text = defaults["text"] { defaultForText = try reader.verdict(text, what: "defaults.text") }
            if let actions = defaults["actions"] {
                defaultForActions = try reader.verdict(actions, what: "defaults.actions")
            }
        }
        var thresholds: [SafetyCategory: Double] = [:]
        if let node = top["thresholds"] {
            let mapping = try reader.mapping(node, what: "thresholds")
            for (key, value) in mapping.pairs {
                let category = try reader.category(key, what: "a thresholds key")
                thresholds[category] = try reader.score(value, what: "thresholds.\(category.rawValue)")
            }
        }
        let retention =
            try top["retention_days"].map { n throws(AgentPolicyError) in
                try reader.integer(n, what: "retention_days", in: 1...3_650)
            } ?? 30
        let keepText =
            try top["keep_text"].map { n throws(AgentPolicyError) in try reader.bool(n, what: "keep_text") } ?? false

        var rules: [PolicyRule] = []
        if let node = top["rules"] {
            guard case .sequence(let sequence) = node else { throw reader.error(node, "\"rules\" must be a list") }
            guard sequence.count <= maximumRules else {
                throw reader.error(node, "\(sequence.count) rules; at most \(maximumRules)")
            }
            var seen: [String: Int] = [:]
            for item in sequence {
                let rule = try reader.rule(item)
                if let first = seen[rule.id] {
                    throw reader.error(item, "rule id \"\(rule.id)\" is already used on line \(first)")
                }
                seen[rule.id] = rule.line ?? 0
                rules.append(rule)
            }
        }
        let policy = AgentPolicy(
            name: name, thresholds: thresholds, rules: rules, defaultForText: defaultForText,
            defaultForActions: defaultForActions, retentionDays: retention, keepText: keepText)
        if let federation, let problem = federation.violations(of: policy).first {
            throw AgentPolicyError(file: file, line: top["thresholds"]?.mark.map { $0.line }, message: problem)
        }
        return policy
    }
}

/// The policy's own value types, read from YAML.
extension YAMLFileReader {
    func verdict(_ node: Node, what: String) throws(AgentPolicyError) -> Verdict {
        let text = try string(node, what: what)
        guard let verdict = Verdict(rawValue: text) else {
            throw error(node, "\(what) must be allow, deny, escalate or redact, not \"\(text)\"")
        }
        return verdict
    }

    func category(_ node: Node, what: String) throws(AgentPolicyError) -> SafetyCategory {
        let text = try string(node, what: what)
        guard let category = SafetyCategory(rawValue: text) else {
            throw error(
                node,
                "unknown category \"\(text)\" in \(what); expected one of: "
                    + SafetyCategory.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return category
    }

    func rule(_ node: Node) throws(AgentPolicyError) -> PolicyRule {
        let map = try mapping(node, what: "a rule", allowed: AgentPolicyLoader.ruleKeys)
        guard let idNode = map["id"] else { throw error(node, "a rule needs an \"id\"") }
        let id = try string(idNode, what: "id")
        guard !id.isEmpty, id.utf8.count <= 64, !id.hasPrefix("default."), !id.hasPrefix("ladder.") else {
            throw error(idNode, "a rule id is 1–64 characters and does not start with \"default.\" or \"ladder.\"")
        }
        guard let thenNode = map["then"] else {
            throw error(node, "rule \(id) needs \"then\": allow, deny, escalate or redact")
        }
        var rule = PolicyRule(
            id: id, verdict: try verdict(thenNode, what: "rule \(id): then"),
            reason: try map["reason"].map { n throws(AgentPolicyError) in try string(n, what: "reason") }
                ?? "rule \(id)",
            line: node.mark.map { $0.line })
        if let n = map["direction"] {
            let text = try string(n, what: "direction")
            guard let direction = Direction(rawValue: text) else {
                throw error(n, "rule \(id): direction must be input or output, not \"\(text)\"")
            }
            rule.direction = direction
        }
        if let n = map["sources"] {
            for text in try strings(n, what: "sources") {
                guard let source = ContentSource(rawValue: text) else {
                    throw error(
                        n,
                        "rule \(id): unknown source \"\(text)\"; expected one of: "
                            + ContentSource.allCases.map(\.rawValue).joined(separator: ", "))
                }
                rule.sources.append(source)
            }
        }
        if let n = map["categories"] {
            if case .sequence(let items) = n {
                for item in items { rule.categories.append(try category(item, what: "rule \(id): categories")) }
            } else {
                rule.categories.append(try category(n, what: "rule \(id): categories"))
            }
        }
        if let n = map["min_score"] {
            guard !rule.categories.isEmpty else {
                throw error(n, "rule \(id): min_score needs categories to apply to")
            }
            rule.minimumScore = try score(n, what: "rule \(id): min_score")
        }
        if let n = map["actions"] { rule.actions = try strings(n, what: "actions") }
        if let n = map["principals"] { rule.principals = try strings(n, what: "principals") }
        if let n = map["when_restricted"] {
            let text = try string(n, what: "when_restricted")
            guard text == "allow" || text == "deny" else {
                throw error(n, "rule \(id): when_restricted must be allow or deny, not \"\(text)\"")
            }
            rule.allowWhenRestricted = text == "allow"
        }
        if let n = map["keep_text"] { rule.keepText = try bool(n, what: "keep_text") }
        if rule.verdict == .redact, rule.categories.isEmpty {
            throw error(thenNode, "rule \(id): redact needs categories whose findings it redacts")
        }
        return rule
    }
}
