/// An element of the prime field GF(p) with p = 2⁶¹ − 1, the Mersenne prime that Shamir sharing works in.
///
/// The value is always canonical, in `0..<p`. Addition, subtraction and multiplication have no branches that
/// depend on the operands: products use `multipliedFullWidth(by:)` and two Mersenne folds, and every result ends
/// with one conditional subtraction of `p` done with a mask rather than a branch. The inverse is Fermat's
/// `a^(p−2)` with the public, fixed exponent, so its sequence of operations is the same for every non-zero input.
///
/// A field this size is ample for secure aggregation: Shamir's scheme is information-theoretically hiding over
/// any field with more elements than there are share holders, and 2⁶¹ − 1 also holds every 7-byte chunk of a
/// secret without reduction (see `docs/secagg-primitives.md`).
public struct Field61: Hashable, Sendable, BitwiseCopyable {
    /// The modulus p = 2⁶¹ − 1.
    public static let modulus: UInt64 = (1 << 61) - 1

    /// The additive identity.
    public static let zero = Field61(unchecked: 0)
    /// The multiplicative identity.
    public static let one = Field61(unchecked: 1)

    /// The canonical representative, in `0..<modulus`.
    public let value: UInt64

    /// Wraps a value the caller has already checked to be below the modulus.
    init(unchecked value: UInt64) {
        self.value = value
    }

    /// Creates the element with this representative, or returns `nil` when `value` is not below the modulus.
    public init?(exactly value: UInt64) {
        guard value < Self.modulus else { return nil }
        self.value = value
    }

    /// Creates the element congruent to `value` modulo p (any `UInt64` is accepted).
    public init(reducing value: UInt64) {
        // value = hi·2⁶¹ + lo ≡ hi + lo (mod p); hi ≤ 7 and lo ≤ p, so the sum is below 2p.
        self.value = Self.subtractModulusIfNeeded((value & Self.modulus) &+ (value >> 61))
    }

    /// Returns `x − p` when `x ≥ p`, else `x`, for any `x < 2p`, without branching on `x`.
    static func subtractModulusIfNeeded(_ x: UInt64) -> UInt64 {
        let difference = x &- modulus
        // x < 2⁶² so the top bit of `difference` is set exactly when the subtraction borrowed (x < p).
        let borrowMask = 0 &- (difference >> 63)
        return difference &+ (modulus & borrowMask)
    }

    public static func + (lhs: Field61, rhs: Field61) -> Field61 {
        Field61(unchecked: subtractModulusIfNeeded(lhs.value &+ rhs.value))
    }

    public static func - (lhs: Field61, rhs: Field61) -> Field61 {
        let difference = lhs.value &- rhs.value
        // Both operands are below 2⁶¹, so the top bit is set exactly when lhs < rhs.
        let borrowMask = 0 &- (difference >> 63)
        return Field61(unchecked: difference &+ (modulus & borrowMask))
    }

    public static prefix func - (operand: Field61) -> Field61 {
        zero - operand
    }

    public static func * (lhs: Field61, rhs: Field61) -> Field61 {
        // The product is below 2¹²²: split it as hi·2⁶¹ + lo with lo ≤ p and hi < 2⁶¹; 2⁶¹ ≡ 1 (mod p).
        let (high, low) = lhs.value.multipliedFullWidth(by: rhs.value)
        let folded = (low & modulus) &+ ((high << 3) | (low >> 61))  // < 2⁶²
        let refolded = (folded & modulus) &+ (folded >> 61)  // ≤ p + 1
        return Field61(unchecked: subtractModulusIfNeeded(refolded))
    }

    public static func += (lhs: inout Field61, rhs: Field61) { lhs = lhs + rhs }

    public static func -= (lhs: inout Field61, rhs: Field61) { lhs = lhs - rhs }

    public static func *= (lhs: inout Field61, rhs: Field61) { lhs = lhs * rhs }

    /// Returns `self` raised to `exponent` by left-to-right square-and-multiply.
    ///
    /// The branches follow the bits of `exponent`, which must therefore be public; the base may be secret.
    public func power(_ exponent: UInt64) -> Field61 {
        var result = Field61.one
        var bit = 63
        while bit >= 0 {
            result = result * result
            if (exponent >> UInt64(bit)) & 1 == 1 {
                result = result * self
            }
            bit -= 1
        }
        return result
    }

    /// The multiplicative inverse, or `nil` for zero.
    ///
    /// Computed as `self^(p−2)` (Fermat) with the fixed exponent, so the work does not depend on the value; only
    /// the final zero test does, and zero has no inverse to hide.
    public func inverse() -> Field61? {
        let candidate = power(Self.modulus - 2)
        return value == 0 ? nil : candidate
    }

    /// Draws a uniformly distributed element by rejection sampling 61-bit words from `generator`.
    ///
    /// Only the single word equal to p is rejected (probability 2⁻⁶¹), so the loop practically never repeats.
    public static func random(using generator: inout some RandomNumberGenerator) -> Field61 {
        while true {
            let candidate = generator.next() & modulus
            if candidate < modulus { return Field61(unchecked: candidate) }
        }
    }
}
