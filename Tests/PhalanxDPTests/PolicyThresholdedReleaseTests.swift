import PhalanxDP
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// ``ThresholdedRelease``: what it charges, the distribution of its outcomes against the exact discrete Laplace pmf
/// (2 × 10⁵ seeded draws per gate, χ² at p = 0.001), and its privacy, computed exactly: for neighbouring counts the
/// probability of every outcome changes by at most a factor e^ε.
@Suite("TraceFed thresholded release")
struct PolicyThresholdedReleaseTests {
    static let drawCount = 200_000

    // MARK: - The exact outcome distribution

    /// The exact probabilities of the outcomes of `mechanism` on a true `count`: suppressed, or released with
    /// value `v`.
    struct ExactOutcomes {
        let suppressed: Double
        let released: (Int64) -> Double

        init(_ mechanism: ThresholdedRelease, count: Int64) {
            let value = PolicySupport.laplace(mechanism.valueNoise.scale)
            let smallest = Int64(mechanism.threshold.rounded(.up))
            if let gateNoise = mechanism.gateNoise {
                // An independent noisy count decides; the value carries its own noise.
                let gate = PolicySupport.laplace(gateNoise.scale)
                let pass = gate.upperTail(Int(smallest - count))
                suppressed = PolicySupport.lowerTail(gate, below: Int(smallest - count))
                released = { pass * value.probability(Int($0 - count)) }
            } else {
                // The published value itself decides.
                suppressed = PolicySupport.lowerTail(value, below: Int(smallest - count))
                released = { $0 >= smallest ? value.probability(Int($0 - count)) : 0 }
            }
        }
    }

    /// χ² bins for `draws` outcomes: bin 0 is "suppressed", the others runs of consecutive released values in
    /// `range`, each run long enough for an expected count of at least 5 (values outside `range`, with negligible
    /// probability, go to the nearest end bin).
    struct OutcomeBins {
        var probabilities: [Double]
        /// The largest value of each released-value bin.
        var lastValues: [Int64] = []

        init(_ exact: ExactOutcomes, range: ClosedRange<Int64>, draws: Int) {
            probabilities = [exact.suppressed]
            var accumulated = 0.0
            for value in range {
                accumulated += exact.released(value)
                if accumulated * Double(draws) >= 5 || value == range.upperBound {
                    if accumulated * Double(draws) < 5, !lastValues.isEmpty {
                        probabilities[probabilities.count - 1] += accumulated
                        lastValues[lastValues.count - 1] = value
                    } else {
                        probabilities.append(accumulated)
                        lastValues.append(value)
                    }
                    accumulated = 0
                }
            }
        }

        func index(of outcome: ThresholdedRelease.Outcome) -> Int {
            guard let value = outcome.value else { return 0 }
            return 1 + (lastValues.firstIndex { value <= $0 } ?? lastValues.count - 1)
        }
    }

    /// Draws `draws` releases of `count` and checks the outcomes against the exact distribution; returns the released
    /// values.
    static func checkOutcomes(
        _ mechanism: ThresholdedRelease, count: Int64, seed: UInt64, range: ClosedRange<Int64>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [Int64] {
        let exact = ExactOutcomes(mechanism, count: count)
        let bins = OutcomeBins(exact, range: range, draws: drawCount)
        var observed = [Int](repeating: 0, count: bins.probabilities.count)
        var released: [Int64] = []
        var source = try SamplerSupport.source(seed)
        for _ in 0..<drawCount {
            let result = try mechanism.release(count, using: &source)
            #expect(result.epsilon == mechanism.epsilon, sourceLocation: sourceLocation)
            observed[bins.index(of: result.outcome)] += 1
            if let value = result.outcome.value { released.append(value) }
        }
        let fit = SamplerSupport.GoodnessOfFit(observed: observed, probabilities: bins.probabilities)
        #expect(fit.smallestExpected >= 5, "\(fit)", sourceLocation: sourceLocation)
        #expect(fit.passes, "\(fit)", sourceLocation: sourceLocation)
        // The release frequency on its own, within 5 standard errors of the binomial.
        let p = 1 - exact.suppressed
        let n = Double(drawCount)
        #expect(
            SamplerSupport.within(Double(released.count), of: n * p, standardError: (n * p * (1 - p)).squareRoot()),
            "released \(released.count) of \(drawCount), expected \(n * p)", sourceLocation: sourceLocation)
        return released
    }

    static func mean(_ values: [Int64]) -> Double {
        values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
    }

