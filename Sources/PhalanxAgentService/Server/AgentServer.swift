import Foundation
import Hummingbird
import Logging
import PhalanxAgent
import PhalanxCore
import PhalanxLedger
import ServiceLifecycle

/// The local safety agent as a process (`phalanx agent serve`): the agent built from `agent.yaml`, its events store,
/// its audit ledger and key, the HTTP API, the receipt writer and the 1 Hz ticker.
///
/// ``open(config:model:logger:)`` prepares everything and fails with the file and the problem when something is
/// unusable; ``run()`` serves until SIGTERM or SIGINT and then shuts down in order: the HTTP server stops taking
/// requests and finishes the running ones, the ticker stops, and the writer commits every receipt still queued and
/// signs a final checkpoint.
///
/// The state directory holds `events.sqlite` (decisions and feedback), `ledger.sqlite` (the audit ledger, origin
/// `phalanx.agent/ID`, signed with the agent's key) and `agent.key`/`agent.pub`, all created on first start.
public struct AgentServer: Sendable {
    public let config: AgentConfig
    public let agent: SafetyAgent
    public let identity: SigningIdentity
    public let events: AgentEventsStore
    public let ledger: MerkleLedger
    public let metrics: AgentMetrics
    public let writer: ReceiptLedgerWriter
    /// How long events are kept: the configuration's `retention_days`, else the policy's.
    public let retentionDays: Int
    public let logger: Logger

    /// Builds the agent from `config`. `model`, when given, is used instead of loading `config.model`.
    public static func open(
        config: AgentConfig, model: (any AttackModel)? = nil, logger: Logger = Logger(label: "phalanx.agent")
    ) async throws(AgentServerError) -> AgentServer {
        let state = config.stateDirectory
        do {
            try FileManager.default.createDirectory(
                atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw AgentServerError(file: state, message: "cannot create the state directory: \(error)")
        }
        let identity = try AgentKeyFile.loadOrCreate(directory: state, agent: config.agent)
        let trust = try FederationTrust.load(config.federation)
        let policy: AgentPolicy
        do {
            if let path = config.policy {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw AgentServerError(file: path, message: "cannot read the agent policy")
                }
                policy = try AgentPolicyLoader.load(Array(data), file: path, federation: trust.policy)
            } else {
                policy = DefaultAgentPolicy.policy
                if let problem = trust.policy?.violations(of: policy).first {
                    throw AgentServerError(file: "the default agent policy", message: problem)
                }
            }
        } catch let error as AgentPolicyError {
            throw AgentServerError(file: error.file, line: error.line, message: error.message)
        } catch let error as AgentServerError {
            throw error
        } catch {
            throw AgentServerError(file: config.policy ?? "the default agent policy", message: "\(error)")
        }
        // The model named in the configuration, else the one shipped with Phalanx.
        var attackModel = model
        if attackModel == nil {
            let path = config.model ?? "the bundled model"
            do {
                attackModel =
                    try config.model.map { try TrainedAttackModel.load(path: $0) } ?? TrainedAttackModel.bundled()
            } catch {
                throw AgentServerError(file: path, message: "\(error)")
            }
        }
        let events: AgentEventsStore
        let chain: ReceiptChain
        do {
            events = try AgentEventsStore(path: state + "/events.sqlite")
            chain = try await events.chainPosition()
        } catch {
            throw AgentServerError(file: error.file, message: error.message)
        }
        let agent: SafetyAgent
        do {
            agent = try SafetyAgent(
                .init(
                    agent: config.agent, policy: policy, federation: trust.policy, model: attackModel,
                    trusted: trust.roster, operators: trust.operators, heartbeatRelays: trust.heartbeatRelays),
                chain: chain)
        } catch {
            throw AgentServerError(file: error.file, line: error.line, message: error.message)
        }
        let ledgerPath = state + "/ledger.sqlite"
        let ledger: MerkleLedger
        do {
            ledger =
                FileManager.default.fileExists(atPath: ledgerPath)
                ? try MerkleLedger.open(path: ledgerPath, signer: identity)
                : try MerkleLedger.create(path: ledgerPath, origin: "phalanx.agent/\(config.agent)", signer: identity)
        } catch {
            throw AgentServerError(file: ledgerPath, message: "cannot open the audit ledger: \(error)")
        }
        let metrics = AgentMetrics()
        metrics.mode(agent.mode)
        return AgentServer(
            config: config, agent: agent, identity: identity, events: events, ledger: ledger, metrics: metrics,
            writer: ReceiptLedgerWriter(
                agent: agent, ledger: ledger, events: events, batch: config.ledgerBatch,
                resumedAt: chain.nextSequence, metrics: metrics, logger: logger),
            retentionDays: config.retentionDays ?? policy.retentionDays, logger: logger)
    }

    /// The HTTP API over this agent.
    public var api: AgentAPI {
        AgentAPI(
            agent: agent, events: events, identity: identity, metrics: metrics, retentionDays: retentionDays,
            maxBodyBytes: config.maxBodyBytes, logger: logger)
    }

    /// The Hummingbird application serving ``api`` on `config.listen`.
    func application() -> some ApplicationProtocol {
        Application(
            router: api.router(),
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port)),
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully (see the type's documentation).
    public func run() async throws {
        // The scanner builds its phrase matchers, expressions and the normalizer's table of compatibility forms on
        // first use; do it now rather than in the first request's latency. The warm-up text has what each needs to
        // be built (non-ASCII text with a compatibility form, an e-mail shape, a phone shape, a secret prefix). A
        // scan alone issues no receipt.
        let clock = ContinuousClock()
        let warmUp = clock.measure {
            _ = agent.scanner.scan(ScanRequest(text: "warm-up … café ｗａｒｍ a@b.cc +12345678 AKIA 123-45-6789"))
        }
        logger.info(
            "scanner ready",
            metadata: [
                "ms": "\(warmUp.components.seconds * 1_000 + warmUp.components.attoseconds / 1_000_000_000_000_000)"
            ])
        logger.notice(
            "agent serving",
            metadata: [
                "agent": "\(config.agent)", "listen": "http://\(config.listen)", "policy": "\(agent.policy.name)",
                "mode": "\(agent.mode.rawValue)", "model": "\(agent.configuration.model?.modelVersion ?? "none")",
                "retention_days": "\(retentionDays)", "next_receipt": "\(writer.resumedAt)",
            ])
        let ticker = AgentTicker(agent: agent, events: events, metrics: metrics, logger: logger)
        // Shut down in reverse order: the server first (no new decisions), then the ticker, then the writer, which
        // commits what the server decided.
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: writer), .init(service: ticker), .init(service: application())],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.notice("agent stopped")
    }
}
