/// The discrete Laplace distribution on the integers with a rational scale `t`:
/// `P[X = x] = (e^{1/t} − 1) / (e^{1/t} + 1) · e^{−|x|/t}` (the two-sided geometric distribution).
///
/// Adding a sample with scale `Δ/ε` to an integer-valued query of sensitivity `Δ` is `ε`-differentially private
/// (Ghosh, Roughgarden and Sundararajan, STOC 2009). Sampling is Algorithm 2 of Canonne, Kamath and Steinke, "The
/// Discrete Gaussian for Differential Privacy" (NeurIPS 2020), with integer arithmetic only: for scale `t = n/d`,
/// draw `U` uniform in `0..<n`, keep it with probability `exp(−U/n)`, add `n` times a geometric count of
/// `exp(−1)` coins, divide by `d` rounding down, attach a fair sign and reject a negative zero.
///
/// Range: any positive scale with 64-bit numerator and denominator. Intermediate values are 128-bit and cannot
/// overflow. The returned `Int64` is the exact sample saturated to `±Int64.max`, a deterministic post-processing of
/// the exact sample (so every privacy guarantee of the exact distribution holds); saturation has probability about
/// `exp(−2⁶³ / t)` and only matters for scales beyond 2⁵⁷.
public struct DiscreteLaplace: Hashable, Sendable {
    /// The scale `t`; the variance is `2e^{−1/t} / (1 − e^{−1/t})²`.
    public let scale: Rational

    /// Creates the distribution with the given scale.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidParameter`` if `scale` is zero.
    public init(scale: Rational) throws(SamplerError) {
        guard !scale.isZero else {
            throw SamplerError(.invalidParameter, "the discrete Laplace scale must be positive (got 0)")
        }
        self.scale = scale
    }

    /// Draws one sample.
    public func sample(using source: inout some RandomBitSource & ~Copyable) -> Int64 {
        let (isNegative, magnitude) = Self.sampleSignAndMagnitude(
            numerator: scale.numerator, denominator: scale.denominator, using: &source)
        let saturated = Int64(exactly: magnitude) ?? .max
        return isNegative ? -saturated : saturated
    }

    /// Draws `count` samples (an empty array for a count of zero or less).
    public func samples(_ count: Int, using source: inout some RandomBitSource & ~Copyable) -> [Int64] {
        var result: [Int64] = []
        result.reserveCapacity(max(0, count))
        for _ in 0..<max(0, count) { result.append(sample(using: &source)) }
        return result
    }

    /// Draws one sample with the given scale.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidParameter`` if `scale` is zero.
    public static func sample(
        scale: Rational, using source: inout some RandomBitSource & ~Copyable
    ) throws(SamplerError) -> Int64 {
        try DiscreteLaplace(scale: scale).sample(using: &source)
    }

    /// Algorithm 2 for scale `numerator / denominator` (the paper's `t / s`), returning the sign and the exact
    /// magnitude; a magnitude of zero always comes with a positive sign.
    static func sampleSignAndMagnitude(
        numerator t: UInt64, denominator s: UInt64, using source: inout some RandomBitSource & ~Copyable
    ) -> (isNegative: Bool, magnitude: UInt128) {
        while true {
            let u = source.uniform(below: t)
            guard Bernoulli.sampleExpMinusFraction(numerator: UInt128(u), denominator: UInt128(t), using: &source)
            else { continue }
            // V counts heads of exp(−1) coins before the first tails; reaching 2⁶⁴ would take 2⁶⁴ iterations and
            // has probability e^(−2⁶⁴), so the increment cannot overflow in practice.
            var v: UInt64 = 0
            while Bernoulli.sampleExpMinusFraction(numerator: 1, denominator: 1, using: &source) { v += 1 }
            // u < t and v < 2⁶⁴, so u + t·v < t · 2⁶⁴ ≤ 2¹²⁸: no overflow.
            let x = UInt128(u) + UInt128(t) * UInt128(v)
            let y = x / UInt128(s)
            let isNegative = source.fairCoin()
            if isNegative && y == 0 { continue }
            return (isNegative, y)
        }
    }
}
