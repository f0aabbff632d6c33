import Foundation

/// Trains a ``SafetyClassifier`` from labelled texts: featurize, fit the logistic regression on the training split,
/// fit Platt scaling on the validation split's margins, and pick the threshold on the validation split.
///
/// Calibration and the threshold use the validation split because margins on the training split are over-confident
/// (the model has seen those texts); the validation metrics in the report are therefore slightly optimistic too, and a
/// separate test split is what to quote.
public enum ClassifierTrainer {
    public struct Configuration: Codable, Hashable, Sendable {
        public var features: FeatureHasher.Configuration
        public var training: TrainingConfiguration
        /// The false positive rate the threshold must keep on the validation split.
        public var maximumFalsePositiveRate: Double

        public init(
            features: FeatureHasher.Configuration = .init(), training: TrainingConfiguration = .init(),
            maximumFalsePositiveRate: Double = 0.05
        ) {
            self.features = features
            self.training = training
            self.maximumFalsePositiveRate = maximumFalsePositiveRate
        }
    }

    /// Trains from zero weights. `corpusManifestDigest`, when given, is recorded in the report (and so in a model
    /// file made from it) to say which corpus the model came from.
    public static func train(
        train: [LabeledText], validation: [LabeledText], configuration: Configuration = .init(),
        corpusManifestDigest: String? = nil
    ) throws(ClassifierError) -> (classifier: SafetyClassifier, report: TrainingReport) {
        let hasher = try FeatureHasher(configuration: configuration.features)
        let trainAttacks = train.count { $0.isAttack }
        guard trainAttacks > 0, trainAttacks < train.count else {
            throw ClassifierError(
                "training: the training split needs both classes, got \(trainAttacks) attacks of \(train.count) texts")
        }
        let trainingExamples = featurize(train, with: hasher)
        let regression = try LogisticRegression.train(
            from: LogisticRegression(dimension: hasher.dimension), examples: trainingExamples,
            configuration: configuration.training)

        let validationExamples = featurize(validation, with: hasher)
        let labels = validation.map(\.isAttack)
        let calibration = try PlattCalibration.fit(
            margins: validationExamples.map { regression.score($0.features) }, labels: labels)
        let probabilities = validationExamples.map { calibration.probability(margin: regression.score($0.features)) }
        let validationMetrics = try ThresholdSelection.select(
            scores: probabilities, labels: labels, maximumFalsePositiveRate: configuration.maximumFalsePositiveRate)
        let classifier = try SafetyClassifier(
            features: configuration.features, regression: regression, calibration: calibration,
            threshold: validationMetrics.threshold)
        let trainingMetrics = ClassificationMetrics(
            scores: trainingExamples.map { classifier.assess(features: $0.features).probability },
            labels: train.map(\.isAttack), threshold: classifier.threshold)
        let report = TrainingReport(
            configuration: configuration,
            data: TrainingDataSummary(
                trainingExamples: train.count, trainingAttacks: trainAttacks, validationExamples: validation.count,
                validationAttacks: labels.count { $0 }, corpusManifestDigest: corpusManifestDigest),
            calibration: calibration, threshold: classifier.threshold, training: trainingMetrics,
            validation: validationMetrics)
        return (classifier, report)
    }

    /// Normalizes and hashes each text. Texts are independent, so they are spread over the cores; each result goes to
    /// its own index, so the output does not depend on scheduling.
    public static func featurize(_ examples: [LabeledText], with hasher: FeatureHasher) -> [TrainingExample] {
        var features = [SparseVector](repeating: .zero(dimension: hasher.dimension), count: examples.count)
        features.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output  // Disjoint indices: no two iterations write the same element.
            DispatchQueue.concurrentPerform(iterations: examples.count) { index in
                output[index] = hasher.features(of: NormalizedText(examples[index].text))
            }
        }
        return zip(features, examples).map { TrainingExample(features: $0, isAttack: $1.isAttack) }
    }
}
