import PhalanxCore

/// A featurized example: what training and evaluation consume.
public struct TrainingExample: Hashable, Sendable {
    public let features: SparseVector
    /// The positive class: a prompt attack.
    public let isAttack: Bool

    public init(features: SparseVector, isAttack: Bool) {
        self.features = features
        self.isAttack = isAttack
    }
}

extension LogisticRegression {
    /// Runs `configuration.epochs` epochs of stochastic gradient descent on the weighted log loss with L2 from
    /// `start`, and returns the new parameters: the local step of federated averaging, or, from
    /// `LogisticRegression(dimension:)`, ordinary training.
    ///
    /// The examples are visited in an order shuffled before each epoch by a Fisher–Yates shuffle driven by
    /// `SplitMix64(seed: configuration.seed)` (written out here rather than the standard library's `shuffle`, whose
    /// algorithm is not promised to stay the same), and every sum is taken in a fixed order, so the result is
    /// identical bit for bit for the same start, examples, configuration and platform math library.
    ///
    /// The step size follows η_t = η₀ / (1 + λη₀t), the schedule Bottou recommends for L2-regularized SGD ("Stochastic
    /// Gradient Descent Tricks", Neural Networks: Tricks of the Trade, 2012), and the L2 shrinkage is applied to all
    /// weights at every step through a common scale factor (w = s·v), so a step costs time in the example's non-zero
    /// features, not in the dimension.
    public static func train(
        from start: LogisticRegression, examples: [TrainingExample], configuration: TrainingConfiguration
    ) throws(ClassifierError) -> LogisticRegression {
        try configuration.validate()
        if let index = examples.firstIndex(where: { $0.features.dimension != start.dimension }) {
            throw ClassifierError(
                "training: example \(index) has dimension \(examples[index].features.dimension), the model \(start.dimension)"
            )
        }
        guard !examples.isEmpty, configuration.epochs > 0 else { return start }
        let attacks = examples.count { $0.isAttack }
        let benign = examples.count - attacks
        let attackWeight =
            configuration.balanceClasses && attacks > 0 ? Double(examples.count) / Double(2 * attacks) : 1
        let benignWeight = configuration.balanceClasses && benign > 0 ? Double(examples.count) / Double(2 * benign) : 1

        var vector = start.weights.map(Double.init)
        var scale = 1.0
        var bias = Double(start.bias)
        var order = Array(examples.indices)
        var generator = SplitMix64(seed: configuration.seed)
        var step = 0.0
        let rate = configuration.learningRate, l2 = configuration.l2
        vector.withUnsafeMutableBufferPointer { vector in
            for _ in 0..<configuration.epochs {
                shuffle(&order, using: &generator)
                for index in order {
                    let example = examples[index]
                    let indices = example.features.indices, values = example.features.values
                    var dot = 0.0
                    for entry in 0..<indices.count { dot += vector[Int(indices[entry])] * Double(values[entry]) }
                    let margin = scale * dot + bias
                    let gradient =
                        (sigmoid(margin) - (example.isAttack ? 1 : 0))
                        * (example.isAttack ? attackWeight : benignWeight)
                    let eta = rate / (1 + l2 * rate * step)
                    step += 1
                    scale *= 1 - eta * l2
                    if scale < 1e-9 {
                        // Fold the scale back in before it underflows.
                        for position in 0..<vector.count { vector[position] *= scale }
                        scale = 1
                    }
                    let update = eta * gradient / scale
                    for entry in 0..<indices.count { vector[Int(indices[entry])] -= update * Double(values[entry]) }
                    bias -= eta * gradient
                }
            }
        }
        return try LogisticRegression(weights: vector.map { Float($0 * scale) }, bias: Float(bias))
    }

    /// Fisher–Yates with Lemire's multiply-shift reduction of a 64-bit draw to `0...i`.
    static func shuffle(_ order: inout [Int], using generator: inout SplitMix64) {
        guard order.count > 1 else { return }
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            let j = Int(generator.next().multipliedFullWidth(by: UInt64(i + 1)).high)
            order.swapAt(i, j)
        }
    }
}
