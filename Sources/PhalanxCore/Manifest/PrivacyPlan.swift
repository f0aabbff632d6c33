/// The differential-privacy plan of a job, fixed at admission and pinned by the manifest hash: which noise the
/// execution provider adds to every released sum, what it protects, and the privacy loss it costs.
///
/// The protected unit is one node's whole contribution to one round (its clipped vector): two runs that differ in
/// everything one organization contributed to a round are hard to tell apart from the released sums. Both the
/// budget ledger (which reserves ``epsilonTotal`` at admission) and the nodes' own telemetry rely on it; admission
/// recomputes it with the provider's accountant and refuses a plan that under-reports its cost.
public struct PrivacyPlan: Hashable, Sendable, Codable {
    /// `discrete-gaussian` or `discrete-laplace`.
    public var mechanism: String
    /// Standard deviation σ (Gaussian) or scale b (Laplace) of the noise on every component of the sum. For
    /// distributed noise, the noise that ``minimumContributors`` shares add up to (each node adds σ²/m of the
    /// variance).
    public var noise: Double
    /// The L2 sensitivity of the summed vector to one node (Gaussian), from the clip that feeds the sum.
    public var sensitivity: Double
    /// The L1 sensitivity of the summed vector to one node (Laplace, and the distributed Gaussian's correction).
    public var l1Sensitivity: Double
    /// The number of components of the summed vector.
    public var dimension: Int
    public var delta: Double
    /// ε of one release (one round), by the accountant.
    public var epsilonPerRound: Double
    /// ε of all rounds composed, by the accountant: what the budget ledger reserves.
    public var epsilonTotal: Double
    /// `rdp` (Gaussian: Rényi DP converted at ``delta``) or `pure` (Laplace: ε adds up exactly, δ = 0).
    public var accountant: String
    /// Whether nodes add the noise in shares before secure aggregation (no party sees an un-noised sum).
    public var distributed: Bool
    /// For distributed noise: the fewest honest contributors the noise is calibrated for (each adds 1/m of the
    /// variance); nodes refuse to unmask a sum with fewer survivors. 1 for central noise.
    public var minimumContributors: Int

    public init(
        mechanism: String, noise: Double, sensitivity: Double, l1Sensitivity: Double, dimension: Int, delta: Double,
        epsilonPerRound: Double, epsilonTotal: Double, accountant: String, distributed: Bool, minimumContributors: Int
    ) {
        self.mechanism = mechanism
        self.noise = noise
        self.sensitivity = sensitivity
        self.l1Sensitivity = l1Sensitivity
        self.dimension = dimension
        self.delta = delta
        self.epsilonPerRound = epsilonPerRound
        self.epsilonTotal = epsilonTotal
        self.accountant = accountant
        self.distributed = distributed
        self.minimumContributors = minimumContributors
    }
}
