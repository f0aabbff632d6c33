import PhalanxDP

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reproducible randomness and exact reference distributions for the sampler tests.
///
/// The probability mass functions here use `Double`: they are the *reference* the exact integer samplers are
/// checked against, never part of a sampling path.
enum SamplerSupport {
    /// A deterministic generator for test `label`: the seed is the label's 8 little-endian bytes followed by 24
    /// bytes of 0xA5.
    static func source(_ label: UInt64) throws -> SeededSecureRandom {
        var seed = [UInt8](repeating: 0xA5, count: SeededSecureRandom.seedByteCount)
        withUnsafeBytes(of: label.littleEndian) { bytes in
            for (index, byte) in bytes.enumerated() { seed[index] = byte }
        }
        return try SeededSecureRandom(seed: seed)
    }

    // MARK: - Chi-square critical values

    /// Upper 0.1% points of the chi-square distribution for 1…30 degrees of freedom (standard tables; checked
    /// against `scipy.stats.chi2.ppf(0.999, df)` to three decimals).
    static let chiSquareCritical999: [Double] = [
        10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588,
        31.264, 32.909, 34.528, 36.123, 37.697, 39.252, 40.790, 42.312, 43.820, 45.315,
        46.797, 48.268, 49.728, 51.179, 52.620, 54.052, 55.476, 56.892, 58.301, 59.703,
    ]

    /// The chi-square value exceeded with probability 0.001 for `degreesOfFreedom`: the table up to 30, and the
    /// Wilson–Hilferty approximation `k·(1 − 2/(9k) + z·√(2/(9k)))³` with `z = Φ⁻¹(0.999) = 3.0902` beyond (it
    /// overestimates the exact value by less than 0.15% there, so the test is very slightly lenient).
    static func chiSquareCritical(degreesOfFreedom: Int) -> Double {
        precondition(degreesOfFreedom >= 1)
        if degreesOfFreedom <= chiSquareCritical999.count { return chiSquareCritical999[degreesOfFreedom - 1] }
        let k = Double(degreesOfFreedom)
        let z = 3.090_232_306_167_813
        let base = 1 - 2 / (9 * k) + z * (2 / (9 * k)).squareRoot()
        return k * base * base * base
    }

    // MARK: - Reference distributions on the integers

    /// A symmetric distribution on the integers, given by its mass function on a window wide enough that the mass
    /// outside is below 10⁻³⁰⁰.
    struct IntegerDistribution {
        /// `mass[i]` is `P[X = i − radius]`.
        let mass: [Double]
        let radius: Int

        func probability(_ value: Int) -> Double {
            abs(value) > radius ? 0 : mass[value + radius]
        }

        /// `P[X ≥ value]`.
        func upperTail(_ value: Int) -> Double {
            var sum = 0.0
            var current = radius
            while current >= max(value, -radius) {
                sum += probability(current)
                current -= 1
            }
            return sum
        }

        var variance: Double { moment(2) }
        var fourthMoment: Double { moment(4) }

        private func moment(_ power: Int) -> Double {
            var sum = 0.0
            for value in -radius...radius {
                sum += pow(Double(value), Double(power)) * probability(value)
            }
            return sum
        }

        /// Discrete Laplace with scale `t`: `P[X = x] = (1 − q)/(1 + q) · q^|x|`, `q = e^{−1/t}`.
        static func discreteLaplace(scale: Double) -> IntegerDistribution {
            let q = exp(-1 / scale)
            let radius = Int((scale * 700).rounded(.up)) + 10
            let constant = (1 - q) / (1 + q)
            let mass = (-radius...radius).map { constant * pow(q, Double(abs($0))) }
            return IntegerDistribution(mass: mass, radius: radius)
        }

