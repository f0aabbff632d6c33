import Foundation

/// Scalar numerics shared by the accountants: log-space arithmetic, the standard normal distribution and Brent's
/// root finder, each written to reproduce what dp-accounting 0.6.0 computes through NumPy and SciPy.
///
/// Accuracy: every function here is within a few units in the last place of the exact value over the range the
/// accountants use (the normal tail is computed from glibc's `erfc`, which is accurate in relative terms, and an
/// asymptotic series once `erfc` would underflow), so results agree with SciPy's to far better than 6 digits.
enum AccountingMath {
    /// √½ as a correctly rounded double (C's `M_SQRT1_2`).
    static let sqrtHalf = 0.7071067811865476
    /// log 2 as a correctly rounded double (C's `M_LN2`).
    static let ln2 = 0.6931471805599453

    // MARK: Log space

    /// `log(exp(x) + exp(y))`, as dp-accounting's RDP `_log_add` (an argument of `-∞` adds 0).
    static func logAdd(_ x: Double, _ y: Double) -> Double {
        let a = min(x, y)
        let b = max(x, y)
        if a == -.infinity { return b }
        return log1p(exp(a - b)) + b
    }

    /// `log(exp(x) + exp(y))` as NumPy's `logaddexp`.
    static func logAddExp(_ x: Double, _ y: Double) -> Double {
        if x == y { return x + ln2 }
        let difference = x - y
        if difference > 0 { return x + log1p(exp(-difference)) }
        if difference <= 0 { return y + log1p(exp(difference)) }
        return x + y
    }

    /// `log(exp(a) - exp(b))` for `a > b` (dp-accounting's PLD `_log_sub`); `-∞` when `a ≤ b`, where the
    /// difference is not positive.
    static func logSub(_ a: Double, _ b: Double) -> Double {
        guard b < a else { return -.infinity }
        return a + log1p(-exp(b - a))
    }

    /// `log(a · exp(b) + c)`, as dp-accounting's `common.log_a_times_exp_b_plus_c`.
    static func logATimesExpBPlusC(_ a: Double, _ b: Double, _ c: Double) -> Double {
        if a == 0 { return log(c) }
        if a < 0 {
            guard c > 0 else { return .nan }
            return logSub(log(c), log(-a) + b)
        }
        if b == 0 { return log(a + c) }
        let d = b + log(a)
        if c == 0 { return d }
        if c < 0 { return logSub(d, log(-c)) }
        let low = min(d, log(c))
        let high = max(d, log(c))
        return high + log1p(exp(low - high))
    }

