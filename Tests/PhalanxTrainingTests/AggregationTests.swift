import Foundation
import PhalanxTraining
import Testing

@Suite("Aggregation rules and server optimizers")
struct AggregationTests {
    static func update(_ name: String, _ delta: [Double], examples: Int = 1) -> ModelUpdate {
        ModelUpdate(organization: name, delta: delta, examples: examples, loss: 0)
    }

    @Test("the weighted mean weighs by examples; the uniform mean counts each organization once")
    func means() throws {
        let updates = [Self.update("a", [1, 0], examples: 3), Self.update("b", [0, 4], examples: 1)]
        #expect(try UpdateAggregator.weightedMean.aggregate(updates).step == [0.75, 1])
        #expect(try UpdateAggregator.uniformMean.aggregate(updates).step == [0.5, 2])
    }

    @Test("median and trimmed mean ignore one wild update; the mean does not")
    func robustRules() throws {
        var updates = (0..<4).map { Self.update("o\($0)", [Double($0), -Double($0)]) }
        updates.append(Self.update("evil", [1000, -1000]))
        // Values per coordinate: 0, 1, 2, 3, 1000 → median 2; β = 0.2 drops one from each end → mean of 1, 2, 3.
        #expect(try UpdateAggregator.coordinateMedian.aggregate(updates).step == [2, -2])
        #expect(try UpdateAggregator.trimmedMean(beta: 0.2).aggregate(updates).step == [2, -2])
        #expect(try UpdateAggregator.uniformMean.aggregate(updates).step[0] == 201.2)
        // An even count: the median is the mean of the middle two.
        #expect(try UpdateAggregator.coordinateMedian.aggregate(Array(updates.prefix(4))).step == [1.5, -1.5])
    }

    @Test("Multi-Krum leaves out the update far from the others and averages the rest")
    func multiKrum() throws {
        let honest = (0..<5).map { i in Self.update("o\(i)", [1 + 0.01 * Double(i), 2 - 0.01 * Double(i)]) }
        let updates = honest + [Self.update("evil", [-50, 80])]
        let (step, used) = try UpdateAggregator.multiKrum(byzantine: 1, selected: 5).aggregate(updates)
        #expect(used == ["o0", "o1", "o2", "o3", "o4"])
        #expect(abs(step[0] - 1.02) < 1e-12 && abs(step[1] - 1.98) < 1e-12)
    }

    @Test("rules refuse the counts they cannot handle, naming the bound")
    func problems() {
        #expect(UpdateAggregator.multiKrum(byzantine: 1, selected: 3).problem(organizations: 4) != nil)
        #expect(UpdateAggregator.multiKrum(byzantine: 1, selected: 3).problem(organizations: 5) == nil)
        #expect(
            UpdateAggregator.multiKrum(byzantine: 1, selected: 5).problem(organizations: 5)?.contains("m must") == true)
        #expect(UpdateAggregator.trimmedMean(beta: 0.5).problem(organizations: 10) != nil)
        #expect(UpdateAggregator.trimmedMean(beta: 0.3).problem(organizations: 2) == nil)
        #expect(throws: TrainingPlanError.self) {
            try UpdateAggregator.multiKrum(byzantine: 2, selected: 1).aggregate([Self.update("a", [1])])
        }
    }

    @Test("server SGD with step 1 adds the update; momentum accumulates it")
    func serverSGD() {
        var model = [1.0, 1.0]
        var sgd = ServerOptimizer(.fedAvg)
        sgd.step(&model, delta: [0.5, -1])
        #expect(model == [1.5, 0])
        var momentum = ServerOptimizer(.sgd(learningRate: 1, momentum: 0.5))
        var other = [0.0]
        momentum.step(&other, delta: [1])
        momentum.step(&other, delta: [1])
        #expect(other == [2.5])  // 1, then 1 + 0.5·1
    }

    @Test("FedAdam and FedYogi follow Reddi et al.'s updates, computed here by hand for two steps")
    func adaptive() {
        let (eta, b1, b2, tau) = (0.1, 0.9, 0.99, 1e-3)
        for yogi in [false, true] {
            var optimizer = ServerOptimizer(
                yogi
                    ? .yogi(learningRate: eta, beta1: b1, beta2: b2, tau: tau)
                    : .adam(learningRate: eta, beta1: b1, beta2: b2, tau: tau))
            var model = [0.0]
            var m = 0.0, v = tau * tau, x = 0.0
            for d in [0.2, -0.05] {
                optimizer.step(&model, delta: [d])
                m = b1 * m + (1 - b1) * d
                if yogi {
                    v -= (1 - b2) * d * d * (v > d * d ? 1 : -1)
                } else {
                    v = b2 * v + (1 - b2) * d * d
                }
                x += eta * m / (v.squareRoot() + tau)
                #expect(abs(model[0] - x) < 1e-15, "yogi \(yogi): \(model[0]) vs \(x)")
            }
        }
        #expect(ServerOptimizerKind.adam(learningRate: 0, beta1: 0.9, beta2: 0.99, tau: 1e-3).problem != nil)
        #expect(ServerOptimizerKind.sgd(learningRate: 1, momentum: 1).problem != nil)
    }

    @Test("clipping scales an update down to the bound and leaves a shorter one alone")
    func clipping() {
        let clipped = VectorMath.clipped([3, 4], to: 1)
        #expect(abs(clipped[0] - 0.6) < 1e-15 && abs(clipped[1] - 0.8) < 1e-15)
        #expect(VectorMath.clipped([0.3, 0.4], to: 1) == [0.3, 0.4])
        #expect(VectorMath.norm([3, 4]) == 5)
    }
}
