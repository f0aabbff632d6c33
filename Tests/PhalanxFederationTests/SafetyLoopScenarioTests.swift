import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxLedger
import PhalanxProviders
import Testing

@testable import PhalanxFederation

/// A test fixture with a steep simulated noise budget, to exercise the forecast (the real `fhe` provider runs scenario A
/// in ``SafetyLoopScenarioTests/scenarioAOnFHE()``): the `plain` sum, plus a ciphertext
/// noise budget `noiseBits` that every contribution consumes (15 bits) and `A-BOOTSTRAP` restores (60 bits). It
/// emits the metric the `noise-floor` predicate of the default policy reads, so scenario A runs through the loop.
struct NoiseBudgetFixture: ExecutionProvider {
    static let name = "fhe-fixture"
    static let fullBudget = 60.0
    static let costPerRound = 15.0

    var descriptor: ProviderDescriptor {
        ProviderDescriptor(
            name: Self.name, protection: "TEST FIXTURE: plain sums with a simulated noise budget",
            opcodes: [.secureSum, .thresholdRelease, .release],
            metricKeys: PlainProvider().descriptor.metricKeys.union(["noiseBits"]))
    }

    func makeNodeSession(job: ProviderJobContext) throws -> any NodeProviderSession {
        NodeSession(inner: try PlainProvider().makeNodeSession(job: job))
    }

    func makeAggregatorSession(job: ProviderJobContext) throws -> any AggregatorProviderSession {
        AggregatorSession(inner: try PlainProvider().makeAggregatorSession(job: job))
    }

    final class NodeSession: NodeProviderSession {
        let inner: any NodeProviderSession
        var budget = NoiseBudgetFixture.fullBudget
        private(set) var bootstraps = 0
        init(inner: any NodeProviderSession) { self.inner = inner }

        func begin(_ vector: [Int64], channel: String, round: Int) throws -> [ProviderMessage] {
            budget -= NoiseBudgetFixture.costPerRound
            return try inner.begin(vector, channel: channel, round: round)
        }
        func receive(_ message: ProviderMessage) throws -> [ProviderMessage] { try inner.receive(message) }
        var isBusy: Bool { inner.isBusy }
        func metrics() -> [String: Double] { inner.metrics().merging(["noiseBits": budget]) { $1 } }
        func wipe() { inner.wipe() }
        func bootstrap() throws -> Bool {
            budget = NoiseBudgetFixture.fullBudget
            bootstraps += 1
            return true
        }
    }

    final class AggregatorSession: AggregatorProviderSession {
        let inner: any AggregatorProviderSession
        init(inner: any AggregatorProviderSession) { self.inner = inner }
        func receive(_ message: ProviderMessage, from node: ParticipantID) throws {
            try inner.receive(message, from: node)
        }
        func step(active: [ParticipantID]) throws -> ProviderStep { try inner.step(active: active) }
        func metrics() -> [String: Double] {
            inner.metrics().merging(["noiseBits": NoiseBudgetFixture.fullBudget]) { $1 }
        }
        func discardPending() { inner.discardPending() }
    }
}

@Suite("Scenarios through the safety loop")
struct SafetyLoopScenarioTests {
    func frames(_ report: FederationRun.Report) throws -> [TelemetryFrame] {
        try report.frameLog.map { try $0.verify(with: report.roster).value }
    }

