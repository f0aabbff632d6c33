import PhalanxControl
import PhalanxCore
import PhalanxProviders
import Testing

@testable import PhalanxFederation

/// Runtime gap 3 of docs/model-checking.md: the aggregator publishes its result again at every step while in
/// FINALIZE, so a result the network lost does not leave a node in POSTF forever.
@Suite("A lost result is published again and the job still finishes")
struct LostResultTests {
    func run(_ fault: Fault? = nil) async throws -> FederationRun.Report {
        try await FederationRun(.init(policy: try DefaultPolicy.load(), fault: fault)).run()
    }

    /// The tick in which each node reached DONE.
    func doneTicks(_ report: FederationRun.Report) -> [ParticipantID: UInt64] {
        var ticks: [ParticipantID: UInt64] = [:]
        for case (let tick?, .transition(let node, "node", _, _, "DONE")) in report.events { ticks[node] = tick }
        return ticks
    }

    func refusals(_ report: FederationRun.Report) -> [(ParticipantID, String, String)] {
        report.events.compactMap {
            if case .messageRefused(let participant, let kind, let reason) = $0.event {
                (participant, kind, reason)
            } else {
                nil
            }
        }
    }

    @Test("lost-result: the job finalizes with every node DONE and the same outputs as without the fault")
    func finalizesWithTheSameOutputs() async throws {
        let clean = try await run()
        let lost = try await run(.lostResult)
        guard case .finalized(let expected) = clean.outcome, case .finalized(let result) = lost.outcome else {
            Issue.record("expected both jobs to finalize, got \(clean.outcome) and \(lost.outcome)")
            return
        }
        #expect(result.outputs == expected.outputs)
        #expect(lost.finalNodeStates.count == lost.manifest.participants.nodes.count)
        #expect(lost.finalNodeStates.values.allSatisfy { $0 == .done })
        #expect(lost.finalAggregatorState == .finalize)
        #expect(lost.secretsWiped.values.allSatisfy { $0 })
        // The network lost exactly one message: the first result to the second node.
        let victim = lost.manifest.participants.nodes[1]
        #expect(lost.networkLosses.map(\.recipient) == [victim])
        #expect(lost.networkLosses.map(\.kind) == ["result"])
        // One tick more than without the fault: the aggregator's next step publishes the result again.
        #expect(lost.ticks == clean.ticks + 1)
        // The control plane took the result once: one finalization in the ledger, and the ledger verifies.
        #expect(lost.ledgerEntries.filter { $0.record.kind == "job-finalized" }.count == 1)
        #expect(lost.verification.isValid)
    }

    @Test("lost-result: the node that lost the result reaches DONE after the others, when it is published again")
    func victimFinishesLater() async throws {
        let report = try await run(.lostResult)
        let victim = report.manifest.participants.nodes[1]
        let done = doneTicks(report)
        let victimDone = try #require(done[victim])
        let others = done.filter { $0.key != victim }
        #expect(others.count == report.manifest.participants.nodes.count - 1)
        #expect(others.values.allSatisfy { $0 < victimDone })
        let loss = try #require(report.networkLosses.first)
        #expect(loss.tick < victimDone)
        // Results went out more than once per node: the first publication (nodes and control), then again.
        #expect(report.messageCounts["result", default: 0] > report.manifest.participants.nodes.count + 1)
    }

    @Test("the duplicate results are ignored silently: no participant refuses anything, with or without the fault")
    func noRefusals() async throws {
        for fault in [nil, Fault.lostResult] {
            let report = try await run(fault)
            #expect(refusals(report).isEmpty, "\(fault?.rawValue ?? "no fault"): \(refusals(report))")
        }
    }

    @Test("the transport loses at most the matching deliveries asked for, and counts them sent once")
    func transportLoses() async throws {
        let a = try ParticipantID("org-a")
        let b = try ParticipantID("org-b")
        let aggregator = SigningIdentity.generate(id: try ParticipantID("aggregator"), role: .aggregator)
        let transport = InProcessTransport(participants: [a, b, aggregator.id])
        let result = try Signed(
            signing: JobResult(aggregator: aggregator.id, jobId: try SHA256Digest.ofCanonical("job"), outputs: []),
            with: aggregator)
        for _ in 0..<2 { try await transport.send(.result(result), from: aggregator.id, to: a) }
        try await transport.send(.result(result), from: aggregator.id, to: b)
        let isResult: @Sendable (Delivery) -> Bool = { if case .result = $0.message { true } else { false } }
        #expect(await transport.lose(to: a, atMost: 1, where: isResult) == 1)
        #expect(await transport.lose(to: b, where: { _ in false }) == 0)
        #expect(await transport.sentCounts["result"] == 3)
        #expect(await transport.drain(a).count == 1)
        #expect(await transport.drain(b).count == 1)
    }
}

