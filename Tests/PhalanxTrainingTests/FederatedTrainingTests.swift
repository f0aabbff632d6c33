import PhalanxAgent
import PhalanxControl
import PhalanxTraining
import Testing

@Suite("Federated training end to end on generated data")
struct FederatedTrainingTests {
    /// Three organizations, each holding 95% of one attack family and one benign source; the shared test split is
    /// a fresh draw of every family.
    static let organizations = try! NonIIDSplit(organizations: 3, homeShare: 0.95, seed: 3).split(
        SyntheticCorpus.make(perFamily: 150, seed: 21))
    static let shared = SyntheticCorpus.make(perFamily: 60, seed: 22)

    static func run(
        _ strategy: TrainingStrategy, rounds: Int = 8, adversary: Adversary? = nil, check: UpdateNormCheck? = nil,
        baselines: Bool = false
    ) async throws -> FederatedTraining.Outcome {
        try await FederatedTraining(
            configuration: FederatedTraining.Configuration(
                strategy: strategy, rounds: rounds, seed: 1, features: SyntheticCorpus.features, adversary: adversary,
                anomalyCheck: check, compareBaselines: baselines),
            organizations: organizations, sharedTest: shared
        ).run()
    }

    @Test("the federated model catches what each organization alone misses, close to centralized training")
    func beforeAndAfter() async throws {
        var records: [FederatedTraining.RoundRecord] = []
        let outcome = try await FederatedTraining(
            configuration: FederatedTraining.Configuration(
                strategy: try TrainingStrategy.preset("fedavg", organizations: 3), rounds: 8, seed: 1,
                features: SyntheticCorpus.features),
            organizations: Self.organizations, sharedTest: Self.shared
        ).run { records.append($0) }
        #expect(records.map(\.round) == Array(1...8))
        #expect(records.first!.loss > records.last!.loss)
        let comparison = try #require(outcome.comparison)
        let bestLocal = comparison.rows.map(\.localOnly.shared.f1).max()!
        #expect(
            comparison.federatedShared.f1 > bestLocal + 0.1,
            "federated \(comparison.federatedShared.f1), best local \(bestLocal)")
        #expect(abs(comparison.federatedShared.f1 - comparison.centralizedShared.f1) < 0.05)
        for row in comparison.rows {
            #expect(row.federated.shared.f1 > row.localOnly.shared.f1, "\(row.organization)")
            #expect([0, 0.25, 0.5, 0.75, 1].contains(row.personalizationAlpha))
        }
        // Plain FedAvg: each organization sends a Float32 update; no privacy spent.
        #expect(records.allSatisfy { $0.bytesUp == 3 * 4 * ((1 << 12) + 1) && $0.epsilon == 0 })
    }

    @Test("a run is deterministic for a seed")
    func deterministic() async throws {
        let strategy = try TrainingStrategy.preset("fedadam", organizations: 3)
        let first = try await Self.run(strategy, rounds: 3)
        let second = try await Self.run(strategy, rounds: 3)
        #expect(first.global.flatParameters.map(\.bitPattern) == second.global.flatParameters.map(\.bitPattern))
    }

    @Test("secure aggregation gives the model plain FedAvg gives, to fixed-point precision")
    func secureAggregationMatchesPlain() async throws {
        var plain = try TrainingStrategy.preset("fedavg", organizations: 3)
        plain.normBound = 30
        var secure = plain
        secure.privacy = .secureAggregation
        let a = try await Self.run(plain, rounds: 4)
        let b = try await Self.run(secure, rounds: 4)
        let difference = zip(a.global.flatParameters, b.global.flatParameters).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-3, "largest parameter difference \(difference)")
        #expect(b.rounds.allSatisfy { $0.bytesUp > 3 * 4 * ((1 << 12) + 1) })
    }

    @Test("multiparty homomorphic encryption gives the model secure aggregation gives, exactly")
    func homomorphicEncryptionMatchesSecureAggregation() async throws {
        var secure = try TrainingStrategy.preset("fedavg", organizations: 3)
        secure.normBound = 30
        secure.privacy = .secureAggregation
        var encrypted = secure
        encrypted.privacy = .homomorphicEncryption
        let a = try await Self.run(secure, rounds: 2)
        let b = try await Self.run(encrypted, rounds: 2)
        // Both providers release the exact sum of the same fixed-point updates.
        #expect(a.global.flatParameters == b.global.flatParameters)
        // Ciphertexts cost bytes: a 4097-parameter update is one ciphertext per channel, far more than 4 bytes each.
        #expect(b.rounds.allSatisfy { $0.bytesUp > 10 * a.rounds[0].bytesUp })
        var median = try TrainingStrategy.preset("median", organizations: 3)
        median.privacy = .homomorphicEncryption
        #expect(throws: TrainingPlanError.self) { try median.validate(organizations: 3, rounds: 2) }
    }

    @Test("8-bit quantization sends about a quarter of the bytes and keeps F1 within a point")
    func quantization() async throws {
        var quantized = try TrainingStrategy.preset("fedavg", organizations: 3)
        quantized.compression = UpdateCompression(quantizationBits: 8)
        let plain = try await Self.run(try TrainingStrategy.preset("fedavg", organizations: 3))
        let compact = try await Self.run(quantized)
        let ratio = Double(plain.rounds[0].bytesUp) / Double(compact.rounds[0].bytesUp)
        #expect(ratio > 3.9 && ratio <= 4)
        #expect(abs(plain.rounds.last!.sharedF1 - compact.rounds.last!.sharedF1) < 0.01)
    }

    /// With three non-IID organizations the median also drops what only one honest organization knows (its family),
    /// so it recovers much, not all; the norm check removes the sender and keeps the rest.
    @Test("a boosted update wrecks plain FedAvg; the median recovers most of it, the norm check isolates its sender")
    func poisoning() async throws {
        let adversary = Adversary(organization: "org-3", attack: .scaled(factor: -40))
        let fedavg = try TrainingStrategy.preset("fedavg", organizations: 3)
        let honest = try await Self.run(fedavg).rounds.last!.sharedF1
        let poisoned = try await Self.run(fedavg, adversary: adversary).rounds.last!.sharedF1
        #expect(poisoned < honest - 0.2, "honest \(honest), poisoned \(poisoned)")
        let median = try await Self.run(try TrainingStrategy.preset("median", organizations: 3), adversary: adversary)
        #expect(
            median.rounds.last!.sharedF1 > poisoned + 0.2,
            "median \(median.rounds.last!.sharedF1), poisoned \(poisoned)")
        let checked = try await Self.run(fedavg, adversary: adversary, check: UpdateNormCheck(factor: 3))
        #expect(checked.isolated == ["org-3"])
        #expect(checked.rounds[0].flagged == ["org-3"] && !checked.rounds[1].contributors.contains("org-3"))
        #expect(checked.rounds.last!.sharedF1 > honest - 0.1)
    }

    /// Norm bounding alone does not stop this backdoor: no honest organization ever sees the trigger's n-grams, so
    /// nothing pulls their weights back and even clipped updates add up over rounds (docs/training.md, limits).
    @Test("a boosted backdoor is learnt under plain FedAvg; the norm check isolates its sender and it is not")
    func backdoor() async throws {
        let adversary = Adversary(organization: "org-1", attack: .backdoor(factor: 10))
        let fedavg = try TrainingStrategy.preset("fedavg", organizations: 3)
        let open = try #require(try await Self.run(fedavg, adversary: adversary).backdoorSuccess)
        #expect(open.withTrigger > open.without + 0.3, "\(open)")
        let checked = try await Self.run(fedavg, adversary: adversary, check: UpdateNormCheck(factor: 3))
        #expect(checked.isolated == ["org-1"])
        let success = try #require(checked.backdoorSuccess)
        #expect(success.withTrigger < open.withTrigger - 0.3, "\(success) vs \(open)")
    }

    @Test("through the safety loop: the update-norm guard-rail fires, the control plane isolates the booster")
    func safetyLoop() async throws {
        // Four organizations: secure aggregation still has a quorum of three once one is isolated.
        let four = try NonIIDSplit(organizations: 4, homeShare: 0.9, seed: 3).split(
            SyntheticCorpus.make(perFamily: 150, seed: 21))
        var strategy = try TrainingStrategy.preset("fedavg", organizations: 4)
        strategy.privacy = .secureAggregation
        let outcome = try await FederatedTraining(
            configuration: FederatedTraining.Configuration(
                strategy: strategy, rounds: 3, seed: 1, features: SyntheticCorpus.features,
                adversary: Adversary(organization: "org-2", attack: .scaled(factor: 40)), compareBaselines: false,
                safetyLoop: try DefaultPolicy.load()),
            organizations: four, sharedTest: Self.shared
        ).run()
        let first = outcome.rounds[0]
        #expect(first.predicatesFired.contains("update-norm"))
        #expect(first.flagged == ["org-2"] && first.contributors == ["org-1", "org-3", "org-4"])
        #expect(outcome.rounds.allSatisfy { $0.ledgerVerified == true && ($0.ticks ?? 0) > 0 })
        #expect(outcome.rounds.dropFirst().allSatisfy { $0.senders == 3 && $0.predicatesFired.isEmpty })
        #expect(outcome.isolated == ["org-2"])
        #expect(outcome.rounds.last!.sharedF1 > 0.5)
    }

    @Test("the safety loop refuses DP and robust rules, saying why")
    func safetyLoopRefusals() async throws {
        var dp = try TrainingStrategy.preset("fedavg", organizations: 3)
        dp.privacy = .distributedDP(epsilon: 1, delta: 1e-6)
        let median = try TrainingStrategy.preset("median", organizations: 3)
        for strategy in [dp, median] {
            await #expect(throws: TrainingPlanError.self) {
                try await FederatedTraining(
                    configuration: FederatedTraining.Configuration(
                        strategy: strategy, rounds: 1, features: SyntheticCorpus.features, compareBaselines: false,
                        safetyLoop: try DefaultPolicy.load()),
                    organizations: Self.organizations, sharedTest: Self.shared
                ).run()
            }
        }
    }

    @Test("an adversary that is not an organization, or an organization without data, is refused")
    func refused() async throws {
        let fedavg = try TrainingStrategy.preset("fedavg", organizations: 3)
        await #expect(throws: TrainingPlanError.self) {
            try await Self.run(fedavg, adversary: Adversary(organization: "org-9", attack: .scaled(factor: 2)))
        }
        var empty = Self.organizations
        empty[1].train = []
        await #expect(throws: TrainingPlanError.self) {
            try await FederatedTraining(
                configuration: .init(strategy: fedavg, rounds: 1, features: SyntheticCorpus.features),
                organizations: empty, sharedTest: Self.shared
            ).run()
        }
    }
}
