/// The Laplace mechanism for a real value, released on a power-of-two grid with exact discrete Laplace noise so
/// that floating point cannot leak (the snapping idea of Mironov, "On Significance of the Least Significant Bits
/// for Differential Privacy", CCS 2012).
///
/// Textbook Laplace noise computed in `Double` (`x − b·sign(u)·ln(1 − 2|u|)`) cannot produce every double, and which
/// doubles it can produce depends on `x`; Mironov showed that an observer can often tell the input from the
/// output's low bits. Here every operation that touches the secret or the noise is exact:
///
/// 1. The grid step `Λ = 2^λ` is the smallest power of two with `Λ ≥ (Δ/ε) / 2^precisionBits` and
///    `Λ ≥ B / 2⁵²` (like Google's differential-privacy library, which uses `2⁴⁰` for the first bound). It depends on
///    the public parameters only.
/// 2. The input is clamped to `[−B, B]` and rounded to the grid: `m = ⌊x/Λ + 1/2⌋` computed exactly, then clamped
///    to `[−⌊B/Λ⌋, ⌊B/Λ⌋]`.
/// 3. An exact ``DiscreteLaplace`` sample `Y` with scale `⌈Δ/Λ⌉ / ε` grid units is added, and the sum is clamped
///    to `[−⌊B/Λ⌋, ⌊B/Λ⌋]`.
/// 4. The result `z · Λ` is returned; `|z| ≤ 2⁵²` and `Λ` is a power of two, so the `Double` is exact.
///
/// Guarantee: for any two inputs with `|x − x′| ≤ Δ` (the caller's claim about its query), the outputs are exactly
/// `ε`-differentially private, with no floating-point slack, given an ideal ``RandomBitSource``. The rounding in
/// step 2 is monotone and translation-consistent, so it turns inputs `Δ` apart into grid points at most `⌈Δ/Λ⌉`
/// apart (`⌊u + ½⌋ − ⌊v + ½⌋ ≤ ⌈u − v⌉`); clamping is 1-Lipschitz; the noise scale `⌈Δ/Λ⌉/ε` makes the
/// integer mechanism `ε`-DP; step 3's clamp and step 4 are post-processing.
///
/// Rounding `Δ/Λ` up costs utility, not privacy: the noise scale `⌈Δ/Λ⌉·Λ/ε` is below `(Δ + Λ)/ε`, at most a factor
/// `1 + Λ/Δ` above `Δ/ε` (and `Λ/Δ ≤ 2^(1 − precisionBits)/ε` when the first bound on `Λ` is the binding one).
/// Had the scale been left at `Δ/(Λε)` grid units, the same rounding would instead have multiplied `ε` by
/// `⌈Δ/Λ⌉/(Δ/Λ)`. Besides the noise, the output carries at most `Λ/2` of rounding error, and it is biased towards
/// zero when the clamp bites.
///
/// OpenDP's `make_laplace` over floats takes the same route (round to a `2^k` grid, exact discrete Laplace by
/// rational arithmetic) and pays for its rounding by adding `2^k` to the sensitivity in its privacy map; Google's
/// library (`LaplaceNoise`, "Secure Noise Generation") likewise uses `Δ + Λ`.
public struct GridRelease: Hashable, Sendable {
    /// The default `precisionBits`: the grid is at most `2⁻⁴⁰` of the noise scale `Δ/ε`, as in Google's library.
    public static let defaultPrecisionBits = 40

    /// The sensitivity `Δ` of the released value.
    public let sensitivity: Double
    /// The privacy parameter `ε`.
    public let epsilon: Rational
    /// The clamping bound `B`: inputs and outputs lie in `[−B, B]`.
    public let bound: Double
    /// The exponent `λ` of the grid step `Λ = 2^λ`.
    public let granularityExponent: Int
    /// The grid step `Λ`, a power of two; every output is an integer multiple of it.
    public let granularity: Double
    /// `⌈Δ/Λ⌉`, the sensitivity in grid units.
    public let gridSensitivity: UInt64
    /// `⌊B/Λ⌋`, the clamping bound in grid units (at most 2⁵²).
    public let gridBound: Int64
    /// The noise in grid units: discrete Laplace with scale at least `⌈Δ/Λ⌉/ε` (exactly that when it fits 64-bit
    /// parts, otherwise rounded up, which only adds noise).
    public let noise: DiscreteLaplace

