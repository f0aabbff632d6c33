/// One federated training strategy, composed of independent parts as Flower's strategies are, but checked as a
/// whole before anything runs: the organizations' local steps, norm bounding, update compression, the protection of
/// the updates in transit, the aggregation rule and the server optimizer.
public struct TrainingStrategy: Hashable, Sendable, Codable {
    /// The preset it started from (`fedavg`, `fedprox`, …), for reports.
    public var name: String
    public var local: LocalTraining
    /// Norm bounding: each update is clipped to this L2 norm before it is aggregated (Sun et al., "Can You Really
    /// Backdoor Federated Learning?", 2019). Secure aggregation and DP always clip (the plug-in's `clip_l2`);
    /// `nil` there means ``defaultNormBound``.
    public var normBound: Double?
    public var compression: UpdateCompression
    public var privacy: UpdatePrivacy
    public var aggregator: UpdateAggregator
    public var server: ServerOptimizerKind

    /// The clip of runs through a provider when none is given. On the project's corpus (five organizations, two local
    /// epochs) honest updates have norms of 20–29 in the first round and fall after, so 30 leaves them whole and
    /// still bounds what a boosted update can do and what the fixed-point sum must hold. Differential privacy's noise
    /// grows with the bound: a DP run may want a tighter one (--norm-bound).
    public static let defaultNormBound = 30.0

    public static let presetNames = ["fedavg", "fedprox", "fedadam", "fedyogi", "median", "trimmed", "krum"]

    public init(
        name: String, local: LocalTraining = LocalTraining(), normBound: Double? = nil,
        compression: UpdateCompression = .none, privacy: UpdatePrivacy = .none,
        aggregator: UpdateAggregator = .weightedMean, server: ServerOptimizerKind = .fedAvg
    ) {
        self.name = name
        self.local = local
        self.normBound = normBound
        self.compression = compression
        self.privacy = privacy
        self.aggregator = aggregator
        self.server = server
    }

    /// A preset by name: `fedavg`, `fedprox` (μ = 0.001; 0.01 cost 12 points of F1 on the corpus, since a round has thousands of local steps for the pull to add up over), `fedadam`, `fedyogi`, `median` (coordinate-wise),
    /// `trimmed` (β = 0.2) and `krum` (Multi-Krum with f = ⌊(n − 3)/2⌋ capped at 1 … n/4, m = n − f).
    public static func preset(_ name: String, organizations n: Int) throws(TrainingPlanError) -> TrainingStrategy {
        switch name {
        case "fedavg": return TrainingStrategy(name: name)
        case "fedprox": return TrainingStrategy(name: name, local: LocalTraining(mu: 0.001))
        case "fedadam": return TrainingStrategy(name: name, server: .fedAdam)
        case "fedyogi": return TrainingStrategy(name: name, server: .fedYogi)
        case "median": return TrainingStrategy(name: name, aggregator: .coordinateMedian)
        case "trimmed": return TrainingStrategy(name: name, aggregator: .trimmedMean(beta: 0.2))
        case "krum":
            let f = max(0, min((n - 3) / 2, max(1, n / 4)))
            return TrainingStrategy(name: name, aggregator: .multiKrum(byzantine: f, selected: max(1, n - f)))
        default:
            throw TrainingPlanError(
                "--strategy: unknown strategy \"\(name)\"; one of \(presetNames.joined(separator: ", "))")
        }
    }

    /// The clip the run applies: the given bound, or ``defaultNormBound`` when the updates go through a provider.
    public var effectiveNormBound: Double? {
        normBound ?? (privacy == .none ? nil : Self.defaultNormBound)
    }

    /// The rule that actually combines updates: under DP every organization counts once (its weight would change
    /// its sensitivity), so FedAvg's weighted mean becomes the uniform mean.
    public var effectiveAggregator: UpdateAggregator {
        privacy.isDifferentiallyPrivate && aggregator == .weightedMean ? .uniformMean : aggregator
    }

    /// Admission of the plan: every combination that cannot work is refused here, with the reason, before any
    /// organization trains.
    public func validate(organizations n: Int, rounds: Int) throws(TrainingPlanError) {
        guard n >= 2 else {
            throw TrainingPlanError("--orgs: federated training needs at least 2 organizations, got \(n)")
        }
        guard (1...10_000).contains(rounds) else {
            throw TrainingPlanError("--rounds must be within 1…10000, got \(rounds)")
        }
        guard (1...100).contains(local.epochs) else {
            throw TrainingPlanError("--local-epochs must be within 1…100, got \(local.epochs)")
        }
        guard local.learningRate.isFinite, local.learningRate > 0, local.learningRate * (local.l2 + local.mu) < 1
        else {
            throw TrainingPlanError("--learning-rate must be > 0 with learning rate × (l2 + μ) < 1")
        }
        guard local.mu.isFinite, local.mu >= 0 else { throw TrainingPlanError("--mu must be ≥ 0, got \(local.mu)") }
        if let bound = normBound, !(bound.isFinite && bound > 0) {
            throw TrainingPlanError("--norm-bound must be > 0, got \(bound)")
        }
        try compression.validate()
        if let problem = server.problem { throw TrainingPlanError("--strategy \(name): \(problem)") }
        if let problem = aggregator.problem(organizations: n) {
            throw TrainingPlanError("--strategy \(name): \(aggregator.name) \(problem)")
        }
        if aggregator.needsIndividualUpdates && privacy.hidesIndividualUpdates {
            throw TrainingPlanError(
                "--strategy \(name) with \(privacy.providerName ?? "secure aggregation"): \(aggregator.name) needs each organization's update, but under \(privacy == .homomorphicEncryption ? "homomorphic encryption" : "secure aggregation") the aggregator sees only their sum; use fedavg, fedprox, fedadam or fedyogi (with norm bounding, which the plug-in applies on each node), or drop --\(privacy == .homomorphicEncryption ? "fhe" : "secagg")"
            )
        }
        if aggregator.needsIndividualUpdates && privacy.isDifferentiallyPrivate {
            throw TrainingPlanError(
                "--strategy \(name) with --dp-epsilon: the dp provider calibrates its noise to the sensitivity of a sum of clipped updates; \(aggregator.name) is not a sum, and its sensitivity is not accounted for — use a mean-based strategy with DP"
            )
        }
        switch privacy {
        case .centralDP(let e, let d), .distributedDP(let e, let d):
            guard e.isFinite, e > 0, d > 0, d < 1 else {
                throw TrainingPlanError("--dp-epsilon must be > 0 and --dp-delta in (0, 1)")
            }
        case .none, .secureAggregation, .homomorphicEncryption:
            break
        }
    }
}
