import Foundation

/// The privacy loss of an additive-noise mechanism (Gaussian or Laplace noise, optionally on a Poisson sample)
/// under one direction of the add-or-remove-one relation, and its pessimistic "connect-the-dots" discretization.
/// A port of the parts of dp-accounting 0.6.0's `pld/privacy_loss_mechanism.py` (`AdditiveNoisePrivacyLoss`,
/// `GaussianPrivacyLoss`, `LaplacePrivacyLoss`) and `privacy_loss_distribution.py`
/// (`_create_pld_pmf_from_monotone_privacy_loss`) the PLD accountant uses.
///
/// With noise density μ, sensitivity Δ and sampling rate q:
/// - remove: μ_upper(x) = q·μ(x + Δ) + (1 − q)·μ(x), μ_lower(x) = μ(x);
/// - add: μ_upper(x) = μ(x), μ_lower(x) = q·μ(x − Δ) + (1 − q)·μ(x);
///
/// and the privacy loss at x is log(μ_upper(x) / μ_lower(x)), non-increasing in x.
struct AdditiveNoisePrivacyLoss: Sendable {
    enum Noise: Sendable {
        /// Gaussian noise with this standard deviation.
        case gaussian(standardDeviation: Double)
        /// Laplace noise with this scale parameter b.
        case laplace(parameter: Double)
    }

    enum Adjacency: Sendable {
        case add
        case remove
    }

    /// The log of the mass of the Gaussian noise's tails left out of the discretization
    /// (dp-accounting's `log_mass_truncation_bound` default).
    static let gaussianLogMassTruncationBound = -50.0

    let noise: Noise
    let sensitivity: Double
    let samplingProbability: Double
    let adjacency: Adjacency

    // MARK: The noise distribution

    /// The CDF of the noise (SciPy's `norm(scale=σ).cdf` / `laplace(scale=b).cdf`).
    func noiseCDF(_ x: Double) -> Double {
        switch noise {
        case .gaussian(let sigma):
            return AccountingMath.normalCDF(x / sigma)
        case .laplace(let b):
            let y = x / b
            return y > 0 ? 1.0 - 0.5 * exp(-y) : 0.5 * exp(y)
        }
    }

    /// The log CDF of the noise (SciPy's `logcdf`: `log_ndtr`, and for Laplace `log(cdf)` below the median and
    /// `log1p(−sf)` above it).
    func noiseLogCDF(_ x: Double) -> Double {
        switch noise {
        case .gaussian(let sigma):
            return AccountingMath.normalLogCDF(x / sigma)
        case .laplace(let b):
            let y = x / b
            if y == .infinity { return 0 }
            if y < 0 { return log(0.5 * exp(y)) }
            return log1p(-(0.5 * exp(-y)))
        }
    }

    func muUpperCDF(_ x: Double) -> Double {
        switch adjacency {
        case .add:
            return noiseCDF(x)
        case .remove:
            if samplingProbability == 1 { return noiseCDF(x + sensitivity) }
            return (1 - samplingProbability) * noiseCDF(x) + samplingProbability * noiseCDF(x + sensitivity)
        }
    }

    func muLowerLogCDF(_ x: Double) -> Double {
        switch adjacency {
        case .add:
            if samplingProbability == 1 { return noiseLogCDF(x + -sensitivity) }
            return AccountingMath.logAddExp(
                log1p(-samplingProbability) + noiseLogCDF(x),
                log(samplingProbability) + noiseLogCDF(x + -sensitivity))
        case .remove:
            return noiseLogCDF(x)
        }
    }

    // MARK: Privacy loss and its inverse

    /// The privacy loss without sampling for the remove direction.
    private func lossWithoutSamplingRemove(_ x: Double) -> Double {
        switch noise {
        case .gaussian(let sigma):
            return sensitivity * (-0.5 * sensitivity - x) / (sigma * sigma)
        case .laplace(let b):
            return (abs(x) - abs(x + sensitivity)) / b
        }
    }

    /// The largest x whose privacy loss without sampling (remove direction) is at least `loss`.
    private func inverseLossWithoutSamplingRemove(_ loss: Double) -> Double {
        switch noise {
        case .gaussian(let sigma):
            return -0.5 * sensitivity - loss * (sigma * sigma) / sensitivity
        case .laplace(let b):
            let threshold = loss * b
            if threshold > sensitivity { return -.infinity }
            if threshold <= -sensitivity { return .infinity }
            return 0.5 * (-sensitivity - threshold)
        }
    }

    private func lossRemove(_ x: Double) -> Double {
        let withoutSampling = lossWithoutSamplingRemove(x)
        if samplingProbability == 1 { return withoutSampling }
        return AccountingMath.logATimesExpBPlusC(samplingProbability, withoutSampling, 1 - samplingProbability)
    }

    /// The privacy loss log(μ_upper(x) / μ_lower(x)).
    func privacyLoss(_ x: Double) -> Double {
        switch adjacency {
        case .add: return -lossRemove(-x)
        case .remove: return lossRemove(x)
        }
    }

