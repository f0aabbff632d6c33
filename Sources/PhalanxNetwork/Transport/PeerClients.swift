import GRPCCore
import GRPCNIOTransportCore
import GRPCNIOTransportHTTP2
import Logging
import PhalanxCore
import PhalanxFederation
import PhalanxWire

/// One gRPC client per peer, over mutual TLS, created on first use and kept for the process's life.
///
/// Each client runs its connections in a task of its own; ``shutdown()`` closes them all gracefully.
public actor PeerClients {
    private let tls: MutualTLS
    private let addresses: [ParticipantID: NetworkAddress]
    private var clients: [ParticipantID: GRPCClient<HTTP2ClientTransport.Posix>] = [:]
    private var runners: [Task<Void, Never>] = []
    private let logger: Logger

    public init(tls: MutualTLS, addresses: [ParticipantID: NetworkAddress], logger: Logger) {
        self.tls = tls
        self.addresses = addresses
        self.logger = logger
    }

    public func address(of peer: ParticipantID) -> NetworkAddress? { addresses[peer] }
    public var knownPeers: [ParticipantID] { addresses.keys.sorted() }

    /// The client for `peer`; throws when the configuration gives no address for it.
    public func client(for peer: ParticipantID) throws -> GRPCClient<HTTP2ClientTransport.Posix> {
        if let client = clients[peer] { return client }
        guard let address = addresses[peer] else { throw TransportError.unknownRecipient(peer) }
        var config = HTTP2ClientTransport.Posix.Config.defaults
        // A dead peer should be noticed within a tick, not after the default back-off of up to two minutes.
        config.backoff.initial = .milliseconds(100)
        config.backoff.max = .seconds(1)
        config.connection.maxIdleTime = nil
        let transport = try HTTP2ClientTransport.Posix(
            target: address.target,
            transportSecurity: tls.clientSecurity(to: peer), config: config)
        let client = GRPCClient(transport: transport)
        let logger = logger
        runners.append(
            Task {
                do { try await client.runConnections() } catch {
                    logger.debug("connections to \(peer) ended", metadata: ["error": "\(error)"])
                }
            })
        clients[peer] = client
        return client
    }

    public func participant(
        _ peer: ParticipantID
    ) throws
        -> Phalanx_Federation_V1_Participant.Client<
            HTTP2ClientTransport.Posix
        >
    {
        Phalanx_Federation_V1_Participant.Client(wrapping: try client(for: peer))
    }

    public func control(
        _ peer: ParticipantID
    ) throws
        -> Phalanx_Federation_V1_Control.Client<
            HTTP2ClientTransport.Posix
        >
    {
        Phalanx_Federation_V1_Control.Client(wrapping: try client(for: peer))
    }

    public func shutdown() async {
        for client in clients.values { client.beginGracefulShutdown() }
        for runner in runners { await runner.value }
        clients = [:]
        runners = []
    }
}

extension CallOptions {
    /// A call that fails fast when the peer is down instead of waiting for it to come back.
    static func failFast(timeout: Duration) -> CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        options.waitForReady = false
        return options
    }
}

extension NetworkAddress {
    /// How gRPC resolves it: IPv4 and IPv6 literals as they are, anything else by DNS.
    var target: any ResolvableTarget {
        if IPv4Address(host) != nil { return .ipv4(address: host, port: port) }
        if host.contains(":") { return .ipv6(address: host, port: port) }
        return .dns(host: host, port: port)
    }

    /// The socket address a server binds; only IP literals (a server binds an interface, not a name).
    var bindAddress: GRPCNIOTransportCore.SocketAddress? {
        if IPv4Address(host) != nil { return .ipv4(host: host, port: port) }
        if host.contains(":") { return .ipv6(host: host, port: port) }
        return nil
    }
}

/// Whether a string is a dotted-quad IPv4 literal.
private struct IPv4Address {
    init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil && !$0.isEmpty }) else { return nil }
    }
}
