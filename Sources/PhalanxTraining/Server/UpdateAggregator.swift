/// How the server combines the round's updates into one step (before its optimizer applies it).
///
/// Robust rules need every update on its own; secure aggregation reveals only their sum, so a plan that pairs
/// them is refused (``TrainingPlan/validate()``).
public enum UpdateAggregator: Hashable, Sendable, Codable {
    /// FedAvg's mean, weighted by each organization's examples (McMahan et al., AISTATS 2017).
    case weightedMean
    /// Each organization counts once: what secure aggregation with differential privacy computes (DP-FedAvg with
    /// fixed weights, McMahan et al., ICLR 2018), since a weight would change a node's sensitivity.
    case uniformMean
    /// The coordinate-wise median (Yin et al., ICML 2018): robust to fewer than half the updates being arbitrary.
    case coordinateMedian
    /// The coordinate-wise mean after dropping the ⌊βn⌋ largest and smallest values of each coordinate (Yin et al.).
    case trimmedMean(beta: Double)
    /// Multi-Krum (Blanchard et al., NeurIPS 2017): score each update by its squared distances to its n − f − 2
    /// nearest others, and average the m best-scored; tolerates f Byzantine organizations when n > 2f + 2.
    case multiKrum(byzantine: Int, selected: Int)

    public var name: String {
        switch self {
        case .weightedMean: "weighted mean"
        case .uniformMean: "uniform mean"
        case .coordinateMedian: "coordinate-wise median"
        case .trimmedMean(let beta): "trimmed mean (β = \(beta))"
        case .multiKrum(let f, let m): "Multi-Krum (f = \(f), m = \(m))"
        }
    }

    /// Whether the rule reads individual updates (and so cannot run under secure aggregation).
    public var needsIndividualUpdates: Bool {
        switch self {
        case .weightedMean, .uniformMean: false
        case .coordinateMedian, .trimmedMean, .multiKrum: true
        }
    }

    /// Why the rule cannot combine `organizations` updates, or `nil` when it can.
    public func problem(organizations n: Int) -> String? {
        switch self {
        case .weightedMean, .uniformMean, .coordinateMedian:
            return n >= 1 ? nil : "needs at least one organization"
        case .trimmedMean(let beta):
            guard beta.isFinite, beta >= 0, beta < 0.5 else { return "β must be in [0, 0.5), got \(beta)" }
            let trimmed = Int((beta * Double(n)).rounded(.down))
            return 2 * trimmed < n ? nil : "trimming \(trimmed) from each end leaves nothing of \(n) updates"
        case .multiKrum(let f, let m):
            guard f >= 0 else { return "f must be ≥ 0, got \(f)" }
            guard n > 2 * f + 2 else {
                return "Multi-Krum with f = \(f) needs more than \(2 * f + 2) organizations, got \(n)"
            }
            return (1...(n - f)).contains(m) ? nil : "m must be within 1…\(n - f) (n − f), got \(m)"
        }
    }

    /// What the rule produces from the updates, and which organizations it used (Multi-Krum leaves some out).
    public func aggregate(_ updates: [ModelUpdate]) throws -> (step: [Double], used: [String]) {
        if let problem = problem(organizations: updates.count) { throw TrainingPlanError("\(name): \(problem)") }
        let deltas = updates.map(\.delta)
        let everyone = updates.map(\.organization)
        switch self {
        case .weightedMean:
            let weights = updates.map { Double($0.examples) }
            return (
                VectorMath.weightedMean(
                    deltas, weights: weights.allSatisfy { $0 == 0 } ? weights.map { _ in 1 } : weights), everyone
            )
        case .uniformMean:
            return (VectorMath.weightedMean(deltas, weights: deltas.map { _ in 1 }), everyone)
        case .coordinateMedian:
            return (
                coordinatewise(deltas) { sorted in
                    let n = sorted.count
                    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
                }, everyone
            )
        case .trimmedMean(let beta):
            let trimmed = Int((beta * Double(deltas.count)).rounded(.down))
            return (
                coordinatewise(deltas) { sorted in
                    let kept = sorted[trimmed..<(sorted.count - trimmed)]
                    return kept.reduce(0, +) / Double(kept.count)
                }, everyone
            )
        case .multiKrum(let f, let m):
            let n = deltas.count
            var distances = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for i in 0..<n {
                for j in (i + 1)..<n {
                    let d = VectorMath.squaredDistance(deltas[i], deltas[j])
                    distances[i][j] = d
                    distances[j][i] = d
                }
            }
            let neighbours = n - f - 2
            let scores = (0..<n).map { i in
                (0..<n).filter { $0 != i }.map { distances[i][$0] }.sorted().prefix(neighbours).reduce(0, +)
            }
            let chosen = (0..<n).sorted { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 < $1 }.prefix(m)
            let selected = chosen.sorted()
            return (
                VectorMath.weightedMean(selected.map { deltas[$0] }, weights: selected.map { _ in 1 }),
                selected.map { everyone[$0] }
            )
        }
    }

    /// Applies `statistic` to the sorted values of each coordinate.
    private func coordinatewise(_ deltas: [[Double]], _ statistic: ([Double]) -> Double) -> [Double] {
        let dimension = deltas[0].count
        var column = [Double](repeating: 0, count: deltas.count)
        return (0..<dimension).map { i in
            for (k, delta) in deltas.enumerated() { column[k] = delta[i] }
            column.sort()
            return statistic(column)
        }
    }
}
