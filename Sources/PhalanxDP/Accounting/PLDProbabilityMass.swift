import Foundation

/// The probability mass function of a discretized privacy loss distribution: mass `probabilities[i]` at privacy
/// loss `(lowerLoss + i) × discretization`, plus `infinityMass` at +∞. A port of dp-accounting 0.6.0's
/// `pld/pld_pmf.py` (`DensePLDPmf` and `SparsePLDPmf`, both pessimistic).
///
/// dp-accounting keeps PMFs of at most 1,000 points "sparse" (a dictionary, composed term by term) and larger ones
/// dense (composed by FFT). The two hold the same values here; ``isSparse`` only selects the algorithm, so that
/// the truncation and round-off behave as dp-accounting's do.
struct PLDProbabilityMass: Sendable, Hashable {
    /// dp-accounting's `_MAX_PMF_SPARSE_SIZE`.
    static let maximumSparseSize = 1000
    /// The most points a composed distribution may have (2²⁶ doubles, 512 MiB); beyond it composition throws.
    static let maximumSize = 1 << 26

    /// The width of the loss grid.
    let discretization: Double
    /// The grid index of `probabilities[0]`.
    var lowerLoss: Int
    /// The mass at each grid point from `lowerLoss` up.
    var probabilities: [Double]
    /// The mass at privacy loss +∞.
    var infinityMass: Double
    /// Whether dp-accounting would hold this PMF as a `SparsePLDPmf`.
    var isSparse: Bool

    var size: Int { probabilities.count }

    /// dp-accounting's `create_pmf`: sparse when there are at most 1,000 points.
    init(discretization: Double, lowerLoss: Int, probabilities: [Double], infinityMass: Double) {
        self.init(
            discretization: discretization, lowerLoss: lowerLoss, probabilities: probabilities,
            infinityMass: infinityMass, isSparse: probabilities.count <= Self.maximumSparseSize)
    }

    init(discretization: Double, lowerLoss: Int, probabilities: [Double], infinityMass: Double, isSparse: Bool) {
        self.discretization = discretization
        self.lowerLoss = lowerLoss
        self.probabilities = probabilities
        self.infinityMass = infinityMass
        self.isSparse = isSparse
    }

    /// The distribution of an algorithm that leaks nothing: all mass at loss 0.
    static func identity(discretization: Double) -> Self {
        Self(discretization: discretization, lowerLoss: 0, probabilities: [1], infinityMass: 0)
    }

    // MARK: Composition

    /// The PMF of running both mechanisms (the convolution), with at most `tailMassTruncation` of mass cut from
    /// the two tails: the left tail is added to the first kept point and the right tail to +∞ (pessimistic), as
    /// dp-accounting's `compose_pmfs`.
    func composed(with other: Self, tailMassTruncation: Double) throws(DPError) -> Self {
        let resultSize = size + other.size - 1
        try Self.checkSize(resultSize)
        let sparse = isSparse && other.isSparse && size * other.size <= Self.maximumSparseSize
        let convolution =
            sparse
            ? AccountingFFT.directConvolution(probabilities, other.probabilities)
            : AccountingFFT.convolve(probabilities, other.probabilities)
        let infinity = infinityMass + other.infinityMass - infinityMass * other.infinityMass
        let (offset, truncated, rightMass) = Self.truncateTails(convolution, tailMassTruncation)
        return Self(
            discretization: discretization, lowerLoss: lowerLoss + other.lowerLoss + offset,
            probabilities: truncated, infinityMass: infinity + rightMass, isSparse: sparse)
    }

