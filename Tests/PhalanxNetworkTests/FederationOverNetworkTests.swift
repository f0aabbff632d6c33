import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxLedger
import PhalanxNetwork
import Testing

/// Whole jobs across separate OS processes on loopback, over gRPC with mutual TLS; participants are killed and
/// restarted with real signals.
@Suite("Federation over the network", .serialized)
struct FederationOverNetworkTests {
    @Test("a job across separate processes releases exactly what the in-process federation releases")
    func fullJobMatchesInProcess() async throws {
        let finished = try await withDeployment(nodes: 3, days: 2) { deployment in
            let observed = Observed()
            let finished = try await deployment.operatorClient().submit(
                plugin: countingPlugin, provider: "secagg", rounds: 2, epsilon: 1, delta: 1e-6,
                progress: observed.record)
            #expect(finished.outcome == "finalized", "\(finished.reason)")
            #expect(observed.events.contains { $0.contains("round 1 merged from 3 node(s)") })
            // What an operator scrapes: the control plane's and the aggregator's figures.
            let control = try await metrics(of: deployment.controlID, in: deployment)
            #expect(control.contains("phalanx_jobs_total{participant=\"control\",outcome=\"finalized\"} 1"))
            #expect(value("phalanx_frames_accepted_total", in: control) ?? 0 > 0)
            #expect(value("phalanx_ledger_entries", in: control) ?? 0 > 0)
            let aggregator = try await metrics(of: deployment.aggregatorID, in: deployment)
            #expect(value("phalanx_rounds_total", in: aggregator) == 2)
            // The audit ledger the control plane kept verifies on its own.
            deployment.stopAll()
            let verification = LedgerVerifier.verify(path: deployment.root + "/state/control/ledger.sqlite")
            #expect(verification.isValid, "\(verification.problems)")
            #expect(verification.entries > 0)
            return finished
        }
        let local = try await FederationRun(
            .init(
                profiles: Array(SafetyEvents.demoProfiles.prefix(3)), rounds: 2, providerName: "secagg",
                policy: try DefaultPolicy.load())
        ).run()
        #expect(finished.outputs == local.outcome.outputs)
        #expect(!finished.outputs.isEmpty)
    }

    @Test("SIGKILL of a node mid-round: secure aggregation completes the round without it")
    func nodeKilledMidRound() async throws {
        try await withDeployment(nodes: 4, days: 2) { deployment in
            let victim = deployment.nodes[1].id
            let killed = Observed()
            let finished = try await deployment.operatorClient().submit(
                plugin: countingPlugin, provider: "secagg", rounds: 2, epsilon: 1, delta: 1e-6
            ) { update in
                killed.record(update)
                // Kill it once the job computes (the node holds secret-sharing state of round 0).
                if case .tick(let tick) = update.update, tick.states[victim.rawValue] == "INF",
                    deployment.isRunning(victim)
                {
                    deployment.kill(victim)
                }
            }
            #expect(!deployment.isRunning(victim))
            #expect(finished.outcome == "finalized", "\(finished.reason) \(killed.events.joined(separator: "\n"))")
            let merged = killed.events.filter { $0.contains("merged from") }
            #expect(merged.contains { $0.contains("from 3 node(s)") && !$0.contains(victim.rawValue) }, "\(merged)")
        }
    }

    @Test("SIGKILL of the aggregator and a restart: the job aborts cleanly, the ledger keeps every entry")
    func aggregatorKilledAndRestarted() async throws {
        try await withDeployment(nodes: 3, days: 3) { deployment in
            let aggregator = deployment.aggregatorID
            let restarted = Observed()
            let ledgerBefore = LockedValue<UInt64>(0)
            let client = try deployment.operatorClient()
            let finished = try await client.submit(
                plugin: countingPlugin, provider: "plain", rounds: 3, epsilon: 1, delta: 1e-6
            ) { update in
                restarted.record(update)
                if case .tick(let tick) = update.update, tick.events.contains(where: { $0.contains("round 0 merged") }),
                    ledgerBefore.value == 0
                {
                    ledgerBefore.value = 1
                    deployment.kill(aggregator)
                    try? deployment.start(aggregator)
                }
            }
            #expect(finished.outcome == "aborted", "\(finished.outcome) \(finished.reason)")
            #expect(finished.reason.contains("aggregator restarted"), "\(finished.reason)")
            #expect(!finished.hasResult)
            // Nothing was released, every node wiped its secrets, and the federation takes the next job.
            let next = try await deployment.operatorClient().submit(
                plugin: countingPlugin, provider: "plain", rounds: 1, epsilon: 1, delta: 1e-6
            ) { _ in }
            #expect(next.outcome == "finalized", "\(next.reason)")
            deployment.stopAll()
            let verification = LedgerVerifier.verify(path: deployment.root + "/state/control/ledger.sqlite")
            #expect(verification.isValid, "\(verification.problems)")
            let ledger = try MerkleLedger.open(path: deployment.root + "/state/control/ledger.sqlite")
            let kinds = try await ledger.entries(from: 0, count: Int(await ledger.size)).map(\.record.kind)
            #expect(kinds.filter { $0 == "job-admitted" }.count == 2)
            #expect(kinds.contains("job-aborted"))
            #expect(kinds.contains("job-finalized"))
        }
    }

    @Test("SIGKILL of the control plane and a restart: the interrupted job is recorded aborted, nodes wipe it")
    func controlKilledAndRestarted() async throws {
        try await withDeployment(nodes: 3, days: 3) { deployment in
            let control = deployment.controlID
            let client = try deployment.operatorClient()
            let killed = LockedValue(false)
            await #expect(throws: (any Error).self) {
                let finished = try await client.submit(
                    plugin: countingPlugin, provider: "secagg", rounds: 3, epsilon: 1, delta: 1e-6
                ) { update in
                    if case .tick(let tick) = update.update, tick.states.values.contains("INF"), !killed.value {
                        killed.value = true
                        deployment.kill(control)
                    }
                }
                Issue.record(
                    "the job ended while the control plane was to be killed: \(finished.outcome) \(finished.reason)")
            }
            #expect(killed.value)
            try deployment.start(control)
            try await deployment.waitUntilReady()
            // Every node left the interrupted job and wiped its secrets.
            for node in deployment.nodes.map(\.id) {
                #expect(try await eventually { log(of: node, in: deployment).contains("abandoned a job") })
            }
            let status = try await deployment.operatorClient().status()
            #expect(status.jobs.count == 1)
            #expect(status.jobs.first?.state == "aborted")
            #expect(status.jobs.first?.reason == "the control plane restarted during the job")
            // The federation runs the next job.
            let next = try await deployment.operatorClient().submit(
                plugin: countingPlugin, provider: "secagg", rounds: 1, epsilon: 1, delta: 1e-6
            ) { _ in }
            #expect(next.outcome == "finalized", "\(next.reason)")
            deployment.stopAll()
            let verification = LedgerVerifier.verify(path: deployment.root + "/state/control/ledger.sqlite")
            #expect(verification.isValid, "\(verification.problems)")
        }
    }
}

/// The value of the first sample of `metric` in a Prometheus exposition.
func value(_ metric: String, in text: String) -> Double? {
    text.split(separator: "\n").first { $0.hasPrefix(metric + "{") || $0.hasPrefix(metric + " ") }
        .flatMap { Double($0.split(separator: " ").last ?? "") }
}

/// A value shared with a `@Sendable` progress callback.
final class LockedValue<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
