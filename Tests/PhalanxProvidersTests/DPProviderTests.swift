import Foundation
import PhalanxCore
import PhalanxDP
import Testing

@testable import PhalanxProviders

@Suite("The dp and dp+secagg providers: plans, admission checks, noise through the sessions")
struct DPProviderTests {
    /// A plug-in that counts `d` categories per node, clipped to L∞ ≤ `clip`, and releases the secure sum.
    static func plugin(d: Int, clip: Int64 = 50) -> PluginIR {
        let domain = (0..<d).map { "k\($0)" }
        return PluginIR(
            name: "counts", version: "1",
            inputSchema: InputSchema(tables: [
                TableSchema(name: "t", columns: [ColumnSchema(name: "k", kind: .category, domain: domain)])
            ]),
            node: [
                .load(into: "t", table: "t"), .countBy(into: "c", from: "t", column: "k", domain: domain),
                .clipLinf(into: "b", from: "c", bound: clip), .secureSum(from: "b", channel: "x"),
            ],
            aggregator: [.secureSum(into: "s", channel: "x"), .release(from: "s", output: "out", labels: domain)]
        )
    }

    // MARK: - Plans

    @Test("a Gaussian plan meets its ε target tightly, and the provider's own check accepts it")
    func gaussianPlanMeetsTarget() throws {
        let plugin = Self.plugin(d: 7)
        for (epsilon, rounds) in [(1.0, 1), (0.5, 3), (4.0, 10)] {
            let provider = try DPProvider(targetEpsilon: epsilon, delta: 1e-6)
            let plan = try #require(try provider.privacyPlan(plugin: plugin, nodes: 5, rounds: rounds))
            #expect(plan.mechanism == "discrete-gaussian" && plan.accountant == "rdp" && !plan.distributed)
            // √7·50, rounded up so that it stays a bound after floating-point rounding.
            #expect(plan.sensitivity >= 7.0.squareRoot() * 50 && plan.sensitivity < 7.0.squareRoot() * 50 * (1 + 1e-14))
            #expect(plan.l1Sensitivity == 350)
            #expect(plan.dimension == 7 && plan.minimumContributors == 1)
            // The σ grid (1/256) costs at most a hair of ε: the plan spends almost all of the target, never more.
            #expect(plan.epsilonTotal <= epsilon && plan.epsilonTotal > 0.999 * epsilon, "\(plan)")
            #expect(plan.noise * 256 == (plan.noise * 256).rounded())
            #expect(provider.privacyPlanProblems(plan, plugin: plugin, nodes: 5, rounds: rounds).isEmpty)
            // One grid step less noise would overspend: the calibration found the least noise.
            var thinner = plan
            thinner.noise -= 1.0 / 256
            #expect(provider.privacyLoss(plan: thinner, releases: rounds).epsilon > epsilon * 0.9999)
        }
    }

    @Test("the RDP ε of a plan is the accountant's ε for the discrete Gaussian at σ/Δ₂")
    func planMatchesAccountant() throws {
        let provider = try DPProvider(targetEpsilon: 1, delta: 1e-5)
        let plan = try #require(try provider.privacyPlan(plugin: Self.plugin(d: 3), nodes: 4, rounds: 2))
        var accountant = RDPAccountant()
        try accountant.compose(.gaussian(noiseMultiplier: plan.noise / plan.sensitivity), count: 2)
        #expect(abs(try accountant.epsilon(delta: 1e-5) - plan.epsilonTotal) < 1e-12)
    }

    @Test("a Laplace plan is pure ε-DP: b = Δ₁·rounds/ε on the grid, δ = 0, ε adds up exactly")
    func laplacePlan() throws {
        let provider = try DPProvider(mechanism: .laplace, targetEpsilon: 2)
        let plan = try #require(try provider.privacyPlan(plugin: Self.plugin(d: 4, clip: 10), nodes: 3, rounds: 4))
        #expect(plan.mechanism == "discrete-laplace" && plan.accountant == "pure" && plan.delta == 0)
        #expect(plan.noise == 80)  // Δ₁ = 40, 4 rounds, ε = 2
        #expect(plan.epsilonPerRound == 0.5 && plan.epsilonTotal == 2)
        #expect(provider.privacyLoss(plan: plan, releases: 3) == (1.5, 0))
    }

