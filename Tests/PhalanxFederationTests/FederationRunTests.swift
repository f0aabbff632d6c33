import PhalanxControl
import PhalanxCore
import PhalanxLedger
import PhalanxProviders
import Testing

@testable import PhalanxFederation

@Suite("One federated job end to end, in process")
struct FederationRunTests {
    func run(_ fault: Fault? = nil, rounds: Int = 3, provider: String = "plain") async throws -> FederationRun.Report {
        try await FederationRun(
            .init(rounds: rounds, providerName: provider, policy: try DefaultPolicy.load(), fault: fault)
        ).run()
    }

    /// The expected release, computed directly from the nodes' tables without any Phalanx runtime.
    func expectedTotals(rounds: Int, excluding: (String, Int) -> Bool = { _, _ in false }) throws -> [[Int64]] {
        var totals = [[Int64]](repeating: [Int64](repeating: 0, count: SafetyEvents.categories.count), count: rounds)
        for profile in SafetyEvents.demoProfiles {
            let table = try SafetyEvents.generate(profile: profile, days: rounds, seed: 2026)
            for day in 0..<rounds where !excluding(profile.id, day) {
                var counts = [Int64](repeating: 0, count: SafetyEvents.categories.count)
                for row in table.rows where row[0] == .integer(Int64(day)) && row[2] == .category("blocked") {
                    guard case .category(let c) = row[1] else { continue }
                    counts[SafetyEvents.categories.firstIndex(of: c)!] += 1
                }
                let clipped = Clipping.clipL1(counts, bound: SafetyEventCountPlugin.defaultContributionBound)
                for k in counts.indices { totals[day][k] += clipped[k] }
            }
        }
        return totals
    }

    @Test("without faults the job finalizes and releases exactly the sum of the clipped local counts")
    func finalizes() async throws {
        let report = try await run()
        guard case .finalized(let result) = report.outcome else {
            Issue.record("expected the job to finalize, got \(report.outcome)")
            return
        }
        let expected = try expectedTotals(rounds: 3)
        #expect(result.outputs.count == 3)
        for output in result.outputs {
            #expect(output.labels == SafetyEvents.categories)
            #expect(output.values == expected[output.round].map { $0 })
        }
        #expect(report.finalNodeStates.values.allSatisfy { $0 == .done })
        #expect(report.finalAggregatorState == .finalize)
        #expect(report.secretsWiped.values.allSatisfy { $0 })
        #expect(report.rejectionCounts.isEmpty)
        // Round 1 of devforge has an attack wave: clipping must have been active for the demo to mean anything.
        let devforge = try SafetyEvents.generate(profile: SafetyEvents.demoProfiles[2], days: 3, seed: 2026)
        let blockedDay1 = devforge.rows.filter { $0[0] == .integer(1) && $0[2] == .category("blocked") }.count
        #expect(blockedDay1 > Int(SafetyEventCountPlugin.defaultContributionBound))
    }

