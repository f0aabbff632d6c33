/// A differentially private mechanism, or a composition of mechanisms, as an accountant sees it — the counterpart
/// of dp-accounting's `DpEvent` tree, restricted to the mechanisms this module accounts for.
///
/// Noise is given as a *noise multiplier*: the ratio of the noise scale to the query's sensitivity, so every
/// mechanism is analysed at sensitivity 1. Neighbouring datasets differ by adding or removing one record
/// (dp-accounting's `ADD_OR_REMOVE_ONE`).
///
/// ```swift
/// // DP-SGD: 1,000 steps, each a Gaussian sum over a Poisson sample of 1% of the records.
/// let training = PrivacyEvent.selfComposed(
///     .poissonSampledGaussian(samplingRate: 0.01, noiseMultiplier: 1.1), count: 1_000)
/// ```
public indirect enum PrivacyEvent: Hashable, Sendable {
    /// The Gaussian mechanism: noise of standard deviation `noiseMultiplier × Δ₂` added to a query of L2
    /// sensitivity Δ₂.
    case gaussian(noiseMultiplier: Double)
    /// The Laplace mechanism: Laplace noise of scale `noiseMultiplier × Δ₁` (the `b` of the density
    /// `e^{-|x|/b} / 2b`) added to a query of L1 sensitivity Δ₁.
    case laplace(noiseMultiplier: Double)
    /// The Gaussian mechanism run on a Poisson sample, each record included independently with probability
    /// `samplingRate`.
    case poissonSampledGaussian(samplingRate: Double, noiseMultiplier: Double)
    /// The Laplace mechanism run on a Poisson sample. Only the PLD accountant supports it (as dp-accounting's).
    case poissonSampledLaplace(samplingRate: Double, noiseMultiplier: Double)
    /// The sum of `contributors` independent discrete Gaussian noises N_ℤ(0, `localSigma`²), each added by one
    /// party to an integer vector of `dimension` components whose L1 and L2 sensitivities are given — the
    /// distributed discrete Gaussian of Kairouz, Liu and Steinke (ICML 2021). A sum of discrete Gaussians is not
    /// a discrete Gaussian; their Proposition 14 bounds its Rényi divergence, with a correction τ that vanishes
    /// quickly as `localSigma` grows. Sensitivities and σ are in the integer units of the vector (no scaling).
    /// Only the RDP accountant supports it.
    case distributedDiscreteGaussian(
        localSigma: Double, contributors: Int, l1Sensitivity: Double, l2Sensitivity: Double, dimension: Int)
    /// Events run one after another on the same data (heterogeneous composition); an empty list is a no-op.
    case composed([PrivacyEvent])
    /// One event run `count` times on the same data.
    case selfComposed(PrivacyEvent, count: Int)

    /// `steps` rounds of DP-SGD: a Gaussian sum over a Poisson sample in each round.
    public static func poissonSampledGaussian(samplingRate: Double, noiseMultiplier: Double, steps: Int) -> Self {
        .selfComposed(
            .poissonSampledGaussian(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier), count: steps)
    }
}

/// A single mechanism at the leaves of a ``PrivacyEvent`` tree.
enum AccountedMechanism: Hashable, Sendable {
    case gaussian(noiseMultiplier: Double)
    case laplace(noiseMultiplier: Double)
    case poissonSampledGaussian(samplingRate: Double, noiseMultiplier: Double)
    case poissonSampledLaplace(samplingRate: Double, noiseMultiplier: Double)
    case distributedDiscreteGaussian(
        localSigma: Double, contributors: Int, l1Sensitivity: Double, l2Sensitivity: Double, dimension: Int)
}

extension PrivacyEvent {
    /// The mechanisms of this event in the order an accountant composes them, each with the number of times it
    /// runs (the product of the enclosing `selfComposed` counts), after checking every parameter.
    ///
    /// - Throws: ``DPError`` with code ``DPError/Code/invalidParameter`` naming the first parameter that is NaN,
    ///   infinite or out of range (noise multiplier ≤ 0, sampling rate outside (0, 1], count < 1), or a count
    ///   product that overflows.
    func mechanisms() throws(DPError) -> [(mechanism: AccountedMechanism, count: Int)] {
        var result: [(mechanism: AccountedMechanism, count: Int)] = []
        try collect(count: 1, into: &result)
        return result
    }

    private func collect(count: Int, into result: inout [(mechanism: AccountedMechanism, count: Int)]) throws(DPError) {
        switch self {
        case .gaussian(let noiseMultiplier):
            try DPError.requirePositive(noiseMultiplier, "noiseMultiplier")
            result.append((.gaussian(noiseMultiplier: noiseMultiplier), count))
        case .laplace(let noiseMultiplier):
            try DPError.requirePositive(noiseMultiplier, "noiseMultiplier")
            result.append((.laplace(noiseMultiplier: noiseMultiplier), count))
        case .poissonSampledGaussian(let samplingRate, let noiseMultiplier):
            try DPError.requireSamplingRate(samplingRate, "samplingRate")
            try DPError.requirePositive(noiseMultiplier, "noiseMultiplier")
            result.append(
                (.poissonSampledGaussian(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier), count))
        case .poissonSampledLaplace(let samplingRate, let noiseMultiplier):
            try DPError.requireSamplingRate(samplingRate, "samplingRate")
            try DPError.requirePositive(noiseMultiplier, "noiseMultiplier")
            result.append((.poissonSampledLaplace(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier), count))
        case .distributedDiscreteGaussian(let sigma, let contributors, let l1, let l2, let dimension):
            try DPError.requirePositive(sigma, "localSigma")
            try DPError.requireCount(contributors, "contributors")
            try DPError.requirePositive(l1, "l1Sensitivity")
            try DPError.requirePositive(l2, "l2Sensitivity")
            try DPError.requireCount(dimension, "dimension")
            result.append(
                (
                    .distributedDiscreteGaussian(
                        localSigma: sigma, contributors: contributors, l1Sensitivity: l1, l2Sensitivity: l2,
                        dimension: dimension), count
                ))
        case .composed(let events):
            for event in events { try event.collect(count: count, into: &result) }
        case .selfComposed(let event, let inner):
            try DPError.requireCount(inner, "count")
            let (product, overflow) = count.multipliedReportingOverflow(by: inner)
            guard !overflow else {
                throw DPError(.invalidParameter, parameter: "count", "nested self-composition counts overflow Int")
            }
            try event.collect(count: product, into: &result)
        }
    }
}
