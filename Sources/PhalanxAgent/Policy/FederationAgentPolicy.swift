import PhalanxCore

/// The bounds the federation sets on every member's agent, signed by the control plane (seed 001: "per-node
/// thresholds may be tightened locally but only within the range the federation's signed policy allows").
///
/// A local policy whose threshold for a category lies outside `[minimum, maximum]` is refused when it loads;
/// one inside but different from `maximum` (the federation's own value, the loosest allowed) is a customisation,
/// and the agent records it in the audit ledger.
public struct FederationAgentPolicy: SignedPayload, Hashable {
    public static let payloadType = "phalanx.agent-policy.v1"

    public struct Range: Sendable, Hashable, Codable {
        public var category: SafetyCategory
        /// The tightest threshold a member may set.
        public var minimum: Double
        /// The federation's threshold: the loosest a member may set.
        public var maximum: Double

        public init(category: SafetyCategory, minimum: Double, maximum: Double) {
            self.category = category
            self.minimum = minimum
            self.maximum = maximum
        }
    }

    public struct Threshold: Sendable, Hashable, Codable {
        public var category: SafetyCategory
        public var value: Double

        public init(category: SafetyCategory, value: Double) {
            self.category = category
            self.value = value
        }
    }

    public var issuer: ParticipantID
    /// Increases with every new policy; an agent refuses an older one than it holds.
    public var version: Int
    public var thresholdRanges: [Range]
    /// The thresholds in force in `restrict` mode (where lower than the local ones).
    public var restrictThresholds: [Threshold]
    /// Categories denied outright in `restrict` mode once they reach their threshold, whatever the rules say.
    public var restrictBlock: [SafetyCategory]
    /// Ticks without contact from the control plane after which the agent falls back to `restrict`.
    public var fallbackAfterTicks: Int
    public var issuedAtMs: Int64

    public init(
        issuer: ParticipantID, version: Int, thresholdRanges: [Range], restrictThresholds: [Threshold],
        restrictBlock: [SafetyCategory], fallbackAfterTicks: Int, issuedAtMs: Int64
    ) {
        self.issuer = issuer
        self.version = version
        self.thresholdRanges = thresholdRanges
        self.restrictThresholds = restrictThresholds
        self.restrictBlock = restrictBlock
        self.fallbackAfterTicks = fallbackAfterTicks
        self.issuedAtMs = issuedAtMs
    }

    public var author: ParticipantID { issuer }

    public func range(_ category: SafetyCategory) -> Range? { thresholdRanges.first { $0.category == category } }

    public func restrictThreshold(_ category: SafetyCategory) -> Double? {
        restrictThresholds.first { $0.category == category }?.value
    }

    /// The federation's defaults: ranges around the thresholds of the shipped policy, restrict mode 0.15 stricter,
    /// and injection, jailbreak, secrets and obfuscation blocked outright in restrict mode.
    public static func standard(issuer: ParticipantID, issuedAtMs: Int64) -> FederationAgentPolicy {
        let maximum: [SafetyCategory: Double] = [
            .promptInjection: 0.5, .jailbreak: 0.5, .toxicity: 0.5, .secretExfiltration: 0.85,
            .piiExfiltration: 0.8, .obfuscation: 0.95,
        ]
        return FederationAgentPolicy(
            issuer: issuer, version: 1,
            thresholdRanges: SafetyCategory.allCases.map {
                Range(category: $0, minimum: 0.3, maximum: maximum[$0] ?? 0.9)
            },
            restrictThresholds: SafetyCategory.allCases.map {
                Threshold(category: $0, value: max(0.3, (maximum[$0] ?? 0.9) - 0.15))
            },
            restrictBlock: [.promptInjection, .jailbreak, .secretExfiltration, .obfuscation],
            fallbackAfterTicks: 10, issuedAtMs: issuedAtMs)
    }

    /// Where `policy` sets a threshold outside the federation's range: one message per offending category.
    public func violations(of policy: AgentPolicy) -> [String] {
        policy.thresholds.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { category, value in
            guard let range = range(category) else { return nil }
            guard value < range.minimum || value > range.maximum else { return nil }
            return "threshold \(category.rawValue) = \(value) is outside the federation's range "
                + "[\(range.minimum), \(range.maximum)] (signed policy version \(version))"
        }
    }

    /// The thresholds where `policy` differs from the federation's value: the customisations to audit.
    public func customisations(
        of policy: AgentPolicy
    ) -> [(category: SafetyCategory, federation: Double, local: Double)] {
        policy.thresholds.sorted { $0.key.rawValue < $1.key.rawValue }.compactMap { category, value in
            guard let range = range(category), value != range.maximum else { return nil }
            return (category, range.maximum, value)
        }
    }
}
