/// A non-negative exact rational number `numerator / denominator` with 64-bit parts, the parameter type of the
/// exact samplers (a scale, a variance σ², an exponent γ, a privacy parameter ε, a probability).
///
/// The value is kept in lowest terms, so two equal rationals have equal parts and compare equal with `==`. The parts
/// are `UInt64`; the samplers do their intermediate arithmetic in 128-bit (and, for the discrete Gaussian, 256-bit)
/// integers so that no step can overflow for the ranges each sampler documents. There is deliberately no arithmetic
/// on this type: it names a parameter exactly and nothing else.
///
/// Build one from integers (`try Rational(5, 2)`, or the literal `10`), or from a `Double` with
/// ``init(exactly:)``, which gives the dyadic rational the double denotes (for example `0.1` becomes
/// `3602879701896397 / 36028797018963968`, not `1 / 10`).
public struct Rational: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    /// The numerator, in lowest terms.
    public let numerator: UInt64
    /// The denominator, in lowest terms; never zero.
    public let denominator: UInt64

    /// Creates `numerator / denominator` in lowest terms.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidParameter`` if `denominator` is zero.
    public init(_ numerator: UInt64, _ denominator: UInt64) throws(SamplerError) {
        guard denominator != 0 else {
            throw SamplerError(.invalidParameter, "a rational needs a non-zero denominator (got \(numerator)/0)")
        }
        let divisor = Rational.gcd(numerator, denominator)
        self.numerator = numerator / divisor
        self.denominator = denominator / divisor
    }

    /// Creates the integer `value`.
    public init(_ value: UInt64) {
        self.init(lowestTerms: value, 1)
    }

    private init(lowestTerms numerator: UInt64, _ denominator: UInt64) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public init(integerLiteral value: UInt64) {
        self.init(value)
    }

    /// Creates the rational that `value` denotes exactly, or `nil` if `value` is negative, not finite, or its
    /// dyadic form `m / 2^e` does not fit 64-bit parts (magnitudes above about 1.8 × 10¹⁹ or below about 2⁻⁶³
    /// with a long significand).
    public init?(exactly value: Double) {
        guard value.isFinite, value >= 0 else { return nil }
        if value == 0 {
            self.init(0)
            return
        }
        // value = significand · 2^(exponent − significandWidth), with an odd integer significand.
        let width = value.significandWidth
        let integerSignificand = (UInt64(1) << UInt64(width)) | (value.significandBitPattern >> UInt64(52 - width))
        let shift = Int(value.exponent) - width
        if shift >= 0 {
            guard shift < 64, integerSignificand <= UInt64.max >> UInt64(shift) else { return nil }
            self.init(integerSignificand << UInt64(shift))
        } else {
            guard -shift < 64 else { return nil }
            // An odd numerator over a power of two is already in lowest terms.
            self.init(lowestTerms: integerSignificand, UInt64(1) << UInt64(-shift))
        }
    }

    /// Whether the value is zero.
    public var isZero: Bool { numerator == 0 }

    /// `⌊numerator / denominator⌋`.
    public var floor: UInt64 { numerator / denominator }

    /// The nearest `Double`, for display and for post-processing only (never used when sampling).
    public var doubleValue: Double { Double(numerator) / Double(denominator) }

    public var description: String { denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)" }

    public static func < (lhs: Rational, rhs: Rational) -> Bool {
        UInt128(lhs.numerator) * UInt128(rhs.denominator) < UInt128(rhs.numerator) * UInt128(lhs.denominator)
    }

    /// The smallest rational with 64-bit parts that is at least `numerator / denominator`: the exact value when it
    /// fits in lowest terms, otherwise a dyadic rational `⌈value · 2^p⌉ / 2^p` with a numerator below 2⁶³, which is
    /// larger than the exact value by less than 2⁻ᵖ.
    ///
    /// Used where rounding a noise scale up only adds noise (and so keeps the privacy guarantee). Returns `nil` if
    /// the value is at least 2⁶³.
    static func roundedUp(numerator: UInt128, denominator: UInt128) -> Rational? {
        precondition(denominator != 0, "internal: zero denominator")
        let divisor = Rational.gcd(numerator, denominator)
        let reducedNumerator = numerator / divisor
        let reducedDenominator = denominator / divisor
        if let exactNumerator = UInt64(exactly: reducedNumerator),
            let exactDenominator = UInt64(exactly: reducedDenominator)
        {
            return try? Rational(exactNumerator, exactDenominator)
        }
        let integerCeiling = (reducedNumerator + reducedDenominator - 1) / reducedDenominator
        guard integerCeiling < UInt128(1) << 63 else { return nil }
        // Choose p so that ⌈value · 2^p⌉ ≤ 2^(bits(⌈value⌉) + p) stays below 2^63.
        let precision = max(0, 62 - (UInt128.bitWidth - integerCeiling.leadingZeroBitCount))
        let scaled = reducedNumerator.multipliedFullWidth(by: UInt128(1) << UInt128(precision))
        let (quotient, remainder) = reducedDenominator.dividingFullWidth(scaled)
        let ceiling = remainder == 0 ? quotient : quotient + 1
        guard let dyadicNumerator = UInt64(exactly: ceiling) else { return nil }
        return try? Rational(dyadicNumerator, UInt64(1) << UInt64(precision))
    }

    /// The greatest common divisor (binary GCD); `gcd(0, 0) == 0`, otherwise positive.
    static func gcd<T: FixedWidthInteger & UnsignedInteger>(_ first: T, _ second: T) -> T {
        var a = first
        var b = second
        if a == 0 { return b }
        if b == 0 { return a }
        let shift = (a | b).trailingZeroBitCount
        a >>= a.trailingZeroBitCount
        repeat {
            b >>= b.trailingZeroBitCount
            if a > b { swap(&a, &b) }
            b -= a
        } while b != 0
        return a << shift
    }
}
