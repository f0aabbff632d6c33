import PhalanxDP
import Testing

/// ``AdaptiveBudgetPolicy`` over thousands of random policies and released-rate sequences: the windows never add
/// up to more than the total, each mode spends what its formula says, adaptive mode spends more after an alert,
/// and the split between dimensions is exact and follows the weights.
@Suite("TraceFed adaptive budget policy")
struct PolicyAdaptiveBudgetTests {
    /// The allocations of one run: window `i` is given the sum of the earlier allocations and a released rate.
    struct Run {
        var allocations: [EpsilonAmount] = []
        /// The rate given for each window (`nil` for the first).
        var rates: [Double?] = []
        var spent = EpsilonAmount.zero
    }

    /// Asks `policy` for every window in turn, with `rate(i)` as the released rate before window `i ≥ 1`.
    static func run(_ policy: AdaptiveBudgetPolicy, rate: (Int) -> Double) throws -> Run {
        var run = Run()
        for index in 0..<policy.windows {
            let previous = index == 0 ? nil : rate(index)
            let epsilon = try policy.epsilon(forWindow: index, spent: run.spent, previousReleasedRate: previous)
            run.allocations.append(epsilon)
            run.rates.append(previous)
            run.spent = run.spent + epsilon
        }
        return run
    }

    /// `⌊A(i+1)/N⌋ − ⌊Ai/N⌋` in micro-ε.
    static func evenShare(_ amount: UInt64, window index: Int, of windows: Int) -> UInt64 {
        let a = UInt128(amount)
        let n = UInt128(windows)
        return UInt64(a * UInt128(index + 1) / n - a * UInt128(index) / n)
    }

    // MARK: - The invariants, over random policies and rates

    @Test("over 3000 random policies and rate sequences: the budget holds and each mode follows its formula")
    func randomPoliciesKeepTheirInvariants() throws {
        var generator = PolicySupport.ParameterGenerator(state: 0xADA9)
        var alertedWindows = 0
        var strictlyMoreAfterAlert = 0
        for _ in 0..<3_000 {
            let policy = PolicySupport.randomPolicy(&generator)
            let alertRate: Double
            if case .adaptive(let rate) = policy.mode { alertRate = rate } else { alertRate = 0 }
            let rates = (0..<policy.windows).map { _ in PolicySupport.randomRate(&generator, alertRate: alertRate) }
            let run = try Self.run(policy) { rates[$0] }
            let total = policy.total.micros
            let n = UInt64(policy.windows)

            #expect(run.spent <= policy.total, "\(policy)")
            #expect(run.allocations.reduce(.zero, +) == run.spent)
            for allocation in run.allocations {
                #expect(allocation >= policy.minimumWindowEpsilon && allocation <= policy.maximumWindowEpsilon)
                let parts = policy.split(allocation)
                #expect(parts.reduce(.zero, +) == allocation)
                #expect(parts.allSatisfy { $0 >= policy.smallestDimensionEpsilon && !$0.isZero }, "\(policy)")
            }

            switch policy.mode {
            case .highAccuracy:
                #expect(run.spent == policy.total)
                for (index, allocation) in run.allocations.enumerated() {
                    #expect(allocation.micros == Self.evenShare(total, window: index, of: policy.windows))
                    #expect(allocation.micros == total / n || allocation.micros == total / n + 1)
                }
            case .highPrivacy:
                #expect(run.spent.micros == total / 2)
                for (index, allocation) in run.allocations.enumerated() {
                    #expect(allocation.micros == Self.evenShare(total / 2, window: index, of: policy.windows))
                }
            case .adaptive(let alertRate):
                let quiet = total / (2 * n)
                var spent: UInt64 = 0
                for (index, (allocation, rate)) in zip(run.allocations, run.rates).enumerated() {
                    let alerted = rate.map { $0 > alertRate } ?? false
                    let available = total - spent - quiet * (n - 1 - UInt64(index))
                    // A quiet window gets the floor; an alerted one twice the even share, as far as the reserve
                    // for the later windows allows, and never less than a quiet one.
                    let expected = alerted ? min(2 * (total / n), available) : quiet
                    #expect(allocation.micros == expected, "\(policy) window \(index)")
                    #expect(available >= quiet)
                    if alerted {
                        alertedWindows += 1
                        if allocation.micros > quiet { strictlyMoreAfterAlert += 1 }
                    }
                    spent += allocation.micros
                }
                #expect(run.spent.micros >= n * quiet && n * quiet <= total / 2)
            }
        }
        // Most alerts find budget left: adaptive mode does spend more when asked.
        #expect(alertedWindows > 1_000 && strictlyMoreAfterAlert > alertedWindows / 2)
    }

