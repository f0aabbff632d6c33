import PhalanxCore
import PhalanxProviders

/// The node-local table of safety events that the demo's organizations keep: one row per request their local
/// safety agent decided on. The data is synthetic but shaped like real traffic: each organization sees mostly
/// some attack families, on top of its own volume of benign traffic that was allowed.
public enum SafetyEvents {
    public static let table = "safety_events"
    public static let categories = [
        "prompt_injection", "jailbreak", "secret_exfiltration", "pii_exfiltration", "toxicity",
    ]
    public static let actions = ["blocked", "escalated", "allowed"]

    public static let schema = TableSchema(
        name: table,
        columns: [
            ColumnSchema(name: "day", kind: .integer, minimum: 0, maximum: 365),
            ColumnSchema(name: "category", kind: .category, domain: categories),
            ColumnSchema(name: "action", kind: .category, domain: actions),
        ]
    )

    /// An organization's traffic profile.
    public struct Profile: Sendable {
        public let id: String
        public let sector: String
        /// Mean number of flagged requests per day.
        public let dailyVolume: Int
        /// Relative weight of each category, in the order of ``categories``.
        public let mix: [Double]
        /// A day with an attack wave (ten times the prompt injections), if any.
        public let attackWaveDay: Int?
    }

    /// The five organizations of the demo.
    public static let demoProfiles: [Profile] = [
        Profile(
            id: "northbank", sector: "bank", dailyVolume: 120, mix: [0.25, 0.10, 0.15, 0.45, 0.05], attackWaveDay: nil),
        Profile(
            id: "medisys", sector: "hospital group", dailyVolume: 90, mix: [0.20, 0.15, 0.05, 0.50, 0.10],
            attackWaveDay: nil),
        Profile(
            id: "devforge", sector: "developer platform", dailyVolume: 160, mix: [0.35, 0.15, 0.40, 0.05, 0.05],
            attackWaveDay: 1),
        Profile(
            id: "shopline", sector: "retailer", dailyVolume: 110, mix: [0.30, 0.20, 0.05, 0.25, 0.20],
            attackWaveDay: nil),
        Profile(
            id: "civicdesk", sector: "public service", dailyVolume: 70, mix: [0.20, 0.30, 0.05, 0.15, 0.30],
            attackWaveDay: nil),
    ]

    /// Generates `days` days of events for `profile`, deterministically from `seed`.
    public static func generate(profile: Profile, days: Int, seed: UInt64) throws -> LocalTable {
        var rng = SplitMix64(seed: seed ^ fnv1a(profile.id))
        var rows: [[LocalTable.Cell]] = []
        for day in 0..<days {
            // Volume varies ±30% day to day.
            var volume = Int(Double(profile.dailyVolume) * (0.7 + 0.6 * rng.nextUnit()))
            var mix = profile.mix
            if profile.attackWaveDay == day {
                volume *= 4
                mix[0] *= 10
            }
            let total = mix.reduce(0, +)
            for _ in 0..<volume {
                var u = rng.nextUnit() * total
                var category = categories.count - 1
                for (k, w) in mix.enumerated() {
                    if u < w {
                        category = k
                        break
                    }
                    u -= w
                }
                // Most flagged requests are blocked; some are escalated to a human; a few were allowed.
                let a = rng.nextUnit()
                let action = a < 0.82 ? 0 : (a < 0.95 ? 1 : 2)
                rows.append([.integer(Int64(day)), .category(categories[category]), .category(actions[action])])
            }
        }
        return try LocalTable(schema: schema, rows: rows)
    }

    private static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }
}
