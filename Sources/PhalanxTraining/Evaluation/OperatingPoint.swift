import PhalanxAgent

/// Makes a deployable classifier from trained weights: Platt calibration and the threshold at false-positive rate
/// ≤ 5%, both fitted on one organization's own validation data — every organization's agent runs at its own
/// operating point, as its traffic is its own, and fitting it needs no one else's data.
public enum OperatingPoint {
    public static let maximumFalsePositiveRate = 0.05

    /// The classifier, and whether the validation data could fit it (both classes present); without them the
    /// uncalibrated probability is used with threshold 0.5.
    public static func classifier(
        _ regression: LogisticRegression, features: FeatureHasher.Configuration, validation: [TrainingExample]
    ) throws -> (classifier: SafetyClassifier, fitted: Bool) {
        let margins = validation.map { regression.score($0.features) }
        let labels = validation.map(\.isAttack)
        if let calibration = try? PlattCalibration.fit(margins: margins, labels: labels),
            let selected = try? ThresholdSelection.select(
                scores: margins.map { calibration.probability(margin: $0) }, labels: labels,
                maximumFalsePositiveRate: maximumFalsePositiveRate)
        {
            return (
                try SafetyClassifier(
                    features: features, regression: regression, calibration: calibration, threshold: selected.threshold),
                true
            )
        }
        return (
            try SafetyClassifier(features: features, regression: regression, calibration: .identity, threshold: 0.5),
            false
        )
    }
}

/// The figures of one model on one set of examples.
public struct Scores: Codable, Hashable, Sendable {
    public var examples: Int
    public var f1: Double
    public var precision: Double
    public var recall: Double
    public var falsePositiveRate: Double
    public var rocAUC: Double?

    public init(_ classifier: SafetyClassifier, on examples: [TrainingExample]) {
        let scores = examples.map { classifier.assess(features: $0.features).probability }
        let metrics = ClassificationMetrics(
            scores: scores, labels: examples.map(\.isAttack), threshold: classifier.threshold)
        self.examples = examples.count
        f1 = metrics.f1
        precision = metrics.precision
        recall = metrics.recall
        falsePositiveRate = metrics.falsePositiveRate
        rocAUC = metrics.rocAUC
    }

    /// F1 of the raw model at probability 0.5 (before calibration): the per-round progress figure.
    public static func rawF1(
        _ regression: LogisticRegression, on examples: [TrainingExample]
    ) -> (f1: Double, auc: Double?) {
        let scores = examples.map { regression.probability($0.features) }
        let metrics = ClassificationMetrics(scores: scores, labels: examples.map(\.isAttack), threshold: 0.5)
        return (metrics.f1, metrics.rocAUC)
    }
}
