/// Releases a count with discrete Laplace noise only if it clears a threshold, with the threshold decision's own
/// privacy accounted: TraceFed's "thresholded release" (the TraceFed paper, §4: the policy server "can only learn
/// aggregate statistics above a threshold").
///
/// A threshold on the *true* count is not private: whether a value was published would tell an observer on which
/// side of the threshold the count lies, and one event can move it across. The decision must be made on noisy
/// data, by one of two gates:
///
/// - ``Gate/postProcessing``: the gate reads the same noisy value that would be published. Publishing
///   `noisy` if `noisy ≥ threshold`, else "suppressed", is a function of the ε-DP value `noisy`, so it is ε-DP too
///   (post-processing; Dwork and Roth, Prop. 2.1): the gate costs nothing. The published values are biased
///   upwards (they are the noisy values that happened to clear the threshold).
/// - ``Gate/separate(epsilon:)``: an independent noisy count with its own `ε_g` decides, then the value is released
///   with fresh noise of the value's `ε_v`. By sequential composition the release is `(ε_g + ε_v)`-DP, and that is
///   what is charged **whether or not the value is suppressed**: the charge is fixed before the outcome is known
///   and nothing unused is carried over. (After a suppression only the gate's `ε_g` has leaked; refunding `ε_v`
///   then would be sound under fully adaptive composition, since the suppression is public, but it would make the
///   accounting depend on outcomes, and this type keeps it fixed.) The gate's noisy count is never published. A
///   released value is unbiased given that it was released, because its noise is independent of the decision;
///   this is also the shape a deployment needs when the gate is evaluated inside secure aggregation, apart from
///   the value.
///
/// A count is released when `noisy ≥ threshold` (`threshold` is public, and so is the fact that a value was
/// suppressed). The sensitivity `Δ` is how much one protected record can change the count: 1 when a record is one
/// event.
///
/// Noise scales are exact rationals `Δ · 10⁶ / micros`: a `Double` ε is rounded down to whole micro-ε (the scale
/// up), and the accounted ε is the one the scale achieves, `Δ / scale` (see ``EpsilonAmount``).
public struct ThresholdedRelease: Hashable, Sendable {
    /// What decides whether the value is published.
    public enum Gate: Hashable, Sendable {
        /// The published noisy value itself is compared with the threshold; costs no extra ε.
        case postProcessing
        /// An independent noisy count with this ε is compared with the threshold; costs this ε on top of the
        /// value's.
        case separate(epsilon: Double)
    }

    /// Whether the value was published.
    public enum Outcome: Hashable, Sendable {
        /// The noisy count, published.
        case released(Int64)
        /// Nothing but the fact that the noisy count did not clear the threshold.
        case suppressed

        /// The published value, or `nil` if suppressed.
        public var value: Int64? {
            if case .released(let value) = self { return value }
            return nil
        }
    }

    /// The outcome of one release and the ε it cost.
    public struct Result: Hashable, Sendable {
        /// Released or suppressed.
        public let outcome: Outcome
        /// The ε of the value's noise.
        public let valueEpsilon: EpsilonAmount
        /// The ε of the gate's noise (zero for a post-processing gate).
        public let gateEpsilon: EpsilonAmount
        /// The ε to charge for this release: `valueEpsilon + gateEpsilon`, whatever the outcome.
        public var epsilon: EpsilonAmount { valueEpsilon + gateEpsilon }
    }

    /// The public threshold.
    public let threshold: Double
    /// How much one record can change the count.
    public let sensitivity: UInt64
    /// The noise added to the published value.
    public let valueNoise: DiscreteLaplace
    /// The noise of the separate gate's count, or `nil` for a post-processing gate.
    public let gateNoise: DiscreteLaplace?
    /// The ε the value's noise achieves, `Δ / valueNoise.scale`.
    public let valueEpsilon: EpsilonAmount
    /// The ε the gate's noise achieves (zero for a post-processing gate).
    public let gateEpsilon: EpsilonAmount
    /// The smallest noisy count that is published, `⌈threshold⌉` saturated to `Int64`.
    private let smallestReleased: Int64

    /// The ε every release costs: ``valueEpsilon`` + ``gateEpsilon``.
    public var epsilon: EpsilonAmount { valueEpsilon + gateEpsilon }