    @Test("post-processing gate: outcomes follow P[count + L ≥ threshold] and the pmf; released values clear it")
    func postProcessingGateDistribution() throws {
        // ε = 0.5: scale 2. count 5, threshold 7: released with probability P[L ≥ 2] = q²/(1 + q), q = e^{−1/2}.
        let mechanism = try ThresholdedRelease(threshold: 7, epsilon: 0.5)
        #expect(mechanism.valueNoise.scale == 2 && mechanism.gateNoise == nil)
        let q = exp(-0.5)
        #expect(abs((1 - ExactOutcomes(mechanism, count: 5).suppressed) - q * q / (1 + q)) < 1e-12)
        let released = try Self.checkOutcomes(mechanism, count: 5, seed: 0x7E01, range: 7...120)
        #expect(released.allSatisfy { $0 >= 7 })
        // The values that clear the threshold are biased upwards: E[5 + L | 5 + L ≥ 7] = 7 + q/(1 − q).
        let conditionalMean = 7 + q / (1 - q)
        let spread = (q / ((1 - q) * (1 - q))).squareRoot()  // the geometric excess's standard deviation
        #expect(
            SamplerSupport.within(
                Self.mean(released), of: conditionalMean, standardError: spread / Double(released.count).squareRoot()),
            "mean \(Self.mean(released)), expected \(conditionalMean)")

