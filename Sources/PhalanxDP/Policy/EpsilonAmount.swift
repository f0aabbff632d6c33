/// An amount of pure-DP privacy budget ε, held exactly as a whole number of micro-ε (10⁻⁶ ε), so that budgets
/// add up, split and compare without floating-point rounding.
///
/// The TraceFed policy types (``AdaptiveBudgetPolicy``, ``ThresholdedRelease``, ``WindowedSafetyRelease``) do all
/// their budget arithmetic in this unit. A `Double` ε coming in is rounded *down* to whole micro-ε (a budget or an
/// allocation is never larger than asked for; a decimal with at most six places is taken as written), and the
/// discrete Laplace scale for an amount is the exact rational `Δ · 10⁶ / micros`, so the ε a release achieves is
/// exactly the amount it is charged: rounding ε down is the same as rounding the noise scale up, which only adds
/// noise.
public struct EpsilonAmount: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Micro-ε per ε.
    public static let microsPerEpsilon: UInt64 = 1_000_000
    /// The largest ε this type holds (10⁶, far beyond any meaningful budget); it keeps every sum and every
    /// `Δ · 10⁶` numerator well inside 64 bits.
    public static let maximum = EpsilonAmount(micros: 1_000_000 * microsPerEpsilon)
    /// No budget.
    public static let zero = EpsilonAmount(micros: 0)

    /// The amount in units of 10⁻⁶ ε.
    public let micros: UInt64

    /// Creates the amount `micros · 10⁻⁶` ε.
    public init(micros: UInt64) {
        self.micros = micros
    }

    /// `epsilon` in whole micro-ε, rounded down, or `nil` if `epsilon` is negative, NaN, infinite or above
    /// ``maximum``.
    ///
    /// A decimal with at most six places is taken as written: `0.3` gives 300000 micro-ε and `0.000249` gives 249,
    /// although the doubles nearest them are a little below. Such a decimal `k·10⁻⁶` arrives as a double within a
    /// relative 2⁻⁵³ of it, and the product `fl(epsilon · 10⁶)` rounds once more, so the product lies within
    /// `k·2⁻⁵²` of `k`; a product that close *below* an integer is taken as that integer, any other is rounded
    /// down. The result is therefore never above `epsilon` by more than a relative 2⁻⁵¹ (4.4 × 10⁻¹⁶).
    public init?(roundingDown epsilon: Double) {
        guard epsilon.isFinite, epsilon >= 0, epsilon <= Self.maximum.value else { return nil }
        let product = epsilon * Double(Self.microsPerEpsilon)
        let nearest = product.rounded()
        let micros = nearest - product <= nearest * 0x1p-51 ? nearest : product.rounded(.down)
        self.init(micros: UInt64(micros))
    }

    /// The smallest amount at least the ε that discrete Laplace noise of scale `scale` achieves for sensitivity
    /// `sensitivity`, `Δ / scale`, rounded *up* to whole micro-ε (so a charge is never below the true ε); `nil` for a
    /// zero scale or a result above ``maximum``.
    public init?(achievedBy scale: Rational, sensitivity: UInt64) {
        guard !scale.isZero, sensitivity > 0 else { return nil }
        // Δ / (n/d) = Δ·d/n; in micro-ε: ⌈Δ·d·10⁶ / n⌉. Δ·d < 2¹²⁸, but Δ·d·10⁶ may not be: if it overflows 128
        // bits, the quotient is at least 2¹²⁸ / n > 2⁶⁴, far above the maximum.
        let (numerator, overflow) = (UInt128(sensitivity) * UInt128(scale.denominator))
            .multipliedReportingOverflow(by: UInt128(Self.microsPerEpsilon))
        guard !overflow else { return nil }
        // numerator ≥ 1, so ⌈numerator / n⌉ = (numerator − 1) / n + 1 without the overflow of numerator + n − 1.
        let micros = (numerator - 1) / UInt128(scale.numerator) + 1
        guard micros <= UInt128(Self.maximum.micros) else { return nil }
        self.init(micros: UInt64(micros))
    }

    /// The amount as a `Double`, for display and for post-processing decisions; never used to calibrate noise.
    public var value: Double { Double(micros) / Double(Self.microsPerEpsilon) }

    /// The amount as an exact rational (`micros / 10⁶` in lowest terms).
    public var rational: Rational {
        // The denominator is non-zero, so this cannot throw.
        try! Rational(micros, Self.microsPerEpsilon)
    }

    /// Whether the amount is zero.
    public var isZero: Bool { micros == 0 }

    /// The discrete Laplace scale `Δ / ε` that makes a query of sensitivity `sensitivity` exactly this-ε
    /// differentially private: the rational `Δ · 10⁶ / micros`. `nil` for a zero amount.
    public func laplaceScale(sensitivity: UInt64) -> Rational? {
        guard micros > 0, sensitivity > 0 else { return nil }
        let (numerator, overflow) = sensitivity.multipliedReportingOverflow(by: Self.microsPerEpsilon)
        guard !overflow else { return nil }
        return try? Rational(numerator, micros)
    }

    /// The amount with six decimals, trailing zeros dropped (`0.214285`, `3`).
    public var description: String {
        let whole = micros / Self.microsPerEpsilon
        let fraction = micros % Self.microsPerEpsilon
        guard fraction > 0 else { return "\(whole)" }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// The amount with exactly six decimals (`0.214285`, `3.000000`), for aligned tables.
    public var fixedDescription: String {
        let fraction = String(micros % Self.microsPerEpsilon)
        return "\(micros / Self.microsPerEpsilon)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    public static func < (lhs: EpsilonAmount, rhs: EpsilonAmount) -> Bool { lhs.micros < rhs.micros }

    /// The sum; traps on overflow, which amounts of at most ``maximum`` cannot reach in fewer than 2⁴⁴ additions.
    public static func + (lhs: EpsilonAmount, rhs: EpsilonAmount) -> EpsilonAmount {
        EpsilonAmount(micros: lhs.micros + rhs.micros)
    }

    /// `lhs − rhs`, or zero if `rhs` is larger.
    public func subtractingClamped(_ rhs: EpsilonAmount) -> EpsilonAmount {
        EpsilonAmount(micros: micros >= rhs.micros ? micros - rhs.micros : 0)
    }
}

extension EpsilonAmount {
    /// `epsilon` rounded down to micro-ε, or a ``DPError`` naming `parameter` if it is not a finite number in
    /// `[0, maximum]`; with `positive`, also if it rounds to zero.
    static func roundingDown(_ epsilon: Double, _ parameter: String, positive: Bool) throws(DPError) -> EpsilonAmount {
        guard let amount = EpsilonAmount(roundingDown: epsilon) else {
            throw DPError(
                .invalidParameter, parameter: parameter,
                "\(parameter) must be a finite number in [0, \(maximum)], got \(epsilon)")
        }
        if positive && amount.isZero {
            throw DPError(
                .invalidParameter, parameter: parameter,
                "\(parameter) must be at least 0.000001 (ε is counted in millionths), got \(epsilon)")
        }
        return amount
    }
}
