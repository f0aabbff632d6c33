import PhalanxCore

/// What `phalanx train --json` prints and the demo's report embeds: the plan, every round, and the comparison.
public struct FederatedTrainingReport: Codable, Sendable {
    public struct Organization: Codable, Sendable {
        public var name: String
        public var trainingExamples: Int
        public var trainingAttacks: Int
        public var validationExamples: Int
        public var testExamples: Int
        public var homeFamilies: [String]
    }

    public var strategy: TrainingStrategy
    public var aggregation: String
    public var serverOptimizer: String
    public var normBound: Double?
    public var rounds: Int
    public var organizations: [Organization]
    public var adversary: Adversary?
    public var anomalyFactor: Double?
    public var privacyPlan: PrivacyPlan?
    public var fixedPointScale: Int?
    public var roundRecords: [FederatedTraining.RoundRecord]
    /// The first round from which the shared-test F1 stays within 1 point of the final round's.
    public var roundsToConverge: Int
    public var comparison: FederationComparison?
    public var isolated: [String]
    public var backdoorSuccess: BackdoorSuccess?
    public var model: String?

    public init(
        configuration: FederatedTraining.Configuration, organizations: [OrganizationData],
        outcome: FederatedTraining.Outcome, model: String?
    ) {
        strategy = configuration.strategy
        aggregation =
            configuration.strategy.privacy == .none
            ? configuration.strategy.effectiveAggregator.name
            : (configuration.strategy.privacy.isDifferentiallyPrivate
                ? "uniform mean (DP)" : "weighted mean (secure sum)")
        serverOptimizer = configuration.strategy.server.name
        normBound = configuration.strategy.effectiveNormBound
        rounds = configuration.rounds
        self.organizations = organizations.map {
            Organization(
                name: $0.name, trainingExamples: $0.train.count, trainingAttacks: $0.train.count(where: \.isAttack),
                validationExamples: $0.validation.count, testExamples: $0.test.count, homeFamilies: $0.homeFamilies)
        }
        adversary = configuration.adversary
        anomalyFactor = configuration.anomalyCheck?.factor
        privacyPlan = outcome.plan
        fixedPointScale = outcome.fixedPointScale
        roundRecords = outcome.rounds
        roundsToConverge = Self.roundsToConverge(outcome.rounds)
        comparison = outcome.comparison
        isolated = outcome.isolated
        backdoorSuccess = outcome.backdoorSuccess
        self.model = model
    }

    /// The first round from which the shared-test F1 stays within one point (0.01) of the last round's.
    public static func roundsToConverge(_ records: [FederatedTraining.RoundRecord]) -> Int {
        guard let last = records.last else { return 0 }
        var first = last.round
        for record in records.reversed() {
            guard abs(record.sharedF1 - last.sharedF1) <= 0.01 else { break }
            first = record.round
        }
        return first
    }
}
