import PhalanxDP
import _TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Random policies and exact reference probabilities for the TraceFed policy tests.
///
/// The generator here picks test *parameters* (policies, rates, counts) reproducibly; noise is always drawn from a
/// ``SeededSecureRandom`` (``SamplerSupport/source(_:)``), never from this generator.
enum PolicySupport {
    /// The seeded generator of the random policy cases, so that a failing case reproduces.
    typealias ParameterGenerator = SplitMix64

    /// A random valid policy: any mode, 1–40 windows, 1–5 weighted dimensions, and a total that is sometimes only a
    /// few hundred micro-ε, so that the integer rounding of shares and splits is exercised; totals too small for the
    /// chosen shape are redrawn.
    static func randomPolicy(_ generator: inout ParameterGenerator) -> AdaptiveBudgetPolicy {
        while true {
            let windows = Int.random(in: 1...(Bool.random(using: &generator) ? 6 : 40), using: &generator)
            let count = Int.random(in: 1...5, using: &generator)
            let dimensions = (0..<count).map { index in
                AdaptiveBudgetPolicy.Dimension(
                    name: "d\(index)",
                    weight: Bool.random(using: &generator) ? 1 : generator.logUniform(0.05, 20))
            }
            let total =
                Int.random(in: 0..<4, using: &generator) == 0
                ? Double(Int.random(in: 1...3_000, using: &generator)) / 1e6 : generator.logUniform(0.01, 50)
            let mode: AdaptiveBudgetPolicy.Mode =
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: .highAccuracy
                case 1: .highPrivacy
                default: .adaptive(alertRate: Double(Int.random(in: -5...100, using: &generator)))
                }
            if let policy = try? AdaptiveBudgetPolicy(
                mode: mode, totalEpsilon: total, windows: windows, dimensions: dimensions)
            {
                return policy
            }
        }
    }

    /// A released rate to feed the policy: mostly near the policy's alert rate (either side), sometimes far off or
    /// infinite.
    static func randomRate(_ generator: inout ParameterGenerator, alertRate: Double) -> Double {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: -.infinity
        case 1: .infinity
        case 2: -1e12
        case 3: 1e12
        default: alertRate + Double(Int.random(in: -3...3, using: &generator))
        }
    }

    /// The discrete Laplace distribution with the given scale (exact pmf in `Double`, the reference only).
    static func laplace(_ scale: Rational) -> SamplerSupport.IntegerDistribution {
        .discreteLaplace(scale: scale.doubleValue)
    }

    /// `P[X < value]` for a symmetric reference distribution, summed directly (`P[X ≥ 1 − value]` by symmetry), so
    /// a tiny tail keeps its precision.
    static func lowerTail(_ distribution: SamplerSupport.IntegerDistribution, below value: Int) -> Double {
        distribution.upperTail(1 - value)
    }
}

extension SplitMix64 {
    /// A number between `low` and `high` (both > 0), uniform on a log scale.
    mutating func logUniform(_ low: Double, _ high: Double) -> Double {
        exp(Double.random(in: log(low)...log(high), using: &self))
    }
}
