import Foundation
import PhalanxDP
import Testing

/// Every value of `Vectors/dp-accounting-0.6.0.json` is reproduced to 6 significant digits (relative error
/// below 5e-7): RDP and analytic Gaussian values, PLD values at the same discretization parameters, and
/// calibrated noise multipliers.
@Suite("The accountants reproduce dp-accounting 0.6.0")
struct AccountantOracleTests {
    typealias Oracles = AccountantOracles

    @Test("the vector file is dp-accounting 0.6.0, add-or-remove-one, with at least 30 cases")
    func vectorFile() {
        #expect(Oracles.document.package == "dp-accounting")
        #expect(Oracles.document.version == "0.6.0")
        #expect(Oracles.document.neighboringRelation == "ADD_OR_REMOVE_ONE")
        #expect(Oracles.document.cases.count >= 33)
        #expect(Set(Oracles.document.cases.map(\.id)).count == Oracles.document.cases.count)
    }

    @Test("RDP: ε (and the best order) for δ, δ for ε", arguments: Oracles.cases("rdp"))
    func rdp(_ vector: Oracles.Case) throws {
        var accountant = RDPAccountant()
        try accountant.compose(try #require(vector.event).event)
        if vector.query == "epsilon" {
            let (epsilon, order) = try accountant.epsilonAndOptimalOrder(delta: try #require(vector.delta))
            let error = Oracles.relativeError(epsilon, vector.expected("epsilon"))
            #expect(error < Oracles.sixDigits, "ε = \(epsilon), expected \(vector.expected("epsilon")), error \(error)")
            #expect(order == vector.expected("order"))
        } else {
            let (delta, order) = try accountant.deltaAndOptimalOrder(epsilon: try #require(vector.epsilon))
            let error = Oracles.relativeError(delta, vector.expected("delta"))
            #expect(error < Oracles.sixDigits, "δ = \(delta), expected \(vector.expected("delta")), error \(error)")
            #expect(order == vector.expected("order"))
        }
    }

    @Test("PLD: ε for δ and δ for ε at the same discretization", arguments: Oracles.cases("pld"))
    func pld(_ vector: Oracles.Case) throws {
        var accountant = try PLDAccountant(
            valueDiscretizationInterval: try #require(vector.valueDiscretizationInterval))
        try accountant.compose(try #require(vector.event).event)
        let key = vector.query
        let actual =
            key == "epsilon"
            ? try accountant.epsilon(delta: try #require(vector.delta))
            : try accountant.delta(epsilon: try #require(vector.epsilon))
        let error = Oracles.relativeError(actual, vector.expected(key))
        #expect(error < Oracles.sixDigits, "\(key) = \(actual), expected \(vector.expected(key)), error \(error)")
    }

    @Test("analytic Gaussian: ε(σ, δ) and σ(ε, δ)", arguments: Oracles.cases("analytic"))
    func analytic(_ vector: Oracles.Case) throws {
        let delta = try #require(vector.delta)
        let actual =
            vector.query == "epsilon"
            ? try AnalyticGaussian.epsilon(sigma: try #require(vector.sigma), delta: delta)
            : try AnalyticGaussian.sigma(epsilon: try #require(vector.epsilon), delta: delta)
        let error = Oracles.relativeError(actual, vector.expected(vector.query))
        #expect(error < Oracles.sixDigits, "\(actual), expected \(vector.expected(vector.query)), error \(error)")
    }

    @Test("calibration: the smallest noise multiplier meeting a target ε", arguments: Oracles.cases("calibration"))
    func calibration(_ vector: Oracles.Case) throws {
        let accountant: NoiseCalibration.Accountant =
            vector.accountant == "rdp"
            ? .rdp : .pld(valueDiscretizationInterval: try #require(vector.valueDiscretizationInterval))
        let target = try #require(vector.targetEpsilon)
        let result = try NoiseCalibration.noiseMultiplier(
            targetEpsilon: target, delta: try #require(vector.delta),
            mechanism: try NoiseCalibration.Mechanism(name: try #require(vector.mechanism)),
            samplingRate: try #require(vector.samplingRate), steps: try #require(vector.steps), accountant: accountant,
            tolerance: try #require(vector.tolerance))
        let error = Oracles.relativeError(result.noiseMultiplier, vector.expected("noiseMultiplier"))
        #expect(
            error < Oracles.sixDigits, "z = \(result.noiseMultiplier), expected \(vector.expected("noiseMultiplier"))")
        #expect(result.epsilon <= target)
    }

    /// The values quoted in the design brief, rounded to 6 decimals.
    @Test("the brief's reference values, to 6 decimals")
    func briefValues() throws {
        var dpSGD = RDPAccountant()
        try dpSGD.compose(.poissonSampledGaussian(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1000))
        let (epsilon, order) = try dpSGD.epsilonAndOptimalOrder(delta: 1e-5)
        #expect(abs(epsilon - 1.711770) <= 5e-7)
        #expect(order == 9.6)

        var gaussians = RDPAccountant()
        try gaussians.compose(.gaussian(noiseMultiplier: 10), count: 100)
        #expect(abs(try gaussians.epsilon(delta: 1e-6) - 5.221540) <= 5e-7)
        #expect(abs(try AnalyticGaussian.epsilon(sigma: 10 / 100.0.squareRoot(), delta: 1e-6) - 4.886554) <= 5e-7)

        #expect(abs(try AnalyticGaussian.epsilon(sigma: 1, delta: 1e-5) - 4.377178) <= 5e-7)
        #expect(abs(try AnalyticGaussian.sigma(epsilon: 1, delta: 1e-5) - 3.730632) <= 5e-7)
    }
}
