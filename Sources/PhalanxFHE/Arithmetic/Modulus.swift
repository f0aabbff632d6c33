/// A word-sized prime modulus q < 2⁶¹ with the constants that make reduction division-free.
///
/// Products are reduced with Barrett's method on the full 128-bit product (the constant ⌊2¹²⁸/q⌋ kept in two
/// words, as in SEAL's `barrett_reduce_128`); products by a value known in advance (NTT twiddles, key and
/// plaintext constants) use Shoup's precomputed quotient, one high multiply and one low multiply. Neither path
/// branches on the operands except for the final conditional subtraction, which compilers lower to a select.
/// Reduction never divides, so timing does not depend on secret coefficients through a variable-latency `div`.
public struct Modulus: Hashable, Sendable, CustomStringConvertible {
    /// The modulus q.
    public let value: UInt64
    /// ⌊2¹²⁸ / q⌋, low word.
    let barrettLow: UInt64
    /// ⌊2¹²⁸ / q⌋, high word.
    let barrettHigh: UInt64
    /// The number of significant bits of q.
    public let bitWidth: Int
    /// ⌊2^(2k)/q⌋ for k = bitWidth: the single-word Barrett constant for products of two residues.
    let productBarrett: UInt64

    /// The largest modulus supported: sums of two residues must not overflow, and lazy NTT butterflies keep
    /// values below 4q.
    public static let maximumBitWidth = 61

    public init(_ value: UInt64) {
        precondition(value > 1 && value < (1 << Self.maximumBitWidth), "modulus must be in (1, 2^61)")
        self.value = value
        self.bitWidth = UInt64.bitWidth - value.leadingZeroBitCount
        // ⌊2¹²⁸/q⌋ by long division of (1, 0, 0) by q, one word at a time.
        let (high, highRemainder) = (1 as UInt64).quotientAndRemainder(dividingBy: value)
        // 2⁶⁴·1 = high·q + r, so the next word is ⌊(r·2⁶⁴ + 0)/q⌋ …
        let (middle, middleRemainder) = value.dividingFullWidth((highRemainder, 0))
        let (low, _) = value.dividingFullWidth((middleRemainder, 0))
        // (1 / q for q > 1 leaves high = 0, so the 128-bit quotient is (middle, low).)
        precondition(high == 0)
        barrettHigh = middle
        barrettLow = low
        // ⌊2^(2k)/q⌋ < 2^(k+1) ≤ 2⁶²: the 128-bit numerator 2^(2k) divided by q in two words.
        let k = UInt64.bitWidth - value.leadingZeroBitCount
        let numeratorHigh: UInt64 = 2 * k >= 64 ? 1 << UInt64(2 * k - 64) : 0
        let numeratorLow: UInt64 = 2 * k >= 64 ? 0 : 1 << UInt64(2 * k)
        let (quotientHigh, remainderHigh) = numeratorHigh.quotientAndRemainder(dividingBy: value)
        precondition(quotientHigh == 0)
        productBarrett = value.dividingFullWidth((remainderHigh, numeratorLow)).quotient
    }

    public var description: String { "\(value)" }

    // MARK: Addition

    @inline(__always)
    public func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let sum = a &+ b
        return sum >= value ? sum &- value : sum
    }

    @inline(__always)
    public func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a >= b ? a &- b : a &+ (value &- b)
    }

    @inline(__always)
    public func negate(_ a: UInt64) -> UInt64 {
        a == 0 ? 0 : value &- a
    }

    // MARK: Multiplication

    /// Reduces the 128-bit value (high, low) modulo q; correct for any 128-bit input (the estimated quotient is at
    /// most one below the true one, so one conditional subtraction suffices).
    @inline(__always)
    public func reduce(high: UInt64, low: UInt64) -> UInt64 {
        // q̂ = ⌊x·⌊2¹²⁸/q⌋ / 2¹²⁸⌋ differs from ⌊x/q⌋ by at most 1; only the low word of x − q̂q is needed.
        let carry = low.multipliedFullWidth(by: barrettLow).high
        let lowTimesHigh = low.multipliedFullWidth(by: barrettHigh)
        let (partial, overflow1) = lowTimesHigh.low.addingReportingOverflow(carry)
        let partialHigh = lowTimesHigh.high &+ (overflow1 ? 1 : 0)
        let highTimesLow = high.multipliedFullWidth(by: barrettLow)
        let (_, overflow2) = partial.addingReportingOverflow(highTimesLow.low)
        let carry2 = highTimesLow.high &+ (overflow2 ? 1 : 0)
        let quotient = high &* barrettHigh &+ partialHigh &+ carry2
        let remainder = low &- quotient &* value
        return remainder >= value ? remainder &- value : remainder
    }

    /// Reduces a single word modulo q.
    @inline(__always)
    public func reduce(_ a: UInt64) -> UInt64 {
        reduce(high: 0, low: a)
    }

    /// a·b mod q for residues a, b < q: Barrett's reduction of a 2k-bit product with a one-word constant
    /// (x − q̂·q < 3q for q̂ = ⌊⌊x/2^(k−1)⌋·μ/2^(k+1)⌋), three word multiplications in all.
    @inline(__always)
    public func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        let k = UInt64(truncatingIfNeeded: bitWidth)
        let shifted = (product.high &<< (65 &- k)) | (product.low &>> (k &- 1))
        let estimate = shifted.multipliedFullWidth(by: productBarrett)
        let quotient = (estimate.high &<< (63 &- k)) | (estimate.low &>> (k &+ 1))
        var remainder = product.low &- quotient &* value
        if remainder >= value { remainder &-= value }
        if remainder >= value { remainder &-= value }
        return remainder
    }

    /// a·b + c mod q, for a, b, c < q.
    @inline(__always)
    public func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        add(multiply(a, b), c)
    }

    /// Shoup's quotient ⌊w·2⁶⁴/q⌋ for a constant w < q.
    @inline(__always)
    public func shoup(_ w: UInt64) -> UInt64 {
        value.dividingFullWidth((w, 0)).quotient
    }

    /// a·w mod q for any a < 2⁶⁴ and a constant w < q with Shoup quotient `wShoup`.
    @inline(__always)
    public func multiplyShoup(_ a: UInt64, _ w: UInt64, _ wShoup: UInt64) -> UInt64 {
        let quotient = a.multipliedFullWidth(by: wShoup).high
        let remainder = a &* w &- quotient &* value
        return remainder >= value ? remainder &- value : remainder
    }

    // MARK: Exponentiation and inverses (setup only)

    public func power(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
        var result: UInt64 = 1
        var base = reduce(base)
        var exponent = exponent
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    /// The inverse of a modulo the prime q (Fermat), or `nil` for a ≡ 0.
    public func inverse(_ a: UInt64) -> UInt64? {
        let a = reduce(a)
        return a == 0 ? nil : power(a, value - 2)
    }

    /// The residue of a signed integer.
    @inline(__always)
    public func residue(_ a: Int64) -> UInt64 {
        a >= 0 ? reduce(UInt64(a)) : negate(reduce(a.magnitude))
    }

    /// The representative of a in (−q/2, q/2].
    @inline(__always)
    public func centered(_ a: UInt64) -> Int64 {
        a > value >> 1 ? -Int64(value &- a) : Int64(a)
    }
}
