import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxProviders
import Testing

/// The update-norm guard-rail through the whole safety loop: a node whose model update is boosted far past the
/// norm the plug-in clips it to reports it in its telemetry (`clipRatioL2`), the predicate fires, the control plane
/// isolates the node, and the round's mean is released without it.
@Suite("The update-norm guard-rail isolates a node that boosts its update")
struct UpdateNormGuardrailTests {
    @Test(
        "fedavg-round with one update boosted ×50: isolated, and the mean is the other nodes'",
        arguments: ["secagg", "plain"])
    func boostedUpdateIsolated(provider: String) async throws {
        let plugin = try Repository.plugin("fedavg-round")
        var (nodes, _) = try ProviderMatrixTests.fedavgNodes()
        let updateSchema = try #require(plugin.ir.inputSchema.table(named: "model_update"))
        // org-5's update, boosted: every value ×50 (norms of a few units become ~100, the clip is 1).
        let boosted = try #require(nodes[4].tables["model_update"]).rows.map { row -> [LocalTable.Cell] in
            if case .real(let x) = row[0] { [.real(x * 50)] } else { row }
        }
        nodes[4].tables["model_update"] = try LocalTable(schema: updateSchema, rows: boosted)
        let report = try await PluginRun.run(
            plugin, provider: provider, nodes: nodes, policy: try ProviderMatrixTests.fedavgPolicy())
        #expect(report.manifest.metricKeys.contains(MetricKey.clipRatioL2))
        #expect(report.manifest.predicates.contains("update-norm"))
        let isolations = report.events.compactMap { entry -> String? in
            if case .commandIssued(_, let command) = entry.event, command.kind == .isolateParty {
                return command.subject?.rawValue
            }
            return nil
        }
        #expect(isolations == ["org-5"])
        let fired = report.events.contains { entry in
            if case .predicateHeld(_, let predicate, _, _, _, _) = entry.event {
                predicate == "update-norm"
            } else {
                false
            }
        }
        #expect(fired)
        // The released mean is the weighted mean of the four others' clipped updates.
        let mean = try #require(try PluginRun.outputs(report).first { $0.name == "mean_update" }?.realValues)
        let merged = report.events.compactMap { entry -> [ParticipantID]? in
            if case .roundMerged(_, let contributors) = entry.event { contributors } else { nil }
        }
        #expect(merged.allSatisfy { !$0.map(\.rawValue).contains("org-5") }, "merged \(merged)")
        var weighted = [Double](repeating: 0, count: 16)
        var total = 0.0
        for node in nodes.prefix(4) {
            let update = try #require(node.tables["model_update"]).rows.map { row -> Double in
                if case .real(let x) = row[0] { x } else { 0 }
            }
            guard case .integer(let examples) = try #require(node.tables["training"]).rows[0][0] else { continue }
            let norm = update.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let weight = Double(min(examples, 1_000))
            for j in 0..<16 { weighted[j] += (norm > 1 ? update[j] / norm : update[j]) * weight }
            total += weight
        }
        for (value, exact) in zip(mean, weighted.map { $0 / total }) {
            #expect(abs(try #require(value) - exact) < 1e-6)
        }
    }
}
