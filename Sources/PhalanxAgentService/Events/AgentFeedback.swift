/// An operator's label on one decision: whether its text was an attack (1) or benign (0).
///
/// Labels become training data for the classifier. The store keeps no text by default, so feedback may carry the
/// text; the store accepts it only if its SHA-256 is the digest it recorded for the event — a label cannot attach to
/// a text the agent never saw.
public struct AgentFeedback: Sendable, Hashable {
    /// The event's receipt id.
    public var eventId: String
    /// 1: the text is an attack (it should be blocked); 0: benign.
    public var label: Int
    public var note: String?
    /// The decision's text, for events whose text was not kept.
    public var text: String?
    /// Who labelled it, as the deployment names its operators.
    public var labeller: String?

    public init(eventId: String, label: Int, note: String? = nil, text: String? = nil, labeller: String? = nil) {
        self.eventId = eventId
        self.label = label
        self.note = note
        self.text = text
        self.labeller = labeller
    }
}