@Suite("A node in DONE and the results it receives")
struct NodeResultTests {
    let node = SigningIdentity.generate(id: try! ParticipantID("org-a"), role: .node)
    let aggregator = SigningIdentity.generate(id: try! ParticipantID("aggregator"), role: .aggregator)
    let control = SigningIdentity.generate(id: try! ParticipantID("control"), role: .control)

    /// A node that ran a one-round `plain` job to POSTF, the transport, and the job's id.
    func nodeInPostflight() async throws -> (NodeRuntime, InProcessTransport, SHA256Digest) {
        let roster = try FederationRoster([node, aggregator, control].map(\.publicIdentity))
        let transport = InProcessTransport(participants: [node.id, aggregator.id, control.id])
        let profile = SafetyEvents.demoProfiles[0]
        let table = try SafetyEvents.generate(profile: profile, days: 1, seed: 2026)
        let runtime = NodeRuntime(
            identity: node, roster: roster, providers: .builtIn, tables: [SafetyEvents.table: table],
            transport: transport, clock: FederationRun.wallClock)
        let plugin = SafetyEventCountPlugin.make(contributionBound: SafetyEventCountPlugin.defaultContributionBound)
        let provider = PlainProvider()
        let (manifest, _) = try JobAdmission.makeManifest(
            plugin: plugin, provider: provider.descriptor, policy: try DefaultPolicy.load(),
            participants: ParticipantSet(nodes: [node.id], aggregator: aggregator.id, control: control.id),
            rounds: 1, providerImplementation: provider)
        let announcement = try Signed(
            signing: JobAnnouncement(issuer: control.id, manifest: manifest, plugin: plugin), with: control)
        try await transport.send(.announcement(announcement), from: control.id, to: node.id)
        for tick: UInt64 in 0..<2 { try await runtime.step(tick: tick, tickStart: .now) }
        #expect(await runtime.state == .postflight)
        _ = await runtime.takeEvents()
        return (runtime, transport, manifest.hash)
    }

    func result(_ jobId: SHA256Digest, _ value: Int64) throws -> Signed<JobResult> {
        let output = ReleasedOutput(name: "counts", round: 0, labels: ["x"], values: [value])
        return try Signed(
            signing: JobResult(aggregator: aggregator.id, jobId: jobId, outputs: [output]), with: aggregator)
    }

    func refused(_ events: [JobEvent]) -> [String] {
        events.compactMap { if case .messageRefused(_, "result", let reason) = $0 { reason } else { nil } }
    }

    @Test("in DONE, the same result again is ignored silently; a different one is still refused")
    func duplicateIgnoredDifferentRefused() async throws {
        let (runtime, transport, jobId) = try await nodeInPostflight()
        let accepted = try result(jobId, 7)
        try await transport.send(.result(accepted), from: aggregator.id, to: node.id)
        try await runtime.step(tick: 2, tickStart: .now)
        #expect(await runtime.state == .done)
        #expect(await runtime.result?.first?.values == [7])
        _ = await runtime.takeEvents()

        // The identical envelope, and the same outputs signed again: harmless duplicates.
        try await transport.send(.result(accepted), from: aggregator.id, to: node.id)
        try await transport.send(.result(try result(jobId, 7)), from: aggregator.id, to: node.id)
        try await runtime.step(tick: 3, tickStart: .now)
        let afterDuplicates = await runtime.takeEvents()
        #expect(refused(afterDuplicates).isEmpty)
        #expect(!afterDuplicates.contains { if case .transition = $0 { true } else { false } })

        // Other outputs in DONE are refused, as before, and change nothing.
        try await transport.send(.result(try result(jobId, 8)), from: aggregator.id, to: node.id)
        try await runtime.step(tick: 4, tickStart: .now)
        #expect(refused(await runtime.takeEvents()) == ["a result in state DONE"])
        #expect(await runtime.result?.first?.values == [7])
        #expect(await runtime.state == .done)
    }
}
