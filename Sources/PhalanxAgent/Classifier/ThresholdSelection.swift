/// Picks the decision threshold an operator would: the best F1 among thresholds whose false positive rate on the
/// validation set stays within a bound. A blocked benign prompt costs a user; the bound caps that cost, and F1 then
/// trades missed attacks against further false alarms.
public enum ThresholdSelection {
    /// The threshold (on the scale of `scores`, flagging `score >= threshold`) with the highest F1 among those with a
    /// false positive rate ≤ `maximumFalsePositiveRate`, and its metrics.
    ///
    /// Candidates are the distinct scores, plus one just above the highest score (flag nothing), which always meets
    /// the bound. Ties in F1 go to the higher threshold (fewer flags). The threshold returned sits midway between the
    /// lowest flagged score and the next score below it — the same decisions on the validation set, with the margin
    /// split evenly, so a slightly weaker attack than any seen (or a slightly stronger benign text) is not decided by
    /// where the validation set happened to end. One sorted sweep, O(n log n).
    public static func select(
        scores: [Double], labels: [Bool], maximumFalsePositiveRate: Double
    ) throws(ClassifierError) -> ClassificationMetrics {
        guard scores.count == labels.count else {
            throw ClassifierError("threshold selection: \(scores.count) scores but \(labels.count) labels")
        }
        guard (0...1).contains(maximumFalsePositiveRate) else {
            throw ClassifierError(
                "threshold selection: the false positive bound must be within 0…1, got \(maximumFalsePositiveRate)")
        }
        if let index = scores.firstIndex(where: { !$0.isFinite }) {
            throw ClassifierError("threshold selection: score \(index) is not finite")
        }
        let positives = labels.count { $0 }
        let negatives = labels.count - positives
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var best = (threshold: (scores.max() ?? 0).nextUp, f1: 0.0, next: Double?.none)
        var truePositives = 0, falsePositives = 0
        var start = 0
        while start < order.count {
            // Lower the threshold to the next distinct score: everything tied with it is flagged together.
            let threshold = scores[order[start]]
            var end = start
            while end < order.count && scores[order[end]] == threshold {
                if labels[order[end]] { truePositives += 1 } else { falsePositives += 1 }
                end += 1
            }
            start = end
            let rate = negatives == 0 ? 0 : Double(falsePositives) / Double(negatives)
            guard rate <= maximumFalsePositiveRate else { break }  // Only grows as the threshold falls.
            let f1 =
                Double(2 * truePositives) / Double(2 * truePositives + falsePositives + (positives - truePositives))
            if f1 > best.f1 { best = (threshold, f1, end < order.count ? scores[order[end]] : nil) }
        }
        // Midway to the next score below: flags exactly the same validation examples.
        let threshold = best.next.map { best.threshold / 2 + $0 / 2 } ?? best.threshold
        return ClassificationMetrics(
            scores: scores, labels: labels,
            threshold: threshold > (best.next ?? -.infinity) ? threshold : best.threshold)
    }
}