    @Test("under secagg the job releases exactly the same totals as the plain sum")
    func secureAggregation() async throws {
        let report = try await run(provider: "secagg")
        guard case .finalized(let result) = report.outcome else {
            Issue.record("expected the job to finalize, got \(report.outcome)")
            return
        }
        let expected = try expectedTotals(rounds: 3)
        for output in result.outputs { #expect(output.values == expected[output.round].map { $0 }) }
        #expect(report.manifest.executionProvider == "secagg")
        #expect(report.manifest.predicates.contains("malformed-share"))
        #expect(report.verification.isValid)
    }

    @Test("scenario C: a node revealing corrupted shares is caught, isolated, and the job finishes with the quorum")
    func malformedShare() async throws {
        let report = try await run(.malformedShare, provider: "secagg")
        guard case .finalized(let result) = report.outcome else {
            Issue.record("expected the job to finalize without the isolated node, got \(report.outcome)")
            return
        }
        let liar = try ParticipantID("shopline")
        #expect(report.finalNodeStates[liar] == .aborted)
        #expect(report.finalNodeStates.filter { $0.key != liar }.values.allSatisfy { $0 == .done })
        // Round 0 still contains the liar's (well-formed) masked input; later rounds are summed without it.
        let expected = try expectedTotals(rounds: 3) { node, day in node == "shopline" && day > 0 }
        for output in result.outputs { #expect(output.values == expected[output.round].map { $0 }) }
        let records = report.ledgerEntries.map(\.record)
        #expect(
            records.contains {
                if case .providerIncident(_, "invalid-shares", 0, [liar], _) = $0 { true } else { false }
            })
        #expect(
            records.contains {
                if case .commandIssued(_, _, .isolateParty, "malformed-share", _, _) = $0 { true } else { false }
            })
        let isolations = report.commandLog.compactMap { try? $0.verify(with: report.roster).value }.filter {
            $0.kind == .isolateParty
        }
        #expect(isolations.count == 1)
        #expect(isolations.first?.subject == liar)
        #expect(report.verification.isValid)
    }

    @Test("the aggregator finalizes only after a clearance, issued when every node was POSTF")
    func safetyInvariant() async throws {
        let report = try await run()
        var clearanceTick: UInt64?
        var finalizeTick: UInt64?
        var postflight: Set<ParticipantID> = []
        for (tick, event) in report.events {
            switch event {
            case .transition(let p, "node", _, _, "POSTF"): postflight.insert(p)
            case .clearanceIssued(let t):
                clearanceTick = t
                #expect(postflight.count == report.manifest.participants.nodes.count)
            case .transition(_, "aggregator", _, _, "FINALIZE"): finalizeTick = tick
            default: break
            }
        }
        let c = try #require(clearanceTick)
        let f = try #require(finalizeTick)
        #expect(c < f)
    }

    @Test("overspend: the guard-rail fires, A-ABORT_JOB is acknowledged by all, nothing is released")
    func overspendAborts() async throws {
        let report = try await run(.overspend)
        guard case .aborted(let reason) = report.outcome else {
            Issue.record("expected an abort, got \(report.outcome)")
            return
        }
        #expect(reason.contains("contribution-bound"))
        #expect(report.finalNodeStates.values.allSatisfy { $0 == .aborted })
        #expect(report.finalAggregatorState == .aborted)
        #expect(report.aggregatorHeldOutputs == 0)
        #expect(report.secretsWiped.values.allSatisfy { $0 })
        let held = report.events.compactMap { e -> [String]? in
            if case .predicateHeld(_, "contribution-bound", _, .abortJob, _, let offenders) = e.event {
                return offenders
            }
            return nil
        }
        #expect(held.count == 1)
        #expect(held.first?.contains("devforge") == true)
        let records = report.ledgerEntries.map(\.record)
        let issued = records.filter {
            if case .commandIssued(_, _, .abortJob, "contribution-bound", _, _) = $0 { true } else { false }
        }
        #expect(issued.count == 1)
        let acks = records.filter { if case .ackReceived(_, _, .applied, _) = $0 { true } else { false } }
        #expect(acks.count == report.manifest.participants.reporters.count)
        #expect(!records.contains { $0.kind == "job-finalized" || $0.kind == "release-cleared" })
        #expect(records.last?.kind == "job-aborted")
        #expect(report.commandLog.count == 1)
        #expect(report.ackLog.count == 6)
    }

    @Test("forged frames are rejected and counted; the job still finalizes")
    func forgedFrames() async throws {
        let report = try await run(.forgedFrame)
        #expect(report.rejectionCounts == [.badSignature: 1, .unknownSender: 1])
        guard case .finalized = report.outcome else {
            Issue.record("expected the job to finalize")
            return
        }
    }

