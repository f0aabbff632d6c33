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

/// FedProx's proximal term μ/2·‖θ − θ_c‖² (see ``LogisticRegression/train(from:examples:configuration:proximal:)``).
public struct ProximalTerm: Sendable {
    /// θ_c: the model the local steps are pulled toward (the round's global model).
    public let center: LogisticRegression
    /// μ ≥ 0; 0 is plain local SGD (FedAvg).
    public let mu: Double

    public init(center: LogisticRegression, mu: Double) {
        self.center = center
        self.mu = mu
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
    ///
    /// With `proximal`, the objective gains FedProx's term μ/2·‖θ − θ_c‖² over all parameters θ (weights and bias)
    /// toward a center θ_c, the global model of the round (Li et al., "Federated Optimization in Heterogeneous
    /// Networks", MLSys 2020): it keeps a client's local steps near the global model when its data differ from the
    /// others'. The term pulls every weight at every step; writing w = s·v + a·c keeps a step sparse all the same
    /// (s and a are scalars, c the center's weights).
    public static func train(
        from start: LogisticRegression, examples: [TrainingExample], configuration: TrainingConfiguration,
        proximal: ProximalTerm? = nil
    ) throws(ClassifierError) -> LogisticRegression {
        try configuration.validate()
        if let proximal {
            guard proximal.center.dimension == start.dimension else {
                throw ClassifierError(
                    "training: the proximal center has dimension \(proximal.center.dimension), the model \(start.dimension)"
                )
            }
            guard proximal.mu.isFinite, proximal.mu >= 0,
                configuration.learningRate * (configuration.l2 + proximal.mu) < 1
            else {
                throw ClassifierError(
                    "training: the proximal μ must be ≥ 0 with learning rate × (l2 + μ) < 1, got μ = \(proximal.mu)")
            }
        }
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
        // The weight of the proximal center in w = s·v + a·c; stays 0 without a proximal term.
        var pull = 0.0
        var bias = Double(start.bias)
        var order = Array(examples.indices)
        var generator = SplitMix64(seed: configuration.seed)
        var step = 0.0
        let rate = configuration.learningRate, l2 = configuration.l2
        let mu = proximal?.mu ?? 0
        let center = proximal.map { $0.center.weights.map(Double.init) } ?? []
        let centerBias = Double(proximal?.center.bias ?? 0)
        vector.withUnsafeMutableBufferPointer { vector in
            for _ in 0..<configuration.epochs {
                shuffle(&order, using: &generator)
                for index in order {
                    let example = examples[index]
                    let indices = example.features.indices, values = example.features.values
                    var dot = 0.0
                    for entry in 0..<indices.count { dot += vector[Int(indices[entry])] * Double(values[entry]) }
                    var margin = scale * dot + bias
                    if mu > 0 {
                        var centerDot = 0.0
                        for entry in 0..<indices.count {
                            centerDot += center[Int(indices[entry])] * Double(values[entry])
                        }
                        margin += pull * centerDot
                    }
                    let gradient =
                        (sigmoid(margin) - (example.isAttack ? 1 : 0))
                        * (example.isAttack ? attackWeight : benignWeight)
                    let eta = rate / (1 + l2 * rate * step)
                    step += 1
                    if mu > 0 {
                        // w ← (1 − η(λ + μ))·w + ημ·c, applied to the scalars alone.
                        let decay = 1 - eta * (l2 + mu)
                        scale *= decay
                        pull = pull * decay + eta * mu
                    } else {
                        scale *= 1 - eta * l2
                    }
                    if scale < 1e-9 {
                        // Fold the scale back in before it underflows.
                        for position in 0..<vector.count { vector[position] *= scale }
                        scale = 1
                    }
                    let update = eta * gradient / scale
                    for entry in 0..<indices.count { vector[Int(indices[entry])] -= update * Double(values[entry]) }
                    bias -= eta * (gradient + mu * (bias - centerBias))
                }
            }
        }
        let weights =
            mu > 0
            ? (0..<vector.count).map { Float(vector[$0] * scale + pull * center[$0]) }
            : vector.map { Float($0 * scale) }
        return try LogisticRegression(weights: weights, bias: Float(bias))
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