    /// Creates the mechanism.
    ///
    /// - Parameters:
    ///   - sensitivity: `Δ`, the most the value can change between neighbouring datasets; positive and finite.
    ///   - epsilon: `ε > 0`.
    ///   - bound: `B`, positive and finite; inputs are clamped to `[−B, B]` and so are outputs.
    ///   - precisionBits: how much finer than `Δ/ε` the grid is, in bits (`0...52`).
    /// - Throws: ``SamplerError/Code-swift.struct/invalidParameter`` for a non-positive, NaN or infinite
    ///   `sensitivity` or `bound`, a zero `epsilon`, or `precisionBits` outside `0...52`;
    ///   ``SamplerError/Code-swift.struct/outOfRange`` if the grid step or the noise scale cannot be represented.
    public init(
        sensitivity: Double, epsilon: Rational, bound: Double, precisionBits: Int = GridRelease.defaultPrecisionBits
    ) throws(SamplerError) {
        guard sensitivity.isFinite, sensitivity > 0 else {
            throw SamplerError(
                .invalidParameter, "the sensitivity must be a positive finite number (got \(sensitivity))")
        }
        guard bound.isFinite, bound > 0 else {
            throw SamplerError(.invalidParameter, "the bound must be a positive finite number (got \(bound))")
        }
        guard !epsilon.isZero else {
            throw SamplerError(.invalidParameter, "ε must be positive (got 0)")
        }
        guard (0...52).contains(precisionBits) else {
            throw SamplerError(.invalidParameter, "precisionBits must be in 0...52 (got \(precisionBits))")
        }
        // The grid only affects utility, so choosing it with floating point is fine.
        let noiseScale = sensitivity / epsilon.doubleValue
        guard noiseScale.isFinite else {
            throw SamplerError(.outOfRange, "Δ/ε = \(sensitivity)/\(epsilon) overflows a Double")
        }
        var exponent = Self.ceilingLog2(bound) - 52
        if noiseScale > 0 { exponent = max(exponent, Self.ceilingLog2(noiseScale) - precisionBits) }
        exponent = max(exponent, -1074)
        guard exponent <= 1023 else {
            throw SamplerError(.outOfRange, "the grid step 2^\(exponent) is not a finite Double")
        }
        let step = Self.powerOfTwo(exponent)
        // Δ/Λ and B/Λ: division by a power of two is exact unless the quotient is subnormal (then it is below 1).
        let sensitivityInSteps = (sensitivity / step).rounded(.up)
        guard sensitivityInSteps < 0x1p63 else {
            throw SamplerError(.outOfRange, "the sensitivity is \(sensitivityInSteps) grid steps, above 2^63")
        }
        let gridSensitivity = max(1, UInt64(sensitivityInSteps))
        let gridBound = Int64((bound / step).rounded(.down))
        // Noise scale in grid units: ⌈Δ/Λ⌉ / (n/d) = ⌈Δ/Λ⌉·d / n.
        guard
            let scale = Rational.roundedUp(
                numerator: UInt128(gridSensitivity) * UInt128(epsilon.denominator),
                denominator: UInt128(epsilon.numerator))
        else {
            throw SamplerError(.outOfRange, "the noise scale ⌈Δ/Λ⌉/ε in grid units is 2^63 or more")
        }
        self.sensitivity = sensitivity
        self.epsilon = epsilon
        self.bound = bound
        granularityExponent = exponent
        granularity = step
        self.gridSensitivity = gridSensitivity
        self.gridBound = gridBound
        noise = try DiscreteLaplace(scale: scale)
    }

    /// The grid point that `value` is rounded to before noise is added: `value` clamped to `[−B, B]`, rounded to
    /// the nearest multiple of `Λ` (halves upwards), and clamped to `±⌊B/Λ⌋·Λ`.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidInput`` if `value` is NaN or infinite.
    public func snap(_ value: Double) throws(SamplerError) -> Double {
        Double(try snappedSteps(value)) * granularity
    }

    /// Releases `value` with `ε`-differential privacy: an exact multiple of ``granularity`` in `[−B, B]`.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidInput`` if `value` is NaN or infinite (checked before any
    ///   randomness is drawn).
    public func release(
        _ value: Double, using source: inout some RandomBitSource & ~Copyable
    ) throws(SamplerError)
        -> Double
    {
        let snapped = try snappedSteps(value)
        let noiseSteps = noise.sample(using: &source)
        // |snapped| ≤ 2⁵², so an overflow means the noise alone is beyond the bound on that side; saturating the
        // noise (see DiscreteLaplace) and clamping here equal clamping the exact sum.
        let (sum, overflow) = snapped.addingReportingOverflow(noiseSteps)
        let unclamped = overflow ? (noiseSteps > 0 ? Int64.max : Int64.min) : sum
        let clamped = min(max(unclamped, -gridBound), gridBound)
        return Double(clamped) * granularity
    }

    /// `m = clamp(⌊clamp(x, −B, B)/Λ + ½⌋, −⌊B/Λ⌋, ⌊B/Λ⌋)`, computed exactly.
    private func snappedSteps(_ value: Double) throws(SamplerError) -> Int64 {
        guard value.isFinite else {
            throw SamplerError(.invalidInput, "the value to release must be a finite number (got \(value))")
        }
        let clamped = min(max(value, -bound), bound)
        // |y| ≤ 2⁵² and y is exact: division by a power of two only rounds a subnormal quotient, which is below ½ in
        // magnitude and rounds to 0 either way.
        let y = clamped / granularity
        let floor = y.rounded(.down)
        var steps = floor
        if y != floor {
            // y − ⌊y⌋ is exact when |y| ≥ ½ (both are multiples of y's ulp ≥ 2⁻⁵³ and the difference is below 1);
            // for −½ < y < 0 it lies in (½, 1) and rounds to at least ½, for 0 < y < ½ it is y. Either way the
            // comparison below decides ⌊y + ½⌋ exactly.
            if y - floor >= 0.5 { steps += 1 }
        }
        return min(max(Int64(steps), -gridBound), gridBound)
    }

    /// `⌈log₂ value⌉` for a positive finite `value`.
    private static func ceilingLog2(_ value: Double) -> Int {
        let exponent = Int(value.exponent)
        return value.significandWidth == 0 ? exponent : exponent + 1
    }

    /// `2^exponent` for `exponent` in `−1074...1023`, exactly.
    private static func powerOfTwo(_ exponent: Int) -> Double {
        Double(sign: .plus, exponent: exponent, significand: 1)
    }
}
