/// How a job spends a total privacy budget ε across time windows and safety dimensions: TraceFed's "adaptive
/// privacy budgeting" with its high-accuracy and high-privacy modes (the TraceFed paper, "Federated Safety
/// Intervention for Distributed Large Models with Privacy-Preserving Reasoning Monitoring", §4).
///
/// The policy only decides *how much* ε each window and dimension gets; ``WindowedSafetyRelease`` spends it.
/// Budgets are exact ``EpsilonAmount``s (whole micro-ε), so the invariants below hold without rounding slack.
///
/// **Modes.** With `T` the total and `N` the number of windows:
/// - ``Mode/highAccuracy``: window `i` gets `⌊T(i+1)/N⌋ − ⌊Ti/N⌋`, the even share; all of `T` is spent.
/// - ``Mode/highPrivacy``: the same with `T/2`: noisier releases and a guarantee of `T/2` for the whole run.
/// - ``Mode/adaptive(alertRate:)``: a quiet window gets `⌊T/(2N)⌋` (as in high-privacy); a window that follows one
///   whose *released* incident rate exceeded the alert rate gets twice the even share, `2⌊T/N⌋`, as far as the
///   reserve allows. It spends between `N⌊T/(2N)⌋ ≤ T/2` (all quiet) and `T`.
///
/// (The paper's §4 first says a low incident rate lets the budget be "reduced to improve accuracy" and a surge
/// switches to "stronger privacy"; less ε cannot improve accuracy, so this follows the reading of the Phalanx
/// issue instead: spend little while incidents are rare, spend more when the released rate calls for a sharper
/// look.)
///
/// **Invariant: the allocations of all windows never add up to more than `T`, whatever the released rates.** Each
/// window gets `min(wanted, remaining − reserve)`, where the reserve is the smallest amount the later windows are
/// promised (their even shares, or `⌊T/(2N)⌋` each in adaptive mode); by induction every window gets at least its
/// promised amount and the sum never passes `T`.
///
/// **The decisions cost no privacy.** The only data-dependent input is the previous window's *released* incident
/// rate, a function of values already published with their own ε; choosing the next ε from it is post-processing
/// (Dwork and Roth, "The Algorithmic Foundations of Differential Privacy", Prop. 2.1) and the run as a whole is an
/// adaptive sequential composition whose ε adds up to at most `T` (fully adaptive composition of pure DP: the sum
/// of the chosen ε's is bounded in advance; Rogers, Roth, Ullman and Vadhan, "Privacy Odometers and Filters",
/// NeurIPS 2016). Never feed it a true count.
public struct AdaptiveBudgetPolicy: Sendable, Hashable {
    /// How eager the policy is to spend.
    public enum Mode: Sendable, Hashable, CustomStringConvertible {
        /// Spend the total evenly over the windows: the most accurate releases the budget allows.
        case highAccuracy
        /// Spend half the total evenly and never the other half: every release is noisier, and the whole run is
        /// `T/2`-differentially private.
        case highPrivacy
        /// Spend half the even share in a quiet window; after a window whose released incident rate (the sum of its
        /// released values, a suppressed value counting as zero) exceeded `alertRate`, spend twice the even share.
        case adaptive(alertRate: Double)

        public var description: String {
            switch self {
            case .highAccuracy: "high-accuracy"
            case .highPrivacy: "high-privacy"
            case .adaptive(let alertRate): "adaptive (alert rate \(alertRate))"
            }
        }
    }

    /// A safety dimension (an incident category such as `prompt_injection`) and its share of each window's ε.
    public struct Dimension: Sendable, Hashable {
        /// The dimension's name, unique within a policy.
        public let name: String
        /// The relative weight; the dimension gets `weight / Σ weights` of each window's ε.
        public let weight: Double

        /// Creates a dimension; the policy's initializer checks the name and the weight.
        public init(name: String, weight: Double = 1) {
            self.name = name
            self.weight = weight
        }
    }

