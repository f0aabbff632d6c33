import ArgumentParser
import Crypto
import Foundation
import PhalanxAgent

/// `phalanx agent train`: trains the agent's classifier on a corpus and writes a model file.
struct AgentTrainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the attack classifier (hashed n-grams, logistic regression, Platt calibration).",
        discussion: """
            Reads DIR/train.jsonl and DIR/validation.jsonl of a corpus built by scripts/build-corpus (or --train and \
            --validation files), fits the model on the training split, calibrates it and picks its threshold on the \
            validation split (the highest F1 with a false-positive rate at most --max-fpr), and writes a model file. \
            Training is deterministic: the same data, options and seed write the same bytes.
            """
    )

    @Option(name: .long, help: "A corpus directory with train.jsonl, validation.jsonl (and MANIFEST.json).")
    var corpus: String?

    @Option(name: .long, help: "The training split (instead of --corpus).")
    var train: String?

    @Option(name: .long, help: "The validation split (instead of --corpus).")
    var validation: String?

    @Option(name: .long, help: "Where to write the model file (.phxm).")
    var out: String

    @Option(name: .long, help: "The model's version name, recorded in the file and in every receipt.")
    var modelVersion = "local"

    @Option(name: .long, help: "The creation time recorded in the file (default: now, ISO 8601).")
    var createdAt: String?

    @Option(name: .long, help: "log2 of the number of hashed features.")
    var bits = FeatureHasher.Configuration().bits

    @Option(name: .long, help: "Passes over the training data.")
    var epochs = TrainingConfiguration().epochs

    @Option(name: .long, help: "The seed of the shuffling.")
    var seed = TrainingConfiguration().seed

    @Option(name: .long, help: "The L2 penalty λ on the weights.")
    var l2 = TrainingConfiguration().l2

    @Option(name: .long, help: "The initial step size η₀ of stochastic gradient descent.")
    var learningRate = TrainingConfiguration().learningRate

    @Option(name: .long, help: "Lengths of the character n-grams, as 4-6, or none.")
    var charNgrams = "4-6"

    @Option(name: .long, help: "Lengths of the word n-grams, as 1-2, or none.")
    var wordNgrams = "1-2"

    @Option(name: .long, help: "The false-positive rate the threshold must keep on the validation split.")
    var maxFpr = 0.05

    @Flag(name: .long, help: "Print the training report as JSON.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let (trainPath, validationPath, manifest) = try paths()
            let trainSet = try load(trainPath), validationSet = try load(validationPath)
            let manifestDigest = manifest.flatMap { FileManager.default.contents(atPath: $0) }.map {
                SHA256.hash(data: $0).map { String(format: "%02x", $0) }.joined()
            }
            var configuration = ClassifierTrainer.Configuration()
            configuration.features.bits = bits
            configuration.training.epochs = epochs
            configuration.training.seed = seed
            configuration.training.l2 = l2
            configuration.training.learningRate = learningRate
            configuration.features.characterNGrams = try Self.lengths(charNgrams, option: "--char-ngrams")
            configuration.features.wordNGrams = try Self.lengths(wordNgrams, option: "--word-ngrams")
            configuration.maximumFalsePositiveRate = maxFpr
            let (classifier, report): (SafetyClassifier, TrainingReport)
            do {
                (classifier, report) = try ClassifierTrainer.train(
                    train: trainSet, validation: validationSet, configuration: configuration,
                    corpusManifestDigest: manifestDigest)
            } catch {
                throw CLIError(.malformedInput, "\(error)")
            }
            let created = createdAt ?? ISO8601DateFormatter().string(from: Date())
            let file = ModelFile(modelVersion: modelVersion, createdAt: created, classifier: classifier, report: report)
            guard !FileManager.default.fileExists(atPath: out) else {
                throw CLIError(.cannotCreate, "\(out) exists; choose another --out or remove it")
            }
            do { try file.write(toPath: out) } catch { throw CLIError(.ioError, "\(error)") }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                let v = report.validation
                print(
                    "trained on \(trainSet.count) texts (\(report.data.trainingAttacks) attacks), "
                        + "validated on \(validationSet.count) (\(report.data.validationAttacks) attacks)")
                print(
                    String(
                        format: "validation at threshold %.3f: precision %.3f, recall %.3f, F1 %.3f, FPR %.3f, AUC %@",
                        v.threshold, v.precision, v.recall, v.f1, v.falsePositiveRate,
                        v.rocAUC.map { String(format: "%.3f", $0) } ?? "–"))
                print("wrote \(out) (model \(modelVersion), \(1 << bits) features)")
            }
        }
    }

    /// "4-6" as 4...6, "5" as 5...5, "none" as nil; the ranges themselves are checked by the trainer.
    static func lengths(_ text: String, option: String) throws -> ClosedRange<Int>? {
        if text == "none" { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        switch parts.count {
        case 1: if let n = parts[0] { return n...n }
        case 2: if let low = parts[0], let high = parts[1], low <= high { return low...high }
        default: break
        }
        throw CLIError(.usage, "\(option): expected lengths such as 4-6, 5 or none, got \"\(text)\"")
    }

    func paths() throws -> (String, String, String?) {
        if let corpus {
            guard train == nil, validation == nil else {
                throw CLIError(.usage, "give --corpus or --train and --validation, not both")
            }
            return ("\(corpus)/train.jsonl", "\(corpus)/validation.jsonl", "\(corpus)/MANIFEST.json")
        }
        guard let train, let validation else {
            throw CLIError(
                .usage, "give --corpus DIR, or --train and --validation files",
                hint: "build the corpus with scripts/build-corpus")
        }
        return (train, validation, nil)
    }

    func load(_ path: String) throws -> [LabeledText] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(.missingInput, "\(path) does not exist", hint: "build the corpus with scripts/build-corpus")
        }
        do { return try LabeledText.loadJSONLines(path: path) } catch {
            throw CLIError(.malformedInput, "\(error)")
        }
    }
}
