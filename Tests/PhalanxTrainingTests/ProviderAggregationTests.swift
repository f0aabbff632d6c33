import Foundation
import PhalanxTraining
import Testing
import _TestSupport

@Suite("Updates summed by the secagg and dp providers running the averaging plug-in")
struct ProviderAggregationTests {
    static func updates(_ n: Int, dimension: Int, seed: UInt64) -> [ModelUpdate] {
        var generator = SplitMix64(seed: seed)
        return (0..<n).map { i in
            ModelUpdate(
                organization: "org-\(i + 1)",
                delta: (0..<dimension).map { _ in Double(generator.next() % 2_001) / 100 - 10 },
                examples: 100 + 250 * i, loss: 0)
        }
    }

    @Test("secagg releases the example-weighted mean of the clipped updates, to fixed-point precision")
    func secureWeightedMean() throws {
        let updates = Self.updates(4, dimension: 64, seed: 1)
        let channel = try ProviderAggregation(
            privacy: .secureAggregation, organizations: updates.map(\.organization), dimension: 64, normBound: 30,
            rounds: 2)
        #expect(channel.manifest.executionProvider == "secagg" && channel.plan == nil)
        let result = try channel.aggregate(round: 0, updates: updates)
        #expect(result.contributors.sorted() == updates.map(\.organization))
        let clipped = updates.map { VectorMath.clipped($0.delta, to: 30) }
        let expected = VectorMath.weightedMean(clipped, weights: updates.map { Double($0.examples) })
        for i in 0..<64 {
            #expect(abs(result.step[i] - expected[i]) < 1e-3, "component \(i): \(result.step[i]) vs \(expected[i])")
        }
        #expect(result.bytesUp > 64 * 4 * 4)  // four masked vectors at least, plus the protocol's keys and shares
        #expect(result.epsilon == 0)
        // The second round of the same job works too (fresh protocol instance).
        let second = try channel.aggregate(round: 1, updates: updates)
        for i in 0..<64 { #expect(abs(second.step[i] - expected[i]) < 1e-3) }
        channel.wipe()
    }

    @Test("the fixed-point scale keeps n × bound × scale within the 32-bit sum, for 50 organizations too")
    func scale() throws {
        for n in [2, 5, 50] {
            let plugin = try TrainingRoundPlugin(dimension: 10, normBound: 30, weighted: true, organizations: n)
            let perNode = 30.0 * Double(TrainingRoundPlugin.weightCap) * Double(plugin.scale)
            #expect(Double(n) * perNode < 0x1p31)
            #expect(Double(n) * perNode * 2 >= 0x1p29, "the scale \(plugin.scale) for \(n) is needlessly coarse")
        }
        #expect(throws: TrainingPlanError.self) {
            try TrainingRoundPlugin(dimension: 10, normBound: 1e4, weighted: true, organizations: 100_000)
        }
    }

    @Test("dp+secagg: a noisy mean, ε per round from the accountant, rising to the planned total")
    func distributedDP() throws {
        let updates = Self.updates(5, dimension: 32, seed: 2)
        let rounds = 3
        let channel = try ProviderAggregation(
            privacy: .distributedDP(epsilon: 2, delta: 1e-6), organizations: updates.map(\.organization),
            dimension: 32, normBound: 5, rounds: rounds)
        let plan = try #require(channel.plan)
        #expect(plan.distributed && plan.epsilonTotal <= 2 * (1 + 1e-9))
        var spent: [Double] = []
        let clipped = updates.map { VectorMath.clipped($0.delta, to: 5) }
        let exact = VectorMath.weightedMean(clipped, weights: clipped.map { _ in 1 })
        var differences = 0
        for round in 0..<rounds {
            let result = try channel.aggregate(round: round, updates: updates)
            #expect(result.step.allSatisfy { $0.isFinite })
            differences += zip(result.step, exact).count { abs($0 - $1) > 1e-3 }
            spent.append(result.epsilon)
        }
        #expect(spent == spent.sorted() && spent[0] > 0)
        #expect(abs(spent.last! - plan.epsilonTotal) < 1e-9)
        #expect(differences > 0, "no noise was added")
    }

    @Test("an organization outside the job is refused")
    func stranger() throws {
        let channel = try ProviderAggregation(
            privacy: .secureAggregation, organizations: ["org-1", "org-2"], dimension: 4, normBound: 1, rounds: 1)
        #expect(throws: TrainingPlanError.self) {
            try channel.aggregate(
                round: 0, updates: [ModelUpdate(organization: "mallory", delta: [0, 0, 0, 0], examples: 1, loss: 0)])
        }
    }
}