    @Test("adaptive: quiet windows spend the floor; an alert window spends more; louder runs spend more in total")
    func adaptiveSpendsMoreWhenAsked() throws {
        let policy = try AdaptiveBudgetPolicy(mode: .adaptive(alertRate: 50), totalEpsilon: 1, windows: 8)
        let quiet = try Self.run(policy) { _ in 3 }
        #expect(quiet.allocations.allSatisfy { $0.micros == 62_500 })  // T/(2N)
        #expect(quiet.spent.micros == 500_000)

        // One loud window (released rate 80 > 50) before window 3: window 3 gets 2T/N = 0.25.
        let once = try Self.run(policy) { $0 == 3 ? 80 : 3 }
        #expect(once.allocations.map(\.micros) == [62_500, 62_500, 62_500, 250_000, 62_500, 62_500, 62_500, 62_500])
        #expect(once.allocations[3] == policy.maximumWindowEpsilon)

        // Alerts everywhere: each alert window gets 0.25 while the reserve allows, then what is left, then the floor.
        let loud = try Self.run(policy) { _ in 1_000 }
        #expect(loud.allocations.map(\.micros) == [62_500, 250_000, 250_000, 187_500, 62_500, 62_500, 62_500, 62_500])
        #expect(loud.spent == policy.total)
        #expect(quiet.spent < once.spent && once.spent < loud.spent)

        // A rate equal to the alert rate is not above it.
        #expect(try Self.run(policy) { _ in 50 }.spent == quiet.spent)
    }

    @Test("high-accuracy spends T evenly, high-privacy ⌊T/2⌋ evenly, whatever the rates")
    func evenModes() throws {
        let accuracy = try AdaptiveBudgetPolicy(mode: .highAccuracy, totalEpsilon: 1, windows: 3)
        let runA = try Self.run(accuracy) { Double($0) * 1e9 }
        #expect(runA.allocations.map(\.micros) == [333_333, 333_333, 333_334])
        #expect(runA.spent == accuracy.total)
        #expect(accuracy.minimumWindowEpsilon.micros == 333_333 && accuracy.maximumWindowEpsilon.micros == 333_334)

        let privacy = try AdaptiveBudgetPolicy(mode: .highPrivacy, totalEpsilon: 0.000007, windows: 3)
        let runP = try Self.run(privacy) { _ in .infinity }
        #expect(runP.allocations.map(\.micros) == [1, 1, 1])
        #expect(runP.spent.micros == 3)  // ⌊7/2⌋
        let privacy2 = try AdaptiveBudgetPolicy(mode: .highPrivacy, totalEpsilon: 2, windows: 4)
        #expect(try Self.run(privacy2) { _ in 0 }.allocations.map(\.micros) == Array(repeating: 250_000, count: 4))
    }

    @Test("minimum and maximum window ε are attained, in closed form even for an absurd number of windows")
    func windowBounds() throws {
        let two = try AdaptiveBudgetPolicy(mode: .adaptive(alertRate: 0), totalEpsilon: 1, windows: 2)
        // An alert after one quiet window: T − ⌊T/4⌋, less than 2⌊T/2⌋ = T.
        #expect(two.maximumWindowEpsilon.micros == 750_000 && two.minimumWindowEpsilon.micros == 250_000)
        #expect(try Self.run(two) { _ in 1 }.allocations.map(\.micros) == [250_000, 750_000])
        let one = try AdaptiveBudgetPolicy(mode: .adaptive(alertRate: 0), totalEpsilon: 1, windows: 1)
        #expect(one.minimumWindowEpsilon.micros == 500_000)

        let many = try AdaptiveBudgetPolicy(mode: .highAccuracy, totalEpsilon: 1_000_000, windows: 1_000_000_000)
        #expect(many.minimumWindowEpsilon.micros == 1_000 && many.maximumWindowEpsilon.micros == 1_000)
        #expect(try many.epsilon(forWindow: 999_999_999, spent: .zero, previousReleasedRate: nil).micros == 1_000)
    }

