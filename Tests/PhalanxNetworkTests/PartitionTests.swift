import Foundation
import PhalanxCore
import PhalanxNetwork
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Seed 001's partition rule over real processes: a node that hears nothing from the control plane for the
/// configured number of ticks falls back to its conservative mode, and says so when the control plane is back.
@Suite("Partition fallback", .serialized)
struct PartitionTests {
    private func fallbackGauge(_ id: ParticipantID, _ deployment: LocalDeployment) async throws -> Double? {
        let text = try await metrics(of: id, in: deployment)
        let line = text.split(separator: "\n").first { $0.hasPrefix("phalanx_partition_fallback") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test("a node cut off from the control plane falls back, and recovers and reports it when it is back")
    func fallBackAndRecover() async throws {
        try await withDeployment(nodes: 2, tickMilliseconds: 100, partitionAfterTicks: 3) { deployment in
            let node = deployment.nodes[0].id
            // Connected: no fallback.
            #expect(try await fallbackGauge(node, deployment) ?? 0 == 0)
            // The control plane stops (SIGSTOP: its sockets stay open, nothing is answered — a partition).
            deployment.signal(deployment.controlID, SIGSTOP)
            let fellBack = try await eventually(timeout: .seconds(10)) {
                try await fallbackGauge(node, deployment) == 1
            }
            deployment.signal(deployment.controlID, SIGCONT)
            #expect(fellBack)
            #expect(log(of: node, in: deployment).contains("lost the control plane"))
            // Back: the fallback is lifted, and the node tells the control plane how long it was cut off.
            #expect(try await eventually(timeout: .seconds(10)) { try await fallbackGauge(node, deployment) == 0 })
            #expect(log(of: node, in: deployment).contains("fallback lifted"))
            #expect(
                try await eventually {
                    log(of: deployment.controlID, in: deployment).contains("\(node) reports it was cut off for")
                })
            // And the federation still runs jobs.
            let finished = try await deployment.operatorClient().submit(
                plugin: countingPlugin, provider: "plain", rounds: 1, epsilon: 1, delta: 1e-6
            ) { _ in }
            #expect(finished.outcome == "finalized", "\(finished.reason)")
        }
    }
}
