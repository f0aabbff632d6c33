/// A duration in `guardrails.yaml` (`for: 3s`, `keep_firing_for: 2m`), counted in ticks of the 1 Hz safety loop.
///
/// The syntax is a whole number followed by a unit, as in Prometheus alerting rules: `s` (seconds, one tick
/// each), `m` (minutes) or `h` (hours); `0s` means "at once". Telemetry arrives once per second, so a duration
/// is the number of sealed ticks it spans.
public struct GuardrailDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The length of one tick of the safety loop, in seconds.
    public static let secondsPerTick = 1
    /// The longest duration a predicate may use: one day.
    public static let maximum = GuardrailDuration(ticks: 86_400)
    public static let zero = GuardrailDuration(ticks: 0)

    /// The duration in ticks.
    public let ticks: Int

    public init(ticks: Int) {
        self.ticks = ticks
    }

    /// Parses `text`, or returns why it is not a duration.
    public static func parse(_ text: String) -> Result<GuardrailDuration, DurationSyntaxError> {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let unit = text.dropFirst(digits.count)
        guard !digits.isEmpty else {
            return .failure(
                DurationSyntaxError("\"\(text)\" is not a duration; write a whole number and a unit, e.g. 3s, 2m or 1h")
            )
        }
        let multiplier: Int
        switch unit {
        case "s": multiplier = 1
        case "m": multiplier = 60
        case "h": multiplier = 3_600
        case "":
            return .failure(DurationSyntaxError("\"\(text)\" has no unit; write \(text)s for seconds (one tick each)"))
        default:
            return .failure(DurationSyntaxError("unknown unit \"\(unit)\" in \"\(text)\"; use s, m or h"))
        }
        // Reject before multiplying, so no value can overflow.
        guard digits.count <= 6, let count = Int(digits), count * multiplier <= maximum.ticks * secondsPerTick else {
            return .failure(DurationSyntaxError("\"\(text)\" is longer than the maximum of 24h"))
        }
        return .success(GuardrailDuration(ticks: count * multiplier / secondsPerTick))
    }

    public static func < (lhs: GuardrailDuration, rhs: GuardrailDuration) -> Bool { lhs.ticks < rhs.ticks }

    /// The shortest spelling: `90s` is `90s`, `120s` is `2m`.
    public var description: String {
        let seconds = ticks * Self.secondsPerTick
        if seconds > 0, seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}

/// Why a duration does not parse.
public struct DurationSyntaxError: Error, Hashable, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}