    @Test("a replayed frame is rejected; the job still finalizes")
    func replay() async throws {
        let report = try await run(.replay)
        #expect(report.rejectionCounts == [.replay: 1])
        guard case .finalized = report.outcome else {
            Issue.record("expected the job to finalize")
            return
        }
    }

    @Test(
        "the ledger verifies, its checkpoint is signed by the control plane, and it holds exactly the accepted frames")
    func auditLedger() async throws {
        let report = try await run(.forgedFrame)
        #expect(report.verification.isValid, "\(report.verification.problems)")
        #expect(report.verification.entries == UInt64(report.ledgerEntries.count))
        let checkpoint = try Checkpoint(parsing: report.checkpoint.text)
        #expect(checkpoint.size == UInt64(report.ledgerEntries.count))
        #expect(checkpoint.root.hex == report.verification.root)
        let controlKey = try NoteVerifierKey(
            name: checkpoint.origin,
            publicKey: [UInt8](report.roster.members[report.manifest.participants.control]!.publicKey))
        #expect(try report.checkpoint.verify(with: [controlKey]).count == 1)
        // One checkpoint per tick, plus admission's.
        #expect(report.verification.checkpoints >= Int(report.ticks))
        var sealed: [SHA256Digest] = []
        for entry in report.ledgerEntries {
            if case .framesSealed(_, _, let frames, _, _) = entry.record { sealed += frames }
        }
        let logged = Set(report.frameLog.map(\.digest))
        #expect(Set(sealed).isSubset(of: logged))
        #expect(sealed.count == report.frameLog.count - 2)  // the two forged frames are not in the ledger
        #expect(report.ledgerEntries.first?.record.kind == "job-admitted")
        #expect(report.ledgerEntries.enumerated().allSatisfy { UInt64($0.offset) == $0.element.index })
    }

    @Test("one round and many rounds both finish", arguments: [1, 7])
    func roundCounts(_ rounds: Int) async throws {
        let report = try await run(rounds: rounds)
        guard case .finalized(let result) = report.outcome else {
            Issue.record("expected the job to finalize")
            return
        }
        #expect(result.outputs.count == rounds)
        // Announce, then one tick per round, the plain sum's tick of grace, the clearance and the release.
        #expect(report.ticks == UInt64(rounds) + 4)
        #expect(report.ledgerEntries.contains { $0.record.kind == "job-finalized" })
    }

    @Test("an unknown execution provider stops the run with a clear error")
    func unknownProvider() async throws {
        var config = FederationRun.Configuration(policy: try DefaultPolicy.load())
        config.providerName = "quantum"
        await #expect(throws: FederationRunError.self) { try await FederationRun(config).run() }
    }

    @Test("the demo data are reproducible from the seed and differ across organizations")
    func data() throws {
        let a = try SafetyEvents.generate(profile: SafetyEvents.demoProfiles[0], days: 2, seed: 7)
        let b = try SafetyEvents.generate(profile: SafetyEvents.demoProfiles[0], days: 2, seed: 7)
        let c = try SafetyEvents.generate(profile: SafetyEvents.demoProfiles[1], days: 2, seed: 7)
        #expect(a == b)
        #expect(a != c)
    }

    // MARK: - Differential privacy (issue 5)

    func records(_ report: FederationRun.Report) -> [AuditRecord] { report.ledgerEntries.map(\.record) }