    /// Creates the mechanism.
    ///
    /// - Parameters:
    ///   - threshold: a finite number; a noisy count is published when it is at least this.
    ///   - epsilon: the value's ε, finite and at least 10⁻⁶ (rounded down to whole micro-ε).
    ///   - gate: the gate; a separate gate's ε likewise.
    ///   - sensitivity: how much one record changes the count, 1 to 10⁶.
    /// - Throws: ``DPError`` with code ``DPError/Code-swift.struct/invalidParameter`` naming `threshold`,
    ///   `epsilon`, `gateEpsilon` or `sensitivity`.
    public init(threshold: Double, epsilon: Double, gate: Gate = .postProcessing, sensitivity: Int = 1) throws(DPError)
    {
        let value = try EpsilonAmount.roundingDown(epsilon, "epsilon", positive: true)
        var gateAmount: EpsilonAmount?
        if case .separate(let gateEpsilon) = gate {
            gateAmount = try EpsilonAmount.roundingDown(gateEpsilon, "gateEpsilon", positive: true)
        }
        try self.init(threshold: threshold, valueEpsilon: value, gateEpsilon: gateAmount, sensitivity: sensitivity)
    }

    /// Creates the mechanism from exact amounts; `gateEpsilon` `nil` means a post-processing gate.
    init(
        threshold: Double, valueEpsilon: EpsilonAmount, gateEpsilon: EpsilonAmount?, sensitivity: Int
    ) throws(DPError) {
        guard threshold.isFinite else {
            throw DPError.invalid("threshold", "must be a finite number, got \(threshold)")
        }
        guard (1...1_000_000).contains(sensitivity) else {
            throw DPError.invalid("sensitivity", "must be in 1...1000000, got \(sensitivity)")
        }
        guard !valueEpsilon.isZero else { throw DPError.invalid("epsilon", "must be at least 0.000001, got 0") }
        if let gateEpsilon, gateEpsilon.isZero {
            throw DPError.invalid("gateEpsilon", "must be at least 0.000001, got 0")
        }
        let delta = UInt64(sensitivity)
        (valueNoise, self.valueEpsilon) = try Self.noise(valueEpsilon, sensitivity: delta, parameter: "epsilon")
        if let gateEpsilon {
            let (noise, achieved) = try Self.noise(gateEpsilon, sensitivity: delta, parameter: "gateEpsilon")
            gateNoise = noise
            self.gateEpsilon = achieved
        } else {
            gateNoise = nil
            self.gateEpsilon = .zero
        }
        self.threshold = threshold
        self.sensitivity = delta
        let ceiling = threshold.rounded(.up)
        smallestReleased =
            ceiling <= -0x1p63 ? .min : ceiling >= 0x1p63 ? .max : Int64(ceiling)
    }

    /// The discrete Laplace noise for `epsilon` (scale `Δ·10⁶/micros`, the scale rounded up by rounding ε down) and
    /// the ε it achieves, computed back from the scale.
    private static func noise(
        _ epsilon: EpsilonAmount, sensitivity: UInt64, parameter: String
    ) throws(DPError) -> (DiscreteLaplace, EpsilonAmount) {
        guard let scale = epsilon.laplaceScale(sensitivity: sensitivity),
            let noise = try? DiscreteLaplace(scale: scale),
            let achieved = EpsilonAmount(achievedBy: scale, sensitivity: sensitivity)
        else {
            throw DPError.invalid(parameter, "gives a noise scale that cannot be represented: \(epsilon)")
        }
        return (noise, achieved)
    }

    /// Releases `count` (a non-negative true count): publishes `count + noise` if the gate lets it through.
    ///
    /// The returned ``Result/epsilon`` is what this call cost; the caller must charge it to its budget whatever the
    /// outcome.
    ///
    /// - Throws: ``DPError`` naming `count` if it is negative.
    public func release(
        _ count: Int64, using source: inout some RandomBitSource & ~Copyable
    ) throws(DPError) -> Result {
        guard count >= 0 else { throw DPError.invalid("count", "must be a count ≥ 0, got \(count)") }
        let outcome: Outcome
        if let gateNoise {
            let gate = Self.saturatingAdd(count, gateNoise.sample(using: &source))
            // The value's noise is drawn whether or not it is published, so the time a release takes does not
            // depend on the gate's decision.
            let value = Self.saturatingAdd(count, valueNoise.sample(using: &source))
            outcome = gate >= smallestReleased ? .released(value) : .suppressed
        } else {
            let value = Self.saturatingAdd(count, valueNoise.sample(using: &source))
            outcome = value >= smallestReleased ? .released(value) : .suppressed
        }
        return Result(outcome: outcome, valueEpsilon: valueEpsilon, gateEpsilon: gateEpsilon)
    }

    private static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b > 0 ? .max : .min
    }
}
