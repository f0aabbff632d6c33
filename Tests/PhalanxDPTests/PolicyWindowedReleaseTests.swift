import PhalanxDP
import Testing

/// ``WindowedSafetyRelease``: random runs never spend more than the policy's total and spend exactly what the policy
/// allocates from the released rates; refused calls change nothing; adaptive mode spends more after a loud window.
@Suite("TraceFed windowed release")
struct PolicyWindowedReleaseTests {
    /// A run's true counts: mostly small, with the occasional burst.
    static func randomCounts(_ generator: inout PolicySupport.ParameterGenerator, dimensions: Int) -> [Int64] {
        (0..<dimensions).map { _ in
            Int.random(in: 0..<8, using: &generator) == 0
                ? Int64.random(in: 100...5_000, using: &generator) : Int64.random(in: 0...30, using: &generator)
        }
    }

    @Test("over 400 random runs the spend never passes the total and is exactly what the policy allocates")
    func randomRunsStayWithinTheTotal() throws {
        var generator = PolicySupport.ParameterGenerator(state: 0x31D0)
        var source = try SamplerSupport.source(0x31D0)
        var separateRuns = 0
        for _ in 0..<400 {
            let policy = PolicySupport.randomPolicy(&generator)
            let smallest = policy.smallestDimensionEpsilon.micros
            // The largest gate ε allowed is the hardest case: the value keeps one micro-ε in the thinnest share.
            let gate: ThresholdedRelease.Gate =
                smallest >= 2 && Bool.random(using: &generator)
                ? .separate(epsilon: Double(Int.random(in: 1...Int(smallest - 1), using: &generator)) / 1e6)
                : .postProcessing
            if case .separate = gate { separateRuns += 1 }
            let threshold = Double(Int.random(in: -5...40, using: &generator))
            var release = try WindowedSafetyRelease(policy: policy, threshold: threshold, gate: gate)
            #expect(release.smallestDimensionEpsilon == policy.smallestDimensionEpsilon)

            var previousRate: Double?
            while !release.isFinished {
                let spentBefore = release.spent
                let counts = Self.randomCounts(&generator, dimensions: policy.dimensions.count)
                let window = try release.release(counts: counts, using: &source)
                let expected = try policy.epsilon(
                    forWindow: window.index, spent: spentBefore, previousReleasedRate: previousRate)
                #expect(window.epsilon == expected)
                #expect(window.spent == spentBefore + window.epsilon && window.spent <= policy.total)
                #expect(window.dimensions.map(\.epsilon) == policy.split(window.epsilon))
                #expect(window.dimensions.map(\.name) == policy.dimensions.map(\.name))
                var rate = 0.0
                for dimension in window.dimensions {
                    if case .separate(let gateEpsilon) = gate {
                        #expect(dimension.result.gateEpsilon == EpsilonAmount(roundingDown: gateEpsilon))
                    } else {
                        #expect(dimension.result.gateEpsilon == .zero)
                        #expect(dimension.outcome.value.map { Double($0) >= threshold } ?? true)
                    }
                    #expect(!dimension.result.valueEpsilon.isZero)
                    rate += Double(dimension.outcome.value ?? 0)
                }
                #expect(window.releasedRate == rate)
                previousRate = window.releasedRate
            }
            #expect(release.windows.count == policy.windows)
            #expect(release.spent <= policy.total)
            #expect(release.spent + release.remaining == policy.total)
            #expect(release.windows.reduce(.zero) { $0 + $1.epsilon } == release.spent)
        }
        #expect(separateRuns > 50)
    }

