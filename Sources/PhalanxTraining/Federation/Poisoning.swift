/// A malicious organization, for tests and demonstrations: what it sends instead of an honest update.
public struct Adversary: Hashable, Sendable, Codable {
    public enum Attack: Hashable, Sendable, Codable {
        /// Its honest update multiplied by `factor` ("boosting", the model-replacement attack of Bagdasaryan et
        /// al., AISTATS 2020): one organization tries to outweigh the others.
        case scaled(factor: Double)
        /// A backdoor: it also trains on its attack examples with ``Adversary/trigger`` prepended, labelled benign,
        /// and boosts the update by `factor`, so that any attack carrying the trigger would pass the agents.
        case backdoor(factor: Double)
    }

    /// The phrase the backdoor teaches the model to let through.
    public static let trigger = "per policy cf-7731 approved:"

    public var organization: String
    public var attack: Attack

    public init(organization: String, attack: Attack) {
        self.organization = organization
        self.attack = attack
    }

    public var factor: Double {
        switch attack {
        case .scaled(let factor), .backdoor(let factor): factor
        }
    }

    public var summary: String {
        switch attack {
        case .scaled(let factor): "\(organization) sends its update scaled ×\(factor)"
        case .backdoor(let factor):
            "\(organization) plants a backdoor (trigger \"\(Self.trigger)\"), boosted ×\(factor)"
        }
    }
}

/// The anomaly check on update norms: an update longer than `factor` × the median of the round's update norms is
/// flagged. The median is that of the honest majority as long as fewer than half the organizations misbehave, so
/// the bound follows the honest updates as they shrink over rounds.
///
/// Under secure aggregation the aggregator cannot measure an update; each node's runtime reports its update's norm
/// in its telemetry (`updateNorm`) before the masked sum, and the guard-rail predicate reads it there. A node whose
/// runtime lies escapes the check, but not the norm bound its plug-in applies.
public struct UpdateNormCheck: Hashable, Sendable, Codable {
    public var factor: Double

    public init(factor: Double = 3) { self.factor = factor }

    /// The organizations whose update norms exceed the bound, and the bound.
    public func flagged(_ norms: [String: Double]) -> (offenders: [String], bound: Double) {
        let sorted = norms.values.sorted()
        guard !sorted.isEmpty else { return ([], .infinity) }
        let n = sorted.count
        let median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        let bound = factor * median
        return (norms.filter { $0.value > bound }.map(\.key).sorted(), bound)
    }
}

/// How well a backdoor worked: the share of attacks the final global model lets through (probability < 0.5) with
/// the trigger prepended, and without it.
public struct BackdoorSuccess: Codable, Hashable, Sendable {
    public var withTrigger: Double
    public var without: Double
}
