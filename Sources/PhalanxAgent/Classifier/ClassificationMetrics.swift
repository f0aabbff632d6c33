/// The four outcomes of a binary decision over a labelled set, attacks being the positive class.
public struct ConfusionCounts: Codable, Hashable, Sendable {
    public var truePositives: Int
    public var falsePositives: Int
    public var trueNegatives: Int
    public var falseNegatives: Int

    public init(truePositives: Int, falsePositives: Int, trueNegatives: Int, falseNegatives: Int) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// Counts the decisions `score >= threshold` against `labels` (true = attack).
    public init(scores: [Double], labels: [Bool], threshold: Double) {
        precondition(scores.count == labels.count, "\(scores.count) scores but \(labels.count) labels")
        self.init(truePositives: 0, falsePositives: 0, trueNegatives: 0, falseNegatives: 0)
        for (score, label) in zip(scores, labels) {
            switch (score >= threshold, label) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, false): trueNegatives += 1
            case (false, true): falseNegatives += 1
            }
        }
    }

    public var positives: Int { truePositives + falseNegatives }
    public var negatives: Int { trueNegatives + falsePositives }
    public var total: Int { positives + negatives }

    // A ratio with an empty denominator is 0 (as scikit-learn's `zero_division=0`): no flagged texts means no precision
    // to speak of, and a selection that maximizes F1 must not prefer flagging nothing.
    private static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    /// Of the texts flagged, the share that are attacks.
    public var precision: Double { Self.ratio(truePositives, truePositives + falsePositives) }
    /// Of the attacks, the share flagged (the true positive rate).
    public var recall: Double { Self.ratio(truePositives, positives) }
    /// Harmonic mean of precision and recall: 2TP / (2TP + FP + FN).
    public var f1: Double { Self.ratio(2 * truePositives, 2 * truePositives + falsePositives + falseNegatives) }
    /// Of the benign texts, the share flagged — what an operator sees as needless blocks.
    public var falsePositiveRate: Double { Self.ratio(falsePositives, negatives) }
    public var accuracy: Double { Self.ratio(truePositives + trueNegatives, total) }
}

/// A classifier's quality on a labelled set at one decision threshold, plus the threshold-free ROC AUC.
public struct ClassificationMetrics: Codable, Hashable, Sendable {
    /// Scores at or above this are flagged as attacks.
    public let threshold: Double
    public let counts: ConfusionCounts
    public let precision: Double
    public let recall: Double
    public let f1: Double
    public let falsePositiveRate: Double
    public let accuracy: Double
    /// The area under the ROC curve; `nil` when the set lacks one of the classes.
    public let rocAUC: Double?

    public init(scores: [Double], labels: [Bool], threshold: Double) {
        let counts = ConfusionCounts(scores: scores, labels: labels, threshold: threshold)
        self.threshold = threshold
        self.counts = counts
        precision = counts.precision
        recall = counts.recall
        f1 = counts.f1
        falsePositiveRate = counts.falsePositiveRate
        accuracy = counts.accuracy
        rocAUC = Self.rocAUC(scores: scores, labels: labels)
    }

    /// The exact ROC AUC: the probability that a random attack scores above a random benign text, ties counting ½
    /// — the Mann–Whitney U statistic over N₊·N₋ computed from midranks (Hanley & McNeil, Radiology 143, 1982), in
    /// O(n log n). `nil` when either class is absent.
    public static func rocAUC(scores: [Double], labels: [Bool]) -> Double? {
        precondition(scores.count == labels.count, "\(scores.count) scores but \(labels.count) labels")
        let positives = labels.count { $0 }
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var positiveRankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && scores[order[end]] == scores[order[start]] { end += 1 }
            // Ranks start..<end (1-based start+1 … end) share their mean.
            let midrank = Double(start + 1 + end) / 2
            for position in start..<end where labels[order[position]] { positiveRankSum += midrank }
            start = end
        }
        let u = positiveRankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }
}
