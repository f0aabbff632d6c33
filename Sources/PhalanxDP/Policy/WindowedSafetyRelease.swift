/// Releases safety-event counts window by window and dimension by dimension under an ``AdaptiveBudgetPolicy``,
/// each through a ``ThresholdedRelease``, and keeps the running total of ε spent.
///
/// **What is protected.** A record is one safety event (one request a local safety agent flagged). One event
/// falls into one window and one dimension and changes that one count by 1, so each count has sensitivity `Δ = 1`
/// and the whole run is ε-differentially private at the **event level**: an observer of everything released
/// learns little about whether any single event happened. The ε to quote is the policy's `total` in adaptive mode
/// (the spend there depends on released values; the pre-fixed total bounds every run, and a run's realized
/// privacy loss is at most its `spent`) and `spent` itself in the even modes, whose allocations never depend on the
/// data. It is *not* user-level or organization-level privacy: a user (or a node) behind `k` events is protected
/// only with `k · ε`, and a burst of events from one source is what the counts are meant to show. The threshold,
/// the policy and its parameters are public.
///
/// **Why the total holds.** Each window's ε comes from the policy, which never allocates more than remains minus
/// what later windows are promised, and is split exactly between the dimensions (their ε add up to the window's:
/// sequential composition, each event being in one count). The policy's only data-dependent input is the sum of
/// the previous window's *released* values, computed here from published outputs (a suppressed value counts as
/// zero), so choosing the next ε is post-processing. The charge for a dimension is its whole allocation,
/// gate included, whether its value is released or suppressed.
///
/// With a ``ThresholdedRelease/Gate/separate(epsilon:)`` gate, each dimension's allocation is divided into the
/// gate's fixed ε and the value's ε (the rest), so the gate ε must be below the smallest allocation a dimension can
/// get (``smallestDimensionEpsilon``).
public struct WindowedSafetyRelease: Sendable {
    /// The release of one dimension in one window.
    public struct DimensionRelease: Hashable, Sendable {
        /// The dimension's name.
        public let name: String
        /// The outcome and its ε.
        public let result: ThresholdedRelease.Result

        /// Released or suppressed.
        public var outcome: ThresholdedRelease.Outcome { result.outcome }
        /// The ε charged for this dimension in this window (gate included).
        public var epsilon: EpsilonAmount { result.epsilon }
    }

    /// Everything released for one window.
    public struct Window: Hashable, Sendable {
        /// The window's index, from 0.
        public let index: Int
        /// The ε the window cost: the sum of its dimensions' ε.
        public let epsilon: EpsilonAmount
        /// One release per dimension, in the policy's order.
        public let dimensions: [DimensionRelease]
        /// The ε spent by this window and all before it.
        public let spent: EpsilonAmount

        /// The window's released incident rate: the sum of its released values, a suppressed value counting as
        /// zero. Computed from published outputs only; this is what the adaptive policy reads.
        public var releasedRate: Double {
            dimensions.reduce(0) { $0 + Double($1.outcome.value ?? 0) }
        }
    }

    /// The budget policy.
    public let policy: AdaptiveBudgetPolicy
    /// The public threshold a noisy count must reach to be published.
    public let threshold: Double
    /// The gate of every release.
    public let gate: ThresholdedRelease.Gate
    /// The separate gate's ε in micro-ε, or `nil` for a post-processing gate.
    private let gateEpsilon: EpsilonAmount?
    /// The windows released so far.
    public private(set) var windows: [Window] = []

    /// Creates a releaser that has released nothing yet.
    ///
    /// - Throws: ``DPError`` with code ``DPError/Code-swift.struct/invalidParameter`` naming `threshold` (not
    ///   finite) or `gateEpsilon` (not a finite number of at least 10⁻⁶, or not below
    ///   ``smallestDimensionEpsilon``).
    public init(
        policy: AdaptiveBudgetPolicy, threshold: Double, gate: ThresholdedRelease.Gate = .postProcessing
    )
        throws(DPError)
    {
        guard threshold.isFinite else {
            throw DPError.invalid("threshold", "must be a finite number, got \(threshold)")
        }
        self.policy = policy
        self.threshold = threshold
        self.gate = gate
        if case .separate(let epsilon) = gate {
            let amount = try EpsilonAmount.roundingDown(epsilon, "gateEpsilon", positive: true)
            let smallest = policy.smallestDimensionEpsilon
            guard amount < smallest else {
                throw DPError.invalid(
                    "gateEpsilon",
                    "must be below the smallest ε a dimension gets in a window (\(smallest)) so that the value keeps "
                        + "some, got \(epsilon)")
            }
            gateEpsilon = amount
        } else {
            gateEpsilon = nil
        }
    }

    /// The smallest ε any dimension gets in any window under ``policy``; a separate gate's ε must be below it.
    public var smallestDimensionEpsilon: EpsilonAmount { policy.smallestDimensionEpsilon }

    /// The ε spent so far.
    public var spent: EpsilonAmount { windows.last?.spent ?? .zero }

    /// The ε the policy has not spent (and, in high-privacy and adaptive modes, may never spend).
    public var remaining: EpsilonAmount { policy.total.subtractingClamped(spent) }

    /// Whether all of the policy's windows have been released.
    public var isFinished: Bool { windows.count == policy.windows }

    /// Releases the next window's counts, one per dimension in the policy's order.
    ///
    /// - Parameters:
    ///   - counts: the true per-dimension event counts of the window (each ≥ 0; one event changes one count by 1).
    ///   - source: the randomness for the noise: ``SecureRandom`` for a real release.
    /// - Returns: the window's releases, its ε and the running total.
    /// - Throws: ``DPError`` naming `counts` (wrong number or a negative count) or `window` (all windows have been
    ///   released); nothing is drawn or spent then.
    public mutating func release(
        counts: [Int64], using source: inout some RandomBitSource & ~Copyable
    ) throws(DPError) -> Window {
        let index = windows.count
        guard index < policy.windows else {
            throw DPError.invalid(
                "window", "is past the policy's \(policy.windows) windows; nothing is left to release")
        }
        guard counts.count == policy.dimensions.count else {
            throw DPError.invalid(
                "counts", "must hold one count per dimension (\(policy.dimensions.count)), got \(counts.count)")
        }
        guard counts.allSatisfy({ $0 >= 0 }) else { throw DPError.invalid("counts", "must all be ≥ 0") }

        let windowEpsilon = try policy.epsilon(
            forWindow: index, spent: spent, previousReleasedRate: windows.last?.releasedRate)
        let shares = policy.split(windowEpsilon)
        // Build every mechanism before drawing any noise, so an error leaves nothing half-released.
        var mechanisms: [ThresholdedRelease] = []
        for share in shares {
            let valueEpsilon = share.subtractingClamped(gateEpsilon ?? .zero)
            mechanisms.append(
                try ThresholdedRelease(
                    threshold: threshold, valueEpsilon: valueEpsilon, gateEpsilon: gateEpsilon, sensitivity: 1))
        }
        var releases: [DimensionRelease] = []
        var total = EpsilonAmount.zero
        for (dimension, (mechanism, count)) in zip(policy.dimensions, zip(mechanisms, counts)) {
            let result = try mechanism.release(count, using: &source)
            releases.append(DimensionRelease(name: dimension.name, result: result))
            total = total + result.epsilon
        }
        precondition(total == windowEpsilon, "internal: the dimensions' ε must add up to the window's")
        let window = Window(index: index, epsilon: total, dimensions: releases, spent: spent + total)
        precondition(window.spent <= policy.total, "internal: the policy allocated beyond its total")
        windows.append(window)
        return window
    }
}