    // MARK: - Splitting a window between dimensions

    @Test("split adds up exactly, gives each dimension its weighted share within one micro-ε, ties to the earlier")
    func splitFollowsWeights() throws {
        let equal = try AdaptiveBudgetPolicy(
            mode: .highAccuracy, totalEpsilon: 1, windows: 1,
            dimensions: [.init(name: "a"), .init(name: "b"), .init(name: "c")])
        #expect(equal.split(EpsilonAmount(micros: 10)).map(\.micros) == [4, 3, 3])
        #expect(equal.split(EpsilonAmount(micros: 11)).map(\.micros) == [4, 4, 3])
        #expect(equal.split(.zero).map(\.micros) == [0, 0, 0])
        let weighted = try AdaptiveBudgetPolicy(
            mode: .highAccuracy, totalEpsilon: 1, windows: 1,
            dimensions: [.init(name: "jailbreak", weight: 3), .init(name: "injection", weight: 1)])
        #expect(weighted.split(EpsilonAmount(micros: 1_000_000)).map(\.micros) == [750_000, 250_000])
        #expect(weighted.split(EpsilonAmount(micros: 3)).map(\.micros) == [2, 1])

        var generator = PolicySupport.ParameterGenerator(state: 0x5B17)
        for _ in 0..<3_000 {
            let weights = (0..<Int.random(in: 1...6, using: &generator)).map { _ in generator.logUniform(0.01, 100) }
            let policy = try AdaptiveBudgetPolicy(
                mode: .highAccuracy, totalEpsilon: 1_000, windows: 1,
                dimensions: weights.enumerated().map { .init(name: "d\($0)", weight: $1) })
            let amount = UInt64.random(in: 0...1_000_000_000, using: &generator)
            let parts = policy.split(EpsilonAmount(micros: amount))
            #expect(parts.reduce(0) { $0 + $1.micros } == amount)
            // The weights are used as integers out of 2²⁰ for the largest: a share moves by at most a·(k+1)/2²¹.
            let weightSum = weights.reduce(0, +)
            let slack = 1 + Double(amount) * Double(weights.count + 1) / Double(1 << 21)
            for (part, weight) in zip(parts, weights) {
                let exact = Double(amount) * weight / weightSum
                #expect(abs(Double(part.micros) - exact) <= slack, "\(weights) \(amount)")
            }
        }
    }

    @Test("a dimension's share never drops below smallestDimensionEpsilon in a larger window (Alabama paradox)")
    func noShareBelowTheFloor() throws {
        // Largest remainders: 10 micro-ε split 6:6:2 gives [4, 4, 2], but 11 gives [5, 5, 1].
        let dimensions: [AdaptiveBudgetPolicy.Dimension] = [
            .init(name: "a", weight: 6), .init(name: "b", weight: 6), .init(name: "c", weight: 2),
        ]
        let policy = try AdaptiveBudgetPolicy(
            mode: .highAccuracy, totalEpsilon: 0.000021, windows: 2, dimensions: dimensions)
        #expect(policy.split(EpsilonAmount(micros: 10)).map(\.micros) == [4, 4, 2])
        #expect(policy.split(EpsilonAmount(micros: 11)).map(\.micros) == [5, 5, 1])
        #expect(policy.smallestDimensionEpsilon.micros == 1)
        // 21 micro-ε split 3:3:0.1 gives c one micro-ε, 22 gives it none: such a total is refused up front.
        let tiny: [AdaptiveBudgetPolicy.Dimension] = [
            .init(name: "a", weight: 3), .init(name: "b", weight: 3), .init(name: "c", weight: 0.1),
        ]
        AccountantValidationTests.expectError(.invalidParameter, parameter: "totalEpsilon") {
            _ = try AdaptiveBudgetPolicy(mode: .highAccuracy, totalEpsilon: 0.000043, windows: 2, dimensions: tiny)
        }
    }

