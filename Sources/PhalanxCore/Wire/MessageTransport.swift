/// How participants exchange messages. Participants never call each other; they send and receive.
///
/// The in-process transport delivers into per-participant mailboxes deterministically; a network transport
/// (gRPC over mutual TLS) implements the same two operations, so protocol logic does not change.
public protocol MessageTransport: Sendable {
    /// Queues `message` for `recipient`. Throws if the recipient is unknown or unreachable.
    func send(_ message: FederationMessage, from sender: ParticipantID, to recipient: ParticipantID) async throws
    /// Removes and returns everything queued for `recipient`, oldest first.
    func drain(_ recipient: ParticipantID) async -> [Delivery]
}

/// A message with its transport-level sender. The sender is a hint for routing only: trust comes from the
/// signature inside the message.
public struct Delivery: Sendable {
    public let sender: ParticipantID
    public let message: FederationMessage

    public init(sender: ParticipantID, message: FederationMessage) {
        self.sender = sender
        self.message = message
    }
}
