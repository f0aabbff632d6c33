import GRPCCore
import Logging
import PhalanxCore
import PhalanxWire

/// The ``MessageTransport`` of one participant process: messages to others go out as gRPC `Deliver` calls over
/// mutual TLS (telemetry frames on a `StreamTelemetry` stream per recipient); messages the ``ParticipantService`` accepted wait in this participant's mailbox until its runtime
/// drains them. Protocol logic is the same as in one process.
///
/// A peer that cannot be reached loses the message: that is a network fault the protocol already survives
/// (commands are resent until acknowledged, secure aggregation completes without dropouts, the aggregator
/// publishes its result again). It is logged and counted, not thrown, so one dead peer does not stop the others.
public actor NetworkTransport: MessageTransport {
    public let local: ParticipantID
    private let clients: PeerClients
    private let logger: Logger
    private let metrics: NetworkMetrics?
    private let timeout: Duration
    private var mailbox: [Delivery] = []
    /// Telemetry frames to each recipient (the control plane) go on a stream of their own.
    private var uplinks: [ParticipantID: TelemetryUplink] = [:]

    public init(
        local: ParticipantID, clients: PeerClients, logger: Logger, metrics: NetworkMetrics?, timeout: Duration
    ) {
        self.local = local
        self.clients = clients
        self.logger = logger
        self.metrics = metrics
        self.timeout = timeout
    }

    public func send(_ message: FederationMessage, from sender: ParticipantID, to recipient: ParticipantID) async throws
    {
        if recipient == local {
            mailbox.append(Delivery(sender: sender, message: message))
            return
        }
        let client = try await clients.participant(recipient)
        do {
            if case .frame = message {
                try await uplink(to: recipient).send(WireCodec.envelope(message), timeout: timeout)
            } else {
                _ = try await client.deliver(WireCodec.envelope(message), options: .failFast(timeout: timeout))
            }
            metrics?.sent(kind: message.kind, bytes: message.payloadBytes)
        } catch {
            metrics?.lost(kind: message.kind)
            logger.warning(
                "message lost: \(recipient) is unreachable",
                metadata: ["kind": "\(message.kind)", "recipient": "\(recipient)", "error": "\(Self.summary(error))"])
        }
    }

    private func uplink(to recipient: ParticipantID) -> TelemetryUplink {
        if let uplink = uplinks[recipient] { return uplink }
        let uplink = TelemetryUplink(clients: clients, control: recipient, logger: logger)
        uplinks[recipient] = uplink
        return uplink
    }

    /// Closes the telemetry streams (at shutdown, before the clients close).
    public func close() async {
        for uplink in uplinks.values { await uplink.close() }
    }

    public func drain(_ recipient: ParticipantID) async -> [Delivery] {
        guard recipient == local else { return [] }
        defer { mailbox = [] }
        return mailbox
    }

    /// Takes a message the service accepted (signature and peer identity already checked).
    public func accept(_ delivery: Delivery) {
        mailbox.append(delivery)
        metrics?.received(kind: delivery.message.kind)
    }

    /// Whether an announcement is waiting (a node or aggregator then starts a new job runtime).
    public var hasAnnouncement: Bool {
        mailbox.contains { if case .announcement = $0.message { true } else { false } }
    }

    /// A network error as one line: the gRPC status code and message, without the transport's internals.
    public static func summary(_ error: any Error) -> String {
        if let rpc = error as? RPCError { return "\(rpc.code): \(rpc.message)" }
        return "\(error)"
    }
}
