import PhalanxDP
import Testing

/// Real-valued releases on a power-of-two grid (snapping with exact discrete Laplace noise).
@Suite("Grid release")
struct SamplerGridReleaseTests {
    /// A uniform double in `[low, high)` from the seeded source (test inputs only).
    static func uniform(_ low: Double, _ high: Double, using source: inout SeededSecureRandom) -> Double {
        low + (high - low) * Double(source.next() >> 11) * 0x1p-53
    }

    @Test("the default grid is 2⁻⁴⁰ of Δ/ε, the noise scale ⌈Δ/Λ⌉/ε grid units")
    func defaultGrid() throws {
        let release = try GridRelease(sensitivity: 1, epsilon: 1, bound: 1000)
        #expect(release.granularity == 0x1p-40)
        #expect(release.granularityExponent == -40)
        #expect(release.gridSensitivity == 1 << 40)
        #expect(release.gridBound == 1000 << 40)
        #expect(release.noise.scale == Rational(1 << 40))
    }

    @Test("a sensitivity that is not a multiple of Λ is rounded up in grid units")
    func sensitivityRoundedUp() throws {
        // Δ/ε = 0.6 → Λ = 2^(⌈log₂ 0.6⌉ − 3) = 1/8; Δ/Λ = 2.4 → 3 steps; scale 3/(1/2) = 6.
        let release = try GridRelease(sensitivity: 0.3, epsilon: try Rational(1, 2), bound: 100, precisionBits: 3)
        #expect(release.granularity == 0.125)
        #expect(release.gridSensitivity == 3)
        #expect(release.noise.scale == 6)
        #expect(release.gridBound == 800)
    }

    @Test("a large bound coarsens the grid so that |output/Λ| ≤ 2⁵²")
    func boundCoarsensGrid() throws {
        let release = try GridRelease(sensitivity: 1, epsilon: 1, bound: 0x1p60)
        #expect(release.granularity == 0x1p8)
        #expect(release.gridBound == 1 << 52)
    }

    @Test("an ε with a long dyadic expansion rounds the noise scale up, never down")
    func epsilonFromDouble() throws {
        let epsilon = try #require(Rational(exactly: 0.1))
        let release = try GridRelease(sensitivity: 1, epsilon: epsilon, bound: 1_000)
        // The exact scale ⌈Δ/Λ⌉ · 2⁵⁵ / 3602879701896397 does not fit 64-bit parts.
        let exact = Double(release.gridSensitivity) / epsilon.doubleValue
        #expect(release.noise.scale.doubleValue >= exact)
        #expect(release.noise.scale.doubleValue <= exact * (1 + 1e-12))
    }

    @Test(
        "snapping rounds halves up and clamps to the grid bound",
        arguments: [
            (0.0625, 0.125), (-0.0625, 0.0), (-0.1875, -0.125), (0.0625.nextDown, 0.0), (-0.0625.nextDown, 0.0),
            (-0.0625.nextUp, -0.125), (0.3, 0.25), (-0.3, -0.25), (1e300, 100), (-1e300, -100),
            (.leastNonzeroMagnitude, 0), (99.99, 100),
        ])
    func snapping(_ input: Double, _ expected: Double) throws {
        let release = try GridRelease(sensitivity: 0.3, epsilon: try Rational(1, 2), bound: 100, precisionBits: 3)
        #expect(try release.snap(input) == expected)
    }

    @Test("snapping is translation-consistent: inputs Δ apart snap at most ⌈Δ/Λ⌉ steps apart")
    func snappingSensitivity() throws {
        var source = try SamplerSupport.source(0x6D01)
        for precision in [0, 3, 10, 40] {
            let release = try GridRelease(
                sensitivity: 0.37, epsilon: try Rational(3, 4), bound: 50, precisionBits: precision)
            for _ in 0..<20_000 {
                let x = Self.uniform(-60, 60, using: &source)
                let shift = Self.uniform(-0.37, 0.37, using: &source)
                let steps = try (release.snap(x) - release.snap(x + shift)) / release.granularity
                #expect(steps.magnitude <= Double(release.gridSensitivity))
            }
        }
    }

    /// Parameter sets: Δ, ε as n/d, B, precision bits.
    static let parameterSets: [(Double, UInt64, UInt64, Double, Int)] = [
        (1, 1, 1, 1_000, 40), (0.3, 1, 2, 100, 3), (1e-9, 1, 10, 1e-6, 20), (5e12, 3, 1, 1e15, 40),
        (1, 1, 1, 2, 0), (1e-300, 1, 1, 1e-290, 52), (7, 1, 100, 1, 10),
    ]

    @Test("outputs are exact multiples of Λ inside [−B, B]", arguments: parameterSets)
    func outputsOnTheGrid(
        _ sensitivity: Double, _ numerator: UInt64, _ denominator: UInt64, _ bound: Double, _ precision: Int
    ) throws {
        let release = try GridRelease(
            sensitivity: sensitivity, epsilon: try Rational(numerator, denominator), bound: bound,
            precisionBits: precision)
        var source = try SamplerSupport.source(0x6D02 + UInt64(precision))
        for round in 0..<5_000 {
            let x =
                round % 10 == 0
                ? [bound * 3, -bound * 3, 0, bound, -bound][round / 10 % 5]
                : Self.uniform(-1.5 * bound, 1.5 * bound, using: &source)
            let output = try release.release(x, using: &source)
            let steps = output / release.granularity
            #expect(steps == steps.rounded(), "output \(output) is not a multiple of \(release.granularity)")
            #expect(steps * release.granularity == output)
            #expect(output.magnitude <= bound, "output \(output) outside ±\(bound)")
        }
    }

    @Test("the noise (output − snapped input)/Λ follows the discrete Laplace pmf with scale ⌈Δ/Λ⌉/ε")
    func noiseDistribution() throws {
        let release = try GridRelease(sensitivity: 0.3, epsilon: try Rational(1, 2), bound: 1e6, precisionBits: 3)
        let x = 0.3
        let snapped = try release.snap(x)
        #expect(snapped == 0.25)
        let reference = SamplerSupport.IntegerDistribution.discreteLaplace(scale: release.noise.scale.doubleValue)
        let total = 400_000
        let bins = SamplerSupport.Bins(reference, total: total)
        var source = try SamplerSupport.source(0x6D03)
        let summary = try SamplerSupport.IntegerSampleSummary(bins: bins, total: total) {
            let output = try release.release(x, using: &source)
            return Int64((output - snapped) / release.granularity)
        }
        let fit = SamplerSupport.GoodnessOfFit(observed: summary.counts, probabilities: bins.probabilities)
        #expect(fit.smallestExpected >= 5, "\(fit)")
        #expect(fit.passes, "\(fit)")
    }
}