    @Test("a separate gate's ε must be below smallestDimensionEpsilon")
    func separateGateBelowTheSmallestShare() throws {
        let policy = try AdaptiveBudgetPolicy(
            mode: .highAccuracy, totalEpsilon: 1, windows: 4,
            dimensions: [.init(name: "jailbreak", weight: 3), .init(name: "injection")])
        // ⌊250000 · 1/4⌋ = 62500 micro-ε (the weights as integers out of 2²⁰ move it by a fraction of one).
        #expect(policy.smallestDimensionEpsilon.micros == 62_499 || policy.smallestDimensionEpsilon.micros == 62_500)
        let smallest = policy.smallestDimensionEpsilon
        for epsilon in [smallest.value, smallest.value + 0.1, 1] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "gateEpsilon") {
                _ = try WindowedSafetyRelease(policy: policy, threshold: 0, gate: .separate(epsilon: epsilon))
            }
        }
        for epsilon in [0, -0.1, 1e-7, .nan, .infinity] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "gateEpsilon") {
                _ = try WindowedSafetyRelease(policy: policy, threshold: 0, gate: .separate(epsilon: epsilon))
            }
        }
        for threshold in [Double.nan, .infinity] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "threshold") {
                _ = try WindowedSafetyRelease(policy: policy, threshold: threshold)
            }
        }
        // Just below: every window of the run releases, the value keeping at least one micro-ε.
        let justBelow = EpsilonAmount(micros: smallest.micros - 1)
        var release = try WindowedSafetyRelease(
            policy: policy, threshold: 0, gate: .separate(epsilon: justBelow.value))
        var source = try SamplerSupport.source(0x31D1)
        while !release.isFinished {
            let window = try release.release(counts: [10, 10], using: &source)
            #expect(window.dimensions.allSatisfy { $0.result.gateEpsilon == justBelow && $0.epsilon > justBelow })
        }
        #expect(release.spent == policy.total)
    }

    @Test("wrong counts, negative counts and a window past the last throw and change nothing")
    func refusedCallsChangeNothing() throws {
        let policy = try AdaptiveBudgetPolicy(
            mode: .adaptive(alertRate: 20), totalEpsilon: 2, windows: 2,
            dimensions: [.init(name: "a"), .init(name: "b")])
        var release = try WindowedSafetyRelease(policy: policy, threshold: 5)
        var control = release
        var source = try SamplerSupport.source(0x31D2)
        var controlSource = try SamplerSupport.source(0x31D2)

        func expectRefused(_ parameter: String, _ counts: [Int64]) {
            let before = (release.windows, release.spent)
            AccountantValidationTests.expectError(.invalidParameter, parameter: parameter) {
                _ = try release.release(counts: counts, using: &source)
            }
            #expect(release.windows == before.0 && release.spent == before.1)
        }
        for _ in 0..<2 {
            expectRefused("counts", [1])
            expectRefused("counts", [1, 2, 3])
            expectRefused("counts", [])
            expectRefused("counts", [4, -1])
            expectRefused("counts", [.min, 0])
            // Nothing was drawn either: the next window equals the one released without the refused calls.
            let window = try release.release(counts: [7, 30], using: &source)
            #expect(window == (try control.release(counts: [7, 30], using: &controlSource)))
        }
        #expect(release.isFinished && release.remaining == policy.total.subtractingClamped(release.spent))
        expectRefused("window", [1, 2])
        expectRefused("window", [1])
    }

    @Test("adaptive mode spends more after a loud window; the even modes spend the same whatever the counts")
    func adaptiveSpendsMoreAfterALoudWindow() throws {
        let adaptive = try AdaptiveBudgetPolicy(mode: .adaptive(alertRate: 1_000), totalEpsilon: 1, windows: 4)
        // A quiet window of 3 events, a loud one of 10⁵, then quiet again. Noise of scale ≤ 8 cannot reach 1000
        // from 3 or fall to 1000 from 10⁵ in practice (probability below e⁻¹²⁰).
        var quietRun = try WindowedSafetyRelease(policy: adaptive, threshold: 0)
        var loudRun = try WindowedSafetyRelease(policy: adaptive, threshold: 0)
        var source = try SamplerSupport.source(0x31D3)
        for counts: Int64 in [3, 3, 3, 3] { _ = try quietRun.release(counts: [counts], using: &source) }
        for counts: Int64 in [3, 100_000, 3, 3] { _ = try loudRun.release(counts: [counts], using: &source) }
        #expect(quietRun.windows.map(\.epsilon.micros) == [125_000, 125_000, 125_000, 125_000])
        // The window after the loud one gets twice the even share.
        #expect(loudRun.windows.map(\.epsilon.micros) == [125_000, 125_000, 500_000, 125_000])
        #expect(quietRun.spent.micros == 500_000 && loudRun.spent.micros == 875_000)

        for mode in [AdaptiveBudgetPolicy.Mode.highAccuracy, .highPrivacy] {
            let policy = try AdaptiveBudgetPolicy(mode: mode, totalEpsilon: 1, windows: 4)
            var quiet = try WindowedSafetyRelease(policy: policy, threshold: 0)
            var loud = try WindowedSafetyRelease(policy: policy, threshold: 0)
            for counts: Int64 in [3, 3, 3, 3] { _ = try quiet.release(counts: [counts], using: &source) }
            for counts: Int64 in [3, 100_000, 3, 3] { _ = try loud.release(counts: [counts], using: &source) }
            #expect(quiet.windows.map(\.epsilon) == loud.windows.map(\.epsilon))
            #expect(quiet.spent.micros == (mode == .highAccuracy ? 1_000_000 : 500_000))
        }
    }

    @Test("a suppressed value counts as zero in the released rate, and the suppression is still charged")
    func suppressedCountsAsZero() throws {
        let policy = try AdaptiveBudgetPolicy(
            mode: .highAccuracy, totalEpsilon: 3, windows: 1, dimensions: [.init(name: "a"), .init(name: "b")])
        var release = try WindowedSafetyRelease(policy: policy, threshold: 1_000)
        var source = try SamplerSupport.source(0x31D4)
        // ε 1.5 each: scale 2/3. 0 cannot reach 1000; 5000 cannot fall to it.
        let window = try release.release(counts: [0, 5_000], using: &source)
        #expect(window.dimensions[0].outcome == .suppressed && window.dimensions[0].epsilon.micros == 1_500_000)
        let value = try #require(window.dimensions[1].outcome.value)
        #expect(window.releasedRate == Double(value) && window.epsilon == policy.total)
    }
}
