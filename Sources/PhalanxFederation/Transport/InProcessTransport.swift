import PhalanxCore

/// Delivers messages between participants of one process through per-participant FIFO mailboxes.
///
/// Nothing is delivered until the recipient drains its mailbox, and participants are stepped in a fixed order,
/// so runs are deterministic. Messages to a participant that is not registered are refused.
public actor InProcessTransport: MessageTransport {
    private var mailboxes: [ParticipantID: [Delivery]] = [:]
    /// Messages sent, by kind, for reporting.
    public private(set) var sentCounts: [String: Int] = [:]
    public private(set) var sentBytes = 0
    /// Every telemetry frame sent, in order: what a network tap would see. Used for replay faults and artifacts.
    public private(set) var frameLog: [Signed<TelemetryFrame>] = []
    /// Every A-command and acknowledgement sent, in order (each command once per target).
    public private(set) var commandLog: [Signed<ACommand>] = []
    public private(set) var ackLog: [Signed<CommandAck>] = []

    public init(participants: [ParticipantID]) {
        for id in participants { mailboxes[id] = [] }
    }

    public func send(_ message: FederationMessage, from sender: ParticipantID, to recipient: ParticipantID) async throws
    {
        guard mailboxes[recipient] != nil else { throw TransportError.unknownRecipient(recipient) }
        mailboxes[recipient]?.append(Delivery(sender: sender, message: message))
        sentCounts[message.kind, default: 0] += 1
        sentBytes += message.payloadBytes
        switch message {
        case .frame(let envelope): frameLog.append(envelope)
        case .command(let envelope) where !commandLog.contains(envelope): commandLog.append(envelope)
        case .ack(let envelope): ackLog.append(envelope)
        default: break
        }
    }

    /// Loses messages in the network (fault injection): removes from `recipient`'s mailbox, oldest first, at most
    /// `limit` queued deliveries that match `matches`, so the recipient never sees them. They stay counted once in
    /// ``sentCounts`` and ``sentBytes``: they were sent, and the network lost them.
    /// - Returns: how many deliveries were removed.
    public func lose(
        to recipient: ParticipantID, atMost limit: Int = .max, where matches: @Sendable (Delivery) -> Bool
    ) -> Int {
        guard let queued = mailboxes[recipient] else { return 0 }
        var kept: [Delivery] = []
        var removed = 0
        for delivery in queued {
            if removed < limit, matches(delivery) {
                removed += 1
            } else {
                kept.append(delivery)
            }
        }
        mailboxes[recipient] = kept
        return removed
    }

    public func drain(_ recipient: ParticipantID) async -> [Delivery] {
        let queued = mailboxes[recipient] ?? []
        mailboxes[recipient] = []
        return queued
    }
}

/// A message could not be handed to the transport.
public enum TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownRecipient(ParticipantID)
    public var description: String {
        switch self {
        case .unknownRecipient(let id): "no participant \"\(id)\" is reachable on this transport"
        }
    }
}

extension FederationMessage {
    /// Size of the signed payload plus signature, a fair measure of what the wire carries.
    public var payloadBytes: Int {
        switch self {
        case .announcement(let s): s.payload.count + s.signature.count
        case .contribution(let s): s.payload.count + s.signature.count
        case .providerReply(let s): s.payload.count + s.signature.count
        case .incident(let s): s.payload.count + s.signature.count
        case .frame(let s): s.payload.count + s.signature.count
        case .command(let s): s.payload.count + s.signature.count
        case .ack(let s): s.payload.count + s.signature.count
        case .aggregationStep(let s): s.payload.count + s.signature.count
        case .clearance(let s): s.payload.count + s.signature.count
        case .result(let s): s.payload.count + s.signature.count
        case .override(let r):
            r.command.payload.count + r.command.signature.count
                + r.approvals.reduce(0) { $0 + $1.payload.count + $1.signature.count }
        }
    }
}
