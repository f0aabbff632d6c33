import Dispatch
import PhalanxAgent
import PhalanxControl
import PhalanxCore

/// Federated training of the agent's classifier over simulated organizations, in one process: each round every
/// organization trains from the global model on its own examples, its update is bounded, compressed and sent
/// through the strategy's protection, and the server aggregates and steps. Examples never leave their
/// organization's part of the run; only updates (or, under secure aggregation, their masked sum) do.
public struct FederatedTraining: Sendable {
    public struct Configuration: Sendable {
        public var strategy: TrainingStrategy
        public var rounds: Int
        /// Seeds the local shuffles and the quantization dither (never any key, mask or noise: those come from the
        /// system's cryptographic source inside the providers).
        public var seed: UInt64
        public var features: FeatureHasher.Configuration
        public var adversary: Adversary?
        /// Isolates organizations whose update norms the check flags.
        public var anomalyCheck: UpdateNormCheck?
        /// Train the local-only and centralized baselines and the personalized models, and compare (seed 000's
        /// before/after table).
        public var compareBaselines: Bool
        /// Run every round as a federated job through the safety loop under this guard-rail policy
        /// (``SafetyLoopAggregation``); `nil` sums the updates directly (``ProviderAggregation`` or in the clear).
        public var safetyLoop: GuardrailPolicy?
        /// Sum unprotected updates with the averaging plug-in on the `plain` provider rather than in memory: the
        /// same pipeline as the protected sums, in the clear (a benchmark's baseline).
        public var plainThroughProvider: Bool = false

        public init(
            strategy: TrainingStrategy, rounds: Int = 20, seed: UInt64 = 1,
            features: FeatureHasher.Configuration = FeatureHasher.Configuration(bits: 16),
            adversary: Adversary? = nil, anomalyCheck: UpdateNormCheck? = nil, compareBaselines: Bool = true,
            safetyLoop: GuardrailPolicy? = nil
        ) {
            self.strategy = strategy
            self.rounds = rounds
            self.seed = seed
            self.features = features
            self.adversary = adversary
            self.anomalyCheck = anomalyCheck
            self.compareBaselines = compareBaselines
            self.safetyLoop = safetyLoop
        }
    }

    /// One round, as the progress line and the report show it.
    public struct RoundRecord: Codable, Hashable, Sendable {
        public var round: Int
        /// The global model's mean log loss on the organizations' training data at the start of the round (each
        /// reports its own; weighted by examples).
        public var loss: Double
        /// The new global model on the shared test split, at probability 0.5 before calibration.
        public var sharedF1: Double
        public var sharedAUC: Double?
        /// ε and δ each organization has spent so far (0 without DP).
        public var epsilon: Double
        public var delta: Double
        /// Bytes organizations sent (updates, or the provider's protocol messages) and received (protocol messages;
        /// the model broadcast is ``broadcastBytes``).
        public var bytesUp: Int
        public var bytesDown: Int
        public var broadcastBytes: Int
        /// Wall-clock seconds of the round's local training, and of its compression, aggregation and server step.
        public var trainingSeconds: Double
        public var aggregationSeconds: Double
        /// Organizations whose updates were sent this round.
        public var senders: Int
        /// Organizations whose updates are in the aggregate (Multi-Krum leaves some out; a provider drops the late).
        public var contributors: [String]
        /// Organizations the anomaly check flagged, or the control plane isolated, this round (left out from this
        /// round on).
        public var flagged: [String]
        public var updateNorms: [String: Double]
        /// Through the safety loop: the guard-rail predicates that fired, the job's ticks, and whether its ledger
        /// verified.
        public var predicatesFired: [String] = []
        public var ticks: UInt64?
        public var ledgerVerified: Bool?
    }

    /// The result of a run.
    public struct Outcome: Sendable {
        public var rounds: [RoundRecord]
        public var global: LogisticRegression
        /// The global model at an operating point fitted on the organizations' validation data pooled (for export
        /// and the summary; each organization deploying it fits its own).
        public var classifier: SafetyClassifier
        /// ``classifier`` on the shared test split.
        public var sharedScores: Scores
        public var comparison: FederationComparison?
        public var isolated: [String]
        /// Under a backdoor adversary: the share of the shared test split's attacks that the final global model
        /// lets through (probability < 0.5) with the trigger prepended, and without it.
        public var backdoorSuccess: BackdoorSuccess?
        public var plan: PrivacyPlan?
        /// The plug-in's fixed-point scale, when a provider summed the updates.
        public var fixedPointScale: Int?
    }

    public let configuration: Configuration
    public let organizations: [OrganizationData]
    public let sharedTest: [LabeledText]

