import PhalanxAgent
import PhalanxTraining
import Testing

@Suite("Local training: FedProx's proximal term")
struct LocalTrainingTests {
    static let examples: [TrainingExample] = {
        let hasher = try! FeatureHasher(configuration: SyntheticCorpus.features)
        return ClassifierTrainer.featurize(SyntheticCorpus.make(perFamily: 40, seed: 5), with: hasher)
    }()

    static func distance(_ a: LogisticRegression, _ b: LogisticRegression) -> Double {
        zip(a.flatParameters, b.flatParameters).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }.squareRoot()
    }

    @Test("μ = 0 is ordinary SGD, bit for bit; a larger μ keeps the result closer to the center")
    func proximalPull() throws {
        let configuration = TrainingConfiguration(epochs: 3, learningRate: 0.5, seed: 9)
        let center = try LogisticRegression.train(
            from: LogisticRegression(dimension: 1 << 12), examples: Array(Self.examples.prefix(60)),
            configuration: TrainingConfiguration(epochs: 1))
        let plain = try LogisticRegression.train(from: center, examples: Self.examples, configuration: configuration)
        let zero = try LogisticRegression.train(
            from: center, examples: Self.examples, configuration: configuration,
            proximal: ProximalTerm(center: center, mu: 0))
        #expect(plain.flatParameters.map(\.bitPattern) == zero.flatParameters.map(\.bitPattern))
        var previous = Self.distance(plain, center)
        for mu in [0.01, 0.1, 1.0] {
            let pulled = try LogisticRegression.train(
                from: center, examples: Self.examples, configuration: configuration,
                proximal: ProximalTerm(center: center, mu: mu))
            let distance = Self.distance(pulled, center)
            #expect(distance < previous, "μ = \(mu): \(distance) is not below \(previous)")
            previous = distance
        }
    }

    @Test("the proximal step equals the dense formula w ← (1 − η(λ+μ))w + ημc − η∇ on a one-example problem")
    func proximalMatchesDenseStep() throws {
        let example = Self.examples[0]
        let center = try LogisticRegression(
            flatParameters: (0...(1 << 12)).map { Float(($0 % 7) - 3) * 0.01 })
        let start = try LogisticRegression(flatParameters: (0...(1 << 12)).map { Float(($0 % 5) - 2) * 0.02 })
        let (eta, l2, mu) = (0.1, 1e-3, 0.2)
        let trained = try LogisticRegression.train(
            from: start, examples: [example],
            configuration: TrainingConfiguration(epochs: 1, learningRate: eta, l2: l2, balanceClasses: false),
            proximal: ProximalTerm(center: center, mu: mu))
        // One step by hand, densely, in Double.
        let w = start.weights.map(Double.init), c = center.weights.map(Double.init)
        var margin = Double(start.bias)
        for (i, v) in zip(example.features.indices, example.features.values) { margin += w[Int(i)] * Double(v) }
        let gradient = LogisticRegression.sigmoid(margin) - (example.isAttack ? 1 : 0)
        var expected = (0..<w.count).map { (1 - eta * (l2 + mu)) * w[$0] + eta * mu * c[$0] }
        for (i, v) in zip(example.features.indices, example.features.values) {
            expected[Int(i)] -= eta * gradient * Double(v)
        }
        for i in 0..<w.count { #expect(abs(Double(trained.weights[i]) - expected[i]) < 1e-6, "weight \(i)") }
        let bias = Double(start.bias) - eta * (gradient + mu * (Double(start.bias) - Double(center.bias)))
        #expect(abs(Double(trained.bias) - bias) < 1e-6)
    }

    @Test("μ out of range and a center of another dimension are refused")
    func refused() throws {
        let start = LogisticRegression(dimension: 1 << 12)
        #expect(throws: ClassifierError.self) {
            try LogisticRegression.train(
                from: start, examples: Self.examples, configuration: .init(epochs: 1),
                proximal: ProximalTerm(center: LogisticRegression(dimension: 8), mu: 0.1))
        }
        #expect(throws: ClassifierError.self) {
            try LogisticRegression.train(
                from: start, examples: Self.examples, configuration: .init(epochs: 1, learningRate: 0.5),
                proximal: ProximalTerm(center: start, mu: 3))
        }
    }

    @Test("an update is the local model minus the global one, and reports the global model's loss")
    func update() throws {
        let global = [Double](repeating: 0, count: (1 << 12) + 1)
        let update = try LocalTraining(epochs: 1).update(
            organization: "org-1", index: 0, round: 0, seed: 1, global: global, examples: Self.examples)
        #expect(update.examples == Self.examples.count)
        #expect(abs(update.loss - 0.6931471805599453) < 1e-12)  // log 2: every probability is 1/2 at zero weights
        #expect(update.norm > 0)
        let again = try LocalTraining(epochs: 1).update(
            organization: "org-1", index: 0, round: 0, seed: 1, global: global, examples: Self.examples)
        #expect(again.delta == update.delta)
        let otherRound = try LocalTraining(epochs: 1).update(
            organization: "org-1", index: 0, round: 1, seed: 1, global: global, examples: Self.examples)
        #expect(otherRound.delta != update.delta)
    }
}
