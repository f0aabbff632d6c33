import PhalanxDP
import Testing

/// The exact discrete Gaussian sampler against its probability mass function, 10⁶ draws per σ².
@Suite("Discrete Gaussian sampler")
struct SamplerDiscreteGaussianTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let numerator: UInt64
        let denominator: UInt64
        let seed: UInt64
        var testDescription: String { "σ² = \(numerator)/\(denominator)" }
    }

    static let drawCount = 1_000_000

    static let cases: [Case] = [
        Case(numerator: 1, denominator: 4, seed: 0x6A01),
        Case(numerator: 1, denominator: 1, seed: 0x6A02),
        Case(numerator: 2, denominator: 1, seed: 0x6A03),
        Case(numerator: 25, denominator: 1, seed: 0x6A04),
    ]

    @Test("matches the exact pmf (χ², p = 0.001), mean 0 and the exact variance", arguments: cases)
    func matchesExactDistribution(_ testCase: Case) throws {
        let sigmaSquared = try Rational(testCase.numerator, testCase.denominator)
        let sampler = try DiscreteGaussian(sigmaSquared: sigmaSquared)
        let reference = SamplerSupport.IntegerDistribution.discreteGaussian(sigmaSquared: sigmaSquared.doubleValue)
        let bins = SamplerSupport.Bins(reference, total: Self.drawCount)
        var source = try SamplerSupport.source(testCase.seed)
        let summary = SamplerSupport.IntegerSampleSummary(bins: bins, total: Self.drawCount) {
            sampler.sample(using: &source)
        }

        let fit = SamplerSupport.GoodnessOfFit(observed: summary.counts, probabilities: bins.probabilities)
        #expect(fit.smallestExpected >= 5, "\(fit)")
        #expect(fit.passes, "\(fit)")

        // The exact variance (from the pmf) is below σ² (Canonne–Kamath–Steinke) and close to it for σ ≥ 1.
        let variance = reference.variance
        #expect(variance <= sigmaSquared.doubleValue * (1 + 1e-12))
        let n = Double(Self.drawCount)
        #expect(
            SamplerSupport.within(summary.mean, of: 0, standardError: (variance / n).squareRoot()),
            "mean \(summary.mean)")
        let varianceError = ((reference.fourthMoment - variance * variance) / n).squareRoot()
        #expect(
            SamplerSupport.within(summary.variance, of: variance, standardError: varianceError),
            "variance \(summary.variance), exact \(variance)")
    }

    @Test("σ² near the edge of the exact range (256-bit acceptance exponents) matches the exact pmf")
    func wideArithmeticPath() throws {
        // σ² = (2⁶³ + 1)/(2⁴¹ + 1) is just below 2²², so t = 2048; 2·a·b·t² is just below 2¹²⁸, and every proposal with |Y| ≥ 4096
        // (about one in seven) has |Y|·b·t ≥ 2⁶⁴, so its acceptance exponent needs the 256-bit square.
        let sigmaSquared = try Rational((1 << 63) + 1, (1 << 41) + 1)
        let sampler = try DiscreteGaussian(sigmaSquared: sigmaSquared)
        #expect(sampler.proposalScale == 2048)
        let reference = SamplerSupport.IntegerDistribution.discreteGaussian(sigmaSquared: sigmaSquared.doubleValue)
        let sigma = sigmaSquared.doubleValue.squareRoot()
        let edges = (-8...8).map { Int64((Double($0) * sigma / 2).rounded()) }
        let bins = SamplerSupport.IntervalBins(edges: edges, reference)
        var source = try SamplerSupport.source(0x6A12)
        let total = 200_000
        var counts = [Int](repeating: 0, count: bins.probabilities.count)
        var wide = 0
        for _ in 0..<total {
            let value = sampler.sample(using: &source)
            counts[bins.index(of: value)] += 1
            if value.magnitude >= 4096 { wide += 1 }
        }
        let fit = SamplerSupport.GoodnessOfFit(observed: counts, probabilities: bins.probabilities)
        #expect(fit.smallestExpected >= 5, "\(fit)")
        #expect(fit.passes, "\(fit)")
        #expect(wide > total / 100)
    }

    @Test("the test has power: σ² = 1 samples fail against the σ² = 1.1 pmf")
    func goodnessOfFitDetectsAWrongVariance() throws {
        let sampler = try DiscreteGaussian(sigmaSquared: 1)
        let wrong = SamplerSupport.IntegerDistribution.discreteGaussian(sigmaSquared: 1.1)
        let total = 200_000
        let bins = SamplerSupport.Bins(wrong, total: total)
        var source = try SamplerSupport.source(0x6A10)
        let summary = SamplerSupport.IntegerSampleSummary(bins: bins, total: total) { sampler.sample(using: &source) }
        let fit = SamplerSupport.GoodnessOfFit(observed: summary.counts, probabilities: bins.probabilities)
        #expect(!fit.passes, "\(fit)")
    }

    /// σ² as numerator and denominator, and ⌊σ⌋ + 1.
    static let proposalScales: [(UInt64, UInt64, UInt64)] = [
        (1, 4, 1), (1, 1, 2), (2, 1, 2), (4, 1, 3), (25, 1, 6), (24, 1, 5), (99_999_999, 10_000, 100),
        (100_000_000, 10_000, 101), (1 << 62, 1, (1 << 31) + 1), ((1 << 62) - 1, 1, 1 << 31),
    ]

    @Test("the proposal scale is ⌊σ⌋ + 1, computed exactly", arguments: proposalScales)
    func proposalScale(_ numerator: UInt64, _ denominator: UInt64, _ expected: UInt64) throws {
        let sampler = try DiscreteGaussian(sigmaSquared: try Rational(numerator, denominator))
        #expect(sampler.proposalScale == expected)
    }

    @Test("large σ² with a large denominator stays exact or is refused, never traps")
    func largeParameters() throws {
        var source = try SamplerSupport.source(0x6A11)
        let large = try DiscreteGaussian(sigmaSquared: try Rational((1 << 62) - 1, 3))
        _ = large.sample(using: &source)
        let huge = try DiscreteGaussian(sigmaSquared: Rational((1 << 62) - 1))
        _ = huge.samples(10, using: &source)
        #expect(throws: SamplerError.self) {
            try DiscreteGaussian(sigmaSquared: try Rational(UInt64.max, UInt64.max - 2))
        }
    }
}
