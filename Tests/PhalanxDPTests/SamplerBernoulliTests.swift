import PhalanxDP
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Exact Bernoulli coins: observed frequencies against the exact probabilities.
@Suite("Bernoulli samplers")
struct SamplerBernoulliTests {
    static let drawCount = 200_000

    /// γ as numerator and denominator, including 0, fractions of one, 1, and values above 1 with and without a
    /// fractional part.
    static let gammas: [(UInt64, UInt64)] = [(0, 1), (1, 3), (1, 2), (1, 1), (3, 2), (7, 3), (5, 1), (21, 2)]

    @Test("Bernoulli(exp(−γ)) frequencies match exp(−γ)", arguments: gammas)
    func expMinusFrequencies(_ numerator: UInt64, _ denominator: UInt64) throws {
        let gamma = try Rational(numerator, denominator)
        var source = try SamplerSupport.source(0xB000 + numerator * 64 + denominator)
        var heads = 0
        for _ in 0..<Self.drawCount where Bernoulli.sample(expMinus: gamma, using: &source) { heads += 1 }
        let p = exp(-gamma.doubleValue)
        try Self.expectBinomial(heads: heads, probability: p)
    }

    /// Probabilities `n/d`, including 0 and 1.
    static let probabilities: [(UInt64, UInt64)] = [(0, 1), (1, 1), (1, 2), (1, 3), (2, 7), (999, 1000), (1, 1 << 40)]

    @Test("Bernoulli(n/d) frequencies match n/d", arguments: probabilities)
    func rationalFrequencies(_ numerator: UInt64, _ denominator: UInt64) throws {
        let p = try Rational(numerator, denominator)
        var source = try SamplerSupport.source(0xB100 + numerator * 64 + denominator % 64)
        var heads = 0
        for _ in 0..<Self.drawCount where try Bernoulli.sample(probability: p, using: &source) { heads += 1 }
        try Self.expectBinomial(heads: heads, probability: p.doubleValue)
    }

    @Test("exp(−γ) with 64-bit numerator and denominator (γ/K denominators beyond 64 bits)")
    func largeDenominator() throws {
        // γ = (2⁶³ + 1)/(2⁶⁴ − 1) ≈ ½: denominator · K overflows 64 bits at K = 2 and is handled in 128 bits.
        let gamma = try Rational((1 << 63) + 1, UInt64.max)
        var source = try SamplerSupport.source(0xB200)
        var heads = 0
        for _ in 0..<Self.drawCount where Bernoulli.sample(expMinus: gamma, using: &source) { heads += 1 }
        try Self.expectBinomial(heads: heads, probability: exp(-gamma.doubleValue))
    }

    @Test("a huge γ returns false quickly")
    func hugeGamma() throws {
        var source = try SamplerSupport.source(0xB201)
        for _ in 0..<1_000 { #expect(!Bernoulli.sample(expMinus: Rational(UInt64.max), using: &source)) }
    }

    /// Heads within 5 standard deviations of `n·p`; exact for the certain coins.
    static func expectBinomial(heads: Int, probability p: Double) throws {
        let n = Double(drawCount)
        if p == 0 || p == 1 {
            #expect(Double(heads) == n * p)
            return
        }
        let standardError = (n * p * (1 - p)).squareRoot()
        #expect(
            SamplerSupport.within(Double(heads), of: n * p, standardError: standardError),
            "\(heads) heads in \(drawCount), expected \(n * p)")
    }
}
