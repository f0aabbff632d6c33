import PhalanxDP
import Testing

/// ``EpsilonAmount``: a `Double` ε becomes whole micro-ε rounded down (a six-decimal input as written), a noise
/// scale's ε is rounded up, and the Laplace scale for an amount achieves exactly that amount.
@Suite("TraceFed ε amounts")
struct PolicyEpsilonAmountTests {
    static let roundings: [(epsilon: Double, micros: UInt64)] = [
        (0.3, 300_000), (0.1 + 0.2, 300_000), (0.000249, 249), (0.000251, 251), (1, 1_000_000), (2.5, 2_500_000),
        (0.214285, 214_285), (0.2999995, 299_999), (0.0000019, 1), (0.000001, 1), (1e-7, 0), (0, 0), (-0.0, 0),
        (1e6, 1_000_000_000_000),
    ]

    @Test("rounds down to whole micro-ε and takes a decimal with at most six places as written")
    func roundingDown() throws {
        for (epsilon, micros) in Self.roundings {
            #expect(EpsilonAmount(roundingDown: epsilon)?.micros == micros, "\(epsilon)")
        }
        #expect(EpsilonAmount(roundingDown: 1e6) == .maximum)
        // Every decimal k·10⁻⁶, whatever side of it the nearest double falls on.
        var generator = PolicySupport.ParameterGenerator(state: 0xE951)
        for index in 0..<50_000 {
            let k =
                index < 20_000
                ? UInt64(index) : UInt64.random(in: 0...EpsilonAmount.maximum.micros, using: &generator)
            let fraction = String(k % 1_000_000)
            let text = "\(k / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
            let epsilon = try #require(Double(text))
            #expect(EpsilonAmount(roundingDown: epsilon)?.micros == k, "\(text)")
        }
    }

    @Test("any other double is rounded down, or up by at most a relative 2⁻⁵¹")
    func roundingIsNeverMeaningfullyUp() throws {
        var generator = PolicySupport.ParameterGenerator(state: 0xE952)
        for _ in 0..<50_000 {
            let epsilon = generator.logUniform(1e-7, 1e6)
            let micros = try #require(EpsilonAmount(roundingDown: epsilon)).micros
            let product = epsilon * 1e6
            #expect(Double(micros) >= product.rounded(.down) && Double(micros) <= product.rounded(.down) + 1)
            #expect(Double(micros) - product <= Double(micros) * 0x1p-51, "\(epsilon) → \(micros)")
        }
    }

    @Test(
        "refuses NaN, infinities, negative numbers and amounts above 10⁶",
        arguments: [
            Double.nan, .infinity, -.infinity, -1, -1e-300, 1e6.nextUp, 1e7, .greatestFiniteMagnitude,
        ])
    func refusesBadDoubles(_ epsilon: Double) {
        #expect(EpsilonAmount(roundingDown: epsilon) == nil)
    }

    @Test("the ε of a noise scale is Δ/scale rounded up to whole micro-ε")
    func achievedByRoundsUp() throws {
        #expect(EpsilonAmount(achievedBy: try Rational(10, 3), sensitivity: 1)?.micros == 300_000)
        #expect(EpsilonAmount(achievedBy: 3, sensitivity: 1)?.micros == 333_334)  // 1/3 = 0.333333…
        #expect(EpsilonAmount(achievedBy: 3, sensitivity: 2)?.micros == 666_667)
        #expect(EpsilonAmount(achievedBy: Rational(UInt64.max), sensitivity: 1)?.micros == 1)
        #expect(EpsilonAmount(achievedBy: try Rational(1, 1_000_000), sensitivity: 1) == .maximum)
        #expect(EpsilonAmount(achievedBy: try Rational(1, 1_000_001), sensitivity: 1) == nil)
        #expect(EpsilonAmount(achievedBy: 0, sensitivity: 1) == nil)
        #expect(EpsilonAmount(achievedBy: 1, sensitivity: 0) == nil)
        // Δ·d·10⁶ beyond 128 bits: no trap, and far above the maximum.
        #expect(EpsilonAmount(achievedBy: try Rational(1, UInt64.max), sensitivity: UInt64.max) == nil)

        var generator = PolicySupport.ParameterGenerator(state: 0xE953)
        for _ in 0..<20_000 {
            let scale = try Rational(
                UInt64.random(in: 1...1 << 40, using: &generator), UInt64.random(in: 1...1 << 20, using: &generator))
            let sensitivity = UInt64.random(in: 1...1_000, using: &generator)
            guard let amount = EpsilonAmount(achievedBy: scale, sensitivity: sensitivity) else { continue }
            // micros/10⁶ ≥ Δ·d/n > (micros − 1)/10⁶, in exact integers.
            let target = UInt128(sensitivity) * UInt128(scale.denominator) * 1_000_000
            #expect(UInt128(amount.micros) * UInt128(scale.numerator) >= target)
            #expect(UInt128(amount.micros - 1) * UInt128(scale.numerator) < target)
        }
    }