    @Test("distributed noise is calibrated for the m = n − ⌊f·n⌋ nodes that survive, and costs more noise")
    func distributedPlan() throws {
        let provider = try DPProvider(distributed: true, targetEpsilon: 1, delta: 1e-6, dropoutFraction: 0.2)
        #expect([1, 2, 5, 10, 11].map(provider.minimumContributors) == [1, 2, 4, 8, 9])
        #expect(try DPProvider(distributed: true, dropoutFraction: 0).minimumContributors(nodes: 7) == 7)
        #expect(DPProvider.central.minimumContributors(nodes: 10) == 1)

        let plugin = Self.plugin(d: 7)
        let central = try #require(try DPProvider.central.privacyPlan(plugin: plugin, nodes: 5, rounds: 2))
        let plan = try #require(try provider.privacyPlan(plugin: plugin, nodes: 5, rounds: 2))
        #expect(plan.distributed && plan.minimumContributors == 4)
        #expect(plan.epsilonTotal <= 1 && plan.epsilonTotal > 0.99)
        // The sum of m discrete Gaussians is not a discrete Gaussian (Kairouz, Liu, Steinke 2021): the accountant
        // charges for the difference, so the same ε needs at least the central σ.
        #expect(plan.noise >= central.noise)
        #expect(provider.privacyPlanProblems(plan, plugin: plugin, nodes: 5, rounds: 2).isEmpty)
        // With large σ the difference vanishes: within 1% of the central noise.
        #expect(plan.noise < central.noise * 1.01, "\(plan.noise) vs \(central.noise)")
    }

