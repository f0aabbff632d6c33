import Foundation

/// Rényi differential privacy of single mechanisms and its conversion to (ε, δ), a port of dp-accounting 0.6.0's
/// `rdp/rdp_privacy_accountant.py` (add-or-remove-one neighbours).
///
/// References:
/// - I. Mironov, "Rényi Differential Privacy", CSF 2017 (arXiv:1702.07476): the Gaussian and Laplace curves.
/// - I. Mironov, K. Talwar, L. Zhang, "Rényi Differential Privacy of the Sampled Gaussian Mechanism",
///   arXiv:1908.10530 (2019): the log-space series for integer and fractional orders (Sec. 3.3).
/// - C. Canonne, G. Kamath, T. Steinke, "The Discrete Gaussian for Differential Privacy", NeurIPS 2020
///   (arXiv:2004.00010, Prop. 12 in v4), and S. Asoodeh, J. Liao, F. Calmon, O. Kosut, L. Sankar, "A Better Bound
///   Gives a Hundred Rounds", ISIT 2020 (arXiv:2001.05990, Eq. 20): the RDP → (ε, δ) conversion.
enum RenyiDivergence {
    /// dp-accounting's `DEFAULT_RDP_ORDERS`: 1.1, 1.2, …, 10.9 (as `1 + x/10`), 11, …, 63, 128, 256, 512, 1024.
    static let defaultOrders: [Double] = {
        let fractional: [Double] = (1..<100).map { (x: Int) -> Double in 1 + Double(x) / 10.0 }
        let integers: [Double] = (11..<64).map { (x: Int) -> Double in Double(x) }
        let large: [Double] = [128, 256, 512, 1024]
        return fractional + integers + large
    }()

    /// The fractional-order series stops after this many terms and excludes the order (`_MAX_STEPS_LOG_A_FRAC`).
    static let maximumFractionalSteps = 1000

    // MARK: Mechanisms

    /// RDP of the Gaussian mechanism at `order`: α / (2σ²).
    static func gaussian(noiseMultiplier sigma: Double, order alpha: Double) -> Double {
        if alpha.isInfinite { return .infinity }
        return alpha / (2 * (sigma * sigma))
    }

    /// RDP of the Poisson-subsampled Gaussian mechanism at `order`: log(A_α) / (α − 1), dp-accounting's
    /// `_compute_rdp_poisson_subsampled_gaussian` for one order.
    static func poissonSampledGaussian(
        samplingRate q: Double, noiseMultiplier sigma: Double, order alpha: Double
    )
        -> Double
    {
        if q == 0 { return 0 }
        if alpha.isInfinite { return .infinity }
        if q == 1 { return alpha / (2 * (sigma * sigma)) }
        let logA: Double
        if alpha.rounded() == alpha, alpha <= Double(Int.max / 2) {
            logA = logAInteger(q: q, sigma: sigma, alpha: Int(alpha))
        } else {
            logA = logAFractional(q: q, sigma: sigma, alpha: alpha)
        }
        return logA / (alpha - 1)
    }

    /// log(A_α) for integer α by the binomial expansion (`_compute_log_a_int`).
    static func logAInteger(q: Double, sigma: Double, alpha: Int) -> Double {
        var logA = -Double.infinity
        let log1mq = log1p(-q)
        let logQ = log(q)
        let twoSigmaSquared = 2 * (sigma * sigma)
        let a = Double(alpha)
        for i in 0...alpha {
            let x = Double(i)
            let logCoefficient = AccountingMath.logBinomial(a, x) + x * logQ + Double(alpha - i) * log1mq
            let s = logCoefficient + Double(i * i - i) / twoSigmaSquared
            logA = AccountingMath.logAdd(logA, s)
        }
        return logA
    }

