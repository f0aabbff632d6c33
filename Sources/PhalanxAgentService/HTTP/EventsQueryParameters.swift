import Hummingbird
import PhalanxAgent

/// The query of `GET /v1/events`: `limit` (1–500, default 100), `after` (a sequence number, the previous page's
/// `next`), `verdict`, `category`, `since` (milliseconds since the epoch).
enum EventsQueryParameters {
    static let names: Set<String> = ["limit", "after", "verdict", "category", "since"]

    static func parse(_ request: Request) throws(APIError) -> AgentEventQuery {
        let parameters = request.uri.queryParameters
        var values: [String: String] = [:]
        for (key, value) in parameters {
            let name = String(key)
            guard names.contains(name) else {
                throw APIError(
                    .unknownField,
                    "unknown query parameter \"\(StrictJSON.printable(name))\"; expected "
                        + names.sorted().joined(separator: ", "))
            }
            guard values.updateValue(String(value), forKey: name) == nil else {
                throw APIError(.invalidValue, "the query parameter \"\(name)\" appears twice")
            }
        }
        func integer(_ name: String, in range: ClosedRange<Int64>) throws(APIError) -> Int64? {
            guard let text = values[name] else { return nil }
            guard let value = Int64(text), range.contains(value) else {
                throw APIError(
                    .invalidValue, "\"\(name)\" must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        var verdict: Verdict?
        if let text = values["verdict"] {
            guard let value = Verdict(rawValue: text) else {
                throw APIError(
                    .invalidValue,
                    "\"verdict\" must be one of: " + Verdict.allCases.map(\.rawValue).joined(separator: ", "))
            }
            verdict = value
        }
        var category: SafetyCategory?
        if let text = values["category"] {
            guard let value = SafetyCategory(rawValue: text) else {
                throw APIError(
                    .invalidValue,
                    "\"category\" must be one of: " + SafetyCategory.allCases.map(\.rawValue).joined(separator: ", "))
            }
            category = value
        }
        return AgentEventQuery(
            limit: Int(try integer("limit", in: 1...Int64(AgentEventQuery.maximumLimit)) ?? 100),
            after: try integer("after", in: 0...Int64.max).map { UInt64($0) }, verdict: verdict, category: category,
            sinceMs: try integer("since", in: 0...Int64.max))
    }
}