    @Test("scenario A: the noise budget's forecast crosses the floor, A-BOOTSTRAP restores it, the job finishes")
    func scenarioA() async throws {
        let report = try await FederationRun(
            .init(
                rounds: 4, providerName: NoiseBudgetFixture.name, policy: try DefaultPolicy.load(),
                extraProviders: [NoiseBudgetFixture()])
        ).run()
        guard case .finalized(let result) = report.outcome else {
            Issue.record("expected the job to finalize, got \(report.outcome)")
            return
        }
        #expect(result.outputs.count == 4)
        #expect(report.manifest.predicates.contains("noise-floor"))
        let bootstraps = report.commandLog.map { try? $0.verify(with: report.roster).value }.compactMap { $0 }
            .filter { $0.kind == .bootstrap }
        #expect(!bootstraps.isEmpty)
        #expect(bootstraps.allSatisfy { $0.predicate == "noise-floor" })
        #expect(Set(bootstraps.flatMap(\.targets)) == Set(report.manifest.participants.nodes))
        // Every node acknowledged and applied its bootstrap.
        let acks = report.ackLog.map { try? $0.verify(with: report.roster).value }.compactMap { $0 }
            .filter { ack in bootstraps.contains { $0.id == ack.commandId } }
        #expect(acks.count == bootstraps.map(\.targets.count).reduce(0, +))
        #expect(acks.allSatisfy { $0.outcome == .applied })
        // The forecast acted a tick early: no node's budget ever reached the floor, and it was restored.
        let floor = try #require(report.manifest.parameters["noiseFloorBits"])
        // (Once a node has sent its last round its session, and the budget with it, is gone: those frames report 0.)
        let computing = [NodeState.preflight.rawValue, NodeState.inflight.rawValue]
        let budgets = try frames(report).filter { computing.contains($0.state) }.compactMap {
            $0.metrics["noiseBits"]
        }
        #expect(budgets.allSatisfy { $0 >= floor }, "\(budgets)")
        let firstBootstrapTick = try #require(bootstraps.map(\.issuedAtTick).min())
        let after = try frames(report).filter { $0.tick == firstBootstrapTick + 1 }.compactMap {
            $0.metrics["noiseBits"]
        }
        #expect(after.contains(NoiseBudgetFixture.fullBudget) || after.contains(NoiseBudgetFixture.fullBudget - 15))
        #expect(report.ledgerEntries.contains { $0.record.kind == "predicate-fired" })
    }

    @Test(
        "scenario A on the fhe provider: the encrypted totals' budget falls, A-BOOTSTRAP's collective refresh restores it"
    )
    func scenarioAOnFHE() async throws {
        // A summation job spends about one bit of budget per doubling of the ciphertexts added into a total, so
        // the default floor (20 bits) is far off: this policy keeps 73.5 bits in reserve, which the totals of five
        // nodes cross in the second round.
        let text = DefaultPolicy.text.replacingOccurrences(of: "noiseFloorBits: 20", with: "noiseFloorBits: 73.5")
        let policy = try GuardrailPolicyLoader.load(Array(text.utf8), file: "guardrails.yaml")
        let report = try await FederationRun(.init(rounds: 4, providerName: FHEProvider.name, policy: policy)).run()
        guard case .finalized(let result) = report.outcome else {
            Issue.record("expected the job to finalize, got \(report.outcome)")
            return
        }
        // The sums are exact: the same outputs as the plain provider on the same data.
        let plain = try await FederationRun(.init(rounds: 4, providerName: PlainProvider.name, policy: policy)).run()
        #expect(result.outputs == plain.outcome.outputs)
        #expect(Set(report.manifest.metricKeys).isSuperset(of: [FHEProvider.noiseBits, FHEProvider.levelsLeft]))
        let bootstraps = report.commandLog.compactMap { try? $0.verify(with: report.roster).value }
            .filter { $0.kind == .bootstrap }
        let first = try #require(bootstraps.map(\.issuedAtTick).min())
        #expect(bootstraps.allSatisfy { $0.predicate == "noise-floor" })
        #expect(Set(bootstraps.flatMap(\.targets)) == Set(report.manifest.participants.nodes))
        let acks = report.ackLog.compactMap { try? $0.verify(with: report.roster).value }
            .filter { ack in bootstraps.contains { $0.id == ack.commandId } }
        #expect(acks.count == bootstraps.map(\.targets.count).reduce(0, +))
        #expect(acks.allSatisfy { $0.outcome == .applied })
        // Every node took part in a refresh, and afterwards reports more budget than it had before the command.
        let frames = try frames(report).filter { $0.nodeId != report.manifest.participants.control }
        let computing = [NodeState.inflight.rawValue]
        for node in report.manifest.participants.nodes {
            let own = frames.filter { $0.nodeId == node && computing.contains($0.state) }
            let before = try #require(own.last { $0.tick <= first }?.metrics[FHEProvider.noiseBits])
            let refreshed = own.filter { ($0.metrics[FHEProvider.refreshes] ?? 0) >= 1 }
            let after = try #require(refreshed.first?.metrics[FHEProvider.noiseBits], "\(node) never refreshed")
            #expect(after > before + 5, "\(node): \(before) bits before A-BOOTSTRAP, \(after) after the refresh")
        }
        #expect(report.ledgerEntries.contains { $0.record.kind == "predicate-fired" })
    }

