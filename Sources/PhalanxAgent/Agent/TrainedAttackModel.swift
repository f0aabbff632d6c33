import Foundation

/// A trained classifier read from a model file, as the scanner's ``AttackModel``.
public struct TrainedAttackModel: AttackModel {
    public let file: ModelFile

    public init(file: ModelFile) { self.file = file }

    public static func load(path: String) throws(ModelFileError) -> TrainedAttackModel {
        TrainedAttackModel(file: try ModelFile.read(path: path))
    }

    public func attackProbability(_ text: NormalizedText) -> Double { file.classifier.probability(text) }

    public var modelVersion: String { "phalanx-attack-lr \(file.modelVersion)" }

    public var operatingThreshold: Double { file.classifier.threshold }

    /// The model shipped with Phalanx (`Sources/PhalanxAgent/Resources/attack-model.phxm`, trained on the corpus that
    /// `scripts/build-corpus` builds, by `scripts/train-default-model`).
    public static func bundled() throws(ModelFileError) -> TrainedAttackModel {
        guard let url = Bundle.module.url(forResource: "attack-model", withExtension: "phxm") else {
            throw ModelFileError(.io, "the bundled model attack-model.phxm is not in the PhalanxAgent bundle")
        }
        return try load(path: url.path)
    }
}
