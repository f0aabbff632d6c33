import Foundation
import PhalanxDP
import Testing

/// Every out-of-domain input is a thrown ``DPError`` naming the parameter — never a trap, never a silent NaN.
@Suite("Accountant input validation")
struct AccountantValidationTests {
    static let badDeltas: [Double] = [0, 1, -1e-5, 1.5, .nan, .infinity, -.infinity]
    static let badEpsilons: [Double] = [0, -1, .nan, .infinity, -.infinity]
    static let badNoise: [Double] = [0, -1, .nan, .infinity]
    static let badRates: [Double] = [0, -0.1, 1.0000001, 2, .nan, .infinity]

    /// Runs `body` and checks it throws a DPError with `code` naming `parameter`.
    static func expectError(
        _ code: DPError.Code, parameter: String?, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        do {
            try body()
            Issue.record("expected \(code) for \(parameter ?? "-")", sourceLocation: sourceLocation)
        } catch let error as DPError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(error.parameter == parameter, "\(error)", sourceLocation: sourceLocation)
            #expect(!error.message.isEmpty && error.description.contains(error.message), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("δ outside (0, 1) or not finite", arguments: badDeltas)
    func delta(_ delta: Double) throws {
        let rdp = try RDPAccountant().composing(.gaussian(noiseMultiplier: 1))
        let pld = try PLDAccountant(valueDiscretizationInterval: 1e-2).composing(.gaussian(noiseMultiplier: 1))
        Self.expectError(.invalidParameter, parameter: "delta") { _ = try rdp.epsilon(delta: delta) }
        Self.expectError(.invalidParameter, parameter: "delta") { _ = try rdp.epsilonAndOptimalOrder(delta: delta) }
        Self.expectError(.invalidParameter, parameter: "delta") { _ = try pld.epsilon(delta: delta) }
        Self.expectError(.invalidParameter, parameter: "delta") {
            _ = try AnalyticGaussian.epsilon(sigma: 1, delta: delta)
        }
        Self.expectError(.invalidParameter, parameter: "delta") {
            _ = try AnalyticGaussian.sigma(epsilon: 1, delta: delta)
        }
        Self.expectError(.invalidParameter, parameter: "delta") {
            _ = try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, delta: delta, mechanism: .gaussian, steps: 1)
        }
    }

    @Test("ε ≤ 0 or not finite", arguments: badEpsilons)
    func epsilon(_ epsilon: Double) throws {
        let rdp = try RDPAccountant().composing(.gaussian(noiseMultiplier: 1))
        let pld = try PLDAccountant(valueDiscretizationInterval: 1e-2).composing(.gaussian(noiseMultiplier: 1))
        Self.expectError(.invalidParameter, parameter: "epsilon") { _ = try rdp.delta(epsilon: epsilon) }
        Self.expectError(.invalidParameter, parameter: "epsilon") { _ = try pld.delta(epsilon: epsilon) }
        Self.expectError(.invalidParameter, parameter: "epsilon") {
            _ = try AnalyticGaussian.sigma(epsilon: epsilon, delta: 1e-5)
        }
        Self.expectError(.invalidParameter, parameter: "epsilon") {
            _ = try AnalyticGaussian.delta(sigma: 1, epsilon: epsilon)
        }
        Self.expectError(.invalidParameter, parameter: "targetEpsilon") {
            _ = try NoiseCalibration.noiseMultiplier(
                targetEpsilon: epsilon, delta: 1e-5, mechanism: .gaussian, steps: 1)
        }
    }

    @Test("noise multiplier ≤ 0 or not finite", arguments: badNoise)
    func noise(_ z: Double) throws {
        let events: [PrivacyEvent] = [
            .gaussian(noiseMultiplier: z), .laplace(noiseMultiplier: z),
            .poissonSampledGaussian(samplingRate: 0.1, noiseMultiplier: z),
            .poissonSampledLaplace(samplingRate: 0.1, noiseMultiplier: z),
            .selfComposed(.composed([.gaussian(noiseMultiplier: 1), .gaussian(noiseMultiplier: z)]), count: 3),
        ]
        for event in events {
            var rdp = RDPAccountant()
            var pld = try PLDAccountant(valueDiscretizationInterval: 1e-2)
            Self.expectError(.invalidParameter, parameter: "noiseMultiplier") { try rdp.compose(event) }
            Self.expectError(.invalidParameter, parameter: "noiseMultiplier") { try pld.compose(event) }
        }
        Self.expectError(.invalidParameter, parameter: "sigma") {
            _ = try AnalyticGaussian.epsilon(sigma: z, delta: 1e-5)
        }
        Self.expectError(.invalidParameter, parameter: "standardDeviation") {
            _ = try PrivacyLossDistribution.gaussian(standardDeviation: z)
        }
        Self.expectError(.invalidParameter, parameter: "parameter") {
            _ = try PrivacyLossDistribution.laplace(parameter: z)
        }
    }

