import Foundation
import PhalanxAgent

/// One row of the `safety_events` table that `Plugins/safety-event-count.phx` reads: how the agent feeds its counts
/// per category to the federation's differentially private count.
///
/// A node's configuration points `data.safety_events.csv` at the file ``csv(_:)`` writes; the plug-in's schema is
/// `day: int in 0..=365`, `category` (the five counted categories) and `action` (`blocked`, `escalated`, `allowed`).
///
/// **Actions.** `deny` is `blocked`, `escalate` is `escalated`, and `allow` is `allowed`. A `redact` counts as
/// `blocked`: the request went on, but what made the category score — the secret or the personal datum — was cut
/// out of it, and the plug-in counts harms stopped per category, not requests refused.
public struct SafetyEventRow: Sendable, Hashable {
    /// Days since the caller's day 0.
    public var day: Int
    public var category: SafetyCategory
    public var action: Action

    public enum Action: String, Sendable, Hashable, CaseIterable {
        case blocked
        case escalated
        case allowed

        public init(_ verdict: Verdict) {
            switch verdict {
            case .deny, .redact: self = .blocked
            case .escalate: self = .escalated
            case .allow: self = .allowed
            }
        }
    }

    /// The largest day the plug-in's schema accepts.
    public static let lastDay = 365

    public init(day: Int, category: SafetyCategory, action: Action) {
        self.day = day
        self.category = category
        self.action = action
    }

    /// The CSV text of `rows`: a header row `day,category,action`, then one line per row (no field needs quoting).
    public static func csv(_ rows: [SafetyEventRow]) -> String {
        var text = "day,category,action\n"
        for row in rows { text += "\(row.day),\(row.category.rawValue),\(row.action.rawValue)\n" }
        return text
    }

    /// The day number of `timeMs` counted from `epochDay` (days since 1970-01-01, UTC).
    public static func day(of timeMs: Int64, epochDay: Int64) -> Int64 {
        let msPerDay: Int64 = 86_400_000
        let absolute = timeMs >= 0 ? timeMs / msPerDay : (timeMs - msPerDay + 1) / msPerDay
        return absolute - epochDay
    }

    /// The day number (since 1970-01-01, UTC) of `date`: what a caller passes as day 0.
    public static func epochDay(of date: Date) -> Int64 {
        day(of: Int64((date.timeIntervalSince1970 * 1_000).rounded(.down)), epochDay: 0)
    }
}