    /// `log Γ(x)` of the absolute value of Γ, thread-safe.
    static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }

    /// `log C(n, k)` through log-gamma, as dp-accounting's `_log_comb` (valid for non-integer `n`).
    static func logBinomial(_ n: Double, _ k: Double) -> Double {
        logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
    }

    /// Python's `math.isclose` with its default relative tolerance of 1e-9.
    static func isClose(_ a: Double, _ b: Double) -> Bool {
        if a == b { return true }
        if a.isInfinite || b.isInfinite { return false }
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    }

    // MARK: The standard normal distribution

    /// Φ(x), the standard normal CDF, computed as SciPy's `ndtr` (Cephes) does.
    static func normalCDF(_ x: Double) -> Double {
        let t = x * sqrtHalf
        let z = abs(t)
        if z < sqrtHalf { return 0.5 + 0.5 * erf(t) }
        let y = 0.5 * erfc(z)
        return t > 0 ? 1 - y : y
    }

    /// log Φ(x), accurate in both tails (SciPy's `log_ndtr`).
    ///
    /// For `x ≥ -1` this is `log1p(-Φ(-x))`; below, `log(erfc(u) / 2)` with `u = -x/√2`, switching to the
    /// asymptotic expansion of `erfc` at `u ≥ 20` (where glibc's `erfc` approaches its underflow threshold), with
    /// enough terms for full double precision.
    static func normalLogCDF(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x >= -1 { return log1p(-0.5 * erfc(x * sqrtHalf)) }
        let u = -x * sqrtHalf
        if u < 20 { return log(0.5 * erfc(u)) }
        if u == .infinity { return -.infinity }
        // erfc(u) = exp(-u²) / (u √π) · Σ_k (-1)^k (2k-1)!! / (2u²)^k
        let inverseTwoUSquared = 1 / (2 * u * u)
        var term = 1.0
        var series = 1.0
        for k in 1...16 {
            term *= -Double(2 * k - 1) * inverseTwoUSquared
            series += term
            if abs(term) < 1e-18 * abs(series) { break }
        }
        return -(u * u) - log(u) - 0.5 * log(Double.pi) + log(series) - ln2
    }

    /// log φ(x), the log density of the standard normal.
    static func normalLogPDF(_ x: Double) -> Double {
        -0.5 * x * x - 0.5 * log(2 * Double.pi)
    }

    /// Φ⁻¹(p) for `0 < p < 1` (SciPy's `ndtri`): Acklam's rational approximation refined by Newton steps on
    /// log Φ, which makes it accurate to a few ulps even far in the lower tail (the PLD truncation point is
    /// Φ⁻¹(e⁻⁵⁰ / 2) ≈ -9.8).
    static func normalQuantile(_ p: Double) -> Double {
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        if p > 0.5 { return -normalQuantile(1 - p) }
        var x = acklamQuantile(p)
        let logP = log(p)
        for _ in 0..<8 {
            let logCDF = normalLogCDF(x)
            let slope = exp(normalLogPDF(x) - logCDF)  // d log Φ / dx
            let step = (logCDF - logP) / slope
            x -= step
            if abs(step) <= 1e-16 * max(1, abs(x)) { break }
        }
        return x
    }

    /// Acklam's approximation of Φ⁻¹ (relative error below 1.2e-9), the starting point for Newton.
    private static func acklamQuantile(_ p: Double) -> Double {
        let a = [
            -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00,
        ]
        let b = [
            -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01,
        ]
        let c = [
            -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00,
        ]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        if p < 0.02425 {
            let q = (-2 * log(p)).squareRoot()
            let numerator = ((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]
            return numerator / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let q = p - 0.5
        let r = q * q
        let numerator = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        return numerator / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }

    // MARK: Root finding

    /// A root of `f` in `[a, b]` by Brent's method, a line-by-line port of SciPy's `brentq` (Brent 1973,
    /// *Algorithms for Minimization without Derivatives*, ch. 4), with SciPy's defaults `rtol = 4·eps` and
    /// 100 iterations. `f(a)` and `f(b)` must have opposite signs (or one be zero); otherwise `nil`.
    static func brentRoot(
        in a: Double, _ b: Double, xtol: Double, rtol: Double = 4 * Double.ulpOfOne, maxIterations: Int = 100,
        _ f: (Double) throws -> Double
    ) rethrows -> Double? {
        var xpre = a
        var xcur = b
        var xblk = 0.0
        var fblk = 0.0
        var spre = 0.0
        var scur = 0.0
        var fpre = try f(xpre)
        var fcur = try f(xcur)
        if fpre == 0 { return xpre }
        if fcur == 0 { return xcur }
        guard fpre.sign != fcur.sign, !fpre.isNaN, !fcur.isNaN else { return nil }
        for _ in 0..<maxIterations {
            if fpre != 0, fcur != 0, fpre.sign != fcur.sign {
                xblk = xpre
                fblk = fpre
                spre = xcur - xpre
                scur = spre
            }
            if abs(fblk) < abs(fcur) {
                xpre = xcur
                xcur = xblk
                xblk = xpre
                fpre = fcur
                fcur = fblk
                fblk = fpre
            }
            let delta = (xtol + rtol * abs(xcur)) / 2
            let sbis = (xblk - xcur) / 2
            if fcur == 0 || abs(sbis) < delta { return xcur }
            if abs(spre) > delta, abs(fcur) < abs(fpre) {
                let stry: Double
                if xpre == xblk {
                    stry = -fcur * (xcur - xpre) / (fcur - fpre)  // interpolate
                } else {
                    let dpre = (fpre - fcur) / (xpre - xcur)  // extrapolate
                    let dblk = (fblk - fcur) / (xblk - xcur)
                    stry = -fcur * (fblk * dblk - fpre * dpre) / (dblk * dpre * (fblk - fpre))
                }
                if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta) {
                    spre = scur
                    scur = stry
                } else {
                    spre = sbis
                    scur = sbis
                }
            } else {
                spre = sbis
                scur = sbis
            }
            xpre = xcur
            fpre = fcur
            if abs(scur) > delta {
                xcur += scur
            } else {
                xcur += sbis > 0 ? delta : -delta
            }
            fcur = try f(xcur)
        }
        return xcur
    }
}
