/// One organization's contribution to a round of federated training: how far its local steps moved the round's
/// global parameters, flat (the weights, then the bias), with the number of examples it trained on.
///
/// Only this leaves the organization — never an example — and under secure aggregation not even this: the
/// aggregator then learns only the sum of the updates.
public struct ModelUpdate: Sendable {
    public let organization: String
    /// Local parameters − global parameters.
    public var delta: [Double]
    /// The organization's training examples this round (FedAvg's weight).
    public let examples: Int
    /// The mean log loss of the round's global model on those examples, before the local steps.
    public let loss: Double

    public init(organization: String, delta: [Double], examples: Int, loss: Double) {
        self.organization = organization
        self.delta = delta
        self.examples = examples
        self.loss = loss
    }

    /// The update's Euclidean length.
    public var norm: Double { VectorMath.norm(delta) }
}

/// The few vector operations training needs, on `[Double]` (sums in index order, so results are reproducible).
public enum VectorMath {
    public static func norm(_ x: [Double]) -> Double { x.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    public static func squaredDistance(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "vectors of different dimensions")
        var sum = 0.0
        for i in x.indices {
            let d = x[i] - y[i]
            sum += d * d
        }
        return sum
    }

    /// x scaled to Euclidean length at most `bound` (unchanged when already within it).
    public static func clipped(_ x: [Double], to bound: Double) -> [Double] {
        let length = norm(x)
        guard length > bound, length > 0 else { return x }
        let factor = bound / length
        return x.map { $0 * factor }
    }

    /// The weighted mean of `vectors` (weights ≥ 0, not all zero).
    public static func weightedMean(_ vectors: [[Double]], weights: [Double]) -> [Double] {
        precondition(vectors.count == weights.count && !vectors.isEmpty, "one weight per vector")
        let total = weights.reduce(0, +)
        precondition(total > 0, "weights must not all be zero")
        var mean = [Double](repeating: 0, count: vectors[0].count)
        for (vector, weight) in zip(vectors, weights) where weight > 0 {
            let factor = weight / total
            for i in mean.indices { mean[i] += vector[i] * factor }
        }
        return mean
    }
}
