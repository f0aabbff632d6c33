import PhalanxDP
import Testing

/// The exact discrete Laplace sampler against its probability mass function, 10⁶ draws per scale.
@Suite("Discrete Laplace sampler")
struct SamplerDiscreteLaplaceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let numerator: UInt64
        let denominator: UInt64
        let seed: UInt64
        var testDescription: String { "scale \(numerator)/\(denominator)" }
    }

    static let drawCount = 1_000_000

    static let cases: [Case] = [
        Case(numerator: 1, denominator: 2, seed: 0x1A01),
        Case(numerator: 1, denominator: 1, seed: 0x1A02),
        Case(numerator: 5, denominator: 2, seed: 0x1A03),
        Case(numerator: 10, denominator: 1, seed: 0x1A04),
    ]

    @Test("matches the exact pmf (χ², p = 0.001), mean 0 and the exact variance", arguments: cases)
    func matchesExactDistribution(_ testCase: Case) throws {
        let scale = try Rational(testCase.numerator, testCase.denominator)
        let sampler = try DiscreteLaplace(scale: scale)
        let reference = SamplerSupport.IntegerDistribution.discreteLaplace(scale: scale.doubleValue)
        let bins = SamplerSupport.Bins(reference, total: Self.drawCount)
        var source = try SamplerSupport.source(testCase.seed)
        let summary = SamplerSupport.IntegerSampleSummary(bins: bins, total: Self.drawCount) {
            sampler.sample(using: &source)
        }

        let fit = SamplerSupport.GoodnessOfFit(observed: summary.counts, probabilities: bins.probabilities)
        #expect(fit.smallestExpected >= 5, "\(fit)")
        #expect(fit.passes, "\(fit)")

        // Closed form Var = 2q/(1 − q)², q = e^{−1/t}; the series sum over the pmf must agree.
        let variance = SamplerSupport.discreteLaplaceVariance(scale: scale.doubleValue)
        #expect(abs(reference.variance - variance) <= 1e-9 * variance)
        let n = Double(Self.drawCount)
        #expect(
            SamplerSupport.within(summary.mean, of: 0, standardError: (variance / n).squareRoot()),
            "mean \(summary.mean)")
        let varianceError = ((reference.fourthMoment - variance * variance) / n).squareRoot()
        #expect(
            SamplerSupport.within(summary.variance, of: variance, standardError: varianceError),
            "variance \(summary.variance), exact \(variance)")
    }

    @Test("is symmetric and never returns a negative zero")
    func symmetricAndZeroOnce() throws {
        let sampler = try DiscreteLaplace(scale: try Rational(1, 3))
        var source = try SamplerSupport.source(0x1A10)
        var positive = 0
        var negative = 0
        for _ in 0..<100_000 {
            let value = sampler.sample(using: &source)
            if value > 0 { positive += 1 } else if value < 0 { negative += 1 }
        }
        let total = Double(positive + negative)
        #expect(SamplerSupport.within(Double(positive), of: total / 2, standardError: (total / 4).squareRoot()))
    }

    @Test("a huge scale still samples and saturates instead of trapping")
    func hugeScale() throws {
        let sampler = try DiscreteLaplace(scale: Rational(UInt64.max))
        var source = try SamplerSupport.source(0x1A11)
        var sawLarge = false
        for _ in 0..<1_000 {
            let value = sampler.sample(using: &source)
            #expect(value != Int64.min)
            if value.magnitude > 1 << 60 { sawLarge = true }
        }
        #expect(sawLarge)
    }
}
