import PhalanxDP
import Testing

/// The exact parameter type.
@Suite("Rational parameters")
struct SamplerRationalTests {
    @Test("rationals are kept in lowest terms and compare by value")
    func lowestTerms() throws {
        let half = try Rational(50, 100)
        #expect(half.numerator == 1 && half.denominator == 2)
        #expect(half == (try Rational(1, 2)))
        #expect(try Rational(0, 7) == Rational(0))
        #expect(try Rational(1, 3) < Rational(1, 2))
        #expect(try Rational(UInt64.max, UInt64.max - 1) > Rational(1))
        #expect(try Rational(UInt64.max - 1, UInt64.max) < Rational(1))
        #expect(Rational(10) == 10)
        #expect(try Rational(7, 2).floor == 3)
        #expect(try Rational(7, 2).description == "7/2")
        #expect(Rational(7).description == "7")
    }

    /// Doubles and the exact fractions they denote.
    static let exactDoubles: [(Double, UInt64, UInt64)] = [
        (0, 0, 1), (1, 1, 1), (0.75, 3, 4), (2.5, 5, 2), (0.1, 3_602_879_701_896_397, 36_028_797_018_963_968),
        (0x1p63, 1 << 63, 1), (0x1p-63, 1, 1 << 63), (1e19, 10_000_000_000_000_000_000, 1),
    ]

    @Test("a Double converts to the rational it denotes exactly", arguments: exactDoubles)
    func fromDouble(_ value: Double, _ numerator: UInt64, _ denominator: UInt64) throws {
        let rational = try #require(Rational(exactly: value))
        #expect(rational.numerator == numerator)
        #expect(rational.denominator == denominator)
        #expect(rational.doubleValue == value)
    }
}