    @Test("sampling rate outside (0, 1] or not finite", arguments: badRates)
    func samplingRate(_ q: Double) throws {
        for event in [
            PrivacyEvent.poissonSampledGaussian(samplingRate: q, noiseMultiplier: 1),
            .poissonSampledLaplace(samplingRate: q, noiseMultiplier: 1),
        ] {
            var rdp = RDPAccountant()
            var pld = try PLDAccountant(valueDiscretizationInterval: 1e-2)
            Self.expectError(.invalidParameter, parameter: "samplingRate") { try rdp.compose(event) }
            Self.expectError(.invalidParameter, parameter: "samplingRate") { try pld.compose(event) }
        }
        Self.expectError(.invalidParameter, parameter: "samplingRate") {
            _ = try NoiseCalibration.noiseMultiplier(
                targetEpsilon: 1, delta: 1e-5, mechanism: .gaussian, samplingRate: q, steps: 10)
        }
    }

    @Test("steps and counts below 1, and counts whose product overflows", arguments: [0, -1, Int.min])
    func counts(_ count: Int) throws {
        var rdp = RDPAccountant()
        var pld = try PLDAccountant(valueDiscretizationInterval: 1e-2)
        let event = PrivacyEvent.gaussian(noiseMultiplier: 1)
        Self.expectError(.invalidParameter, parameter: "count") { try rdp.compose(.selfComposed(event, count: count)) }
        Self.expectError(.invalidParameter, parameter: "count") { try pld.compose(.selfComposed(event, count: count)) }
        Self.expectError(.invalidParameter, parameter: "count") { try rdp.compose(event, count: count) }
        Self.expectError(.invalidParameter, parameter: "count") {
            _ = try PrivacyLossDistribution.gaussian(standardDeviation: 1).selfComposed(count)
        }
        Self.expectError(.invalidParameter, parameter: "steps") {
            _ = try NoiseCalibration.noiseMultiplier(targetEpsilon: 1, delta: 1e-5, mechanism: .gaussian, steps: count)
        }
        let huge = PrivacyEvent.selfComposed(.selfComposed(event, count: Int.max / 2), count: 3)
        Self.expectError(.invalidParameter, parameter: "count") { try rdp.compose(huge) }
    }

    @Test("unknown and unsupported mechanisms")
    func mechanisms() throws {
        for name in ["exponential", "Gaussian", "", "laplace "] {
            Self.expectError(.unknownMechanism, parameter: "mechanism") {
                _ = try NoiseCalibration.Mechanism(name: name)
            }
        }
        #expect(try NoiseCalibration.Mechanism(name: "gaussian") == .gaussian)
        #expect(try NoiseCalibration.Mechanism(name: "laplace") == .laplace)
        var rdp = RDPAccountant()
        Self.expectError(.unsupportedEvent, parameter: "event") {
            try rdp.compose(
                .composed([
                    .gaussian(noiseMultiplier: 1), .poissonSampledLaplace(samplingRate: 0.1, noiseMultiplier: 1),
                ]))
        }
        #expect(rdp.rdp.allSatisfy { $0 == 0 }, "a refused event composes nothing")
        Self.expectError(.unsupportedEvent, parameter: "mechanism") {
            _ = try NoiseCalibration.noiseMultiplier(
                targetEpsilon: 1, delta: 1e-5, mechanism: .laplace, samplingRate: 0.5, steps: 1, accountant: .rdp)
        }
    }

