import PhalanxCore

/// The demo's plug-in, written directly in IR: per day (round), each node counts the requests its safety agent
/// blocked, by category; bounds its contribution; and the federation sums the counts.
///
/// ```
/// node:       %events  = load safety_events
///             %today   = filter %events where day == $round
///             %blocked = filter %today where action == "blocked"
///             %counts  = count_by %blocked category in [prompt_injection, …]
///             %bounded = clip_l1 %counts <contributionBound>
///             secure_sum %bounded -> blocked_by_category
/// aggregator: %total   = secure_sum <- blocked_by_category
///             release %total as blocked_by_category
/// ```
public enum SafetyEventCountPlugin {
    public static let name = "safety-event-count"
    public static let version = "1.0.0"
    /// The largest L1 norm one node contributes per round (blocked requests per day).
    public static let defaultContributionBound: Int64 = 250

    public static func make(contributionBound: Int64 = defaultContributionBound) -> PluginIR {
        PluginIR(
            name: name,
            version: version,
            inputSchema: InputSchema(tables: [SafetyEvents.schema]),
            node: [
                .load(into: "events", table: SafetyEvents.table),
                .filter(into: "today", from: "events", column: "day", equals: .round),
                .filter(into: "blocked", from: "today", column: "action", equals: .text("blocked")),
                .countBy(into: "counts", from: "blocked", column: "category", domain: SafetyEvents.categories),
                .clipL1(into: "bounded", from: "counts", bound: contributionBound),
                .secureSum(from: "bounded", channel: "blocked_by_category"),
            ],
            aggregator: [
                .secureSum(into: "total", channel: "blocked_by_category"),
                .release(from: "total", output: "blocked_by_category", labels: SafetyEvents.categories),
            ]
        )
    }
}
