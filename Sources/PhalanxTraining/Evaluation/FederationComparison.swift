import Dispatch
import PhalanxAgent

/// Seed 000's before/after table: for every organization, the model it could train alone, the federated model, its
/// personalized version of the federated model, and a centralized model trained on everyone's data pooled (what
/// federation approximates without pooling), each at that organization's own operating point, on its own test data
/// and on the shared test split.
public struct FederationComparison: Codable, Sendable {
    public struct ModelScores: Codable, Sendable {
        public var own: Scores
        public var shared: Scores
        /// Whether the organization's validation data could fit the operating point (both classes present).
        public var calibrated: Bool
    }

    public struct Row: Codable, Sendable {
        public var organization: String
        public var trainingExamples: Int
        public var trainingAttacks: Int
        public var homeFamilies: [String]
        public var localOnly: ModelScores
        public var federated: ModelScores
        /// The federated model interpolated with the local one, θ = α·θ_local + (1 − α)·θ_federated, α chosen on
        /// the organization's validation data (Mansour et al., "Three Approaches for Personalization", 2020).
        public var personalized: ModelScores
        public var personalizationAlpha: Double
        public var centralized: ModelScores
    }

    public var rows: [Row]
    /// The federated and centralized models at an operating point fitted on all organizations' validation data
    /// pooled, on the shared test split.
    public var federatedShared: Scores
    public var centralizedShared: Scores

    static let alphas = [0.0, 0.25, 0.5, 0.75, 1.0]

    static func make(
        federated: LogisticRegression, prepared: [FederatedTraining.Prepared], shared: [TrainingExample],
        features: FeatureHasher.Configuration, local: LocalTraining
    ) throws -> FederationComparison {
        // The baselines train as the shipped model does (TrainingConfiguration's defaults), not for a round.
        let full = TrainingConfiguration(l2: local.l2, balanceClasses: local.balanceClasses)
        let zero = LogisticRegression(dimension: federated.dimension)
        var locals = [Result<LogisticRegression, any Error>?](repeating: nil, count: prepared.count + 1)
        locals.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output  // Disjoint indices.
            DispatchQueue.concurrentPerform(iterations: prepared.count + 1) { slot in
                let examples = slot < prepared.count ? prepared[slot].train : prepared.flatMap(\.train)
                output[slot] = Result {
                    try LogisticRegression.train(from: zero, examples: examples, configuration: full)
                }
            }
        }
        let models = try locals.map { try $0!.get() }
        let centralized = models[prepared.count]

        func scores(_ model: LogisticRegression, _ data: FederatedTraining.Prepared) throws -> ModelScores {
            let (classifier, fitted) = try OperatingPoint.classifier(
                model, features: features, validation: data.validation)
            return ModelScores(
                own: Scores(classifier, on: data.test), shared: Scores(classifier, on: shared), calibrated: fitted)
        }

        var rows: [Row] = []
        for (index, data) in prepared.enumerated() {
            let localModel = models[index]
            let (alpha, personalized) = try personalize(
                federated: federated, local: localModel, validation: data.validation)
            rows.append(
                Row(
                    organization: data.name, trainingExamples: data.train.count,
                    trainingAttacks: data.train.count(where: \.isAttack), homeFamilies: data.homeFamilies,
                    localOnly: try scores(localModel, data), federated: try scores(federated, data),
                    personalized: try scores(personalized, data), personalizationAlpha: alpha,
                    centralized: try scores(centralized, data)))
        }
        let pooled = prepared.flatMap(\.validation)
        return FederationComparison(
            rows: rows,
            federatedShared: Scores(
                try OperatingPoint.classifier(federated, features: features, validation: pooled).classifier, on: shared),
            centralizedShared: Scores(
                try OperatingPoint.classifier(centralized, features: features, validation: pooled).classifier,
                on: shared))
    }

    /// The interpolation weight with the lowest log loss on `validation` (ties: the smaller α, closer to the
    /// federated model), and the interpolated model.
    static func personalize(
        federated: LogisticRegression, local: LogisticRegression, validation: [TrainingExample]
    ) throws -> (alpha: Double, model: LogisticRegression) {
        let f = federated.flatParameters, l = local.flatParameters
        var best: (alpha: Double, model: LogisticRegression, loss: Double)?
        for alpha in alphas {
            let mixed = try LogisticRegression(
                flatParameters: (0..<f.count).map { Float(alpha) * l[$0] + Float(1 - alpha) * f[$0] })
            let loss = validation.isEmpty ? 0 : LocalTraining.logLoss(mixed, validation)
            if best == nil || loss < best!.loss { best = (alpha, mixed, loss) }
        }
        return (best!.alpha, best!.model)
    }
}
