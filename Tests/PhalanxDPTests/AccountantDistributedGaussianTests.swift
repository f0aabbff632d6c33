import Foundation
import Testing

@testable import PhalanxDP

@Suite("RDP of the distributed discrete Gaussian (Kairouz, Liu, Steinke 2021, Prop. 14)")
struct AccountantDistributedGaussianTests {
    static func epsilon(_ event: PrivacyEvent, count: Int = 1, delta: Double = 1e-6) throws -> Double {
        var accountant = RDPAccountant()
        try accountant.compose(event, count: count)
        return try accountant.epsilon(delta: delta)
    }

    static func distributed(sigma: Double, n: Int, l1: Double = 10, l2: Double = 5, d: Int = 16) -> PrivacyEvent {
        .distributedDiscreteGaussian(
            localSigma: sigma, contributors: n, l1Sensitivity: l1, l2Sensitivity: l2, dimension: d)
    }

    @Test("one contributor is exactly one discrete Gaussian: the Gaussian's ε at σ/Δ₂ (τ = 0)")
    func singleContributor() throws {
        #expect(RenyiDivergence.distributedDiscreteGaussianTau(localSigma: 0.5, contributors: 1) == 0)
        for sigma in [3.0, 10, 50] {
            let single = try Self.epsilon(Self.distributed(sigma: sigma, n: 1), count: 5)
            let gaussian = try Self.epsilon(.gaussian(noiseMultiplier: sigma / 5), count: 5)
            // Orders are charged at their ceiling (Prop. 14 is for integer orders), so ε is at least the Gaussian's
            // and close to it.
            #expect(single >= gaussian && single < gaussian * 1.05, "\(single) vs \(gaussian)")
        }
    }

    @Test("with a large local σ the sum behaves as one Gaussian of σ·√n")
    func largeSigma() throws {
        #expect(RenyiDivergence.distributedDiscreteGaussianTau(localSigma: 4, contributors: 100) < 1e-60)
        let sum = try Self.epsilon(Self.distributed(sigma: 20, n: 10), count: 3)
        let central = try Self.epsilon(.gaussian(noiseMultiplier: 20 * 10.0.squareRoot() / 5), count: 3)
        #expect(sum >= central && sum < central * 1.05, "\(sum) vs \(central)")
    }

    @Test("with a small local σ the correction τ costs real ε, growing with n and the dimension")
    func smallSigma() throws {
        let tau5 = RenyiDivergence.distributedDiscreteGaussianTau(localSigma: 0.3, contributors: 5)
        let tau50 = RenyiDivergence.distributedDiscreteGaussianTau(localSigma: 0.3, contributors: 50)
        #expect(tau5 > 0.1 && tau50 > tau5)
        // Same total variance as a central Gaussian of σ·√n, but strictly more ε.
        let sum = try Self.epsilon(Self.distributed(sigma: 0.3, n: 5, l1: 1, l2: 1, d: 100))
        let central = try Self.epsilon(.gaussian(noiseMultiplier: 0.3 * 5.0.squareRoot()))
        #expect(sum > central * 1.5, "\(sum) vs \(central)")
        let small = RenyiDivergence.distributedDiscreteGaussian(
            localSigma: 0.3, contributors: 5, l1Sensitivity: 1, l2Sensitivity: 1, dimension: 1, order: 4)
        let large = RenyiDivergence.distributedDiscreteGaussian(
            localSigma: 0.3, contributors: 5, l1Sensitivity: 1, l2Sensitivity: 1, dimension: 1_000, order: 4)
        #expect(large > small)
    }

    @Test("the bound is the least of the proposition's three terms, evaluated at the order's ceiling")
    func threeTerms() {
        let (sigma, n, l1, l2, d) = (0.8, 4, 6.0, 3.0, 9)
        let tau = RenyiDivergence.distributedDiscreteGaussianTau(localSigma: sigma, contributors: n)
        let s = Double(n).squareRoot() * sigma
        for order in [1.5, 2, 7.3, 20] {
            let a = order.rounded(.up)
            let expected = min(
                a / 2 * l2 * l2 / (s * s) + tau * Double(d),
                a / 2 * (l2 * l2 / (s * s) + 2 * l1 / s * tau + tau * tau * Double(d)),
                a / 2 * pow(l2 / s + tau * Double(d).squareRoot(), 2))
            let value = RenyiDivergence.distributedDiscreteGaussian(
                localSigma: sigma, contributors: n, l1Sensitivity: l1, l2Sensitivity: l2, dimension: d, order: order)
            #expect(abs(value - expected) <= 1e-12 * expected)
        }
    }

    @Test("composes with other mechanisms in the RDP accountant; the PLD accountant refuses it")
    func composition() throws {
        let event = Self.distributed(sigma: 20, n: 10)
        let both = try Self.epsilon(.composed([event, .gaussian(noiseMultiplier: 30)]))
        #expect(both > (try Self.epsilon(event)))
        var pld = try PLDAccountant()
        #expect {
            try pld.compose(event, count: 1)
        } throws: { error in
            (error as? DPError)?.code == .unsupportedEvent
        }
    }

    @Test("bad parameters are refused, naming the parameter")
    func badParameters() {
        let cases: [(PrivacyEvent, String)] = [
            (Self.distributed(sigma: 0, n: 3), "localSigma"),
            (Self.distributed(sigma: .nan, n: 3), "localSigma"),
            (Self.distributed(sigma: 1, n: 0), "contributors"),
            (Self.distributed(sigma: 1, n: 3, l1: -1), "l1Sensitivity"),
            (Self.distributed(sigma: 1, n: 3, l2: .infinity), "l2Sensitivity"),
            (Self.distributed(sigma: 1, n: 3, d: 0), "dimension"),
        ]
        for (event, parameter) in cases {
            var accountant = RDPAccountant()
            do {
                try accountant.compose(event, count: 1)
                Issue.record("accepted \(event)")
            } catch {
                #expect(error.parameter == parameter, "\(error)")
            }
        }
    }
}