    @Test("an operator's force-abort is verified, audited, re-signed by control and stops the job")
    func operatorForceAbort() async throws {
        let alice = SigningIdentity.generate(id: try ParticipantID("alice"), role: .operator)
        let report = try await FederationRun(
            .init(
                policy: try DefaultPolicy.load(), operators: [alice],
                overrides: { tick, manifest in
                    guard tick == 1 else { return [] }
                    let command = ACommand(
                        kind: .abortJob, jobId: manifest.hash, issuer: alice.id,
                        targets: [manifest.participants.control],
                        predicate: nil, reason: "the data owner withdrew consent", issuedAtTick: tick, ackBy: tick + 1,
                        issuedAtMs: 0)
                    return [OverrideRequest(command: try Signed(signing: command, with: alice))]
                })
        ).run()
        guard case .aborted(let reason) = report.outcome else {
            Issue.record("expected an abort, got \(report.outcome)")
            return
        }
        #expect(reason.contains("override by alice: the data owner withdrew consent"))
        let records = report.ledgerEntries.map(\.record)
        #expect(
            records.contains { if case .override(let op, _, .abortJob, _, _) = $0 { op == alice.id } else { false } })
        #expect(report.finalNodeStates.values.allSatisfy { $0 == .aborted })
        #expect(report.secretsWiped.values.allSatisfy { $0 })
        #expect(!records.contains { $0.kind == "release-cleared" })
    }

    @Test("an override the policy does not allow is refused and audited; the job goes on")
    func refusedOverride() async throws {
        let alice = SigningIdentity.generate(id: try ParticipantID("alice"), role: .operator)
        let report = try await FederationRun(
            .init(
                policy: try DefaultPolicy.load(), operators: [alice],
                overrides: { tick, manifest in
                    guard tick == 0 else { return [] }
                    let command = ACommand(
                        kind: .setParameter, jobId: manifest.hash, issuer: alice.id,
                        targets: [manifest.participants.control], predicate: nil, parameter: "maxContributionL1",
                        value: 1_000_000, reason: "let it through", issuedAtTick: tick, ackBy: tick + 1, issuedAtMs: 0)
                    return [OverrideRequest(command: try Signed(signing: command, with: alice))]
                })
        ).run()
        guard case .finalized = report.outcome else {
            Issue.record("expected the job to finalize, got \(report.outcome)")
            return
        }
        let refused = report.ledgerEntries.map(\.record).compactMap { record -> String? in
            if case .overrideRefused(_, _, let reason) = record { reason } else { nil }
        }
        #expect(refused.count == 1)
        #expect(refused.first?.contains("parameter maxContributionL1 cannot be overridden") == true)
    }

    @Test(
        "a node that ignores commands gets the same command again twice, is isolated, and the job finishes without it")
    func silentNode() async throws {
        let report = try await FederationRun(.init(policy: try DefaultPolicy.load(), fault: .silentNode)).run()
        guard case .finalized(let result) = report.outcome else {
            Issue.record("expected the job to finalize, got \(report.outcome)")
            return
        }
        let silent = try ParticipantID("shopline")
        let records = report.ledgerEntries.map(\.record)
        let resent = records.compactMap { record -> (CommandID, Int)? in
            if case .commandResent(let id, let participant, let attempt) = record, participant == silent {
                return (id, attempt)
            }
            return nil
        }
        #expect(resent.map(\.1) == [1, 2])
        #expect(Set(resent.map(\.0)).count == 1, "the same command id every time")
        let commands = report.commandLog.compactMap { try? $0.verify(with: report.roster).value }
        let isolation = try #require(commands.first { $0.kind == .isolateParty })
        #expect(isolation.subject == silent && !isolation.targets.contains(silent))
        #expect(report.rejectionCounts[.isolated, default: 0] > 0, "its frames are refused after the isolation")
        #expect(report.finalAggregatorState == .finalize)
        #expect(result.outputs.count == 3)
    }
}