    @Test("a rejected event leaves the accountant unchanged")
    func atomicCompose() throws {
        var rdp = try RDPAccountant().composing(.gaussian(noiseMultiplier: 2))
        let before = rdp
        Self.expectError(.invalidParameter, parameter: "noiseMultiplier") {
            try rdp.compose(.composed([.gaussian(noiseMultiplier: 1), .gaussian(noiseMultiplier: -1)]))
        }
        #expect(rdp == before)
        var pld = try PLDAccountant(valueDiscretizationInterval: 1e-2).composing(.gaussian(noiseMultiplier: 2))
        let pldBefore = pld
        Self.expectError(.invalidParameter, parameter: "samplingRate") {
            try pld.compose(
                .composed([.gaussian(noiseMultiplier: 1), .poissonSampledGaussian(samplingRate: 2, noiseMultiplier: 1)])
            )
        }
        #expect(pld == pldBefore)
    }

    @Test("accountant and distribution parameters")
    func configuration() throws {
        for interval in [0, -1e-4, .nan, .infinity] {
            Self.expectError(.invalidParameter, parameter: "valueDiscretizationInterval") {
                _ = try PLDAccountant(valueDiscretizationInterval: interval)
            }
        }
        for orders in [[], [1.0], [0.5, 2], [2, .nan], [2, .infinity], [1e9]] {
            Self.expectError(.invalidParameter, parameter: "orders") { _ = try RDPAccountant(orders: orders) }
        }
        Self.expectError(.invalidParameter, parameter: "tolerance") {
            _ = try NoiseCalibration.noiseMultiplier(
                targetEpsilon: 1, delta: 1e-5, mechanism: .gaussian, steps: 1, tolerance: 0)
        }
        Self.expectError(.invalidParameter, parameter: "tolerance") {
            _ = try AnalyticGaussian.epsilon(sigma: 1, delta: 1e-5, tolerance: -1)
        }
        let coarse = try PrivacyLossDistribution.gaussian(standardDeviation: 1, valueDiscretizationInterval: 1e-2)
        let fine = try PrivacyLossDistribution.gaussian(standardDeviation: 1, valueDiscretizationInterval: 1e-3)
        Self.expectError(.invalidParameter, parameter: "valueDiscretizationInterval") {
            _ = try coarse.composed(with: fine)
        }
        Self.expectError(.invalidParameter, parameter: "tailMassTruncation") {
            _ = try coarse.composed(with: coarse, tailMassTruncation: .nan)
        }
    }

    @Test("a distribution too fine to hold is refused before anything is allocated")
    func tooLarge() throws {
        var pld = try PLDAccountant(valueDiscretizationInterval: 1e-9)
        Self.expectError(.distributionTooLarge, parameter: "valueDiscretizationInterval") {
            try pld.compose(.gaussian(noiseMultiplier: 1))
        }
        var coarse = try PLDAccountant(valueDiscretizationInterval: 1e-4)
        Self.expectError(.distributionTooLarge, parameter: "valueDiscretizationInterval") {
            try coarse.compose(.selfComposed(.laplace(noiseMultiplier: 1), count: 100_000_000))
        }
    }

    /// An accountant whose ε never drops below 5, to exercise the calibration's failure path.
    struct StubbornAccountant: PrivacyAccountant {
        mutating func compose(_ event: PrivacyEvent, count: Int) throws(DPError) {}
        func epsilon(delta: Double) throws(DPError) -> Double { 5 }
        func delta(epsilon: Double) throws(DPError) -> Double { 1 }
    }

    @Test("a target no multiplier below about 2³¹ reaches fails with calibrationFailed")
    func calibrationFailure() {
        Self.expectError(.calibrationFailed, parameter: "targetEpsilon") {
            _ = try NoiseCalibration.smallestParameter(
                targetEpsilon: 1, delta: 1e-5, accountant: StubbornAccountant(),
                event: { .gaussian(noiseMultiplier: $0) })
        }
    }
}

extension AccountantValidationTests {
    @Test("DPError.invalid names the parameter and completes the sentence")
    func invalidHelper() {
        let error = DPError.invalid("windows", "must be at least 1")
        #expect(error.code == .invalidParameter)
        #expect(error.parameter == "windows")
        #expect(error.message == "windows must be at least 1")
        #expect(error.description == "invalid parameter (windows): windows must be at least 1")
    }
}
