#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// k-ary randomized response (Warner 1965; the k-RR mechanism of Kairouz, Oh and Viswanath, "Extremal Mechanisms
/// for Local Differential Privacy", NeurIPS 2014): each participant reports its true category with probability
/// `e^ε / (e^ε + k − 1)` and otherwise a uniformly random *other* category, which is `ε`-locally differentially
/// private.
///
/// The report is sampled exactly, with no floating point, by a two-coin rejection loop (Gonçalves, Łatuszyński and
/// Roberts 2017): draw `u` uniform in `0..<k`; if `u = 0` report the truth; otherwise, with probability `exp(−ε)`
/// (``Bernoulli/sample(expMinus:using:)``), report the `u`-th other category; otherwise start again. A round reports
/// the truth with weight `1/k` and some other category with weight `(k − 1)e^{−ε}/k`, so the truth wins with
/// probability exactly `1 / (1 + (k − 1)e^{−ε}) = e^ε / (e^ε + k − 1)`, and the other category is uniform. The
/// expected number of rounds is `k / (1 + (k − 1)e^{−ε})`, at most `min(k, 2e^ε)`.
///
/// The frequency estimator is post-processing of the reports and uses `Double`.
public struct RandomizedResponse: Hashable, Sendable {
    /// The number of categories `k ≥ 2`; categories are `0 ..< categoryCount`.
    public let categoryCount: Int
    /// The local privacy parameter `ε > 0`.
    public let epsilon: Rational

    /// Creates the mechanism for `categoryCount` categories and privacy parameter `epsilon`.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidParameter`` if `categoryCount < 2` or `epsilon` is zero.
    public init(categoryCount: Int, epsilon: Rational) throws(SamplerError) {
        guard categoryCount >= 2 else {
            throw SamplerError(
                .invalidParameter, "randomized response needs at least 2 categories (got \(categoryCount))")
        }
        guard !epsilon.isZero else {
            throw SamplerError(.invalidParameter, "randomized response needs ε > 0 (got 0)")
        }
        self.categoryCount = categoryCount
        self.epsilon = epsilon
    }

    /// The probability of reporting the true category, `e^ε / (e^ε + k − 1)`, as a `Double` (for analysis only).
    public var truthProbability: Double {
        1 / (1 + Double(categoryCount - 1) * exp(-epsilon.doubleValue))
    }

    /// The probability of reporting one particular other category, `1 / (e^ε + k − 1)`, as a `Double`.
    public var otherProbability: Double {
        (1 - truthProbability) / Double(categoryCount - 1)
    }

    /// Returns the randomized report for the true category `value`.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidInput`` if `value` is not in `0 ..< categoryCount`.
    public func respond(to value: Int, using source: inout some RandomBitSource & ~Copyable) throws(SamplerError) -> Int
    {
        guard (0..<categoryCount).contains(value) else {
            throw SamplerError(.invalidInput, "category \(value) is not in 0..<\(categoryCount)")
        }
        let count = UInt64(categoryCount)
        while true {
            let u = source.uniform(below: count)
            if u == 0 { return value }
            if Bernoulli.sample(expMinus: epsilon, using: &source) {
                // u is uniform in 1 ..< k; map it onto the k − 1 categories other than `value`.
                let other = Int(u - 1)
                return other < value ? other : other + 1
            }
        }
    }

    /// Unbiased estimates of the category frequencies from the number of reports of each category.
    ///
    /// With `n` reports and `c_j` of them naming category `j`, `E[c_j] = n_j·p + (n − n_j)·q` for
    /// `p = ``truthProbability``` and `q = ``otherProbability```, so `(c_j/n − q) / (p − q)` is an unbiased
    /// estimate of the true frequency `n_j / n`. Estimates sum to one and may be negative or above one.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidInput`` if `counts` does not have one non-negative entry
    ///   per category or all entries are zero.
    public func estimateFrequencies(counts: [Int]) throws(SamplerError) -> [Double] {
        guard counts.count == categoryCount, counts.allSatisfy({ $0 >= 0 }) else {
            throw SamplerError(
                .invalidInput, "expected \(categoryCount) non-negative report counts, got \(counts.count) entries")
        }
        let total = counts.reduce(0.0) { $0 + Double($1) }
        guard total > 0 else { throw SamplerError(.invalidInput, "there are no reports to estimate from") }
        // (c/n − q)/(p − q) = ((e^ε + k − 1)·c/n − 1) / (e^ε − 1).
        let e = epsilon.doubleValue
        let normaliser = exp(e) + Double(categoryCount - 1)
        let gap = expm1(e)
        return counts.map { (normaliser * Double($0) / total - 1) / gap }
    }

    /// Unbiased estimates of the category frequencies from the reports themselves.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidInput`` if a report is not in `0 ..< categoryCount` or
    ///   there are none.
    public func estimateFrequencies(reports: some Sequence<Int>) throws(SamplerError) -> [Double] {
        var counts = [Int](repeating: 0, count: categoryCount)
        for report in reports {
            guard (0..<categoryCount).contains(report) else {
                throw SamplerError(.invalidInput, "report \(report) is not in 0..<\(categoryCount)")
            }
            counts[report] += 1
        }
        return try estimateFrequencies(counts: counts)
    }
}
