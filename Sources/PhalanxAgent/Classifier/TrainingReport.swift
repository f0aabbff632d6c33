/// What went into a model: the sizes of its training and validation splits, and which corpus they came from.
public struct TrainingDataSummary: Codable, Hashable, Sendable {
    public var trainingExamples: Int
    public var trainingAttacks: Int
    public var validationExamples: Int
    public var validationAttacks: Int
    /// The SHA-256 (hex) of the corpus manifest, when the corpus has one.
    public var corpusManifestDigest: String?

    public init(
        trainingExamples: Int, trainingAttacks: Int, validationExamples: Int, validationAttacks: Int,
        corpusManifestDigest: String? = nil
    ) {
        self.trainingExamples = trainingExamples
        self.trainingAttacks = trainingAttacks
        self.validationExamples = validationExamples
        self.validationAttacks = validationAttacks
        self.corpusManifestDigest = corpusManifestDigest
    }
}

/// The outcome of ``ClassifierTrainer/train(train:validation:configuration:corpusManifestDigest:)``.
public struct TrainingReport: Codable, Hashable, Sendable {
    public let configuration: ClassifierTrainer.Configuration
    public let data: TrainingDataSummary
    public let calibration: PlattCalibration
    /// The chosen threshold on the calibrated probability.
    public let threshold: Double
    /// The fit on the training split at ``threshold`` (far above the validation figures means over-fitting).
    public let training: ClassificationMetrics
    /// The validation split at ``threshold``.
    public let validation: ClassificationMetrics
}