    /// The PMF of running this mechanism `times` times (dp-accounting's `self_compose`).
    ///
    /// Sparse PMFs whose composition stays within 1,000 points are convolved term by term, truncating only after
    /// the last step. Otherwise the composition is `ifft(fft(p)ⁿ)` over a window chosen by Chernoff bounds so
    /// that at most `tailMassTruncation` lies outside it (dp-accounting's `common.self_convolve`); that mass is
    /// then added to +∞.
    func selfComposed(_ times: Int, tailMassTruncation: Double) throws(DPError) -> Self {
        if isSparse {
            if times == 1 { return self }
            var power = 1
            // A one-point PMF never outgrows 1,000 points; dp-accounting would convolve it `times` times one by
            // one, which for a large count takes forever, so it goes to the (equivalent) FFT path instead.
            var staysSparse = size > 1
            for _ in 0..<times {
                power *= size
                if power > Self.maximumSparseSize {
                    staysSparse = false
                    break
                }
            }
            if staysSparse {
                var result = self
                for step in 2...times {
                    let truncation = step == times ? tailMassTruncation : 0
                    result = try result.sparseComposed(with: self, tailMassTruncation: truncation)
                }
                return result
            }
        }
        return try denseSelfComposed(times, tailMassTruncation: tailMassTruncation)
    }

    /// `SparsePLDPmf.compose`: term by term, the result stays sparse whatever its size.
    private func sparseComposed(with other: Self, tailMassTruncation: Double) throws(DPError) -> Self {
        let convolution = AccountingFFT.directConvolution(probabilities, other.probabilities)
        let infinity = infinityMass + other.infinityMass - infinityMass * other.infinityMass
        let (offset, truncated, rightMass) = Self.truncateTails(convolution, tailMassTruncation)
        return Self(
            discretization: discretization, lowerLoss: lowerLoss + other.lowerLoss + offset,
            probabilities: truncated, infinityMass: infinity + rightMass, isSparse: true)
    }

    private func denseSelfComposed(_ times: Int, tailMassTruncation: Double) throws(DPError) -> Self {
        let (fullUpper, overflow) = (size - 1).multipliedReportingOverflow(by: times)
        let (lowerTimesCount, lowerOverflow) = lowerLoss.multipliedReportingOverflow(by: times)
        guard !overflow, !lowerOverflow else {
            throw DPError(.distributionTooLarge, parameter: "count", "the composed privacy losses overflow Int")
        }
        let (lowerBound, upperBound) = Self.selfConvolutionBounds(
            probabilities, times: times, fullUpperBound: fullUpper, tailMassTruncation: tailMassTruncation)
        let outputCount = max(upperBound - lowerBound + 1, 1)
        try Self.checkSize(outputCount)
        let length = AccountingFFT.length(atLeast: max(outputCount, size))
        try Self.checkSize(length)
        let circular = AccountingFFT.circularPower(probabilities, exponent: times, length: length)
        // The circular result is indexed modulo `length`; read the window [lowerBound, upperBound] from it.
        var window = [Double](repeating: 0, count: outputCount)
        let start = lowerBound % length
        for i in 0..<outputCount { window[i] = circular[(start + i) % length] }
        let infinity = tailMassTruncation - expm1(Double(times) * log1p(-infinityMass))
        return Self(
            discretization: discretization, lowerLoss: lowerTimesCount + lowerBound, probabilities: window,
            infinityMass: infinity, isSparse: false)
    }

    private static func checkSize(_ count: Int) throws(DPError) {
        guard count <= maximumSize else {
            throw DPError(
                .distributionTooLarge, parameter: "valueDiscretizationInterval",
                "the composed privacy loss distribution would have \(count) points (at most \(maximumSize)); "
                    + "use a coarser discretization interval or fewer compositions")
        }
    }

    /// dp-accounting's `_truncate_tails` (pessimistic): drops the longest prefix and suffix each of mass at most
    /// `tailMassTruncation / 2`, adds the prefix mass to the first kept point and returns the suffix mass (which
    /// goes to +∞).
    static func truncateTails(
        _ probabilities: [Double], _ tailMassTruncation: Double
    )
        -> (offset: Int, probabilities: [Double], rightMass: Double)
    {
        if tailMassTruncation == 0 { return (0, probabilities, 0) }
        let threshold = tailMassTruncation / 2
        func prefixToTruncate<C: Collection<Double>>(_ values: C) -> Int {
            var sum = 0.0
            for (index, value) in values.enumerated() {
                sum += value
                if sum > threshold { return index }
            }
            return values.count
        }
        let leftIndex = prefixToTruncate(probabilities)
        var rightIndex = probabilities.count - prefixToTruncate(probabilities.reversed())
        rightIndex = max(rightIndex, leftIndex + 1)
        let leftMass = probabilities[..<leftIndex].reduce(0, +)
        let rightMass = rightIndex < probabilities.count ? probabilities[rightIndex...].reduce(0, +) : 0
        var truncated = Array(probabilities[leftIndex..<min(rightIndex, probabilities.count)])
        if truncated.isEmpty { truncated = [0] }
        truncated[0] += leftMass
        return (leftIndex, truncated, rightMass)
    }

