import Foundation

/// The exact (ε, δ) trade-off of the Gaussian mechanism (Balle & Wang, "Improving the Gaussian Mechanism for
/// Differential Privacy: Analytical Calibration and Optimal Denoising", ICML 2018, arXiv:1805.06530), computed as
/// dp-accounting 0.6.0's `get_epsilon_gaussian` and `get_sigma_gaussian` do.
///
/// For noise multiplier σ (standard deviation over L2 sensitivity) the mechanism is (ε, δ)-DP exactly when
/// δ ≥ Φ(1/(2σ) − εσ) − e^ε Φ(−1/(2σ) − εσ) (their Theorem 8, Eq. 6). `k` compositions of the Gaussian
/// mechanism with noise multiplier σ equal one with σ/√k, so this is also the exact curve of a composition.
public enum AnalyticGaussian {
    /// The search tolerance dp-accounting uses (`tol` of `get_epsilon_gaussian`/`get_sigma_gaussian`).
    public static let defaultTolerance = 1e-12

    /// log δ(σ, ε) by Eq. 6: log(Φ(1/σ − t) − e^ε Φ(−t)) with t = εσ + 1/(2σ); `-∞` when the difference is not
    /// positive.
    static func logDelta(sigma: Double, epsilon: Double) -> Double {
        let tStar = epsilon * sigma + 1 / (2 * sigma)
        let x = AccountingMath.normalLogCDF(1 / sigma - tStar)
        let y = epsilon + AccountingMath.normalLogCDF(-tStar)
        return y <= x ? x + log1p(-exp(y - x)) : -.infinity
    }

    /// The smallest δ for which the Gaussian mechanism with noise multiplier `sigma` is (`epsilon`, δ)-DP.
    ///
    /// - Throws: ``DPError`` if `sigma` or `epsilon` is not finite and > 0.
    public static func delta(sigma: Double, epsilon: Double) throws(DPError) -> Double {
        try DPError.requirePositive(sigma, "sigma")
        try DPError.requirePositive(epsilon, "epsilon")
        return exp(logDelta(sigma: sigma, epsilon: epsilon))
    }

    /// The smallest ε for which the Gaussian mechanism with noise multiplier `sigma` is (ε, `delta`)-DP: the root
    /// of log δ(σ, ε) = log `delta`, bracketed by powers of 10 and found by Brent's method to `tolerance`.
    ///
    /// - Throws: ``DPError`` if `sigma` is not finite and > 0, `delta` is not in (0, 1), or `tolerance` ≤ 0.
    public static func epsilon(
        sigma: Double, delta: Double, tolerance: Double = defaultTolerance
    ) throws(DPError)
        -> Double
    {
        try DPError.requirePositive(sigma, "sigma")
        try DPError.requireOpenUnitInterval(delta, "delta")
        try DPError.requirePositive(tolerance, "tolerance")
        let logTarget = log(delta)
        if logDelta(sigma: sigma, epsilon: 0) < logTarget { return 0 }
        var low = 0.0
        var high = 1.0
        while logDelta(sigma: sigma, epsilon: high) > logTarget {
            low = high
            high *= 10
            guard high.isFinite else {
                throw DPError(.calibrationFailed, parameter: "sigma", "no finite ε for σ=\(sigma), δ=\(delta)")
            }
        }
        guard
            let root = AccountingMath.brentRoot(
                in: low, high, xtol: tolerance, { logDelta(sigma: sigma, epsilon: $0) - logTarget })
        else {
            throw DPError(.calibrationFailed, parameter: "sigma", "no ε bracketed for σ=\(sigma), δ=\(delta)")
        }
        return root
    }

    /// The smallest noise multiplier σ for which the Gaussian mechanism is (`epsilon`, `delta`)-DP: the root of
    /// log δ(σ, ε) = log `delta` in σ, bracketed by powers of 10 and found by Brent's method to `tolerance`.
    ///
    /// - Throws: ``DPError`` if `epsilon` is not finite and > 0, `delta` is not in (0, 1), or `tolerance` ≤ 0.
    public static func sigma(
        epsilon: Double, delta: Double, tolerance: Double = defaultTolerance
    ) throws(DPError)
        -> Double
    {
        try DPError.requirePositive(epsilon, "epsilon")
        try DPError.requireOpenUnitInterval(delta, "delta")
        try DPError.requirePositive(tolerance, "tolerance")
        let logTarget = log(delta)
        var low = 1e-1
        var high = 1e0
        while logDelta(sigma: low, epsilon: epsilon) < logTarget {
            high = low
            low /= 10
            guard low > 0 else {
                throw DPError(
                    .calibrationFailed, parameter: "epsilon", "no σ > 0 bracketed for ε=\(epsilon), δ=\(delta)")
            }
        }
        while logDelta(sigma: high, epsilon: epsilon) > logTarget {
            low = high
            high *= 10
            guard high.isFinite else {
                throw DPError(.calibrationFailed, parameter: "epsilon", "no finite σ for ε=\(epsilon), δ=\(delta)")
            }
        }
        guard
            let root = AccountingMath.brentRoot(
                in: low, high, xtol: tolerance, { logDelta(sigma: $0, epsilon: epsilon) - logTarget })
        else {
            throw DPError(.calibrationFailed, parameter: "epsilon", "no σ bracketed for ε=\(epsilon), δ=\(delta)")
        }
        return root
    }
}
