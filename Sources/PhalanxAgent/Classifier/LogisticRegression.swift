import Foundation

/// A linear model over hashed features: the margin is w·x + b, the probability of an attack σ(w·x + b).
///
/// Its parameters are a flat `[Float]` of fixed length plus a bias, and nothing else, so that federated averaging
/// (McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized Data", AISTATS 2017) is
/// the element-wise mean of ``flatParameters`` across participants. Training is in
/// `LogisticRegression+Training.swift`; the probability an operator sees is recalibrated by ``PlattCalibration``.
public struct LogisticRegression: Hashable, Sendable {
    /// One weight per feature bucket.
    public private(set) var weights: [Float]
    public private(set) var bias: Float

    /// All-zero weights: the usual starting point of training (every margin 0, every probability ½).
    public init(dimension: Int) {
        weights = [Float](repeating: 0, count: dimension)
        bias = 0
    }

    /// Given parameters, which must be finite (a NaN would silently turn every score into NaN).
    public init(weights: [Float], bias: Float) throws(ClassifierError) {
        guard !weights.isEmpty else { throw ClassifierError("logistic regression: no weights") }
        if let index = weights.firstIndex(where: { !$0.isFinite }) {
            throw ClassifierError("logistic regression: weight \(index) is not finite (\(weights[index]))")
        }
        guard bias.isFinite else { throw ClassifierError("logistic regression: the bias is not finite (\(bias))") }
        self.weights = weights
        self.bias = bias
    }

    /// The weights followed by the bias: the vector a federation averages and the model file stores.
    public var flatParameters: [Float] { weights + [bias] }

    /// The inverse of ``flatParameters``.
    public init(flatParameters: [Float]) throws(ClassifierError) {
        guard let bias = flatParameters.last else { throw ClassifierError("logistic regression: no parameters") }
        try self.init(weights: Array(flatParameters.dropLast()), bias: bias)
    }

    /// The number of weights (without the bias).
    public var dimension: Int { weights.count }

    /// The raw margin w·x + b, accumulated in `Double` in the order of `features`' entries.
    ///
    /// - Precondition: `features.dimension == dimension` (vectors come from the hasher the model was built with).
    public func score(_ features: SparseVector) -> Double {
        precondition(
            features.dimension == weights.count,
            "features of dimension \(features.dimension), model of \(weights.count)")
        var sum = Double(bias)
        weights.withUnsafeBufferPointer { weights in
            for entry in 0..<features.indices.count {
                sum += Double(weights[Int(features.indices[entry])]) * Double(features.values[entry])
            }
        }
        return sum
    }

    /// σ(``score(_:)``), before calibration.
    public func probability(_ features: SparseVector) -> Double { Self.sigmoid(score(features)) }

    /// The logistic function, written so that neither branch overflows.
    public static func sigmoid(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }
}
