import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import PhalanxCore
import ServiceLifecycle

/// A gRPC server over mutual TLS as a lifecycle service: it serves until the group shuts down, then stops
/// accepting new RPCs and lets the running ones finish.
struct GRPCService: Service {
    /// The largest message a participant accepts: gRPC's default of 4 MiB is smaller than the released result of
    /// a job with a few hundred thousand values (100,000 labelled values over 5 rounds is about 5 MiB).
    static let maxMessageBytes = 64 << 20

    let server: GRPCServer<HTTP2ServerTransport.Posix>
    let address: NetworkAddress
    let logger: Logger

    init(address: NetworkAddress, tls: MutualTLS, services: [any RegistrableRPCService], logger: Logger) {
        self.address = address
        self.logger = logger
        var config = HTTP2ServerTransport.Posix.Config.defaults
        config.rpc.maxRequestPayloadSize = Self.maxMessageBytes
        let transport = HTTP2ServerTransport.Posix(
            address: address.bindAddress ?? .ipv4(host: "127.0.0.1", port: address.port),
            transportSecurity: tls.serverSecurity,
            config: config)
        server = GRPCServer(transport: transport, services: services)
    }

    func run() async throws {
        let server = server
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await server.serve() }
                if let bound = try await server.listeningAddress {
                    logger.notice("serving gRPC over mutual TLS", metadata: ["address": "\(bound)"])
                }
            }
        } onGracefulShutdown: {
            logger.notice("shutting down: no new RPCs, finishing the running ones")
            server.beginGracefulShutdown()
        }
    }
}

/// A long-running task of the process (the tick driver, the partition watchdog, registration) as a lifecycle
/// service that stops when the group shuts down.
struct TaskService: Service {
    let name: String
    let body: @Sendable () async -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await body()
        }
    }
}
