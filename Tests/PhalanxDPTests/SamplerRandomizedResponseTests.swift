import PhalanxDP
import Testing

/// k-ary randomized response: the exact confusion matrix and the unbiased frequency estimator.
@Suite("Randomized response")
struct SamplerRandomizedResponseTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let categoryCount: Int
        let epsilonNumerator: UInt64
        let epsilonDenominator: UInt64
        var testDescription: String { "k = \(categoryCount), ε = \(epsilonNumerator)/\(epsilonDenominator)" }
    }

    static let cases: [Case] = [
        Case(categoryCount: 2, epsilonNumerator: 1, epsilonDenominator: 2),
        Case(categoryCount: 4, epsilonNumerator: 1, epsilonDenominator: 1),
        Case(categoryCount: 10, epsilonNumerator: 2, epsilonDenominator: 1),
        Case(categoryCount: 3, epsilonNumerator: 7, epsilonDenominator: 2),
    ]

    @Test("each row of the empirical confusion matrix matches the exact k-RR probabilities", arguments: cases)
    func confusionMatrix(_ testCase: Case) throws {
        let mechanism = try RandomizedResponse(
            categoryCount: testCase.categoryCount,
            epsilon: try Rational(testCase.epsilonNumerator, testCase.epsilonDenominator))
        let k = testCase.categoryCount
        // Reference in Double: e^ε/(e^ε + k − 1) for the truth, 1/(e^ε + k − 1) for each other category.
        let expEpsilon = Self.exponential(mechanism.epsilon.doubleValue)
        let truth = expEpsilon / (expEpsilon + Double(k - 1))
        let other = 1 / (expEpsilon + Double(k - 1))
        #expect(abs(mechanism.truthProbability - truth) < 1e-12)
        #expect(abs(mechanism.otherProbability - other) < 1e-12)

        var source = try SamplerSupport.source(0x5252 + UInt64(k) * 16 + testCase.epsilonNumerator)
        let perRow = 200_000 / k
        for value in 0..<k {
            var counts = [Int](repeating: 0, count: k)
            for _ in 0..<perRow { counts[try mechanism.respond(to: value, using: &source)] += 1 }
            let probabilities = (0..<k).map { $0 == value ? truth : other }
            let fit = SamplerSupport.GoodnessOfFit(observed: counts, probabilities: probabilities)
            #expect(fit.smallestExpected >= 5, "row \(value): \(fit)")
            #expect(fit.passes, "row \(value): \(fit)")
        }
    }

    @Test("the frequency estimator is unbiased: its mean over 2,000 runs is the true histogram")
    func estimatorUnbiased() throws {
        let mechanism = try RandomizedResponse(categoryCount: 4, epsilon: 1)
        let trueCounts = [250, 150, 75, 25]
        let population = trueCounts.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
        let trueFrequencies = trueCounts.map { Double($0) / Double(population.count) }
        var source = try SamplerSupport.source(0x5253)
        let runs = 2_000
        var sums = [Double](repeating: 0, count: 4)
        var sumsOfSquares = [Double](repeating: 0, count: 4)
        for _ in 0..<runs {
            var reports: [Int] = []
            reports.reserveCapacity(population.count)
            for value in population { reports.append(try mechanism.respond(to: value, using: &source)) }
            let estimate = try mechanism.estimateFrequencies(reports: reports)
            #expect(abs(estimate.reduce(0, +) - 1) < 1e-9)
            for index in 0..<4 {
                sums[index] += estimate[index]
                sumsOfSquares[index] += estimate[index] * estimate[index]
            }
        }
        for index in 0..<4 {
            let mean = sums[index] / Double(runs)
            let variance = (sumsOfSquares[index] - Double(runs) * mean * mean) / Double(runs - 1)
            let standardError = (variance / Double(runs)).squareRoot()
            #expect(
                SamplerSupport.within(mean, of: trueFrequencies[index], standardError: standardError),
                "category \(index): mean estimate \(mean), true \(trueFrequencies[index])")
        }
    }

    @Test("estimates from counts equal estimates from the reports, and noiseless counts give the truth back")
    func estimatorAlgebra() throws {
        let mechanism = try RandomizedResponse(categoryCount: 3, epsilon: try Rational(3, 2))
        let reports = [0, 0, 1, 2, 2, 2, 1, 0, 0]
        #expect(
            try mechanism.estimateFrequencies(reports: reports) == mechanism.estimateFrequencies(counts: [4, 2, 3]))
        // Feed the expected counts for a known truth: the estimator must invert the channel exactly.
        let truth = [0.5, 0.3, 0.2]
        let p = mechanism.truthProbability
        let q = mechanism.otherProbability
        let expected = (0..<3).map { j in (0..<3).reduce(0.0) { $0 + truth[$1] * ($1 == j ? p : q) } * 1e9 }
        let estimate = try mechanism.estimateFrequencies(counts: expected.map { Int($0.rounded()) })
        for index in 0..<3 { #expect(abs(estimate[index] - truth[index]) < 1e-6) }
    }

    static func exponential(_ x: Double) -> Double {
        // e^x by its series: a reference independent of the module's use of libm.
        var term = 1.0
        var sum = 1.0
        for n in 1..<80 {
            term *= x / Double(n)
            sum += term
        }
        return sum
    }
}