    /// The mode.
    public let mode: Mode
    /// The budget for all windows together, `⌊totalEpsilon · 10⁶⌋` micro-ε.
    public let total: EpsilonAmount
    /// The number of windows.
    public let windows: Int
    /// The dimensions, in the order counts and releases use.
    public let dimensions: [Dimension]
    /// The weights as integers out of `2²⁰` for the largest, so that the split is exact integer arithmetic.
    private let integerWeights: [UInt64]

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - mode: how eager to spend; in adaptive mode, `alertRate` must be a finite number.
    ///   - totalEpsilon: the ε for all windows and dimensions together; finite, > 0, at most 10⁶, and at least
    ///     enough for every dimension to get one micro-ε in every window (``smallestDimensionEpsilon`` ≥ 10⁻⁶).
    ///   - windows: the number of windows, at least 1.
    ///   - dimensions: the safety dimensions with their weights (finite, > 0), unique non-empty names; the default
    ///     is one dimension `"all"`.
    /// - Throws: ``DPError`` with code ``DPError/Code-swift.struct/invalidParameter`` naming `totalEpsilon`,
    ///   `windows`, `dimensions` or `alertRate`.
    public init(
        mode: Mode, totalEpsilon: Double, windows: Int, dimensions: [Dimension] = [Dimension(name: "all")]
    ) throws(DPError) {
        if case .adaptive(let alertRate) = mode {
            guard alertRate.isFinite else {
                throw DPError.invalid("alertRate", "must be a finite number, got \(alertRate)")
            }
        }
        let total = try EpsilonAmount.roundingDown(totalEpsilon, "totalEpsilon", positive: true)
        try DPError.requireCount(windows, "windows")
        guard !dimensions.isEmpty else { throw DPError.invalid("dimensions", "must name at least one dimension") }
        var seen: Set<String> = []
        for dimension in dimensions {
            guard !dimension.name.isEmpty else { throw DPError.invalid("dimensions", "names must not be empty") }
            guard seen.insert(dimension.name).inserted else {
                throw DPError.invalid("dimensions", "names must be unique; \"\(dimension.name)\" appears twice")
            }
            guard dimension.weight.isFinite, dimension.weight > 0 else {
                throw DPError.invalid(
                    "dimensions", "weights must be finite numbers > 0; \"\(dimension.name)\" has \(dimension.weight)")
            }
        }
        self.mode = mode
        self.total = total
        self.windows = windows
        self.dimensions = dimensions
        let largest = dimensions.map(\.weight).max()!
        integerWeights = dimensions.map { max(1, UInt64(($0.weight / largest * Double(1 << 20)).rounded())) }
        guard !smallestDimensionEpsilon.isZero else {
            throw DPError.invalid(
                "totalEpsilon",
                "is too small: with \(windows) windows and these \(dimensions.count) dimension weights, some "
                    + "dimension of the thinnest window would get less than 0.000001")
        }
    }

    /// The mode's amount for window `index` when the policy asks for its floor (quiet windows in adaptive mode).
    private func promised(_ index: Int) -> EpsilonAmount {
        switch mode {
        case .highAccuracy: evenShare(of: total, window: index)
        case .highPrivacy: evenShare(of: EpsilonAmount(micros: total.micros / 2), window: index)
        case .adaptive: EpsilonAmount(micros: total.micros / (2 * UInt64(windows)))
        }
    }

    /// `⌊A(i+1)/N⌋ − ⌊Ai/N⌋`: shares that differ by at most one micro-ε and add up to `A` exactly.
    private func evenShare(of amount: EpsilonAmount, window index: Int) -> EpsilonAmount {
        let n = UInt128(windows)
        let a = UInt128(amount.micros)
        return EpsilonAmount(micros: UInt64(a * UInt128(index + 1) / n - a * UInt128(index) / n))
    }

    /// What the later windows are promised after window `index`: `A − ⌊A(i+1)/N⌋` of the evenly spent amount `A`, or
    /// the quiet amount for each later window in adaptive mode.
    private func reserve(after index: Int) -> EpsilonAmount {
        let later = UInt64(windows - 1 - index)
        let n = UInt128(windows)
        switch mode {
        case .highAccuracy, .highPrivacy:
            let spread = UInt128(mode == .highAccuracy ? total.micros : total.micros / 2)
            return EpsilonAmount(micros: UInt64(spread - spread * UInt128(index + 1) / n))
        case .adaptive:
            return EpsilonAmount(micros: promised(index).micros * later)
        }
    }

    /// The least any window gets when each call's `spent` is the sum of the earlier windows' allocations: the
    /// smallest even share `⌊A/N⌋` of the evenly spent amount `A`, or the quiet amount `⌊T/(2N)⌋` in adaptive
    /// mode.
    public var minimumWindowEpsilon: EpsilonAmount {
        switch mode {
        case .highAccuracy: EpsilonAmount(micros: total.micros / UInt64(windows))
        case .highPrivacy: EpsilonAmount(micros: total.micros / 2 / UInt64(windows))
        case .adaptive: promised(0)
        }
    }

