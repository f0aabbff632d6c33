/// An amount of pure-DP privacy budget ε, held exactly as a whole number of micro-ε (10⁻⁶ ε), so that budgets
/// add up, split and compare without floating-point rounding.
///
/// The TraceFed policy types (``AdaptiveBudgetPolicy``, ``ThresholdedRelease``, ``WindowedSafetyRelease``) do all
/// their budget arithmetic in this unit. A `Double` ε coming in is rounded *down* to whole micro-ε (a budget or an
/// allocation is never larger than asked for), and the discrete Laplace scale for an amount is the exact rational
/// `Δ · 10⁶ / micros`, so the ε a release achieves is exactly the amount it is charged: rounding ε down is the same
/// as rounding the noise scale up, which only adds noise.
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

    /// `epsilon` in whole micro-ε, rounded down: `⌊fl(epsilon · 10⁶)⌋`, or `nil` if `epsilon` is negative, NaN,
    /// infinite or above ``maximum``.
    ///
    /// The product is rounded to the nearest double before the floor, so a decimal with at most six places is taken
    /// as written (`0.3` gives 300000 micro-ε, although the double nearest 0.3 is a little below it); otherwise the
    /// result is never above `epsilon` by more than one rounding of the product (a relative 10⁻¹⁶).
    public init?(roundingDown epsilon: Double) {
        guard epsilon.isFinite, epsilon >= 0, epsilon <= Self.maximum.value else { return nil }
        self.init(micros: UInt64((epsilon * Double(Self.microsPerEpsilon)).rounded(.down)))
    }

    /// The smallest amount at least the ε that discrete Laplace noise of scale `scale` achieves for sensitivity
    /// `sensitivity`, `Δ / scale`, rounded *up* to whole micro-ε (so a charge is never below the true ε); `nil` for a
    /// zero scale or a result above ``maximum``.
    public init?(achievedBy scale: Rational, sensitivity: UInt64) {
        guard !scale.isZero, sensitivity > 0 else { return nil }
        // Δ / (n/d) = Δ·d/n; in micro-ε: ⌈Δ·d·10⁶ / n⌉, all in 128 bits (Δ, d < 2⁶⁴, 10⁶ < 2²⁰).
        let numerator = UInt128(sensitivity) * UInt128(scale.denominator) * UInt128(Self.microsPerEpsilon)
        let denominator = UInt128(scale.numerator)
        let micros = (numerator + denominator - 1) / denominator
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
