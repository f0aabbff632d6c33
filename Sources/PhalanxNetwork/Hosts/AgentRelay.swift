import Foundation
import Logging
import PhalanxCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Carries the federation's word to the organization's local safety agent (`phalanx agent serve`, configured as
/// `agent:` in a node's YAML): the ladder commands the control plane signed, unchanged, so the agent checks the
/// control plane's signature itself; and, every tick the node hears from the control plane, a heartbeat signed with
/// the node's key, so that when the control plane goes silent the agent's own fallback starts (seed 001).
///
/// Delivery is best effort: the node's tick never waits for the agent. A failed delivery is logged and
/// counted; a ladder command is retried on the next tick, at most ``maximumAttempts`` times, since the agent may be
/// restarting. The agent acknowledges commands with its own signature; the node only logs the outcome.
public actor AgentRelay {
    public let address: NetworkAddress
    private let identity: SigningIdentity
    private let logger: Logger
    private let session: URLSession
    private var pending: [(command: Signed<ACommand>, attempts: Int)] = []
    private var failures = 0

    static let maximumAttempts = 5

    public init(address: NetworkAddress, identity: SigningIdentity, logger: Logger) {
        self.address = address
        self.identity = identity
        self.logger = logger
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 2
        session = URLSession(configuration: configuration)
    }

    /// Relays `commands` (after any still pending) and a heartbeat for `tick`.
    public func relay(_ commands: [Signed<ACommand>], tick: UInt64) async {
        pending += commands.map { ($0, 0) }
        var retry: [(command: Signed<ACommand>, attempts: Int)] = []
        for (command, attempts) in pending {
            do {
                let status = try await post("/v1/directives", body: JSONEncoder().encode(command))
                logger.info(
                    "relayed a ladder command to the local agent",
                    metadata: ["command": "\(command.signer)", "status": "\(status)"])
            } catch {
                if attempts + 1 < Self.maximumAttempts {
                    retry.append((command, attempts + 1))
                } else {
                    logger.error(
                        "gave up relaying a ladder command to the local agent", metadata: ["error": "\(error)"])
                }
            }
        }
        pending = retry
        do {
            let beat = try Signed(
                signing: ControlHeartbeat(
                    issuer: identity.id, tick: tick, issuedAtMs: Int64(Date().timeIntervalSince1970 * 1_000)),
                with: identity)
            _ = try await post("/v1/heartbeat", body: JSONEncoder().encode(beat))
            failures = 0
        } catch {
            failures += 1
            // Once, then every 60 failed ticks: a stopped agent must not flood the node's log.
            if failures == 1 || failures % 60 == 0 {
                logger.warning(
                    "the local agent did not take a heartbeat",
                    metadata: ["agent": "\(address)", "error": "\(error)", "failures": "\(failures)"])
            }
        }
    }

    private func post(_ path: String, body: Data) async throws -> Int {
        guard let url = URL(string: "http://\(address)\(path)") else {
            throw ConfigError(file: "agent", line: nil, message: "\(address) does not make a URL")
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let (_, response) = try await session.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw ConfigError(file: "agent", line: nil, message: "\(path) answered HTTP \(status)")
        }
        return status
    }
}