    @Test("a distributed plan whose noise and clip would wrap the 32-bit secure sum is refused")
    func wrapAroundRefused() throws {
        let provider = try DPProvider(distributed: true, targetEpsilon: 1, delta: 1e-6)
        #expect(try provider.privacyPlan(plugin: Self.plugin(d: 1, clip: 1_000_000), nodes: 12, rounds: 1) != nil)
        #expect {
            _ = try provider.privacyPlan(plugin: Self.plugin(d: 1, clip: 150_000_000), nodes: 12, rounds: 1)
        } throws: { error in
            "\(error)".contains("does not fit the 32-bit secure sum")
        }
    }

    // MARK: - Admission checks

    @Test("admission refuses a missing plan, a plan on a provider without noise, and tampered plans")
    func planProblems() throws {
        let plugin = Self.plugin(d: 7)
        let provider = DPProvider.central
        let plan = try #require(try provider.privacyPlan(plugin: plugin, nodes: 5, rounds: 3))

        #expect(
            provider.privacyPlanProblems(nil, plugin: plugin, nodes: 5, rounds: 3).first?.contains("must carry") == true
        )
        #expect(!PlainProvider().privacyPlanProblems(plan, plugin: plugin, nodes: 5, rounds: 3).isEmpty)
        #expect(!SecAggProvider().privacyPlanProblems(plan, plugin: plugin, nodes: 5, rounds: 3).isEmpty)

        func problems(_ edit: (inout PrivacyPlan) -> Void, rounds: Int = 3) -> [String] {
            var tampered = plan
            edit(&tampered)
            return provider.privacyPlanProblems(tampered, plugin: plugin, nodes: 5, rounds: rounds)
        }
        #expect(problems { $0.noise /= 2 }.contains { $0.contains("under-reports its cost") })
        #expect(problems { $0.epsilonTotal /= 2 }.contains { $0.contains("under-reports its cost") })
        #expect(problems({ _ in }, rounds: 6).contains { $0.contains("under-reports its cost") })
        #expect(problems { $0.sensitivity /= 2 }.contains { $0.contains("contribution bounds") })
        #expect(problems { $0.dimension = 6 }.contains { $0.contains("contribution bounds") })
        #expect(problems { $0.mechanism = "discrete-laplace" }.contains { $0.contains("mechanism is") })
        #expect(problems { $0.distributed = true }.contains { $0.contains("distributed is true") })
        #expect(problems { $0.accountant = "pure" }.contains { $0.contains("accountant pure") })
        // More noise than needed is fine: it only costs accuracy.
        #expect(problems { $0.noise *= 2 }.isEmpty)
        #expect(
            try DPProvider.distributedOverSecAgg.privacyPlanProblems(
                try #require(try DPProvider.distributedOverSecAgg.privacyPlan(plugin: plugin, nodes: 5, rounds: 1))
                    .with { $0.minimumContributors = 9 }, plugin: plugin, nodes: 5, rounds: 1
            ).contains { $0.contains("minimumContributors 9") })
    }

    @Test("bad parameters are refused with the parameter's name")
    func badParameters() {
        func refused(_ parameter: String, _ make: () throws(DPError) -> DPProvider) {
            do {
                _ = try make()
                Issue.record("accepted a bad \(parameter)")
            } catch {
                #expect(error.parameter == parameter, "\(error)")
            }
        }
        for epsilon in [0, -1, .nan, .infinity] {
            refused("epsilon") { () throws(DPError) in try DPProvider(targetEpsilon: epsilon) }
        }
        for delta in [0, 1, -1e-6, .nan, .infinity] {
            refused("delta") { () throws(DPError) in try DPProvider(delta: delta) }
        }
        for fraction in [1, -0.1, .nan] {
            refused("dropoutFraction") { () throws(DPError) in try DPProvider(dropoutFraction: fraction) }
        }
        refused("mechanism") { () throws(DPError) in try DPProvider(distributed: true, mechanism: .laplace) }
        // δ is meaningless for the pure Laplace mechanism.
        #expect((try? DPProvider(mechanism: .laplace, delta: 0))?.delta == 0)
    }

    // MARK: - Sessions

    /// Builds a job for `provider` over `n` nodes with its plan in the manifest.
    static func job(
        _ provider: DPProvider, d: Int, nodes n: Int, clip: Int64 = 50
    ) throws -> (
        manifest: JobManifest, plugin: PluginIR, nodes: [SigningIdentity], aggregator: SigningIdentity,
        roster: FederationRoster
    ) {
        let plugin = plugin(d: d, clip: clip)
        let ids = (0..<n).map { SigningIdentity.generate(id: try! ParticipantID("n\($0)"), role: .node) }
        let aggregator = SigningIdentity.generate(id: try ParticipantID("agg"), role: .aggregator)
        let roster = try FederationRoster((ids + [aggregator]).map(\.publicIdentity))
        let manifest = JobManifest(
            jobNonce: String(repeating: "ab", count: 16),
            plugin: PluginReference(name: "counts", version: "1", digest: try plugin.digest), opcodes: plugin.opcodes,
            executionProvider: provider.name, metricKeys: [], predicates: [],
            guardrails: PolicyReference(version: "1", digest: try plugin.digest), parameters: [:],
            inputSchema: plugin.inputSchema,
            participants: ParticipantSet(
                nodes: ids.map(\.id), aggregator: aggregator.id, control: try ParticipantID("ctl")),
            rounds: 2, privacy: try provider.privacyPlan(plugin: plugin, nodes: n, rounds: 2))
        return (manifest, plugin, ids, aggregator, roster)
    }

    /// Runs one round of `provider` with the given node vectors; `silent` nodes never send anything.
    static func drive(
        _ provider: DPProvider, d: Int, nodes n: Int, silent: Set<Int> = [], clip: Int64 = 50
    ) throws -> (step: ProviderStep, vectors: [[Int64]], plan: PrivacyPlan, nodes: [any NodeProviderSession]) {
        let job = try job(provider, d: d, nodes: n, clip: clip)
        let aggregator = try provider.makeAggregatorSession(
            job: ProviderJobContext(
                manifest: job.manifest, plugin: job.plugin, identity: job.aggregator, roster: job.roster))
        let sessions = try job.nodes.map {
            try provider.makeNodeSession(
                job: ProviderJobContext(manifest: job.manifest, plugin: job.plugin, identity: $0, roster: job.roster))
        }
        var rng = SystemRandomNumberGenerator()
        let vectors = (0..<n).map { _ in (0..<d).map { _ in Int64.random(in: 0...clip, using: &rng) } }
        let ids = job.nodes.map(\.id)
        for (i, session) in sessions.enumerated() where !silent.contains(i) {
            for message in try session.begin(vectors[i], channel: "x", round: 0) {
                try aggregator.receive(message, from: ids[i])
            }
        }
        let plan = try #require(job.manifest.privacy)
        for _ in 0..<20 {
            let step = try aggregator.step(active: ids)
            if !step.completed.isEmpty || !step.failed.isEmpty { return (step, vectors, plan, sessions) }
            for (to, message) in step.outgoing {
                let i = ids.firstIndex(of: to)!
                guard !silent.contains(i) else { continue }
                for reply in (try? sessions[i].receive(message)) ?? [] { try aggregator.receive(reply, from: to) }
            }
        }
        Issue.record("the sum did not complete in 20 ticks")
        return (ProviderStep(), vectors, plan, sessions)
    }

    /// The sample variance of the difference between the released and the true sums.
    static func noiseVariance(_ released: [Int64], _ vectors: [[Int64]], contributors: Set<Int>) -> Double {
        let noise = released.indices.map { j in
            Double(released[j] - contributors.reduce(Int64(0)) { $0 + vectors[$1][j] })
        }
        let mean = noise.reduce(0, +) / Double(noise.count)
        return noise.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(noise.count - 1)
    }

    @Test("central: the released sum is the true sum plus noise of the planned variance")
    func centralNoise() throws {
        // 5,000 components: the sample variance is within ±10% of σ² with probability 1 − 10⁻⁶ (≈ 5 standard errors).
        let (step, vectors, plan, _) = try Self.drive(DPProvider.central, d: 5_000, nodes: 3, clip: 1)
        let sum = try #require(step.completed.first)
        #expect(sum.contributors.count == 3)
        let variance = Self.noiseVariance(sum.sum, vectors, contributors: [0, 1, 2])
        #expect(abs(variance / (plan.noise * plan.noise) - 1) < 0.1, "variance \(variance), σ = \(plan.noise)")
    }

    @Test("dp+secagg: every node adds σ²/m; with all n nodes in the sum the noise variance is n·σ²/m")
    func distributedNoise() throws {
        let provider = DPProvider.distributedOverSecAgg
        let (step, vectors, plan, nodes) = try Self.drive(provider, d: 5_000, nodes: 5, clip: 1)
        let sum = try #require(step.completed.first)
        #expect(sum.contributors.count == 5 && plan.minimumContributors == 4)
        let variance = Self.noiseVariance(sum.sum, vectors, contributors: Set(0..<5))
        let expected = 5 * plan.noise * plan.noise / 4
        #expect(abs(variance / expected - 1) < 0.1, "variance \(variance), expected \(expected)")
        // Each node has spent one release and says what the next would cost.
        let metrics = nodes[0].metrics()
        #expect(metrics[DPProvider.epsilonSpent] == plan.epsilonPerRound)
        #expect(metrics[DPProvider.epsilonNext] == provider.privacyLoss(plan: plan, releases: 2).epsilon)
        #expect(abs(metrics[DPProvider.epsilonRemaining]! - (plan.epsilonTotal - plan.epsilonPerRound)) < 1e-12)
        #expect(metrics[DPProvider.deltaSpent] == plan.delta)
    }

    @Test("dp+secagg: with fewer survivors than the noise is calibrated for, no sum is released")
    func tooFewSurvivors() throws {
        let provider = DPProvider.distributedOverSecAgg
        // 5 nodes, m = 4; one silent node leaves exactly m and the sum is released.
        let (one, _, _, _) = try Self.drive(provider, d: 8, nodes: 5, silent: [3])
        #expect(one.completed.first?.contributors.count == 4)
        // Two silent nodes leave 3 < m: the clients refuse to unmask and nothing is released.
        let (two, _, _, _) = try Self.drive(provider, d: 8, nodes: 5, silent: [1, 3])
        #expect(two.completed.isEmpty)
        #expect(!two.failed.isEmpty)
    }

    @Test("a wiped node session adds no more noise: it refuses to contribute")
    func wipedNodeRefuses() throws {
        let provider = DPProvider.distributedOverSecAgg
        let job = try Self.job(provider, d: 4, nodes: 5)
        let session = try provider.makeNodeSession(
            job: ProviderJobContext(
                manifest: job.manifest, plugin: job.plugin, identity: job.nodes[0], roster: job.roster))
        session.wipe()
        #expect { try session.begin([1, 2, 3, 4], channel: "x", round: 0) } throws: { error in
            "\(error)".contains("wiped")
        }
    }

    @Test("a session for a manifest without a plan is refused")
    func noPlanNoSession() throws {
        var job = try Self.job(DPProvider.central, d: 4, nodes: 2)
        job.manifest.privacy = nil
        let context = ProviderJobContext(
            manifest: job.manifest, plugin: job.plugin, identity: job.nodes[0], roster: job.roster)
        #expect(throws: ProviderError.self) { try DPProvider.central.makeNodeSession(job: context) }
        #expect(throws: ProviderError.self) { try DPProvider.central.makeAggregatorSession(job: context) }
    }
}

extension PrivacyPlan {
    /// A copy with `edit` applied.
    fileprivate func with(_ edit: (inout PrivacyPlan) -> Void) -> PrivacyPlan {
        var copy = self
        edit(&copy)
        return copy
    }
}
