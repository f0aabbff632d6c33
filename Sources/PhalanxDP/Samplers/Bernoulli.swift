/// Exact Bernoulli coins: probability a rational `n/d`, or `exp(−γ)` for a rational `γ ≥ 0`.
///
/// Both use integer arithmetic only. `Bernoulli(n/d)` compares a uniform integer below `d` (drawn by rejection)
/// with `n`. `Bernoulli(exp(−γ))` is Algorithm 1 of Canonne, Kamath and Steinke, "The Discrete Gaussian for
/// Differential Privacy" (NeurIPS 2020): for `γ ∈ [0, 1]`, count `K` up from 1 while coins of probability `γ/K`
/// come up heads and return whether `K` is odd (which happens with probability `Σ (−γ)ᵏ/k! = e^{−γ}`); for
/// `γ > 1`, require `⌊γ⌋` independent `exp(−1)` coins and then one `exp(−(γ − ⌊γ⌋))` coin, all heads.
///
/// The running time depends on the outcome (a tails can end the loops early): see docs/dp-samplers.md.
public enum Bernoulli {
    /// Returns `true` with probability exactly `probability`.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidParameter`` if `probability` is greater than one.
    public static func sample(
        probability: Rational, using source: inout some RandomBitSource & ~Copyable
    ) throws(SamplerError) -> Bool {
        guard probability.numerator <= probability.denominator else {
            throw SamplerError(.invalidParameter, "a Bernoulli probability must be at most 1 (got \(probability))")
        }
        return source.coin(numerator: UInt128(probability.numerator), denominator: UInt128(probability.denominator))
    }

    /// Returns `true` with probability exactly `exp(−gamma)`.
    ///
    /// Every non-negative rational is accepted. The expected number of random words drawn is bounded by a small
    /// constant independent of `gamma`, because the first tails ends the sampler.
    public static func sample(expMinus gamma: Rational, using source: inout some RandomBitSource & ~Copyable) -> Bool {
        sampleExpMinus(
            wholeHigh: 0, wholeLow: UInt128(gamma.numerator / gamma.denominator),
            remainder: UInt128(gamma.numerator % gamma.denominator), denominator: UInt128(gamma.denominator),
            using: &source)
    }

    // MARK: - Internals shared with the discrete Laplace and Gaussian samplers

    /// A coin with probability `exp(−γ)` for `γ = whole + remainder / denominator`, where `whole` is the 256-bit
    /// integer `wholeHigh · 2¹²⁸ + wholeLow` and `remainder < denominator` (Algorithm 1 with the `γ > 1`
    /// decomposition).
    static func sampleExpMinus(
        wholeHigh: UInt128, wholeLow: UInt128, remainder: UInt128, denominator: UInt128,
        using source: inout some RandomBitSource & ~Copyable
    ) -> Bool {
        var high = wholeHigh
        var low = wholeLow
        while high != 0 || low != 0 {
            guard sampleExpMinusFraction(numerator: 1, denominator: 1, using: &source) else { return false }
            if low == 0 {
                high -= 1
                low = .max
            } else {
                low -= 1
            }
        }
        return sampleExpMinusFraction(numerator: remainder, denominator: denominator, using: &source)
    }

    /// A coin with probability `exp(−numerator / denominator)` for `numerator ≤ denominator` (Algorithm 1 proper).
    static func sampleExpMinusFraction(
        numerator: UInt128, denominator: UInt128, using source: inout some RandomBitSource & ~Copyable
    ) -> Bool {
        if numerator == 0 { return true }
        var k: UInt128 = 1
        while true {
            // A ~ Bernoulli(γ / K) = Bernoulli(numerator / (denominator · K)). If the product overflows, the same
            // probability is the product of two independent coins, numerator/denominator and 1/K.
            let (scaledDenominator, overflow) = denominator.multipliedReportingOverflow(by: k)
            let heads =
                overflow
                ? source.coin(numerator: numerator, denominator: denominator)
                    && source.coin(numerator: 1, denominator: k)
                : source.coin(numerator: numerator, denominator: scaledDenominator)
            if !heads { break }
            k += 1
        }
        return k & 1 == 1
    }
}
