/// The body of `POST /v1/feedback`: `{"event_id", "label": 0|1, "note"?, "text"?, "labeller"?}`.
enum FeedbackBody {
    static let fields: Set<String> = ["event_id", "label", "note", "text", "labeller"]

    static func parse(_ value: JSONValue) throws(APIError) -> AgentFeedback {
        let body = try JSONFields(value, allowed: fields)
        let eventId = try body.requiredString("event_id", maximumBytes: 64)
        guard eventId.utf8.count == 64,
            eventId.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw APIError(.invalidValue, "\"event_id\" must be a receipt id: 64 lowercase hexadecimal digits")
        }
        return AgentFeedback(
            eventId: eventId, label: try body.requiredInteger("label", in: 0...1),
            note: try body.string("note", maximumBytes: 4_096), text: try body.string("text"),
            labeller: try body.string("labeller", maximumBytes: 256))
    }
}