    /// The largest x whose privacy loss is at least `loss` (`inverse_privacy_loss`), `nil` where dp-accounting
    /// would raise (a loss above what the add direction can reach).
    func inversePrivacyLoss(_ loss: Double) -> Double? {
        let q = samplingProbability
        switch adjacency {
        case .add:
            if q == 1 { return sensitivity + inverseLossWithoutSamplingRemove(loss) }
            if AccountingMath.isClose(loss, -log(1 - q)) {
                return sensitivity + inverseLossWithoutSamplingRemove(.infinity)
            }
            if loss > -log(1 - q) { return nil }
            let withoutSampling = -AccountingMath.logATimesExpBPlusC(1 / q, -loss, 1 - 1 / q)
            return sensitivity + inverseLossWithoutSamplingRemove(withoutSampling)
        case .remove:
            if q == 1 { return inverseLossWithoutSamplingRemove(loss) }
            if AccountingMath.isClose(loss, log(1 - q)) { return inverseLossWithoutSamplingRemove(-.infinity) }
            if loss <= log(1 - q) { return nil }
            let withoutSampling = AccountingMath.logATimesExpBPlusC(1 / q, loss, 1 - 1 / q)
            return inverseLossWithoutSamplingRemove(withoutSampling)
        }
    }

    // MARK: Hockey-stick divergence

    /// δ(ε), the ε-hockey-stick divergence of μ_upper from μ_lower: μ_upper_cdf(x) − e^ε·μ_lower_cdf(x) at
    /// x = inverse privacy loss of ε, clipped to [0, 1] (`get_delta_for_epsilon`).
    func delta(epsilon: Double) -> Double {
        var value: Double
        switch adjacency {
        case .add where samplingProbability < 1 && !(epsilon < -log1p(-samplingProbability)):
            value = 0
        case .remove where samplingProbability < 1 && !(epsilon > log1p(-samplingProbability)):
            value = -expm1(epsilon)
        default:
            if let x = inversePrivacyLoss(epsilon) {
                value = muUpperCDF(x) - exp(epsilon + muLowerLogCDF(x))
            } else {
                value = 0
            }
        }
        if value.isNaN { return 0 }
        return min(max(value, 0), 1)
    }

    // MARK: Discretization

    /// The range of ε for the connect-the-dots discretization (`connect_dots_bounds`): for Gaussian noise the
    /// privacy losses at the truncation points Φ⁻¹(e⁻⁵⁰/2)·σ (shifted by the sensitivity), for Laplace noise the
    /// extreme losses ±Δ/b mapped through the sampling.
    func connectDotsBounds() -> (lower: Double, upper: Double) {
        switch noise {
        case .gaussian(let sigma):
            var lowerX = AccountingMath.normalQuantile(0.5 * exp(Self.gaussianLogMassTruncationBound)) * sigma
            var upperX = -lowerX
            switch adjacency {
            case .add: upperX += sensitivity
            case .remove: lowerX -= sensitivity
            }
            return (privacyLoss(upperX), privacyLoss(lowerX))
        case .laplace(let b):
            let maximum = sensitivity / b
            let q = samplingProbability
            if q == 1 { return (-maximum, maximum) }
            switch adjacency {
            case .add:
                return (-log(1 - q + q * exp(maximum)), -log(1 - q + q * exp(-maximum)))
            case .remove:
                return (log(1 - q + q * exp(-maximum)), log(1 - q + q * exp(maximum)))
            }
        }
    }

    /// The pessimistic connect-the-dots PMF on the grid of multiples of `discretization` between the bounds
    /// (Doroshenko, Ghazi, Kamath, Kumar, Manurangsi, "Connect the Dots: Tighter Discrete Approximations of
    /// Privacy Loss Distributions", PETS 2022, Algorithm 1; dp-accounting's
    /// `create_pmf_pessimistic_connect_dots_fixed_gap`). The hockey-stick curve of the result dominates the
    /// mechanism's at every ε, so ε and δ read from it are upper bounds (up to the truncated tails, which are
    /// put at +∞).
    func connectTheDots(discretization d: Double) throws(DPError) -> PLDProbabilityMass {
        let bounds = connectDotsBounds()
        let upperScaled = (bounds.upper / d).rounded(.up)
        let lowerScaled = (bounds.lower / d).rounded(.down)
        guard upperScaled.isFinite, lowerScaled.isFinite,
            upperScaled - lowerScaled < Double(PLDProbabilityMass.maximumSize)
        else {
            throw DPError(
                .distributionTooLarge, parameter: "valueDiscretizationInterval",
                "the privacy loss range [\(bounds.lower), \(bounds.upper)] needs too many points at interval \(d)")
        }
        let upper = Int(upperScaled)
        let lower = Int(lowerScaled)
        var deltas = [Double](repeating: 0, count: upper - lower + 1)
        for (offset, k) in (lower...upper).enumerated() { deltas[offset] = delta(epsilon: Double(k) * d) }
        if lower == upper {
            return PLDProbabilityMass(
                discretization: d, lowerLoss: lower, probabilities: [1 - deltas[0]], infinityMass: deltas[0])
        }
        // δ is non-increasing in ε; enforce it against round-off (np.minimum.accumulate).
        for i in 1..<deltas.count where deltas[i] > deltas[i - 1] { deltas[i] = deltas[i - 1] }
        let n = deltas.count
        let expm1D = expm1(d)
        let expD = exp(d)
        var probabilities = [Double](repeating: 0, count: n)
        probabilities[0] = 1 - deltas[0] + (deltas[1] - deltas[0]) / expm1D
        if n > 2 {
            for i in 1..<(n - 1) {
                let next = deltas[i + 1] - deltas[i]
                let previous = deltas[i] - deltas[i - 1]
                probabilities[i] = (next - previous * expD) / expm1D
            }
        }
        probabilities[n - 1] = (deltas[n - 1] - deltas[n - 2]) / expm1(-d)
        for i in 0..<n { probabilities[i] = max(0, probabilities[i]) }
        return PLDProbabilityMass(
            discretization: d, lowerLoss: lower, probabilities: probabilities, infinityMass: deltas[n - 1])
    }
}
