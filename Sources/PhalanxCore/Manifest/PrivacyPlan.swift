/// How a job protects its releases with differential privacy, fixed at compilation and pinned by the manifest.
///
/// The noise is calibrated so that the whole job (all rounds) satisfies (`epsilonTotal`, `delta`)-DP with
/// respect to adding or removing one node's contribution (node-level privacy: each organization's data is the
/// unit), by the named accountant. Budget ledgers reserve `epsilonTotal` per node at admission.
public struct PrivacyPlan: Hashable, Sendable, Codable {
    /// `discrete-gaussian` or `discrete-laplace`.
    public var mechanism: String
    /// Standard deviation σ (Gaussian) or scale b (Laplace) of the noise on every component of the sum.
    public var noise: Double
    /// The sensitivity of the sum to one node: the clip bound of its contribution (L2 for Gaussian, L1 for Laplace).
    public var sensitivity: Double
    public var delta: Double
    /// ε of one release (one round), by the accountant.
    public var epsilonPerRound: Double
    /// ε of all rounds composed, by the accountant: what the budget ledger reserves.
    public var epsilonTotal: Double
    /// `rdp` or `pld` (`pure` for Laplace, whose ε adds up exactly).
    public var accountant: String
    /// Whether nodes add the noise in shares before secure aggregation (no party sees an un-noised sum).
    public var distributed: Bool
    /// For distributed noise: the fewest honest contributors the noise is calibrated for (each adds 1/m of the
    /// variance), so dropped or colluding nodes beyond `nodes − m` weaken the guarantee.
    public var minimumContributors: Int

    public init(
        mechanism: String, noise: Double, sensitivity: Double, delta: Double, epsilonPerRound: Double,
        epsilonTotal: Double, accountant: String, distributed: Bool, minimumContributors: Int
    ) {
        self.mechanism = mechanism
        self.noise = noise
        self.sensitivity = sensitivity
        self.delta = delta
        self.epsilonPerRound = epsilonPerRound
        self.epsilonTotal = epsilonTotal
        self.accountant = accountant
        self.distributed = distributed
        self.minimumContributors = minimumContributors
    }
}
