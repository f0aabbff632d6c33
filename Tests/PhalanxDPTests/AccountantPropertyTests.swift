import Foundation
import PhalanxDP
import Testing

/// Properties every accountant must have, whatever the reference values: ε grows with the number of steps and
/// the sampling rate and shrinks with the noise; composing an event n times equals its n-fold self-composition;
/// PLD is tighter than RDP and never below the exact Gaussian curve; the conversions invert each other; and a
/// calibrated multiplier meets its target within the tolerance.
@Suite("Accountant properties")
struct AccountantPropertyTests {
    /// A coarse grid keeps the PLD property tests fast in debug builds.
    static let coarse = 1e-3

    static func rdpEpsilon(_ event: PrivacyEvent, delta: Double = 1e-5) throws -> Double {
        try RDPAccountant().composing(event).epsilon(delta: delta)
    }

    static func pldEpsilon(_ event: PrivacyEvent, delta: Double = 1e-5, interval: Double = coarse) throws -> Double {
        try PLDAccountant(valueDiscretizationInterval: interval).composing(event).epsilon(delta: delta)
    }

    static func isStrictlyIncreasing(_ values: [Double]) -> Bool {
        zip(values, values.dropFirst()).allSatisfy { $0 < $1 }
    }

    // MARK: Monotonicity

    @Test("RDP: ε increases with steps and sampling rate and decreases with the noise multiplier")
    func rdpMonotone() throws {
        let bySteps = try [1, 10, 100, 1000, 5000].map {
            try Self.rdpEpsilon(.poissonSampledGaussian(samplingRate: 0.01, noiseMultiplier: 1.1, steps: $0))
        }
        #expect(Self.isStrictlyIncreasing(bySteps), "\(bySteps)")
        let byRate = try [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1].map {
            try Self.rdpEpsilon(.poissonSampledGaussian(samplingRate: $0, noiseMultiplier: 1.1, steps: 100))
        }
        #expect(Self.isStrictlyIncreasing(byRate), "\(byRate)")
        let byNoise = try [0.6, 0.8, 1, 1.5, 2, 4, 10].map {
            try Self.rdpEpsilon(.poissonSampledGaussian(samplingRate: 0.01, noiseMultiplier: $0, steps: 100))
        }
        #expect(Self.isStrictlyIncreasing(byNoise.reversed()), "\(byNoise)")
        let laplaceByNoise = try [0.5, 1, 2, 5, 20].map { try Self.rdpEpsilon(.laplace(noiseMultiplier: $0)) }
        #expect(Self.isStrictlyIncreasing(laplaceByNoise.reversed()), "\(laplaceByNoise)")
    }

    @Test("PLD: ε increases with steps and sampling rate and decreases with the noise multiplier")
    func pldMonotone() throws {
        let bySteps = try [1, 10, 100, 400].map {
            try Self.pldEpsilon(.poissonSampledGaussian(samplingRate: 0.05, noiseMultiplier: 1.1, steps: $0))
        }
        #expect(Self.isStrictlyIncreasing(bySteps), "\(bySteps)")
        let byRate = try [0.01, 0.05, 0.2, 0.6, 1].map {
            try Self.pldEpsilon(.poissonSampledGaussian(samplingRate: $0, noiseMultiplier: 1.1, steps: 20))
        }
        #expect(Self.isStrictlyIncreasing(byRate), "\(byRate)")
        let byNoise = try [0.8, 1, 1.5, 3, 8].map {
            try Self.pldEpsilon(.poissonSampledGaussian(samplingRate: 0.05, noiseMultiplier: $0, steps: 20))
        }
        #expect(Self.isStrictlyIncreasing(byNoise.reversed()), "\(byNoise)")
        let laplaceBySteps = try [1, 3, 10].map {
            try Self.pldEpsilon(.selfComposed(.laplace(noiseMultiplier: 4), count: $0))
        }
        #expect(Self.isStrictlyIncreasing(laplaceBySteps), "\(laplaceBySteps)")
    }

    @Test("δ(ε) decreases in ε for both accountants")
    func deltaDecreasing() throws {
        let event = PrivacyEvent.poissonSampledGaussian(samplingRate: 0.02, noiseMultiplier: 1, steps: 50)
        let rdp = try RDPAccountant().composing(event)
        let pld = try PLDAccountant(valueDiscretizationInterval: Self.coarse).composing(event)
        let epsilons = [0.25, 0.5, 1, 2, 4]
        let rdpDeltas = try epsilons.map { try rdp.delta(epsilon: $0) }
        let pldDeltas = try epsilons.map { try pld.delta(epsilon: $0) }
        #expect(Self.isStrictlyIncreasing(rdpDeltas.reversed()), "\(rdpDeltas)")
        #expect(Self.isStrictlyIncreasing(pldDeltas.reversed()), "\(pldDeltas)")
    }

