import ArgumentParser
import Foundation
import PhalanxAgent
import PhalanxTraining

extension BenchCommand {
    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train",
            abstract:
                "Round time of federated training in the clear, with secagg and with dp+secagg; bytes and F1 of 8-bit updates.",
            discussion: """
                Deals the corpus to each --orgs count and runs --rounds rounds of FedAvg four ways: updates averaged \
                in memory (what a plain FedAvg simulation does), summed by the averaging plug-in on the plain \
                provider (the same pipeline as the protected sums, in the clear), on secagg, and on dp+secagg \
                (distributed DP at --dp-epsilon). Ratios are to the in-memory round. A round is the \
                organizations' local training (sharing this machine's cores, as a simulation must) plus the \
                sum and the server step; evaluation is not timed. Targets (issue 10): secagg+dp ≤ 1.5× plain at 5, \
                20 and 50 organizations; 8-bit quantization cuts bytes per round ~4× with < 0.5 points of F1 lost \
                (measured over --quantization-rounds rounds at 5 organizations).
                """
        )

        @Option(name: .long, help: "The corpus directory.")
        var corpus = "corpus"
        @Option(name: .long, parsing: .upToNextOption, help: "Organization counts.")
        var orgs: [Int] = [5, 20, 50]
        @Option(name: .long, help: "Rounds timed per configuration.")
        var rounds = 3
        @Option(name: .long, help: "ε of the dp+secagg runs.")
        var dpEpsilon = 8.0
        @Option(name: .long, help: "Rounds of the quantization comparison (0 to skip it).")
        var quantizationRounds = 20
        @Flag(name: .long, help: "Print JSON.")
        var json = false

        struct Timing: Codable {
            var organizations: Int
            var protection: String
            var meanRoundSeconds: Double
            var meanTrainingSeconds: Double
            var meanAggregationSeconds: Double
            var bytesUpPerRound: Int
            var ratioToPlain: Double
        }

        struct Quantization: Codable {
            var rounds: Int
            var float32BytesPerRound: Int
            var eightBitBytesPerRound: Int
            var reduction: Double
            var float32F1: Double
            var eightBitF1: Double
            var f1LossPoints: Double
        }

        struct Report: Codable {
            var timings: [Timing]
            var quantization: Quantization?
        }

        func run() async throws {
            try await reportingErrors {
                #if DEBUG
                print(
                    "warning: this is a debug build; figures are meaningless. Use: swift run -c release phalanx bench train"
                )
                #endif
                var timings: [Timing] = []
                for n in orgs {
                    let (organizations, shared) = try TrainCommand.loadData(corpus: corpus, organizations: n)
                    var plainSeconds = 0.0
                    let protections: [(name: String, privacy: UpdatePrivacy, throughProvider: Bool)] = [
                        ("in memory", .none, false), ("plain", .none, true), ("secagg", .secureAggregation, false),
                        ("dp+secagg", .distributedDP(epsilon: dpEpsilon, delta: 1e-6), false),
                    ]
                    for (name, privacy, throughProvider) in protections {
                        var strategy = try TrainingStrategy.preset("fedavg", organizations: n)
                        strategy.privacy = privacy
                        let outcome = try await Self.train(
                            strategy, rounds: rounds, organizations: organizations, shared: shared,
                            throughProvider: throughProvider)
                        let records = outcome.rounds
                        let count = Double(records.count)
                        let training = records.map(\.trainingSeconds).reduce(0, +) / count
                        let aggregation = records.map(\.aggregationSeconds).reduce(0, +) / count
                        if name == "in memory" { plainSeconds = training + aggregation }
                        let timing = Timing(
                            organizations: n, protection: name,
                            meanRoundSeconds: training + aggregation, meanTrainingSeconds: training,
                            meanAggregationSeconds: aggregation,
                            bytesUpPerRound: records.map(\.bytesUp).reduce(0, +) / records.count,
                            ratioToPlain: (training + aggregation) / plainSeconds)
                        timings.append(timing)
                        if !json { print(Self.line(timing)) }
                    }
                }
                var quantization: Quantization?
                if quantizationRounds > 0 {
                    let (organizations, shared) = try TrainCommand.loadData(corpus: corpus, organizations: 5)
                    let plain = try await Self.train(
                        try TrainingStrategy.preset("fedavg", organizations: 5), rounds: quantizationRounds,
                        organizations: organizations, shared: shared)
                    var strategy = try TrainingStrategy.preset("fedavg", organizations: 5)
                    strategy.compression = UpdateCompression(quantizationBits: 8)
                    let compact = try await Self.train(
                        strategy, rounds: quantizationRounds, organizations: organizations, shared: shared)
                    let full = plain.rounds.map(\.bytesUp).reduce(0, +) / plain.rounds.count
                    let small = compact.rounds.map(\.bytesUp).reduce(0, +) / compact.rounds.count
                    quantization = Quantization(
                        rounds: quantizationRounds, float32BytesPerRound: full, eightBitBytesPerRound: small,
                        reduction: Double(full) / Double(small), float32F1: plain.sharedScores.f1,
                        eightBitF1: compact.sharedScores.f1,
                        f1LossPoints: (plain.sharedScores.f1 - compact.sharedScores.f1) * 100)
                    if !json, let q = quantization {
                        print(
                            "5 organizations, \(q.rounds) rounds: Float32 \(FederatedTrainingText.bytes(q.float32BytesPerRound))/round, F1 \(FederatedTrainingText.fixed(q.float32F1, 4)); 8-bit \(FederatedTrainingText.bytes(q.eightBitBytesPerRound))/round (\(FederatedTrainingText.fixed(q.reduction, 2))× fewer), F1 \(FederatedTrainingText.fixed(q.eightBitF1, 4)) (\(q.f1LossPoints >= 0 ? "\(FederatedTrainingText.fixed(q.f1LossPoints, 2)) points lost" : "\(FederatedTrainingText.fixed(-q.f1LossPoints, 2)) points gained"))"
                        )
                    }
                }
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(
                        String(
                            decoding: try encoder.encode(Report(timings: timings, quantization: quantization)),
                            as: UTF8.self))
                }
            }
        }

        static func train(
            _ strategy: TrainingStrategy, rounds: Int, organizations: [OrganizationData], shared: [LabeledText],
            throughProvider: Bool = false
        ) async throws -> FederatedTraining.Outcome {
            var configuration = FederatedTraining.Configuration(
                strategy: strategy, rounds: rounds, compareBaselines: false)
            configuration.plainThroughProvider = throughProvider
            do {
                return try await FederatedTraining(
                    configuration: configuration, organizations: organizations, sharedTest: shared
                ).run()
            } catch {
                throw CLIError(.checkFailed, "\(strategy.privacy.summary): \(error)")
            }
        }

        static func line(_ t: Timing) -> String {
            "\(FederatedTrainingText.pad("\(t.organizations) organizations", 18))\(FederatedTrainingText.pad(t.protection, 11)) round \(FederatedTrainingText.fixed(t.meanRoundSeconds, 3)) s (training \(FederatedTrainingText.fixed(t.meanTrainingSeconds, 3)) s, sum and step \(FederatedTrainingText.fixed(t.meanAggregationSeconds, 3)) s)  ↑\(FederatedTrainingText.bytes(t.bytesUpPerRound))  ×\(FederatedTrainingText.fixed(t.ratioToPlain, 2)) in memory"
        }
    }
}
