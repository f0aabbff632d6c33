/// One rule of an agent policy: conditions that must all hold, and the verdict when they do.
public struct PolicyRule: Sendable, Hashable, Codable {
    public var id: String
    /// Input, output, or either when `nil`.
    public var direction: Direction?
    /// Where the text came from; any source when empty.
    public var sources: [ContentSource]
    /// The rule matches when any of these categories scores at or above its threshold (or ``minimumScore``);
    /// no category condition when empty.
    public var categories: [SafetyCategory]
    /// Overrides the policy's thresholds for this rule's categories.
    public var minimumScore: Double?
    /// Glob patterns (`*` matches any run of characters) over the request's action; any when empty. A rule with
    /// action patterns never matches a request without an action.
    public var actions: [String]
    /// Glob patterns over the request's principal; any when empty.
    public var principals: [String]
    public var verdict: Verdict
    /// Why, in words, for the receipt.
    public var reason: String
    /// In `restrict` mode an action is denied unless a rule with this flag allows it.
    public var allowWhenRestricted: Bool
    /// Keep the raw text of decisions this rule makes in the events store (otherwise only its digest).
    public var keepText: Bool
    /// The line of the rule in its file, for messages.
    public var line: Int?

    public init(
        id: String, direction: Direction? = nil, sources: [ContentSource] = [], categories: [SafetyCategory] = [],
        minimumScore: Double? = nil, actions: [String] = [], principals: [String] = [], verdict: Verdict,
        reason: String, allowWhenRestricted: Bool = false, keepText: Bool = false, line: Int? = nil
    ) {
        self.id = id
        self.direction = direction
        self.sources = sources
        self.categories = categories
        self.minimumScore = minimumScore
        self.actions = actions
        self.principals = principals
        self.verdict = verdict
        self.reason = reason
        self.allowWhenRestricted = allowWhenRestricted
        self.keepText = keepText
        self.line = line
    }
}

/// `*` matches any run of characters (including none); every other character matches itself.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if pi < p.count, p[pi] == t[ti] {
                pi += 1
                ti += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