        // A fractional threshold acts as its ceiling: the same draws, the same outcomes.
        let fractional = try ThresholdedRelease(threshold: 6.2, epsilon: 0.5)
        var a = try SamplerSupport.source(0x7E02)
        var b = try SamplerSupport.source(0x7E02)
        for _ in 0..<2_000 {
            #expect(try fractional.release(5, using: &a) == (try mechanism.release(5, using: &b)))
        }
    }

    @Test("separate gate: the released value is count + independent noise; suppression follows the gate's noise")
    func separateGateDistribution() throws {
        // Value ε 0.5 (scale 2), gate ε 0.25 (scale 4); count 5, threshold 8: the gate passes w.p. P[G ≥ 3].
        let mechanism = try ThresholdedRelease(threshold: 8, epsilon: 0.5, gate: .separate(epsilon: 0.25))
        #expect(mechanism.valueNoise.scale == 2 && mechanism.gateNoise?.scale == 4)
        let qGate = exp(-0.25)
        #expect(abs((1 - ExactOutcomes(mechanism, count: 5).suppressed) - pow(qGate, 3) / (1 + qGate)) < 1e-12)
        let released = try Self.checkOutcomes(mechanism, count: 5, seed: 0x7E03, range: -120...130)
        // Unbiased: the value's noise does not know the gate passed. Values below the threshold are published too.
        let variance = SamplerSupport.discreteLaplaceVariance(scale: 2)
        #expect(
            SamplerSupport.within(
                Self.mean(released), of: 5, standardError: (variance / Double(released.count)).squareRoot()),
            "mean \(Self.mean(released))")
        #expect(released.contains { $0 < 8 })
    }

    // MARK: - Charges

    @Test("the charge is value ε + gate ε, whether the value is released or suppressed")
    func chargeIsFixed() throws {
        let post = try ThresholdedRelease(threshold: 3, epsilon: 0.5)
        #expect(post.valueEpsilon.micros == 500_000 && post.gateEpsilon == .zero && post.epsilon.micros == 500_000)
        let separate = try ThresholdedRelease(threshold: 3, epsilon: 0.3, gate: .separate(epsilon: 0.2))
        #expect(separate.valueEpsilon.micros == 300_000 && separate.gateEpsilon.micros == 200_000)
        #expect(separate.epsilon.micros == 500_000)
        #expect(separate.valueNoise.scale == (try Rational(10, 3)))

        for mechanism in [post, separate] {
            var source = try SamplerSupport.source(0x7E04)
            var outcomes: Set<Bool> = []
            for _ in 0..<2_000 {
                let result = try mechanism.release(3, using: &source)
                outcomes.insert(result.outcome == .suppressed)
                #expect(result.epsilon == mechanism.epsilon)
                #expect(result.valueEpsilon == mechanism.valueEpsilon && result.gateEpsilon == mechanism.gateEpsilon)
            }
            #expect(outcomes == [true, false])
        }
        // Thresholds no noise reaches: always suppressed, always released; the same charge.
        for gate in [ThresholdedRelease.Gate.postProcessing, .separate(epsilon: 0.2)] {
            var source = try SamplerSupport.source(0x7E06)
            let never = try ThresholdedRelease(threshold: 1e6, epsilon: 0.5, gate: gate)
            let always = try ThresholdedRelease(threshold: -1e6, epsilon: 0.5, gate: gate)
            for _ in 0..<100 {
                let suppressed = try never.release(3, using: &source)
                let released = try always.release(3, using: &source)
                #expect(suppressed.outcome == .suppressed && suppressed.epsilon == never.epsilon)
                #expect(released.outcome != .suppressed && released.epsilon == always.epsilon)
            }
        }
        // ε is rounded down to micro-ε; the scale is Δ·10⁶/micros, and the charge exactly what that scale achieves.
        let rounded = try ThresholdedRelease(threshold: 0, epsilon: 0.1234567, sensitivity: 3)
        #expect(rounded.valueEpsilon.micros == 123_456)
        #expect(rounded.valueNoise.scale == (try Rational(3_000_000, 123_456)))
        #expect(rounded.sensitivity == 3)
    }

    // MARK: - Privacy, exactly

    /// The largest `max(P/P′, P′/P)` over the outcomes of `mechanism` on counts `a` and `b`, over released values in
    /// `values` and suppression.
    static func largestRatio(
        _ mechanism: ThresholdedRelease, _ a: Int64, _ b: Int64, values: ClosedRange<Int64>
    )
        -> Double
    {
        let first = ExactOutcomes(mechanism, count: a)
        let second = ExactOutcomes(mechanism, count: b)
        var pairs = [(first.suppressed, second.suppressed)]
        for value in values { pairs.append((first.released(value), second.released(value))) }
        var largest = 1.0
        for (p, r) in pairs where p > 0 || r > 0 {
            #expect(p > 0 && r > 0, "an outcome possible for one count only")
            largest = max(largest, p / r, r / p)
        }
        return largest
    }

    static let privacyCases: [(threshold: Double, epsilon: Double, gate: ThresholdedRelease.Gate, sensitivity: Int)] =
        [
            (10, 0.5, .postProcessing, 1), (10, 1, .postProcessing, 1), (4.5, 0.1, .postProcessing, 2),
            (10, 0.5, .separate(epsilon: 0.25), 1), (0, 1, .separate(epsilon: 1), 1),
            (25, 0.3, .separate(epsilon: 0.7), 3),
        ]

    @Test(
        "for neighbouring counts every outcome's probability changes by at most e^ε (exact pmfs)",
        arguments: privacyCases.indices)
    func neighbouringCountsStayWithinEpsilon(index: Int) throws {
        let (threshold, epsilon, gate, sensitivity) = Self.privacyCases[index]
        let mechanism = try ThresholdedRelease(
            threshold: threshold, epsilon: epsilon, gate: gate, sensitivity: sensitivity)
        let bound = exp(mechanism.epsilon.value) * (1 + 1e-9)
        let delta = Int64(sensitivity)
        var largest = 1.0
        for count in Int64(0)...40 {
            largest = max(
                largest, Self.largestRatio(mechanism, count, count + delta, values: (count - 60)...(count + 60)))
        }
        #expect(largest <= bound, "largest ratio \(largest), e^ε = \(exp(mechanism.epsilon.value))")
        if gate == .postProcessing {
            // Tight: far from the count, a released value's probability moves by exactly e^ε.
            #expect(largest >= exp(mechanism.epsilon.value) * (1 - 1e-9))
        }
    }

    // MARK: - Bad input

    @Test("bad input throws a DPError naming the parameter")
    func badInput() throws {
        for threshold in [Double.nan, .infinity, -.infinity] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "threshold") {
                _ = try ThresholdedRelease(threshold: threshold, epsilon: 1)
            }
        }
        for epsilon in [0, -1, 1e-7, .nan, .infinity, 1e6 + 1] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "epsilon") {
                _ = try ThresholdedRelease(threshold: 1, epsilon: epsilon)
            }
            AccountantValidationTests.expectError(.invalidParameter, parameter: "gateEpsilon") {
                _ = try ThresholdedRelease(threshold: 1, epsilon: 1, gate: .separate(epsilon: epsilon))
            }
        }
        for sensitivity in [0, -1, 1_000_001, Int.max] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "sensitivity") {
                _ = try ThresholdedRelease(threshold: 1, epsilon: 1, sensitivity: sensitivity)
            }
        }
        let mechanism = try ThresholdedRelease(threshold: 1, epsilon: 1)
        var source = try SamplerSupport.source(0x7E05)
        for count in [Int64(-1), .min] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "count") {
                _ = try mechanism.release(count, using: &source)
            }
        }
        // A huge count saturates instead of trapping; a huge threshold simply suppresses.
        #expect(try mechanism.release(.max, using: &source).outcome != .suppressed)
        let never = try ThresholdedRelease(threshold: 1e300, epsilon: 1)
        #expect(try never.release(.max, using: &source).outcome == .suppressed)
    }
}
