import Foundation
import PhalanxAgent
import PhalanxCore
import PhalanxDSL
import PhalanxFederation
import PhalanxTraining
import Testing

@testable import PhalanxCLI

/// The pieces of the demo's report: embedded data, the pooled survival reference, the SVG charts and the page.
@Suite("The demo's report")
struct DemoReportTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the embedded survival data is Plugins/data/waltons, byte for byte")
    func embeddedSurvivalData() throws {
        for index in 1...5 {
            let file = try String(
                contentsOf: Self.root.appendingPathComponent("Plugins/data/waltons/org-\(index).csv"), encoding: .utf8)
            let embedded = try #require(DemoSurvivalData.organizations["org-\(index)"])
            #expect(embedded + "\n" == file, "org-\(index)")
        }
    }

    @Test("the pooled-rows survival curve equals lifelines' (the oracle of the Kaplan–Meier tests) to 1e-12")
    func pooledSurvival() throws {
        struct Oracle: Decodable {
            struct Curve: Decodable { let survival_on_grid: [Double] }
            let grid: [Int]
            let overall: Curve
        }
        let oracle = try JSONDecoder().decode(
            Oracle.self,
            from: Data(
                contentsOf: Self.root.appendingPathComponent("Tests/Vectors/kaplan-meier/waltons-oracle.json")))
        let plugin = try PluginCompiler.compile(text: PluginFuzzTarget.kaplanMeier, name: "k.phx")
        let schema = try #require(plugin.ir.inputSchema.table(named: "survival"))
        let rows = try (1...5).flatMap { index in
            try CSVTable.parse(
                try #require(DemoSurvivalData.organizations["org-\(index)"]), file: "org-\(index).csv", schema: schema
            ).rows
        }
        let curve = DemoMission.exactSurvival(rows, days: 0...80)
        for (day, expected) in zip(oracle.grid, oracle.overall.survival_on_grid) where day <= 80 {
            #expect(abs(curve[day] - expected) < 1e-12, "S(\(day)) = \(curve[day]), lifelines \(expected)")
        }
    }

    @Test("chart ticks are round numbers covering the range")
    func ticks() {
        let unit = SVGChart.ticks(0...1)
        #expect(unit.count == 6 && unit.first == 0 && abs(unit.last! - 1) < 1e-12)
        #expect(SVGChart.ticks(1...10) == [2, 4, 6, 8, 10])
        #expect(SVGChart.ticks(0...80) == [0, 20, 40, 60, 80])
    }

    @Test("a line chart draws one path per series through every point; bars one rectangle per value; text is escaped")
    func charts() {
        let line = SVGChart.line(
            [
                SVGChart.Series(name: "a<b", color: "#000", points: [(1, 0.5), (2, 0.7), (3, 0.9)]),
                SVGChart.Series(name: "c", color: "#111", points: [(1, 0.1), (3, 0.2)]),
            ], title: "t & u", xLabel: "round", yLabel: "F1", yRange: 0...1)
        #expect(line.components(separatedBy: "<path").count - 1 == 2)
        #expect(line.components(separatedBy: "<circle").count - 1 == 5)
        #expect(line.contains("a&lt;b") && line.contains("t &amp; u") && !line.contains("a<b"))
        let bars = SVGChart.bars(
            groups: ["x", "y", "z"], series: [("p", "#000", [0.1, 0.2, 0.3]), ("q", "#111", [1, 0.5, 0])],
            title: "bars", yLabel: "F1")
        #expect(bars.components(separatedBy: "<rect").count - 1 == 6 + 2)  // six bars, two legend swatches
    }

    @Test("the page has the five acts, inline SVG, nothing fetched, and escapes what it shows")
    func page() async throws {
        let (pool, shared) = DemoCorpus.make(perFamily: 40, seed: 3)
        let organizations = try NonIIDSplit(organizations: 3, seed: 3, names: ["a", "b", "c"]).split(pool)
        var strategy = try TrainingStrategy.preset("fedavg", organizations: 3)
        strategy.privacy = .secureAggregation
        let configuration = FederatedTraining.Configuration(
            strategy: strategy, rounds: 2, features: FeatureHasher.Configuration(bits: 10))
        let outcome = try await FederatedTraining(
            configuration: configuration, organizations: organizations, sharedTest: shared
        ).run()
        let report = DemoMission.Report(
            agents: [
                .init(organization: "a<script>", sector: "bank", blocked: 1, escalated: 0, redacted: 1, allowed: 3)
            ],
            counts: .init(
                provider: "dp+secagg", outcome: "finalized", ticks: 9, epsilon: 0.9, delta: 1e-6, noise: 1234,
                outputs: [ReleasedOutput(name: "counts", round: 0, labels: ["x"], values: [7])],
                exactOutputs: [ReleasedOutput(name: "counts", round: 0, labels: ["x"], values: [5])], ledgerEntries: 40,
                ledgerVerified: true),
            training: .init(
                data: "generated",
                secure: FederatedTrainingReport(
                    configuration: configuration, organizations: organizations, outcome: outcome, model: nil),
                secureSharedF1: outcome.sharedScores.f1,
                differentiallyPrivate: [
                    .init(
                        epsilon: 8, delta: 1e-6, normBound: 5, noise: nil, rounds: outcome.rounds, sharedF1: 0.2)
                ]),
            poisoning: .init(
                adversary: Adversary(organization: "b", attack: .scaled(factor: 40)), rounds: outcome.rounds,
                isolated: ["b"]),
            survival: .init(
                provider: "secagg", outcome: "finalized", days: [0, 1, 2], released: [1, 0.9, nil],
                exact: [1, 0.9, 0.8]))
        let html = DemoReportHTML.render(report)
        for heading in [
            "1. Each organization", "2. How many attacks", "3. Federated training", "4. A poisoned update",
            "5. A survival curve",
        ] {
            #expect(html.contains(heading), "missing \(heading)")
        }
        #expect(html.components(separatedBy: "<svg").count - 1 >= 5)
        #expect(!html.contains("<script") && html.contains("a&lt;script&gt;"))
        #expect(!html.contains("http://") || !html.contains("src=\"http"))
        #expect(html.contains("exact (plain)") && html.contains("1234"))
    }
}
