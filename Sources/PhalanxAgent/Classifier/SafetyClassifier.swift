/// The agent's trained detector of prompt attacks: hashed features, a logistic regression over them, Platt
/// calibration of its margin, and the threshold on the calibrated probability at which a text is flagged.
///
/// It can only be built with a hasher whose dimension matches the weights, so a model can never be scored with
/// features of another configuration. Build one with ``ClassifierTrainer`` or read it with ``ModelFile``.
public struct SafetyClassifier: Hashable, Sendable {
    public let hasher: FeatureHasher
    public let regression: LogisticRegression
    public let calibration: PlattCalibration
    /// Texts whose calibrated probability is at or above this are flagged as attacks.
    public let threshold: Double

    /// What the classifier says of one text.
    public struct Assessment: Hashable, Sendable {
        /// The raw margin w·x + b.
        public let margin: Double
        /// The calibrated probability that the text is a prompt attack.
        public let probability: Double
        /// `probability >= threshold`.
        public let isAttack: Bool
    }

    public init(
        features: FeatureHasher.Configuration, regression: LogisticRegression, calibration: PlattCalibration,
        threshold: Double
    ) throws(ClassifierError) {
        let hasher = try FeatureHasher(configuration: features)
        guard hasher.dimension == regression.dimension else {
            throw ClassifierError(
                "classifier: the features have dimension \(hasher.dimension) (bits \(features.bits)) but the model has "
                    + "\(regression.dimension) weights")
        }
        guard calibration.a.isFinite, calibration.b.isFinite else {
            throw ClassifierError(
                "classifier: the calibration (a = \(calibration.a), b = \(calibration.b)) is not finite")
        }
        guard threshold.isFinite else { throw ClassifierError("classifier: the threshold \(threshold) is not finite") }
        self.hasher = hasher
        self.regression = regression
        self.calibration = calibration
        self.threshold = threshold
    }

    /// Scores one text. The same as `assess(features: hasher.features(of: text))`, bit for bit, but the features are
    /// multiplied into the margin as they are weighed instead of being gathered into a vector first (the agent's
    /// path: it saves two arrays and a walk over them per scan).
    public func assess(_ text: NormalizedText) -> Assessment {
        assessment(
            margin: regression.weights.withUnsafeBufferPointer { weights in
                hasher.margin(of: text, weights: weights, initial: Double(regression.bias))
            })
    }

    /// Scores features already computed with ``hasher``.
    public func assess(features: SparseVector) -> Assessment { assessment(margin: regression.score(features)) }

    private func assessment(margin: Double) -> Assessment {
        let probability = calibration.probability(margin: margin)
        return Assessment(margin: margin, probability: probability, isAttack: probability >= threshold)
    }

    /// The calibrated probability that `text` is a prompt attack.
    public func probability(_ text: NormalizedText) -> Double { assess(text).probability }

    /// Whether `text` is flagged at ``threshold``.
    public func isAttack(_ text: NormalizedText) -> Bool { assess(text).isAttack }

    /// The metrics on a labelled set, at ``threshold`` on calibrated probabilities.
    public func evaluate(_ examples: [LabeledText]) -> ClassificationMetrics {
        let probabilities = examples.map { probability(NormalizedText($0.text)) }
        return ClassificationMetrics(scores: probabilities, labels: examples.map(\.isAttack), threshold: threshold)
    }
}