    public init(configuration: Configuration, organizations: [OrganizationData], sharedTest: [LabeledText]) {
        self.configuration = configuration
        self.organizations = organizations
        self.sharedTest = sharedTest
    }

    /// Featurized data of one organization.
    struct Prepared: Sendable {
        var name: String
        var homeFamilies: [String]
        var train: [TrainingExample]
        var validation: [TrainingExample]
        var test: [TrainingExample]
    }

    public func run(progress: (RoundRecord) -> Void = { _ in }) async throws -> Outcome {
        let strategy = configuration.strategy
        let n = organizations.count
        try strategy.validate(organizations: n, rounds: configuration.rounds)
        if let adversary = configuration.adversary,
            !organizations.contains(where: { $0.name == adversary.organization })
        {
            throw TrainingPlanError("--poison: no organization is named \(adversary.organization)")
        }
        for organization in organizations where organization.train.isEmpty {
            throw TrainingPlanError("\(organization.name) has no training examples; use fewer --orgs")
        }
        let hasher: FeatureHasher
        do { hasher = try FeatureHasher(configuration: configuration.features) } catch {
            throw TrainingPlanError("--bits: \(error)")
        }
        let prepared = organizations.map { organization in
            var train = organization.train
            if configuration.adversary?.organization == organization.name,
                case .backdoor = configuration.adversary?.attack
            {
                train += organization.train.filter(\.isAttack).map {
                    LabeledText(text: Adversary.trigger + " " + $0.text, isAttack: false)
                }
            }
            return Prepared(
                name: organization.name, homeFamilies: organization.homeFamilies,
                train: ClassifierTrainer.featurize(train, with: hasher),
                validation: ClassifierTrainer.featurize(organization.validation, with: hasher),
                test: ClassifierTrainer.featurize(organization.test, with: hasher))
        }
        let shared = ClassifierTrainer.featurize(sharedTest, with: hasher)
        let dimension = hasher.dimension + 1
        var global = [Double](repeating: 0, count: dimension)
        var server = ServerOptimizer(strategy.server)
        var compressors = (0..<n).map {
            UpdateCompressor(compression: strategy.compression, seed: configuration.seed &+ UInt64($0) &* 0x9E37)
        }
        let normBound = strategy.effectiveNormBound
        let loop = try configuration.safetyLoop.map {
            try SafetyLoopAggregation(
                privacy: strategy.privacy, organizations: n, dimension: dimension,
                normBound: normBound ?? TrainingStrategy.defaultNormBound, policy: $0)
        }
        if loop != nil, strategy.effectiveAggregator.needsIndividualUpdates {
            throw TrainingPlanError(
                "--safety-loop sums the updates with the averaging plug-in; \(strategy.effectiveAggregator.name) needs each update — use a mean-based strategy"
            )
        }
        let inMemory = strategy.privacy == .none && !configuration.plainThroughProvider
        if configuration.plainThroughProvider, strategy.effectiveAggregator.needsIndividualUpdates {
            throw TrainingPlanError(
                "the plain provider sums updates; \(strategy.effectiveAggregator.name) needs each one")
        }
        let channel: ProviderAggregation? =
            inMemory || loop != nil
            ? nil
            : try ProviderAggregation(
                privacy: strategy.privacy, organizations: organizations.map(\.name), dimension: dimension,
                normBound: normBound ?? TrainingStrategy.defaultNormBound, rounds: configuration.rounds)
        defer { channel?.wipe() }
        var isolated: [String] = []
        var records: [RoundRecord] = []

        for round in 0..<configuration.rounds {
            let active = (0..<n).filter { !isolated.contains(organizations[$0].name) }
            let trainingStart = ContinuousClock.now
            let updates = try localUpdates(active: active, prepared: prepared, global: global, round: round)
            let trainingSeconds = Self.seconds(since: trainingStart)

            let aggregationStart = ContinuousClock.now
            let norms = Dictionary(uniqueKeysWithValues: updates.map { ($0.organization, $0.norm) })
            let flagged = configuration.anomalyCheck?.flagged(norms).offenders ?? []
            isolated += flagged
            var sent: [ModelUpdate] = []
            var bytesUp = 0
            for (index, update) in zip(active, updates) where !flagged.contains(update.organization) {
                var update = update
                // The honest client bounds its own update; compression follows.
                if let normBound, update.organization != configuration.adversary?.organization {
                    update.delta = VectorMath.clipped(update.delta, to: normBound)
                }
                let (reconstructed, bytes) = compressors[index].compress(update.delta)
                update.delta = reconstructed
                if channel == nil { bytesUp += bytes }
                sent.append(update)
            }
            guard !sent.isEmpty else { throw TrainingPlanError("round \(round + 1): every organization is isolated") }
            var step: [Double]
            var contributors: [String]
            var bytesDown = 0
            var epsilon = 0.0
            var delta = 0.0
            var loopRound: SafetyLoopAggregation.Round?
            if let loop {
                let result = try await loop.aggregate(round: round, updates: sent)
                (step, contributors) = (result.step, result.contributors)
                bytesUp = result.messageBytes
                isolated += result.isolated.filter { !isolated.contains($0) }
                loopRound = result
            } else if let channel {
                let result = try channel.aggregate(round: round, updates: sent)
                (step, contributors) = (result.step, result.contributors)
                bytesUp = result.bytesUp
                bytesDown = result.bytesDown
                (epsilon, delta) = (result.epsilon, result.delta)
            } else {
                // The server enforces the bound on what it received (a malicious client skips its own clip).
                if let normBound {
                    for i in sent.indices { sent[i].delta = VectorMath.clipped(sent[i].delta, to: normBound) }
                }
                (step, contributors) = try strategy.effectiveAggregator.aggregate(sent)
            }
            server.step(&global, delta: step)
            let aggregationSeconds = Self.seconds(since: aggregationStart)

            let model = try LogisticRegression(flatParameters: global.map(Float.init))
            let (f1, auc) = Scores.rawF1(model, on: shared)
            let totalExamples = updates.reduce(0) { $0 + $1.examples }
            let loss = updates.reduce(0.0) { $0 + $1.loss * Double($1.examples) } / Double(max(1, totalExamples))
            let record = RoundRecord(
                round: round + 1, loss: loss, sharedF1: f1, sharedAUC: auc, epsilon: epsilon, delta: delta,
                bytesUp: bytesUp, bytesDown: bytesDown,
                broadcastBytes: active.count * UpdateCompression.uncompressedBytes(dimension: dimension),
                trainingSeconds: trainingSeconds, aggregationSeconds: aggregationSeconds,
                senders: sent.count, contributors: contributors.sorted(),
                flagged: flagged + (loopRound?.isolated ?? []),
                updateNorms: norms, predicatesFired: loopRound?.predicatesFired ?? [], ticks: loopRound?.ticks,
                ledgerVerified: loopRound?.ledgerVerified)
            records.append(record)
            progress(record)
        }

        let final = try LogisticRegression(flatParameters: global.map(Float.init))
        let pooledValidation = prepared.flatMap(\.validation)
        let classifier = try OperatingPoint.classifier(
            final, features: configuration.features, validation: pooledValidation
        ).classifier
        let comparison =
            configuration.compareBaselines
            ? try FederationComparison.make(
                federated: final, prepared: prepared, shared: shared, features: configuration.features,
                local: strategy.local)
            : nil
        var backdoor: BackdoorSuccess?
        if case .backdoor = configuration.adversary?.attack {
            let attacks = sharedTest.filter(\.isAttack)
            let triggered = ClassifierTrainer.featurize(
                attacks.map { LabeledText(text: Adversary.trigger + " " + $0.text, isAttack: true) }, with: hasher)
            let plain = shared.filter(\.isAttack)
            func missed(_ examples: [TrainingExample]) -> Double {
                Double(examples.count { final.probability($0.features) < 0.5 }) / Double(max(1, examples.count))
            }
            backdoor = BackdoorSuccess(withTrigger: missed(triggered), without: missed(plain))
        }
        return Outcome(
            rounds: records, global: final, classifier: classifier,
            sharedScores: Scores(classifier, on: shared), comparison: comparison, isolated: isolated,
            backdoorSuccess: backdoor, plan: channel?.plan, fixedPointScale: channel?.plugin.scale)
    }

    /// Every active organization's update, trained in parallel (each result in its own slot, so the outcome does
    /// not depend on scheduling).
    private func localUpdates(active: [Int], prepared: [Prepared], global: [Double], round: Int) throws -> [ModelUpdate]
    {
        let local = configuration.strategy.local
        let seed = configuration.seed
        let adversary = configuration.adversary
        var results = [Result<ModelUpdate, any Error>?](repeating: nil, count: active.count)
        results.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output  // Disjoint indices: no two iterations write the same slot.
            DispatchQueue.concurrentPerform(iterations: active.count) { slot in
                let index = active[slot]
                output[slot] = Result {
                    var update = try local.update(
                        organization: prepared[index].name, index: index, round: round, seed: seed, global: global,
                        examples: prepared[index].train)
                    if let adversary, adversary.organization == prepared[index].name {
                        update.delta = update.delta.map { $0 * adversary.factor }
                    }
                    return update
                }
            }
        }
        return try results.map { try $0!.get() }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = start.duration(to: .now).components
        return Double(d.seconds) + Double(d.attoseconds) / 1e18
    }
}