    /// The largest ε any single window can get: `⌈A/N⌉` in the even modes; in adaptive mode the alert amount
    /// `2⌊T/N⌋`, or less if the reserve caps it (`T − (N − 1)⌊T/(2N)⌋`, what an alert window can get after quiet
    /// ones).
    public var maximumWindowEpsilon: EpsilonAmount {
        let n = UInt64(windows)
        switch mode {
        case .highAccuracy, .highPrivacy:
            let spread = mode == .highAccuracy ? total.micros : total.micros / 2
            return EpsilonAmount(micros: spread / n + (spread % n == 0 ? 0 : 1))
        case .adaptive:
            let uncapped = total.subtractingClamped(EpsilonAmount(micros: promised(0).micros * (n - 1)))
            return min(EpsilonAmount(micros: 2 * (total.micros / n)), uncapped)
        }
    }

    /// The least ε any dimension gets in any window: the smallest `⌊m·wᵢ/W⌋` for the least window amount
    /// `m` = ``minimumWindowEpsilon``.
    ///
    /// ``split(_:)`` gives each dimension `⌊ε·wᵢ/W⌋` or one micro-ε more; the floor grows with `ε`, so no window's
    /// share falls below it. (The smallest part of `split(minimumWindowEpsilon)` is *not* such a bound: handing the
    /// leftover micro-ε to the largest remainders can give a dimension one micro-ε less in a larger window, the
    /// "Alabama paradox" of Hamilton's apportionment method.)
    public var smallestDimensionEpsilon: EpsilonAmount {
        let sum = UInt128(integerWeights.reduce(0, +))
        let amount = UInt128(minimumWindowEpsilon.micros)
        return EpsilonAmount(micros: UInt64(integerWeights.map { amount * UInt128($0) / sum }.min()!))
    }

    /// The ε for window `index` (counted from 0), given the ε already allocated to windows `0..<index` and the
    /// incident rate *released* for window `index − 1` (`nil` for the first window).
    ///
    /// Never more than `total − spent − reserve(after: index)`, so a caller that adds each result to `spent` can
    /// never pass the total. `previousReleasedRate` must be computed from published noisy values only; a true count
    /// here would make the ε itself leak the data.
    ///
    /// - Throws: ``DPError`` naming `window` if `index` is outside `0..<windows`, `spent` if it exceeds the total,
    ///   `previousReleasedRate` if it is NaN.
    public func epsilon(
        forWindow index: Int, spent: EpsilonAmount, previousReleasedRate: Double?
    ) throws(DPError) -> EpsilonAmount {
        guard (0..<windows).contains(index) else {
            throw DPError.invalid("window", "must be in 0..<\(windows), got \(index)")
        }
        guard spent <= total else { throw DPError.invalid("spent", "exceeds the total \(total): \(spent)") }
        if let previousReleasedRate, previousReleasedRate.isNaN {
            throw DPError.invalid("previousReleasedRate", "must be a number, got NaN")
        }
        let wanted: EpsilonAmount
        switch mode {
        case .highAccuracy, .highPrivacy:
            wanted = promised(index)
        case .adaptive(let alertRate):
            let alerted = (previousReleasedRate ?? -.infinity) > alertRate
            wanted = alerted ? EpsilonAmount(micros: 2 * (total.micros / UInt64(windows))) : promised(index)
        }
        let available = total.subtractingClamped(spent).subtractingClamped(reserve(after: index))
        return min(wanted, available)
    }

    /// Splits a window's ε between the dimensions in proportion to their weights, exactly: each dimension gets
    /// `⌊ε·wᵢ/W⌋` micro-ε and the micro-ε left over go one each to the largest remainders (ties to the earlier
    /// dimension), so the parts add up to `epsilon` exactly (sequential composition over the dimensions of one
    /// window: their ε add up to the window's) and each part is `⌊ε·wᵢ/W⌋` or one more. The weights are used as
    /// integers out of 2²⁰ for the largest, which moves a share by at most one part in a million of the largest
    /// weight.
    public func split(_ epsilon: EpsilonAmount) -> [EpsilonAmount] {
        let sum = UInt128(integerWeights.reduce(0, +))
        let amount = UInt128(epsilon.micros)
        var parts = integerWeights.map { amount * UInt128($0) / sum }
        let remainders = integerWeights.map { amount * UInt128($0) % sum }
        var leftover = amount - parts.reduce(0, +)
        let order = remainders.indices.sorted {
            remainders[$0] > remainders[$1] || (remainders[$0] == remainders[$1] && $0 < $1)
        }
        for index in order where leftover > 0 {
            parts[index] += 1
            leftover -= 1
        }
        return parts.map { EpsilonAmount(micros: UInt64($0)) }
    }
}
