import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxDSL
import PhalanxFederation
import PhalanxProviders
import Testing

/// The shipped plug-ins, compiled from their DSL source, run unchanged on every provider that implements their
/// opcodes, and are refused with a reason and a fix by the others.
@Suite("Shipped plug-ins on every provider")
struct ProviderMatrixTests {
    static let providers = ["plain", "secagg", "dp", "dp+secagg", "fhe", "fhe+dp"]

    // MARK: - Safety-event counts: Laplace noise, thresholded release (dp only)

    static func safetyEventNodes(days: Int) throws -> [(id: String, tables: [String: LocalTable])] {
        try SafetyEvents.demoProfiles.map { profile in
            (profile.id, [SafetyEvents.table: try SafetyEvents.generate(profile: profile, days: days, seed: 7)])
        }
    }

    @Test(
        "safety-event counts run on dp and fhe+dp with Laplace noise and a threshold, one release per day",
        arguments: ["dp", "fhe+dp"])
    func safetyEventsOnDP(provider: String) async throws {
        let plugin = try Repository.plugin("safety-event-count")
        #expect(plugin.analysis.noise == ["blocked": .laplace])
        let report = try await PluginRun.run(
            plugin, provider: provider, nodes: try Self.safetyEventNodes(days: 3), rounds: 3, epsilon: 1)
        let outputs = try PluginRun.outputs(report)
        #expect(outputs.map(\.round) == [0, 1, 2])
        #expect(outputs.allSatisfy { $0.labels == SafetyEvents.categories && $0.values.count == 5 })
        // Released values are integers at or above the threshold; the others are suppressed.
        #expect(outputs.flatMap(\.values).allSatisfy { $0.map { $0 >= 20 } ?? true })
        #expect(report.manifest.privacy?.mechanism == "discrete-laplace")
    }

    @Test(
        "safety-event counts are refused where no Laplace noise is added, saying where to run them",
        arguments: ["plain", "secagg", "dp+secagg", "fhe"])
    func safetyEventsRefused(provider: String) async throws {
        let plugin = try Repository.plugin("safety-event-count")
        let report = try await PluginRun.run(plugin, provider: provider, nodes: try Self.safetyEventNodes(days: 1))
        guard case .refused(let error) = report.outcome else {
            Issue.record("expected a refusal on \(provider), got \(report.outcome)")
            return
        }
        let text = error.description
        if provider == "dp+secagg" {
            #expect(text.contains("asks for laplace noise") && text.contains("run it on dp"), "\(text)")
        } else {
            #expect(text.contains("does not implement noise") && text.contains("run it on dp"), "\(text)")
        }
    }

    // MARK: - One round of federated averaging

    /// What one node may add to a round of fedavg-round: its channels' L1 bounds (from the plug-in's analysis).
    static func fedavgPolicy() throws -> GuardrailPolicy {
        let plugin = try Repository.plugin("fedavg-round")
        return try policy(maxContributionL1: plugin.analysis.channels.reduce(0) { $0 + $1.bounds.l1 }.rounded(.up))
    }

    /// Node i's update: 16 reals of norm up to 3 (some are clipped to 1), and its example count.
    static func fedavgNodes() throws -> (nodes: [(id: String, tables: [String: LocalTable])], expected: [Double]) {
        let plugin = try Repository.plugin("fedavg-round")
        let updateSchema = try #require(plugin.ir.inputSchema.table(named: "model_update"))
        let trainingSchema = try #require(plugin.ir.inputSchema.table(named: "training"))
        var nodes: [(id: String, tables: [String: LocalTable])] = []
        var weighted = [Double](repeating: 0, count: 16)
        var totalWeight = 0.0
        for i in 0..<5 {
            let update: [Double] = (0..<16).map { (j: Int) -> Double in
                let step: Int = (i * 7 + j * 3) % 11 - 5
                return Double(step) / Double(4 + i)
            }
            let examples = [120, 800, 2_500, 40, 999][i]
            let norm = update.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let clipped = norm > 1 ? update.map { $0 / norm } : update
            let weight = Double(min(examples, 1_000))
            for j in 0..<16 { weighted[j] += clipped[j] * weight }
            totalWeight += weight
            nodes.append(
                (
                    "org-\(i + 1)",
                    [
                        "model_update": try LocalTable(
                            schema: updateSchema, rows: update.map { [LocalTable.Cell.real($0)] }),
                        "training": try LocalTable(schema: trainingSchema, rows: [[.integer(Int64(examples))]]),
                    ]
                ))
        }
        return (nodes, weighted.map { $0 / totalWeight })
    }

