import PhalanxTraining
import Testing

@Suite("Training plans: presets and what admission refuses")
struct StrategyAdmissionTests {
    /// The message of the TrainingPlanError `body` throws; `nil` when it throws nothing (any other error fails).
    static func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as TrainingPlanError {
            return error.message
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test("every preset is admitted in the clear with five organizations", arguments: TrainingStrategy.presetNames)
    func presets(name: String) throws {
        let strategy = try TrainingStrategy.preset(name, organizations: 5)
        try strategy.validate(organizations: 5, rounds: 10)
        #expect(strategy.name == name)
    }

    @Test("robust rules need individual updates: refused under secagg and dp+secagg, with the reason")
    func robustUnderSecureAggregation() throws {
        for name in ["median", "trimmed", "krum"] {
            for privacy in [UpdatePrivacy.secureAggregation, .distributedDP(epsilon: 1, delta: 1e-6)] {
                var strategy = try TrainingStrategy.preset(name, organizations: 6)
                strategy.privacy = privacy
                let message = try #require(Self.refusal { try strategy.validate(organizations: 6, rounds: 5) })
                #expect(message.contains("needs each organization's update"), "\(message)")
                #expect(message.contains("sees only their sum"))
            }
        }
    }

    @Test("robust rules under central DP are refused too: the noise is calibrated for a sum")
    func robustUnderCentralDP() throws {
        var strategy = try TrainingStrategy.preset("median", organizations: 5)
        strategy.privacy = .centralDP(epsilon: 1, delta: 1e-6)
        let message = try #require(Self.refusal { try strategy.validate(organizations: 5, rounds: 5) })
        #expect(message.contains("not a sum"))
    }

    @Test("mean-based strategies compose with secagg, DP and compression")
    func composable() throws {
        for name in ["fedavg", "fedprox", "fedadam", "fedyogi"] {
            var strategy = try TrainingStrategy.preset(name, organizations: 5)
            strategy.privacy = .distributedDP(epsilon: 4, delta: 1e-6)
            strategy.compression = UpdateCompression(quantizationBits: 8)
            try strategy.validate(organizations: 5, rounds: 20)
            #expect(strategy.effectiveAggregator == .uniformMean)
            #expect(strategy.effectiveNormBound == TrainingStrategy.defaultNormBound)
        }
        #expect(try TrainingStrategy.preset("fedavg", organizations: 5).effectiveNormBound == nil)
    }

    @Test("impossible sizes and values are refused, naming the option")
    func values() throws {
        let fedavg = try TrainingStrategy.preset("fedavg", organizations: 5)
        #expect(Self.refusal { try fedavg.validate(organizations: 1, rounds: 5) }?.contains("--orgs") == true)
        #expect(Self.refusal { try fedavg.validate(organizations: 5, rounds: 0) }?.contains("--rounds") == true)
        #expect(
            Self.refusal { try TrainingStrategy.preset("fedsgd", organizations: 5) }?.contains("--strategy") == true)
        var krum = try TrainingStrategy.preset("krum", organizations: 3)
        krum.aggregator = .multiKrum(byzantine: 1, selected: 2)
        #expect(Self.refusal { try krum.validate(organizations: 3, rounds: 5) }?.contains("Multi-Krum") == true)
        var bounded = fedavg
        bounded.normBound = -1
        #expect(Self.refusal { try bounded.validate(organizations: 5, rounds: 5) }?.contains("--norm-bound") == true)
        var private_ = fedavg
        private_.privacy = .distributedDP(epsilon: 0, delta: 1e-6)
        #expect(Self.refusal { try private_.validate(organizations: 5, rounds: 5) }?.contains("--dp-epsilon") == true)
        var prox = fedavg
        prox.local.mu = -0.1
        #expect(Self.refusal { try prox.validate(organizations: 5, rounds: 5) } != nil)
    }
}
