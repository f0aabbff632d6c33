import Foundation
import PhalanxCore
import PhalanxDSL
import PhalanxFederation
import PhalanxProviders
import Testing

/// The federated Kaplan–Meier plug-in (Plugins/kaplan-meier.phx) against lifelines on the pooled data: lifelines'
/// `waltons` dataset split unevenly over five organizations (Tests/Vectors/kaplan-meier, made by
/// scripts/oracles/kaplan_meier_oracle.py).
@Suite("Kaplan–Meier plug-in")
struct KaplanMeierTests {
    struct Oracle: Decodable {
        struct Curve: Decodable {
            struct Pooled: Decodable {
                let events: [Int64]
                let at_risk: [Int64]
            }
            let survival_on_grid: [Double]
            let pooled: Pooled
        }
        let grid: [Int]
        let overall: Curve
    }

    static func oracle() throws -> Oracle {
        try JSONDecoder().decode(
            Oracle.self,
            from: Data(
                contentsOf: URL(fileURLWithPath: Repository.path("Tests/Vectors/kaplan-meier/waltons-oracle.json"))))
    }

    static func nodes(_ plugin: CompiledPlugin) throws -> [(id: String, tables: [String: LocalTable])] {
        let schema = try #require(plugin.ir.inputSchema.table(named: "survival"))
        return try (1...5).map { index in
            let table = try CSVTable.read(
                path: Repository.path("Plugins/data/waltons/org-\(index).csv"), schema: schema)
            return ("org-\(index)", ["survival": table])
        }
    }

    @Test(
        "plain, secagg and fhe release lifelines' curve on the pooled data, to 1e-9",
        arguments: ["plain", "secagg", "fhe"])
    func matchesLifelines(provider: String) async throws {
        let plugin = try Repository.plugin("kaplan-meier")
        let oracle = try Self.oracle()
        let report = try await PluginRun.run(plugin, provider: provider, nodes: try Self.nodes(plugin))
        let outputs = try PluginRun.outputs(report)
        let survival = try #require(outputs.first { $0.name == "survival" })
        let atRisk = try #require(outputs.first { $0.name == "at_risk" })
        let curve = try #require(survival.realValues)
        #expect(survival.labels == (0...80).map(String.init))
        #expect(curve.count == 81)
        for (t, expected) in zip(oracle.grid, oracle.overall.survival_on_grid) {
            let value = try #require(curve[t])
            #expect(abs(value - expected) <= 1e-9, "S(\(t)) = \(value), lifelines \(expected)")
        }
        // The sums the aggregator saw are the pooled counts: at risk per day, exactly.
        #expect(Array(atRisk.values.prefix(oracle.grid.count)) == oracle.overall.pooled.at_risk.map { $0 })
        // Past the last subject nobody is at risk and the curve stays where it ended.
        #expect(curve[76...].allSatisfy { $0 == curve[75] })
    }
}
