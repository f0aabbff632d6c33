/// A privacy accountant based on privacy loss distributions, reproducing dp-accounting 0.6.0's `PLDAccountant`
/// (add-or-remove-one neighbours, pessimistic estimates).
///
/// It holds the PLD of everything composed so far, starting from the identity. Each mechanism is discretized on
/// the grid of multiples of ``valueDiscretizationInterval`` (connect-the-dots, rounding losses up) and composed by
/// convolution; ε for a δ is then read off the distribution. Up to the discretization (which only errs upwards)
/// and the truncated tails (put at +∞, also upwards), the result is the exact privacy curve: tighter than RDP.
///
/// Composition mirrors dp-accounting event by event:
/// - ``PrivacyEvent/gaussian(noiseMultiplier:)`` run `n` times is one Gaussian with noise multiplier `σ/√n`;
/// - Laplace and Poisson-sampled mechanisms run `n` times are self-composed by FFT;
/// - the events of ``PrivacyEvent/composed(_:)`` are composed one after another.
///
/// Cost grows with `1 / interval` and with the spread of the composed loss; the default 1e-4 handles DP-SGD
/// (1,000 steps at q = 0.01) in about a second in release builds.
public struct PLDAccountant: PrivacyAccountant, Hashable {
    /// The grid width of privacy losses.
    public let valueDiscretizationInterval: Double
    /// The privacy loss distribution of everything composed so far.
    public private(set) var distribution: PrivacyLossDistribution

    /// An empty accountant.
    ///
    /// - Throws: ``DPError`` if the interval is not finite and > 0.
    public init(
        valueDiscretizationInterval: Double = PrivacyLossDistribution.defaultValueDiscretizationInterval
    ) throws(DPError) {
        self.valueDiscretizationInterval = valueDiscretizationInterval
        distribution = try .identity(valueDiscretizationInterval: valueDiscretizationInterval)
    }

    public mutating func compose(_ event: PrivacyEvent, count: Int) throws(DPError) {
        try DPError.requireCount(count, "count")
        let mechanisms = try PrivacyEvent.selfComposed(event, count: count).mechanisms()
        for (mechanism, _) in mechanisms {
            if case .distributedDiscreteGaussian = mechanism {
                throw DPError(
                    .unsupportedEvent, parameter: "event",
                    "the PLD accountant has no privacy loss distribution for a sum of discrete Gaussians; "
                        + "use the RDP accountant")
            }
        }
        let d = valueDiscretizationInterval
        var updated = distribution
        for (mechanism, times) in mechanisms {
            let pld: PrivacyLossDistribution
            switch mechanism {
            case .gaussian(let sigma):
                pld = try .gaussian(
                    standardDeviation: sigma / Double(times).squareRoot(), valueDiscretizationInterval: d)
            case .laplace(let b):
                pld = try PrivacyLossDistribution.laplace(parameter: b, valueDiscretizationInterval: d)
                    .selfComposed(times)
            case .poissonSampledGaussian(let q, let sigma):
                pld = try PrivacyLossDistribution.gaussian(
                    standardDeviation: sigma, samplingRate: q, valueDiscretizationInterval: d
                ).selfComposed(times)
            case .poissonSampledLaplace(let q, let b):
                pld = try PrivacyLossDistribution.laplace(parameter: b, samplingRate: q, valueDiscretizationInterval: d)
                    .selfComposed(times)
            case .distributedDiscreteGaussian:
                continue  // refused above
            }
            updated = try updated.composed(with: pld)
        }
        distribution = updated
    }

    public func epsilon(delta: Double) throws(DPError) -> Double {
        try distribution.epsilon(delta: delta)
    }

    public func delta(epsilon: Double) throws(DPError) -> Double {
        try distribution.delta(epsilon: epsilon)
    }
}