    @Test(
        "scenario B under dp and dp+secagg: the budget predicate aborts, secrets are wiped, nothing is released",
        arguments: ["dp", "dp+secagg"])
    func privacyOverspend(provider: String) async throws {
        let report = try await run(.privacyOverspend, provider: provider)
        guard case .aborted(let reason) = report.outcome else {
            Issue.record("expected an abort, got \(report.outcome)")
            return
        }
        #expect(reason.contains("dp-budget"))
        let plan = try #require(report.manifest.privacy)
        #expect(plan.epsilonTotal > 1.5 && plan.epsilonTotal <= Fault.overspentEpsilon)
        #expect(report.finalNodeStates.values.allSatisfy { $0 == .aborted })
        #expect(report.finalAggregatorState == .aborted)
        #expect(report.aggregatorHeldOutputs == 0)
        #expect(report.secretsWiped.values.allSatisfy { $0 })
        // The predicate fired on the nodes' own accountants: the next release would pass the job's limit.
        let limit = try #require(report.configuration.policy.parameters["epsilonLimit"])
        let fired = try report.frameLog.map { try $0.verify(with: report.roster).value }
            .filter { ($0.metrics[DPProvider.epsilonNext] ?? 0) > limit }
        #expect(!fired.isEmpty)
        let records = records(report)
        let reserved = records.filter { if case .privacyReserved = $0 { true } else { false } }
        #expect(reserved.count == report.manifest.participants.nodes.count)
        #expect(
            records.contains {
                if case .commandIssued(_, _, .abortJob, "dp-budget", _, _) = $0 { true } else { false }
            })
        #expect(!records.contains { $0.kind == "job-finalized" || $0.kind == "release-cleared" })
        #expect(records.last?.kind == "job-aborted")
        // The reservations are closed: what was not spent is back in every node's budget.
        #expect(report.budgets.count == report.manifest.participants.nodes.count)
        for status in report.budgets {
            #expect(status.openJobs == 0)
            #expect(status.epsilonCommitted == status.epsilonSpent && status.epsilonSpent <= plan.epsilonTotal)
        }
    }

    @Test("dp+secagg finalizes: releases are the true sums plus bounded noise, and every node paid what the plan says")
    func distributedFinalizes() async throws {
        let report = try await run(provider: "dp+secagg")
        guard case .finalized(let result) = report.outcome else {
            Issue.record("expected the job to finalize, got \(report.outcome)")
            return
        }
        let plan = try #require(report.manifest.privacy)
        #expect(plan.distributed && plan.minimumContributors == 4 && plan.epsilonTotal <= 0.9)
        let expected = try expectedTotals(rounds: 3)
        // Five shares of variance σ²/4: |noise| ≤ 8·σ·√(5/4) fails with probability below 10⁻¹⁴ per component.
        let bound = 8 * plan.noise * (5.0 / 4).squareRoot()
        var differs = false
        for output in result.outputs {
            for (value, exact) in zip(output.values, expected[output.round]) {
                let value = try #require(value)
                #expect(Double(abs(value - exact)) <= bound)
                differs = differs || value != exact
            }
        }
        #expect(differs, "the released sums carry no noise")
        let spent = records(report).compactMap { r -> Double? in
            if case .privacySpent(_, _, _, let epsilon, _) = r { epsilon } else { nil }
        }
        #expect(spent.count == 3 * report.manifest.participants.nodes.count)
        for status in report.budgets {
            #expect(status.openJobs == 0)
            #expect(abs(status.epsilonSpent - plan.epsilonTotal) < 1e-9)
            #expect(status.epsilonCommitted <= status.epsilonLimit)
        }
        #expect(report.secretsWiped.values.allSatisfy { $0 })
    }

    @Test("a job a node's budget cannot afford is refused at admission with the numbers, and nothing is reserved")
    func unaffordableJobRefused() async throws {
        let report = try await FederationRun(
            .init(providerName: "dp", policy: try DefaultPolicy.load(), nodeEpsilonLimit: 0.5)
        ).run()
        guard case .refused(let error) = report.outcome else {
            Issue.record("expected a refusal, got \(report.outcome)")
            return
        }
        #expect(error.problems.contains { $0.path == "$.privacy.epsilonTotal" && $0.message.contains("0.5") })
        #expect(report.budgets.allSatisfy { $0.epsilonCommitted == 0 && $0.openJobs == 0 })
        #expect(!records(report).contains { if case .privacyReserved = $0 { true } else { false } })
    }
}
