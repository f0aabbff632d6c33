import Foundation

/// A discretized privacy loss distribution (PLD) for the add-or-remove-one relation, a port of dp-accounting
/// 0.6.0's `PrivacyLossDistribution` with its defaults: pessimistic connect-the-dots discretization, tails of mass
/// e⁻⁵⁰ cut from Gaussian noise, and 1e-15 of mass truncated (to +∞) at each composition.
///
/// It holds one PMF for the "remove" direction and, when the two directions differ (Poisson sampling), one for
/// "add"; ε and δ are the worse of the two. Privacy losses lie on a grid of multiples of
/// ``valueDiscretizationInterval``; the discretization rounds losses *up*, so ``epsilon(delta:)`` and
/// ``delta(epsilon:)`` are upper bounds on the mechanism's true values (Koskela, Jälkö, Honkela 2020; Doroshenko
/// et al. 2022; Meiser, Mohammadi 2018 for privacy buckets).
public struct PrivacyLossDistribution: Sendable, Hashable {
    var remove: PLDProbabilityMass
    /// `nil` when the add direction equals the remove direction (no sampling).
    var add: PLDProbabilityMass?

    /// dp-accounting's default tail mass truncated at each composition.
    public static let defaultTailMassTruncation = 1e-15
    /// dp-accounting's default `value_discretization_interval`.
    public static let defaultValueDiscretizationInterval = 1e-4

    /// The width of the grid of privacy losses.
    public var valueDiscretizationInterval: Double { remove.discretization }

    /// The number of grid points in the larger of the two directions' PMFs.
    public var size: Int { max(remove.size, add?.size ?? 0) }

    init(remove: PLDProbabilityMass, add: PLDProbabilityMass?) {
        self.remove = remove
        self.add = add
    }

    /// The PLD of a mechanism that reveals nothing: all mass at loss 0.
    ///
    /// - Throws: ``DPError`` if the interval is not finite and > 0.
    public static func identity(
        valueDiscretizationInterval: Double = defaultValueDiscretizationInterval
    ) throws(DPError) -> Self {
        try DPError.requirePositive(valueDiscretizationInterval, "valueDiscretizationInterval")
        return Self(remove: .identity(discretization: valueDiscretizationInterval), add: nil)
    }

    /// The PLD of the Gaussian mechanism with this standard deviation, optionally run on a Poisson sample
    /// (dp-accounting's `from_gaussian_mechanism`).
    ///
    /// - Throws: ``DPError`` if a parameter is out of range.
    public static func gaussian(
        standardDeviation: Double, sensitivity: Double = 1, samplingRate: Double = 1,
        valueDiscretizationInterval: Double = defaultValueDiscretizationInterval
    ) throws(DPError) -> Self {
        try DPError.requirePositive(standardDeviation, "standardDeviation")
        return try additiveNoise(
            .gaussian(standardDeviation: standardDeviation), sensitivity: sensitivity, samplingRate: samplingRate,
            valueDiscretizationInterval: valueDiscretizationInterval)
    }

    /// The PLD of the Laplace mechanism with scale `parameter`, optionally run on a Poisson sample
    /// (dp-accounting's `from_laplace_mechanism`).
    ///
    /// - Throws: ``DPError`` if a parameter is out of range.
    public static func laplace(
        parameter: Double, sensitivity: Double = 1, samplingRate: Double = 1,
        valueDiscretizationInterval: Double = defaultValueDiscretizationInterval
    ) throws(DPError) -> Self {
        try DPError.requirePositive(parameter, "parameter")
        return try additiveNoise(
            .laplace(parameter: parameter), sensitivity: sensitivity, samplingRate: samplingRate,
            valueDiscretizationInterval: valueDiscretizationInterval)
    }