    @Test(
        "federated averaging gives the weighted mean of the clipped updates on plain, secagg and fhe",
        arguments: ["plain", "secagg", "fhe"])
    func fedavgExact(provider: String) async throws {
        let plugin = try Repository.plugin("fedavg-round")
        let (nodes, expected) = try Self.fedavgNodes()
        let outputs = try PluginRun.outputs(
            try await PluginRun.run(plugin, provider: provider, nodes: nodes, policy: try Self.fedavgPolicy()))
        let mean = try #require(outputs.first { $0.name == "mean_update" }?.realValues)
        #expect(mean.count == 16)
        for (value, exact) in zip(mean, expected) {
            // Quantization to 1/4096 per node, divided by the total weight: well under 1e-6 here.
            #expect(abs(try #require(value) - exact) < 1e-6, "\(String(describing: value)) vs \(exact)")
        }
    }

    @Test(
        "federated averaging runs on dp, dp+secagg and fhe+dp: a noisy but finite mean",
        arguments: ["dp", "dp+secagg", "fhe+dp"])
    func fedavgPrivate(provider: String) async throws {
        let plugin = try Repository.plugin("fedavg-round")
        let (nodes, _) = try Self.fedavgNodes()
        let outputs = try PluginRun.outputs(
            try await PluginRun.run(plugin, provider: provider, nodes: nodes, policy: try Self.fedavgPolicy()))
        let mean = try #require(outputs.first { $0.name == "mean_update" }?.realValues)
        #expect(mean.count == 16 && mean.allSatisfy { $0?.isFinite == true })
    }

    // MARK: - Kaplan–Meier under DP

    @Test(
        "Kaplan–Meier runs on dp, dp+secagg and fhe+dp: a survival curve in [0, 1] that never rises",
        arguments: ["dp", "dp+secagg", "fhe+dp"])
    func kaplanMeierPrivate(provider: String) async throws {
        let plugin = try Repository.plugin("kaplan-meier")
        let outputs = try PluginRun.outputs(
            try await PluginRun.run(plugin, provider: provider, nodes: try KaplanMeierTests.nodes(plugin), epsilon: 1))
        let curve = try #require(outputs.first { $0.name == "survival" }?.realValues).map { $0 ?? .nan }
        #expect(curve.count == 81)
        #expect(curve.allSatisfy { (0...1).contains($0) })
        #expect(zip(curve, curve.dropFirst()).allSatisfy { $0 >= $1 })
    }

    // MARK: - Admission checks the nodes' data

    @Test("a node whose data lacks a column the plug-in reads is refused before any data moves")
    func declaredDataChecked() async throws {
        let plugin = try Repository.plugin("kaplan-meier")
        var nodes = try KaplanMeierTests.nodes(plugin)
        let narrow = TableSchema(
            name: "survival",
            columns: [
                ColumnSchema(name: "time", kind: .integer, minimum: 0, maximum: 80),
                ColumnSchema(name: "event", kind: .integer, minimum: 0, maximum: 1),
            ])
        nodes[2].tables = ["survival": try LocalTable(schema: narrow, rows: [[.integer(5), .integer(1)]])]
        let report = try await PluginRun.run(plugin, provider: "plain", nodes: nodes)
        guard case .refused(let error) = report.outcome else {
            Issue.record("expected a refusal, got \(report.outcome)")
            return
        }
        #expect(error.description.contains("node org-3's table survival has no column group"), "\(error)")
        #expect(report.ticks == 0, "nothing ran")
    }
}

@Suite("Admission of the noise a plug-in asks for")
struct NoiseAdmissionTests {
    @Test("a job calibrated for Gaussian noise is refused for a plug-in that asks for Laplace noise")
    func planMechanismChecked() throws {
        let plugin = try Repository.plugin("safety-event-count")
        let gaussian = try DPProvider(mechanism: .gaussian)
        let nodes = try (1...3).map { SigningIdentity.generate(id: try ParticipantID("org-\($0)"), role: .node) }
        let aggregator = SigningIdentity.generate(id: try ParticipantID("aggregator"), role: .aggregator)
        let control = SigningIdentity.generate(id: try ParticipantID("control"), role: .control)
        let policy = try DefaultPolicy.load()
        let (manifest, _) = try JobAdmission.makeManifest(
            plugin: plugin.ir, provider: gaussian.descriptor, policy: policy,
            participants: ParticipantSet(nodes: nodes.map(\.id), aggregator: aggregator.id, control: control.id),
            rounds: 1, providerImplementation: gaussian)
        let roster = try FederationRoster((nodes + [aggregator, control]).map(\.publicIdentity))
        let refusal = #expect(throws: AdmissionError.self) {
            try JobAdmission.admit(
                manifest: manifest, plugin: plugin.ir, providers: ProviderRegistry.builtIn.replacing(gaussian),
                policy: policy, roster: roster)
        }
        let problems = try #require(refusal).problems
        #expect(problems.map(\.path) == ["$.privacy.mechanism"], "\(problems)")
        #expect(problems.first?.message.contains("calibrated for discrete-gaussian noise") == true)
    }
}