    // MARK: Composition

    @Test("RDP: composing an event n times equals its self-composition", arguments: [2, 7, 50])
    func rdpSelfComposition(n: Int) throws {
        let events: [PrivacyEvent] = [
            .poissonSampledGaussian(samplingRate: 0.01, noiseMultiplier: 1.1), .gaussian(noiseMultiplier: 3),
            .laplace(noiseMultiplier: 2),
            .composed([.gaussian(noiseMultiplier: 5), .poissonSampledGaussian(samplingRate: 0.1, noiseMultiplier: 2)]),
        ]
        for event in events {
            var oneByOne = RDPAccountant()
            for _ in 0..<n { try oneByOne.compose(event) }
            let selfComposed = try RDPAccountant().composing(.selfComposed(event, count: n))
            let counted = try RDPAccountant().composing(event, count: n)
            let listed = try RDPAccountant().composing(.composed(Array(repeating: event, count: n)))
            for other in [selfComposed, counted, listed] {
                for (a, b) in zip(oneByOne.rdp, other.rdp) { #expect(abs(a - b) <= 1e-12 * abs(b)) }
            }
            let epsilon = try selfComposed.epsilon(delta: 1e-5)
            #expect(abs(try oneByOne.epsilon(delta: 1e-5) - epsilon) <= 1e-12 * epsilon)
        }
    }

    @Test("PLD: composing an event n times equals its self-composition (to 1e-9)")
    func pldSelfComposition() throws {
        let cases: [(PrivacyEvent, Int)] = [
            (.laplace(noiseMultiplier: 2), 5),
            (.poissonSampledGaussian(samplingRate: 0.05, noiseMultiplier: 1), 8),
            (.poissonSampledLaplace(samplingRate: 0.1, noiseMultiplier: 1), 6),
        ]
        for (event, n) in cases {
            var oneByOne = try PLDAccountant(valueDiscretizationInterval: Self.coarse)
            for _ in 0..<n { try oneByOne.compose(event) }
            let selfComposed = try PLDAccountant(valueDiscretizationInterval: Self.coarse)
                .composing(.selfComposed(event, count: n))
            for delta in [1e-3, 1e-6] {
                let a = try oneByOne.epsilon(delta: delta)
                let b = try selfComposed.epsilon(delta: delta)
                #expect(abs(a - b) <= 1e-9 * b, "\(event) × \(n) at δ=\(delta): \(a) vs \(b)")
            }
        }
    }

    @Test("PLD: n Gaussians composed one by one agree with one Gaussian of σ/√n up to the discretization")
    func pldGaussianComposition() throws {
        var oneByOne = try PLDAccountant(valueDiscretizationInterval: Self.coarse)
        for _ in 0..<10 { try oneByOne.compose(.gaussian(noiseMultiplier: 8)) }
        let merged = try PLDAccountant(valueDiscretizationInterval: Self.coarse)
            .composing(.gaussian(noiseMultiplier: 8), count: 10)
        let exact = try AnalyticGaussian.epsilon(sigma: 8 / 10.0.squareRoot(), delta: 1e-6)
        let a = try oneByOne.epsilon(delta: 1e-6)
        let b = try merged.epsilon(delta: 1e-6)
        // Both are pessimistic: never below the exact curve, and ten discretizations cost at most 10 intervals.
        #expect(a >= exact - 1e-12 && b >= exact - 1e-12)
        #expect(a - exact <= 10 * Self.coarse && b - exact <= Self.coarse)
    }

    // MARK: Relations between the accountants

    @Test("PLD is never looser than RDP, and never below the exact Gaussian curve")
    func pldTighterThanRDP() throws {
        let events: [PrivacyEvent] = [
            .poissonSampledGaussian(samplingRate: 0.02, noiseMultiplier: 1.2, steps: 200),
            .selfComposed(.gaussian(noiseMultiplier: 4), count: 16),
            .selfComposed(.laplace(noiseMultiplier: 3), count: 4),
        ]
        for event in events {
            #expect(try Self.pldEpsilon(event) <= Self.rdpEpsilon(event))
        }
        for sigma in [0.7, 1.0, 3.0] {
            let exact = try AnalyticGaussian.epsilon(sigma: sigma, delta: 1e-5)
            let pld = try Self.pldEpsilon(.gaussian(noiseMultiplier: sigma), interval: 1e-4)
            #expect(pld >= exact - 1e-12 && pld - exact < 1e-4, "σ=\(sigma): PLD \(pld), exact \(exact)")
            #expect(try Self.rdpEpsilon(.gaussian(noiseMultiplier: sigma)) > exact)
        }
    }

    @Test("ε(δ) and δ(ε) invert each other")
    func conversionsInvert() throws {
        let event = PrivacyEvent.poissonSampledGaussian(samplingRate: 0.01, noiseMultiplier: 1.1, steps: 1000)
        let rdp = try RDPAccountant().composing(event)
        for delta in [1e-3, 1e-5, 1e-8] {
            let epsilon = try rdp.epsilon(delta: delta)
            #expect(abs(try rdp.delta(epsilon: epsilon) - delta) <= 1e-9 * delta)
        }
        let pld = try PLDAccountant(valueDiscretizationInterval: Self.coarse)
            .composing(.poissonSampledGaussian(samplingRate: 0.05, noiseMultiplier: 1.1, steps: 50))
        for delta in [1e-3, 1e-5, 1e-8] {
            let epsilon = try pld.epsilon(delta: delta)
            #expect(abs(try pld.delta(epsilon: epsilon) - delta) <= 1e-9 * delta)
        }
        for (sigma, delta) in [(0.8, 1e-5), (2.0, 1e-6), (10.0, 1e-9)] {
            let epsilon = try AnalyticGaussian.epsilon(sigma: sigma, delta: delta)
            #expect(abs(try AnalyticGaussian.sigma(epsilon: epsilon, delta: delta) - sigma) <= 1e-9 * sigma)
            #expect(abs(try AnalyticGaussian.delta(sigma: sigma, epsilon: epsilon) - delta) <= 1e-9 * delta)
        }
    }

    @Test("an accountant with nothing composed is (0, δ)-DP, and the identity PLD leaks nothing")
    func empty() throws {
        #expect(try RDPAccountant().epsilon(delta: 1e-5) == 0)
        #expect(try PLDAccountant().epsilon(delta: 1e-5) == 0)
        #expect(try PLDAccountant().delta(epsilon: 0.1) == 0)
        #expect(try RDPAccountant().composing(.composed([])).epsilon(delta: 1e-5) == 0)
    }

    // MARK: Calibration

    @Test("a calibrated multiplier meets the target, and one tolerance less does not")
    func calibrationMeetsTarget() throws {
        let tolerance = 1e-6
        let rdp = try NoiseCalibration.noiseMultiplier(
            targetEpsilon: 2, delta: 1e-5, mechanism: .gaussian, samplingRate: 0.01, steps: 1000, tolerance: tolerance)
        let rdpEvent = { (z: Double) in
            PrivacyEvent.poissonSampledGaussian(samplingRate: 0.01, noiseMultiplier: z, steps: 1000)
        }
        #expect(try Self.rdpEpsilon(rdpEvent(rdp.noiseMultiplier)) <= 2)
        #expect(try Self.rdpEpsilon(rdpEvent(rdp.noiseMultiplier - tolerance)) > 2)
        #expect(abs(rdp.epsilon - 2) < 1e-4)

        let pld = try NoiseCalibration.noiseMultiplier(
            targetEpsilon: 1, delta: 1e-6, mechanism: .laplace, samplingRate: 0.2, steps: 5,
            accountant: .pld(valueDiscretizationInterval: 1e-2), tolerance: 1e-5)
        let pldEvent = { (b: Double) in
            PrivacyEvent.selfComposed(.poissonSampledLaplace(samplingRate: 0.2, noiseMultiplier: b), count: 5)
        }
        #expect(try Self.pldEpsilon(pldEvent(pld.noiseMultiplier), delta: 1e-6, interval: 1e-2) <= 1)
        #expect(try Self.pldEpsilon(pldEvent(pld.noiseMultiplier - 1e-5), delta: 1e-6, interval: 1e-2) > 1)
        #expect(abs(pld.epsilon - 1) < 1e-3)
    }

    @Test("calibration with the PLD accountant needs at least the analytic σ, and little more")
    func calibrationMatchesAnalytic() throws {
        let result = try NoiseCalibration.noiseMultiplier(
            targetEpsilon: 1, delta: 1e-5, mechanism: .gaussian, steps: 1,
            accountant: .pld(valueDiscretizationInterval: Self.coarse))
        let exact = try AnalyticGaussian.sigma(epsilon: 1, delta: 1e-5)
        // The pessimistic discretization can only ask for more noise, by about (interval / ε) × σ.
        #expect(result.noiseMultiplier >= exact - NoiseCalibration.defaultTolerance)
        #expect(result.noiseMultiplier - exact < 2 * Self.coarse * exact)
    }
}