    // MARK: - Bad input

    static let badTotals: [Double] = [0, -1, .nan, .infinity, -.infinity, 1e-7, 1e6 + 1]

    @Test("bad input throws a DPError naming the parameter")
    func badInput() throws {
        func policy(
            _ mode: AdaptiveBudgetPolicy.Mode = .highAccuracy, total: Double = 1, windows: Int = 4,
            dimensions: [AdaptiveBudgetPolicy.Dimension] = [.init(name: "all")]
        ) throws {
            _ = try AdaptiveBudgetPolicy(mode: mode, totalEpsilon: total, windows: windows, dimensions: dimensions)
        }
        for total in Self.badTotals {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "totalEpsilon") {
                try policy(total: total)
            }
        }
        // Too small for every dimension of every window to get one micro-ε, and a number of windows no budget
        // could cover (refused at once, without listing the windows).
        for (total, windows) in [(0.000001, 2), (0.000003, 2), (1, Int.max)] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "totalEpsilon") {
                try policy(.adaptive(alertRate: 1), total: total, windows: windows)
            }
        }
        for windows in [0, -1, Int.min] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "windows") {
                try policy(windows: windows)
            }
        }
        let badDimensions: [[AdaptiveBudgetPolicy.Dimension]] = [
            [], [.init(name: "")], [.init(name: "a"), .init(name: "a")], [.init(name: "a", weight: 0)],
            [.init(name: "a", weight: -1)], [.init(name: "a", weight: .nan)], [.init(name: "a", weight: .infinity)],
            [.init(name: "a"), .init(name: "b", weight: -.infinity)],
        ]
        for dimensions in badDimensions {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "dimensions") {
                try policy(dimensions: dimensions)
            }
        }
        for alertRate in [Double.nan, .infinity, -.infinity] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "alertRate") {
                try policy(.adaptive(alertRate: alertRate))
            }
        }

        let valid = try AdaptiveBudgetPolicy(mode: .adaptive(alertRate: 5), totalEpsilon: 1, windows: 4)
        for index in [-1, 4, Int.max] {
            AccountantValidationTests.expectError(.invalidParameter, parameter: "window") {
                _ = try valid.epsilon(forWindow: index, spent: .zero, previousReleasedRate: nil)
            }
        }
        AccountantValidationTests.expectError(.invalidParameter, parameter: "spent") {
            _ = try valid.epsilon(forWindow: 1, spent: EpsilonAmount(micros: 1_000_001), previousReleasedRate: 0)
        }
        AccountantValidationTests.expectError(.invalidParameter, parameter: "previousReleasedRate") {
            _ = try valid.epsilon(forWindow: 1, spent: .zero, previousReleasedRate: .nan)
        }
        // Infinite rates are numbers: −∞ is quiet, +∞ an alert.
        #expect(try valid.epsilon(forWindow: 1, spent: .zero, previousReleasedRate: -.infinity).micros == 125_000)
        #expect(try valid.epsilon(forWindow: 1, spent: .zero, previousReleasedRate: .infinity).micros == 500_000)
    }

    @Test("a policy describes its mode and keeps its parameters")
    func parameters() throws {
        let policy = try AdaptiveBudgetPolicy(
            mode: .adaptive(alertRate: 12.5), totalEpsilon: 0.3, windows: 6,
            dimensions: [.init(name: "x", weight: 2), .init(name: "y")])
        #expect(policy.total.micros == 300_000 && policy.windows == 6)
        #expect(policy.dimensions.map(\.name) == ["x", "y"] && policy.dimensions.map(\.weight) == [2, 1])
        #expect(policy.mode.description == "adaptive (alert rate 12.5)")
        #expect(AdaptiveBudgetPolicy.Mode.highAccuracy.description == "high-accuracy")
        #expect(AdaptiveBudgetPolicy.Mode.highPrivacy.description == "high-privacy")
    }
}
