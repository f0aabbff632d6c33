import Foundation
import PhalanxAgent
import PhalanxCore

/// What an organization does with the round's global model: a few epochs of SGD on its own examples, optionally
/// with FedProx's proximal term, and the difference it sends back.
public struct LocalTraining: Hashable, Sendable, Codable {
    /// Local epochs per round (FedAvg's E).
    public var epochs: Int
    /// The initial SGD step size; the schedule restarts every round.
    public var learningRate: Double
    public var l2: Double
    /// FedProx's μ (0: FedAvg's plain local SGD).
    public var mu: Double
    public var balanceClasses: Bool

    public init(
        epochs: Int = 2, learningRate: Double = 0.5, l2: Double = 1e-6, mu: Double = 0, balanceClasses: Bool = true
    ) {
        self.epochs = epochs
        self.learningRate = learningRate
        self.l2 = l2
        self.mu = mu
        self.balanceClasses = balanceClasses
    }

    /// The SGD configuration of `organization`'s steps in `round`: its own shuffling seed, so that no two
    /// organizations or rounds visit examples in the same order, and a rerun repeats exactly.
    func configuration(seed: UInt64, organization: Int, round: Int) -> TrainingConfiguration {
        var mixer = SplitMix64(seed: seed ^ (UInt64(organization) &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(round) << 32)
        return TrainingConfiguration(
            epochs: epochs, learningRate: learningRate, l2: l2, balanceClasses: balanceClasses, seed: mixer.next())
    }

    /// Trains from `global` on `examples` and returns the update.
    public func update(
        organization: String, index: Int, round: Int, seed: UInt64, global: [Double], examples: [TrainingExample]
    ) throws -> ModelUpdate {
        let start = try LogisticRegression(flatParameters: global.map(Float.init))
        let loss = Self.logLoss(start, examples)
        let trained = try LogisticRegression.train(
            from: start, examples: examples,
            configuration: configuration(seed: seed, organization: index, round: round),
            proximal: mu > 0 ? ProximalTerm(center: start, mu: mu) : nil)
        let after = trained.flatParameters
        return ModelUpdate(
            organization: organization, delta: (0..<global.count).map { Double(after[$0]) - global[$0] },
            examples: examples.count, loss: loss)
    }

    /// Mean log loss (natural log), each probability kept within [1e-12, 1 − 1e-12].
    public static func logLoss(_ model: LogisticRegression, _ examples: [TrainingExample]) -> Double {
        guard !examples.isEmpty else { return 0 }
        var total = 0.0
        for example in examples {
            let p = min(max(model.probability(example.features), 1e-12), 1 - 1e-12)
            total -= example.isAttack ? log(p) : log(1 - p)
        }
        return total / Double(examples.count)
    }
}
