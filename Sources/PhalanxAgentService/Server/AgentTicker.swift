import Foundation
import Logging
import PhalanxAgent
import ServiceLifecycle

/// The agent's clock: ticks it once a second (so it falls back when the control plane goes silent) and purges the
/// events that retention has expired, at start and then hourly.
struct AgentTicker: Service {
    let agent: SafetyAgent
    let events: AgentEventsStore
    let metrics: AgentMetrics
    let logger: Logger
    var interval: Duration = .seconds(1)
    /// Ticks between purges.
    var purgeEvery = 3_600

    func run() async throws {
        await purge()
        var ticks = 0
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
            if let transition = agent.tick() {
                metrics.mode(transition.to)
                logger.warning(
                    "mode changed",
                    metadata: ["from": "\(transition.from.rawValue)", "to": "\(transition.to.rawValue)"])
            }
            ticks += 1
            if ticks % purgeEvery == 0 { await purge() }
        }
    }

    func purge() async {
        let now = Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down))
        do {
            let count = try await events.purgeExpired(nowMs: now)
            metrics.purged(count)
            if count > 0 { logger.info("expired events purged", metadata: ["count": "\(count)"]) }
        } catch {
            logger.error("purge failed", metadata: ["error": "\(error)"])
        }
    }
}