    /// dp-accounting's `compute_self_convolve_bounds`: the index window within `[0, fullUpperBound]` outside
    /// which the `times`-fold convolution of `probabilities` has at most `tailMassTruncation` mass, from Chernoff
    /// bounds at the orders ±1…±20 divided by the length.
    static func selfConvolutionBounds(
        _ probabilities: [Double], times: Int, fullUpperBound: Int, tailMassTruncation: Double
    ) -> (lower: Int, upper: Int) {
        var upperBound = fullUpperBound
        var lowerBound = 0
        if tailMassTruncation == 0 { return (lowerBound, upperBound) }
        guard let first = probabilities.firstIndex(where: { $0 != 0 }),
            let last = probabilities.lastIndex(where: { $0 != 0 })
        else { return (lowerBound, upperBound) }
        let length = Double(probabilities.count)
        let orders = (-20..<0).map { Double($0) / length } + (1..<21).map { Double($0) / length }
        let logTwoOverTail = log(2 / tailMassTruncation)
        probabilities.withUnsafeBufferPointer { p in
            for order in orders {
                // log Σ_i p_i e^{i·order}, shifted by its largest exponent (SciPy's logsumexp with weights b = p).
                let maximum = Double(order > 0 ? last : first) * order
                var sum = 0.0
                for i in first...last where p[i] != 0 { sum += p[i] * exp(Double(i) * order - maximum) }
                let logMGF = log(sum) + maximum
                let bound = (Double(times) * logMGF + logTwoOverTail) / order
                guard bound.isFinite else { continue }
                if order > 0 {
                    let rounded = bound.rounded(.up)
                    if rounded < Double(upperBound) { upperBound = max(Int(max(rounded, 0)), 0) }
                } else {
                    let rounded = bound.rounded(.down)
                    if rounded > Double(lowerBound) { lowerBound = Int(min(rounded, Double(fullUpperBound))) }
                }
            }
        }
        return (lowerBound, upperBound)
    }

    // MARK: Queries

    /// The ε-hockey-stick divergence: `infinityMass + Σ_{loss > ε} (1 − e^{ε − loss}) p(loss)`
    /// (`_get_delta_for_epsilon`).
    func delta(epsilon: Double) -> Double {
        var sum = 0.0
        for (i, p) in probabilities.enumerated() {
            let loss = Double(lowerLoss + i) * discretization
            if loss > epsilon { sum += -expm1(epsilon - loss) * p }
        }
        return infinityMass + sum
    }

    /// The smallest ε ≥ 0 whose hockey-stick divergence is at most `delta`, `+∞` if the mass at +∞ exceeds it
    /// (`_get_epsilon_for_delta`, scanning losses from the largest down). Dense PMFs step the loss down by
    /// repeated subtraction of the interval, as dp-accounting's `itertools.count` does.
    func epsilon(delta: Double) -> Double {
        if infinityMass > delta { return .infinity }
        var massUpper = infinityMass
        var massLower = 0.0
        var denseLoss = Double(lowerLoss + size - 1) * discretization
        for index in stride(from: size - 1, through: 0, by: -1) {
            let loss = isSparse ? Double(lowerLoss + index) * discretization : denseLoss
            denseLoss += -discretization
            let p = probabilities[index]
            if massUpper > delta, massLower > 0, log((massUpper - delta) / massLower) >= loss { break }
            massUpper += p
            massLower += exp(-loss) * p
            if massUpper >= delta, massLower == 0 { return max(0, loss) }
        }
        if massUpper <= massLower + delta { return 0 }
        return log((massUpper - delta) / massLower)
    }
}