    /// log(A_α) for fractional α: the two half-line integrals of Mironov–Talwar–Zhang Sec. 3.3 as series in log
    /// space, stopped once both terms decrease and are 30 nats below the total (`_compute_log_a_frac`); `+∞`
    /// (order excluded) if that does not happen within ``maximumFractionalSteps`` terms.
    static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
        var logA0 = -Double.infinity
        var logA1 = -Double.infinity
        let sigmaSquared = sigma * sigma
        let z0 = sigmaSquared * log(1 / q - 1) + 0.5
        let log1mq = log1p(-q)
        let logQ = log(q)
        let sqrt2Sigma = 2.0.squareRoot() * sigma
        let logHalf = log(0.5)
        var lastS0 = -Double.infinity
        var lastS1 = -Double.infinity
        for step in 0..<maximumFractionalSteps {
            let i = Double(step)
            let logCoefficient = AccountingMath.logBinomial(alpha, i)
            let j = alpha - i
            let logT0 = logCoefficient + i * logQ + j * log1mq
            let logT1 = logCoefficient + j * logQ + i * log1mq
            let logE0 = logHalf + logErfc((i - z0) / sqrt2Sigma)
            let logE1 = logHalf + logErfc((z0 - j) / sqrt2Sigma)
            let logS0 = logT0 + (i * i - i) / (2 * sigmaSquared) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * sigmaSquared) + logE1
            logA0 = AccountingMath.logAdd(logA0, logS0)
            logA1 = AccountingMath.logAdd(logA1, logS1)
            let total = AccountingMath.logAdd(logA0, logA1)
            if logS0 < lastS0, logS1 < lastS1, max(logS0, logS1) < total - 30 { return total }
            lastS0 = logS0
            lastS1 = logS1
        }
        return .infinity
    }

    /// log(erfc(x)) = log 2 + log Φ(−x√2), as dp-accounting's `_log_erfc`.
    static func logErfc(_ x: Double) -> Double {
        log(2.0) + AccountingMath.normalLogCDF(-x * 2.0.squareRoot())
    }

    /// RDP of the Laplace mechanism with scale `noiseMultiplier` at `order` (Mironov 2017, Prop. 6), exact:
    /// ε + log(1 + (α−1)(e^{(1−2α)ε} − 1)/(2α−1)) / (α−1) with ε = 1/b, a Taylor series for 1 < α < 1.1 and
    /// the KL divergence at α = 1.
    static func laplace(noiseMultiplier: Double, order a: Double) -> Double {
        let eps = 1 / noiseMultiplier
        if a == 1 { return eps + expm1(-eps) }
        if a < 1.1 {
            let c = expm1(eps * (1 - 2 * a)) / (2 * a - 1)
            let v = -c * (a - 1)
            var sum = 0.0
            var compensation = 0.0
            for k in 1..<100 {
                let term = pow(v, Double(k - 1)) / Double(k)
                let t = sum + term
                compensation += abs(sum) >= abs(term) ? (sum - t) + term : (term - t) + sum
                sum = t
            }
            return eps + c * (sum + compensation)
        }
        return eps + log1p((a - 1) * expm1(eps * (1 - 2 * a)) / (2 * a - 1)) / (a - 1)
    }

    /// RDP at `order` of the sum of `contributors` discrete Gaussians N_ℤ(0, σ²) on an integer vector
    /// (Kairouz, Liu, Steinke, ICML 2021, Proposition 14, for the Rényi divergence of the sum): with
    /// s = √n·σ, a₁ = Δ₁/s, a₂ = Δ₂/s and τ = 10·Σ_{k=1}^{n−1} e^{−2π²σ²·k/(k+1)},
    /// min(α/2·a₂² + τd, α/2·(a₂² + 2a₁τ + τ²d), α/2·(a₂ + τ√d)²).
    /// The proposition is stated for integer orders; RDP is non-decreasing in the order, so a fractional order
    /// is charged the value at the next integer (an upper bound).
    static func distributedDiscreteGaussian(
        localSigma sigma: Double, contributors n: Int, l1Sensitivity l1: Double, l2Sensitivity l2: Double,
        dimension d: Int, order: Double
    ) -> Double {
        if order.isInfinite { return .infinity }
        let alpha = order.rounded(.up)
        let tau = distributedDiscreteGaussianTau(localSigma: sigma, contributors: n)
        let s = Double(n).squareRoot() * sigma
        let a1 = l1 / s
        let a2 = l2 / s
        let dimension = Double(d)
        let first = alpha / 2 * a2 * a2 + tau * dimension
        let second = alpha / 2 * (a2 * a2 + 2 * a1 * tau + tau * tau * dimension)
        let third = alpha / 2 * (a2 + tau * dimension.squareRoot()) * (a2 + tau * dimension.squareRoot())
        return min(first, second, third)
    }

    /// τ = 10·Σ_{k=1}^{n−1} e^{−2π²σ²·k/(k+1)}: how far a sum of n discrete Gaussians is from one (0 for n = 1).
    static func distributedDiscreteGaussianTau(localSigma sigma: Double, contributors n: Int) -> Double {
        guard n > 1 else { return 0 }
        var sum = 0.0
        for k in 1..<n {
            let ratio = Double(k) / Double(k + 1)
            sum += exp(-2 * Double.pi * Double.pi * sigma * sigma * ratio)
        }
        return 10 * sum
    }

    // MARK: Conversion to (ε, δ)

    /// The smallest ε over `orders` for which the RDP curve implies (ε, δ)-DP, and the order attaining it
    /// (`compute_epsilon`): ε = r + log1p(−1/α) − log(δα)/(α−1) for α > 1.01 (Canonne et al. 2020, Prop. 12), and
    /// 0 where the KL bound δ ≥ √(1 − e^{−r}) already holds. The first order attaining the minimum is reported.
    static func epsilon(orders: [Double], rdp: [Double], delta: Double) -> (epsilon: Double, order: Double) {
        var best = Double.nan
        var bestIndex = 0
        for (index, (a, r)) in zip(orders, rdp).enumerated() {
            let epsilon: Double
            if r < 0 {
                epsilon = 0
            } else if delta * delta + expm1(-r) > 0 {
                epsilon = 0
            } else if a > 1.01 {
                epsilon = r + log1p(-1 / a) - log(delta * a) / (a - 1)
            } else {
                epsilon = .infinity
            }
            if index == 0 || epsilon < best || (best.isNaN && !epsilon.isNaN) {
                best = epsilon
                bestIndex = index
            }
        }
        return (max(0, best), orders[bestIndex])
    }

    /// The smallest δ over `orders` for which the RDP curve implies (ε, δ)-DP, and the order attaining it
    /// (`compute_delta`): the minimum of the KL bound √(1 − e^{−r}) and, for α > 1.01,
    /// exp((α−1)(r − ε + log1p(−1/α)) − log α).
    static func delta(orders: [Double], rdp: [Double], epsilon: Double) -> (delta: Double, order: Double) {
        var best = Double.nan
        var bestIndex = 0
        for (index, (a, r)) in zip(orders, rdp).enumerated() {
            var logDelta: Double
            if r <= 0 {
                logDelta = -.infinity
            } else {
                logDelta = 0.5 * log1p(-exp(-r))
            }
            if a > 1.01 {
                let bound = (a - 1) * (r - epsilon + log1p(-1 / a)) - log(a)
                logDelta = min(logDelta, bound)
            }
            if index == 0 || logDelta < best || (best.isNaN && !logDelta.isNaN) {
                best = logDelta
                bestIndex = index
            }
        }
        return (min(exp(best), 1), orders[bestIndex])
    }
}