    @Test("the Laplace scale of an amount is the exact rational Δ·10⁶/micros, and achieves exactly that amount")
    func laplaceScaleIsExact() throws {
        #expect(EpsilonAmount(micros: 300_000).laplaceScale(sensitivity: 1) == (try Rational(10, 3)))
        #expect(EpsilonAmount(micros: 300_000).laplaceScale(sensitivity: 2) == (try Rational(20, 3)))
        #expect(EpsilonAmount(micros: 1).laplaceScale(sensitivity: 1) == Rational(1_000_000))
        #expect(EpsilonAmount.maximum.laplaceScale(sensitivity: 1) == (try Rational(1, 1_000_000)))
        #expect(EpsilonAmount.zero.laplaceScale(sensitivity: 1) == nil)
        #expect(EpsilonAmount(micros: 5).laplaceScale(sensitivity: 0) == nil)
        #expect(EpsilonAmount(micros: 5).laplaceScale(sensitivity: UInt64.max) == nil)

        var generator = PolicySupport.ParameterGenerator(state: 0xE954)
        for _ in 0..<20_000 {
            let amount = EpsilonAmount(micros: UInt64.random(in: 1...EpsilonAmount.maximum.micros, using: &generator))
            let sensitivity = UInt64.random(in: 1...1_000_000, using: &generator)
            let scale = try #require(amount.laplaceScale(sensitivity: sensitivity))
            #expect(EpsilonAmount(achievedBy: scale, sensitivity: sensitivity) == amount, "\(amount), Δ \(sensitivity)")
        }
    }

    @Test("description drops trailing zeros; fixedDescription always has six decimals")
    func descriptions() throws {
        let cases: [(UInt64, String, String)] = [
            (0, "0", "0.000000"), (1, "0.000001", "0.000001"), (100, "0.0001", "0.000100"),
            (214_285, "0.214285", "0.214285"), (1_500_000, "1.5", "1.500000"), (3_000_000, "3", "3.000000"),
            (12_345_678, "12.345678", "12.345678"), (1_000_000_000_000, "1000000", "1000000.000000"),
        ]
        for (micros, description, fixed) in cases {
            let amount = EpsilonAmount(micros: micros)
            #expect(amount.description == description)
            #expect(amount.fixedDescription == fixed)
        }
        // Both read back as the same amount.
        var generator = PolicySupport.ParameterGenerator(state: 0xE955)
        for _ in 0..<10_000 {
            let amount = EpsilonAmount(micros: UInt64.random(in: 0...10_000_000_000, using: &generator))
            #expect(EpsilonAmount(roundingDown: try #require(Double(amount.description))) == amount)
            #expect(EpsilonAmount(roundingDown: try #require(Double(amount.fixedDescription))) == amount)
        }
    }

    @Test("adds, subtracts with a floor at zero, compares, and converts to an exact rational")
    func arithmetic() throws {
        let a = EpsilonAmount(micros: 700_000)
        let b = EpsilonAmount(micros: 250_000)
        #expect((a + b).micros == 950_000)
        #expect(a.subtractingClamped(b).micros == 450_000)
        #expect(b.subtractingClamped(a) == .zero)
        #expect(b < a && !(a < b) && max(a, b) == a)
        #expect(a.rational == (try Rational(7, 10)))
        #expect(b.rational == (try Rational(1, 4)))
        #expect(a.value == 0.7 && EpsilonAmount.zero.isZero && !a.isZero)
        #expect(EpsilonAmount.maximum.micros == 1_000_000 * EpsilonAmount.microsPerEpsilon)
    }
}
