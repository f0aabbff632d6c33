/// The discrete Gaussian distribution on the integers with a rational variance parameter `σ²`:
/// `P[X = x] ∝ exp(−x² / (2σ²))`.
///
/// Adding a sample to an integer vector of L2 sensitivity `Δ` satisfies `Δ²/(2σ²)`-zero-concentrated
/// differential privacy, and its variance is at most `σ²` (Canonne, Kamath and Steinke, "The Discrete Gaussian for
/// Differential Privacy", NeurIPS 2020). Sampling is their Algorithm 3 with exact arithmetic:
/// with `t = ⌊σ⌋ + 1`, propose `Y` from the discrete Laplace distribution with scale `t` and accept it with
/// probability `exp(−(|Y| − σ²/t)² / (2σ²))`, a rational exponent handled by ``Bernoulli`` in 256-bit integers.
///
/// Range: for `σ² = a/b` in lowest terms, `b · (⌊σ⌋ + 1)` must be below 2⁶⁵ and `2 · a · b · (⌊σ⌋ + 1)²` below
/// 2¹²⁸ (checked by the initializer). Both hold whenever `a` and `b` are below 2³², and for every integer `σ²` below
/// 2⁶². Proposals with `|Y| ≥ 2⁶³` are rejected outright, so the output is exactly the discrete Gaussian
/// conditioned on `|X| < 2⁶³`; it differs from the unconditioned distribution by a total variation distance below
/// `exp(−2⁶⁰)`.
public struct DiscreteGaussian: Hashable, Sendable {
    /// The variance parameter `σ²` (the variance itself is slightly smaller).
    public let sigmaSquared: Rational
    /// `⌊σ⌋ + 1`, the scale of the discrete Laplace proposal, computed exactly.
    public let proposalScale: UInt64

    /// `b · t` for `σ² = a/b`.
    private let scaledTimesProposal: UInt128
    /// `2 · a · b · t²`, the denominator of the acceptance exponent.
    private let exponentDenominator: UInt128

    /// Creates the distribution with variance parameter `sigmaSquared`.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidParameter`` if `sigmaSquared` is zero;
    ///   ``SamplerError/Code-swift.struct/outOfRange`` if its parts are too large for the exact arithmetic (see the
    ///   type's documentation).
    public init(sigmaSquared: Rational) throws(SamplerError) {
        guard !sigmaSquared.isZero else {
            throw SamplerError(.invalidParameter, "the discrete Gaussian σ² must be positive (got 0)")
        }
        let a = sigmaSquared.numerator
        let b = sigmaSquared.denominator
        let t = Self.floorSquareRoot(numerator: a, denominator: b) + 1
        let (bt, btOverflow) = UInt128(b).multipliedReportingOverflow(by: UInt128(t))
        let tSquared = UInt128(t) * UInt128(t)
        let (ab2, ab2Overflow) = (UInt128(a) * UInt128(b)).multipliedReportingOverflow(by: 2)
        let (denominator, denominatorOverflow) = ab2.multipliedReportingOverflow(by: tSquared)
        guard !btOverflow, bt < UInt128(1) << 65, !ab2Overflow, !denominatorOverflow else {
            throw SamplerError(
                .outOfRange,
                "σ² = \(sigmaSquared) is outside the exact range of the discrete Gaussian sampler; use a numerator and "
                    + "denominator below 2^32")
        }
        self.sigmaSquared = sigmaSquared
        proposalScale = t
        scaledTimesProposal = bt
        exponentDenominator = denominator
    }

    /// Draws one sample.
    public func sample(using source: inout some RandomBitSource & ~Copyable) -> Int64 {
        let a = UInt128(sigmaSquared.numerator)
        while true {
            let (isNegative, magnitude) = DiscreteLaplace.sampleSignAndMagnitude(
                numerator: proposalScale, denominator: 1, using: &source)
            guard magnitude < UInt128(1) << 63 else { continue }
            // γ = (|Y| − σ²/t)² / (2σ²) = (|Y|·b·t − a)² / (2·a·b·t²). |Y|·b·t < 2⁶³ · 2⁶⁵ = 2¹²⁸.
            let scaled = magnitude * scaledTimesProposal
            let difference = scaled >= a ? scaled - a : a - scaled
            let quotientHigh: UInt128
            let quotientLow: UInt128
            let remainder: UInt128
            if difference >> 64 == 0 {
                // The common case: the square fits in 128 bits.
                quotientHigh = 0
                (quotientLow, remainder) = (difference * difference).quotientAndRemainder(
                    dividingBy: exponentDenominator)
            } else {
                // 256-bit square, then long division by the 128-bit denominator: two quotient words, a remainder.
                let square = difference.multipliedFullWidth(by: difference)
                let remainderHigh: UInt128
                (quotientHigh, remainderHigh) = square.high.quotientAndRemainder(dividingBy: exponentDenominator)
                (quotientLow, remainder) = exponentDenominator.dividingFullWidth((remainderHigh, square.low))
            }
            guard
                Bernoulli.sampleExpMinus(
                    wholeHigh: quotientHigh, wholeLow: quotientLow, remainder: remainder,
                    denominator: exponentDenominator, using: &source)
            else { continue }
            let value = Int64(magnitude)
            return isNegative ? -value : value
        }
    }

    /// Draws `count` samples (an empty array for a count of zero or less).
    public func samples(_ count: Int, using source: inout some RandomBitSource & ~Copyable) -> [Int64] {
        var result: [Int64] = []
        result.reserveCapacity(max(0, count))
        for _ in 0..<max(0, count) { result.append(sample(using: &source)) }
        return result
    }

    /// Draws one sample with variance parameter `sigmaSquared`.
    ///
    /// - Throws: as ``init(sigmaSquared:)``.
    public static func sample(
        sigmaSquared: Rational, using source: inout some RandomBitSource & ~Copyable
    ) throws(SamplerError) -> Int64 {
        try DiscreteGaussian(sigmaSquared: sigmaSquared).sample(using: &source)
    }

    /// `⌊√(numerator / denominator)⌋`: the largest `r` with `r² · denominator ≤ numerator`, by binary search.
    static func floorSquareRoot(numerator: UInt64, denominator: UInt64) -> UInt64 {
        // √(n/d) ≤ √n < 2³², so the answer lies in 0 ..< 2³² and r² · d < 2⁶⁴ · 2⁶⁴ fits in 128 bits.
        var low: UInt64 = 0
        var high: UInt64 = (1 << 32) - 1
        while low < high {
            let middle = low + (high - low + 1) / 2
            if UInt128(middle) * UInt128(middle) * UInt128(denominator) <= UInt128(numerator) {
                low = middle
            } else {
                high = middle - 1
            }
        }
        return low
    }
}