        /// Discrete Gaussian with parameter σ²: `P[X = x] ∝ exp(−x²/(2σ²))`.
        static func discreteGaussian(sigmaSquared: Double) -> IntegerDistribution {
            let radius = Int((40 * sigmaSquared.squareRoot()).rounded(.up)) + 10
            let weights = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigmaSquared)) }
            let total = weights.reduce(0, +)
            return IntegerDistribution(mass: weights.map { $0 / total }, radius: radius)
        }
    }

    /// The variance of the discrete Laplace distribution with scale `t`, `2q/(1 − q)²` for `q = e^{−1/t}`.
    static func discreteLaplaceVariance(scale: Double) -> Double {
        let q = exp(-1 / scale)
        return 2 * q / ((1 - q) * (1 - q))
    }

    // MARK: - Binned goodness of fit

    /// Bins for a chi-square test of a symmetric integer distribution with `total` draws: one bin per value in
    /// `−(cutoff − 1) … cutoff − 1` and one for each tail, with the cutoff as far out as keeps every expected count
    /// at least 5.
    struct Bins {
        let cutoff: Int
        /// Bin probabilities: lower tail, the single values in order, upper tail.
        let probabilities: [Double]

        init(_ distribution: IntegerDistribution, total: Int) {
            let n = Double(total)
            var cutoff = 1
            while n * distribution.probability(cutoff) >= 5 && n * distribution.upperTail(cutoff + 1) >= 5 {
                cutoff += 1
            }
            self.cutoff = cutoff
            let tail = distribution.upperTail(cutoff)
            probabilities = [tail] + (-(cutoff - 1)...(cutoff - 1)).map { distribution.probability($0) } + [tail]
        }

        var count: Int { probabilities.count }

        func index(of value: Int64) -> Int {
            if value <= Int64(-cutoff) { return 0 }
            if value >= Int64(cutoff) { return count - 1 }
            return Int(value) + cutoff
        }
    }

    /// Bins between integer `edges` (ascending): `(−∞, e₀)`, `[e₀, e₁)`, …, `[e_last, ∞)`.
    struct IntervalBins {
        let edges: [Int64]
        let probabilities: [Double]

        init(edges: [Int64], _ distribution: IntegerDistribution) {
            self.edges = edges
            var probabilities = [Double](repeating: 0, count: edges.count + 1)
            for value in -distribution.radius...distribution.radius {
                probabilities[Self.index(of: Int64(value), edges: edges)] += distribution.probability(value)
            }
            self.probabilities = probabilities
        }

        func index(of value: Int64) -> Int { Self.index(of: value, edges: edges) }

        private static func index(of value: Int64, edges: [Int64]) -> Int {
            var low = 0
            var high = edges.count
            while low < high {
                let middle = (low + high) / 2
                if edges[middle] <= value { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// The outcome of a chi-square goodness-of-fit test at p = 0.001.
    struct GoodnessOfFit: CustomStringConvertible {
        let statistic: Double
        let degreesOfFreedom: Int
        let critical: Double
        let smallestExpected: Double

        var passes: Bool { statistic <= critical }
        var description: String {
            "χ² = \(statistic) with \(degreesOfFreedom) df (critical \(critical)), smallest expected count "
                + "\(smallestExpected)"
        }

        init(observed: [Int], probabilities: [Double]) {
            precondition(observed.count == probabilities.count && observed.count >= 2)
            let n = Double(observed.reduce(0, +))
            var statistic = 0.0
            var smallest = Double.infinity
            for (count, probability) in zip(observed, probabilities) {
                let expected = n * probability
                smallest = min(smallest, expected)
                let difference = Double(count) - expected
                statistic += difference * difference / expected
            }
            self.statistic = statistic
            degreesOfFreedom = observed.count - 1
            critical = SamplerSupport.chiSquareCritical(degreesOfFreedom: degreesOfFreedom)
            smallestExpected = smallest
        }
    }

    /// Draws `total` integers and collects the binned counts, the sample mean and the sample variance.
    struct IntegerSampleSummary {
        var counts: [Int]
        var mean: Double
        var variance: Double

        init(bins: Bins, total: Int, draw: () throws -> Int64) rethrows {
            var counts = [Int](repeating: 0, count: bins.count)
            var sum = 0.0
            var sumOfSquares = 0.0
            for _ in 0..<total {
                let value = try draw()
                counts[bins.index(of: value)] += 1
                let real = Double(value)
                sum += real
                sumOfSquares += real * real
            }
            let n = Double(total)
            self.counts = counts
            mean = sum / n
            variance = (sumOfSquares - n * mean * mean) / (n - 1)
        }
    }

    /// `true` if `observed` is within `deviations` standard errors `standardError` of `expected`.
    static func within(
        _ observed: Double, of expected: Double, standardError: Double, deviations: Double = 5
    )
        -> Bool
    {
        abs(observed - expected) <= deviations * standardError
    }
}
