import Foundation
import GRPCCore
import Logging
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxProviders
import PhalanxWire
import ServiceLifecycle

/// Runs one participant (`phalanx node|aggregator|control serve`) until SIGTERM or SIGINT, then shuts down
/// gracefully: the gRPC server stops taking RPCs and finishes the running ones, background tasks stop, and
/// every SQLite file is left consistent (each write is a transaction).
public enum ParticipantProcess {
    public static func serve(configPath: String, role: Role) async throws {
        let config = try ParticipantConfig.load(path: configPath, expectedRole: role)
        var logger = Logger(label: "phalanx.\(role.rawValue)")
        logger[metadataKey: "participant"] = "\(config.id)"
        let context = try ParticipantContext(config: config, logger: logger)
        var services: [any Service] = []
        /// The gRPC server: every process hosts `Participant`; the control plane also hosts `Control`.
        func server(_ runner: any PhaseRunner, also extra: [any RegistrableRPCService] = []) -> GRPCService {
            GRPCService(
                address: config.listen, tls: context.tls,
                services: [
                    ParticipantService(
                        transport: context.transport, runner: runner, logger: logger, metrics: context.metrics,
                        revocations: context.revocations)
                ] + extra, logger: logger)
        }

        switch role {
        case .node:
            let tables = try NodeData.load(config.tables, logger: logger)
            let host = try RuntimeHost(context: context) {
                NodeRuntime(
                    identity: context.identity, roster: context.roster, providers: .builtIn, tables: tables,
                    transport: context.transport, clock: FederationRun.wallClock)
            }
            let schema = InputSchema(tables: tables.values.map(\.schema).sorted { $0.name < $1.name })
            services.append(server(host))
            services.append(TaskService(name: "partition-watch") { await host.watchPartition() })
            services.append(
                TaskService(name: "register") {
                    await Registrar(context: context, declaredData: schema).registerUntilAccepted()
                })
        case .aggregator:
            let host = try RuntimeHost(context: context) {
                AggregatorRuntime(
                    identity: context.identity, roster: context.roster, providers: .builtIn,
                    transport: context.transport, clock: FederationRun.wallClock)
            }
            services.append(server(host))
            services.append(
                TaskService(name: "register") {
                    await Registrar(context: context, declaredData: nil).registerUntilAccepted()
                })
        case .control:
            let policy = try config.policy.map { try GuardrailPolicyLoader.load(path: $0) } ?? DefaultPolicy.load()
            let host = try await ControlHost(context: context, policy: policy)
            services.append(server(host, also: [ControlService(host: host)]))
            services.append(TaskService(name: "tick-driver") { await host.driveTicks() })
        case .operator:
            throw ConfigError(file: configPath, line: nil, message: "an operator does not serve; it submits jobs")
        }
        if let metrics = config.metrics {
            services.append(MetricsServer(address: metrics, metrics: context.metrics, logger: logger))
        }
        let group = ServiceGroup(
            configuration: .init(
                // A service that finishes (registration, once accepted) must not end the process; one that fails
                // (the gRPC server cannot bind) must.
                services: services.map { .init(service: $0, successTerminationBehavior: .ignore) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        await context.transport.close()
        await context.clients.shutdown()
        logger.notice("stopped")
    }
}