    private static func additiveNoise(
        _ noise: AdditiveNoisePrivacyLoss.Noise, sensitivity: Double, samplingRate: Double,
        valueDiscretizationInterval: Double
    ) throws(DPError) -> Self {
        try DPError.requirePositive(sensitivity, "sensitivity")
        try DPError.requireSamplingRate(samplingRate, "samplingRate")
        try DPError.requirePositive(valueDiscretizationInterval, "valueDiscretizationInterval")
        let remove = try AdditiveNoisePrivacyLoss(
            noise: noise, sensitivity: sensitivity, samplingProbability: samplingRate, adjacency: .remove
        ).connectTheDots(discretization: valueDiscretizationInterval)
        if samplingRate == 1 { return Self(remove: remove, add: nil) }
        let add = try AdditiveNoisePrivacyLoss(
            noise: noise, sensitivity: sensitivity, samplingProbability: samplingRate, adjacency: .add
        ).connectTheDots(discretization: valueDiscretizationInterval)
        return Self(remove: remove, add: add)
    }

    /// The PLD of running both mechanisms on the same data (heterogeneous composition): the convolution of the
    /// two PMFs, truncating at most `tailMassTruncation` of mass to +∞ (dp-accounting's `compose`).
    ///
    /// - Throws: ``DPError`` if the intervals differ or the result would be too large.
    public func composed(
        with other: Self, tailMassTruncation: Double = defaultTailMassTruncation
    ) throws(DPError) -> Self {
        guard valueDiscretizationInterval == other.valueDiscretizationInterval else {
            throw DPError(
                .invalidParameter, parameter: "valueDiscretizationInterval",
                "only distributions on the same grid compose: \(valueDiscretizationInterval) ≠ "
                    + "\(other.valueDiscretizationInterval)")
        }
        try Self.checkTruncation(tailMassTruncation)
        let remove = try remove.composed(with: other.remove, tailMassTruncation: tailMassTruncation)
        if add == nil, other.add == nil { return Self(remove: remove, add: nil) }
        let add = try (add ?? self.remove).composed(
            with: other.add ?? other.remove, tailMassTruncation: tailMassTruncation)
        return Self(remove: remove, add: add)
    }

    /// The PLD of running this mechanism `count` times (dp-accounting's `self_compose`: one FFT, the `count`-th
    /// power of each frequency by repeated squaring, one inverse FFT).
    ///
    /// - Throws: ``DPError`` if `count < 1` or the result would be too large.
    public func selfComposed(
        _ count: Int, tailMassTruncation: Double = defaultTailMassTruncation
    ) throws(DPError) -> Self {
        try DPError.requireCount(count, "count")
        try Self.checkTruncation(tailMassTruncation)
        let remove = try remove.selfComposed(count, tailMassTruncation: tailMassTruncation)
        guard let add else { return Self(remove: remove, add: nil) }
        return Self(remove: remove, add: try add.selfComposed(count, tailMassTruncation: tailMassTruncation))
    }

    private static func checkTruncation(_ value: Double) throws(DPError) {
        guard value.isFinite, value >= 0, value < 1 else {
            throw DPError(
                .invalidParameter, parameter: "tailMassTruncation", "tailMassTruncation must be in [0, 1), got \(value)"
            )
        }
    }

    /// The smallest ε ≥ 0 such that the hockey-stick divergence is at most `delta`, the larger over the two
    /// directions; `+∞` if the mass at infinite loss exceeds `delta`.
    ///
    /// - Throws: ``DPError`` if `delta` is not in (0, 1).
    public func epsilon(delta: Double) throws(DPError) -> Double {
        try DPError.requireOpenUnitInterval(delta, "delta")
        let epsilonRemove = remove.epsilon(delta: delta)
        guard let add else { return epsilonRemove }
        return max(epsilonRemove, add.epsilon(delta: delta))
    }

    /// The ε-hockey-stick divergence δ(ε) = 𝔼[(1 − e^{ε − L})₊] + P(L = ∞), the larger over the two directions.
    ///
    /// - Throws: ``DPError`` if `epsilon` is not finite and > 0.
    public func delta(epsilon: Double) throws(DPError) -> Double {
        try DPError.requirePositive(epsilon, "epsilon")
        let deltaRemove = remove.delta(epsilon: epsilon)
        guard let add else { return deltaRemove }
        return max(deltaRemove, add.delta(epsilon: epsilon))
    }
}
