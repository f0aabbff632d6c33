import Foundation

/// Maps a classifier's margin f to a calibrated probability P(attack | f) = 1 / (1 + exp(a·f + b)) (Platt,
/// "Probabilistic Outputs for Support Vector Machines", 1999), with a and b fitted on held-out margins.
///
/// A regularized, class-weighted model's σ(margin) is not a frequency — class balancing alone shifts it towards ½ for
/// the rare class — and an operator's threshold or a policy that combines scores needs one. The sign convention is
/// Platt's, so a useful fit has a < 0.
public struct PlattCalibration: Codable, Hashable, Sendable {
    public var a: Double
    public var b: Double

    public init(a: Double, b: Double) {
        self.a = a
        self.b = b
    }

    /// a = −1, b = 0: the plain logistic function of the margin (what an uncalibrated model reports).
    public static let identity = PlattCalibration(a: -1, b: 0)

    /// The calibrated probability of an attack for a margin.
    public func probability(margin: Double) -> Double { LogisticRegression.sigmoid(-(a * margin + b)) }

    /// Fits a and b by Newton's method with backtracking line search, as in Lin, Lin & Weng, "A Note on Platt's
    /// Probabilistic Outputs for Support Vector Machines" (Machine Learning 68, 2007), which fixes the numerical
    /// problems of Platt's original pseudo-code. The targets are Platt's smoothed ones, (N₊ + 1)/(N₊ + 2) for attacks
    /// and 1/(N₋ + 2) for benign texts, which keep a small validation set from producing probabilities of exactly 0 or
    /// 1.
    public static func fit(margins: [Double], labels: [Bool]) throws(ClassifierError) -> PlattCalibration {
        guard margins.count == labels.count else {
            throw ClassifierError("calibration: \(margins.count) margins but \(labels.count) labels")
        }
        if let index = margins.firstIndex(where: { !$0.isFinite }) {
            throw ClassifierError("calibration: margin \(index) is not finite")
        }
        let positives = labels.count { $0 }
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else {
            throw ClassifierError(
                "calibration: the validation set needs both classes, got \(positives) attacks and \(negatives) benign")
        }
        let high = (Double(positives) + 1) / (Double(positives) + 2)
        let low = 1 / (Double(negatives) + 2)
        let targets = labels.map { $0 ? high : low }

        func objective(_ a: Double, _ b: Double) -> Double {
            var value = 0.0
            for (margin, target) in zip(margins, targets) {
                let z = margin * a + b
                value += z >= 0 ? target * z + log1p(exp(-z)) : (target - 1) * z + log1p(exp(z))
            }
            return value
        }

        var a = 0.0
        var b = log((Double(negatives) + 1) / (Double(positives) + 1))
        var value = objective(a, b)
        for _ in 0..<100 {
            // Gradient and Hessian (plus a small ridge that keeps it invertible).
            var h11 = 1e-12, h22 = 1e-12, h21 = 0.0, g1 = 0.0, g2 = 0.0
            for (margin, target) in zip(margins, targets) {
                let z = margin * a + b
                let p = z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z))
                let d2 = p * (1 - p)
                h11 += margin * margin * d2
                h22 += d2
                h21 += margin * d2
                let d1 = target - p
                g1 += margin * d1
                g2 += d1
            }
            if abs(g1) < 1e-5 && abs(g2) < 1e-5 { break }
            let determinant = h11 * h22 - h21 * h21
            let da = -(h22 * g1 - h21 * g2) / determinant
            let db = -(-h21 * g1 + h11 * g2) / determinant
            let descent = g1 * da + g2 * db
            var stepSize = 1.0
            while stepSize >= 1e-10 {
                let newA = a + stepSize * da, newB = b + stepSize * db
                let newValue = objective(newA, newB)
                if newValue < value + 1e-4 * stepSize * descent {
                    (a, b, value) = (newA, newB, newValue)
                    break
                }
                stepSize /= 2
            }
            if stepSize < 1e-10 { break }  // No descent left: as good as the line search can do.
        }
        return PlattCalibration(a: a, b: b)
    }
}
