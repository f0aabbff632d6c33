import Foundation
import Testing
import _TestSupport

@testable import PhalanxDP

/// The numerical building blocks: the normal distribution against 50-digit mpmath values, Brent's method, and the
/// FFT convolutions against direct summation.
@Suite("Accounting numerics")
struct AccountantNumericsTests {
    /// log Φ(x) from mpmath at 50 digits (for x ≥ 5 as −Φ(−x), which is what log Φ rounds to).
    static let logCDFReference: [(x: Double, value: Double)] = [
        (-40, -804.6084420137538), (-28, -396.25241451163106), (-25, -316.63940800802027),
        (-10, -53.23128515051247), (-3, -6.607726221510349), (-1, -1.8410216450092636),
        (-0.5, -1.1759117615936185), (0, -0.6931471805599453), (2, -0.02301290932896349),
        (8, -6.220960574271784e-16), (30, -4.906713927148187e-198),
    ]

    /// Rounding x/√2 to a double already perturbs Φ(x) by about x²·2⁻⁵³ relative (SciPy's values carry the same
    /// error), so the bound grows with x².
    static func tolerance(_ x: Double) -> Double { 4e-16 * max(25, x * x) }

    @Test("log Φ is accurate to ~1e-14 relative in both tails, including past erfc's underflow")
    func normalLogCDF() {
        for (x, value) in Self.logCDFReference {
            let error = abs(AccountingMath.normalLogCDF(x) - value) / abs(value)
            #expect(error < Self.tolerance(x), "log Φ(\(x)): relative error \(error)")
        }
        #expect(AccountingMath.normalLogCDF(-.infinity) == -.infinity)
        #expect(AccountingMath.normalLogCDF(.infinity) == 0)
        #expect(AccountingMath.normalLogCDF(-1e6).isFinite)
    }

    @Test("Φ matches mpmath")
    func normalCDF() {
        let reference: [(Double, Double)] = [
            (-30, 4.906713927148187e-198), (-5, 2.866515718791939e-07), (-1, 0.15865525393145705),
            (0.3, 0.6179114221889527), (4, 0.9999683287581669),
        ]
        for (x, value) in reference {
            #expect(abs(AccountingMath.normalCDF(x) - value) / value < Self.tolerance(x))
        }
        #expect(AccountingMath.normalCDF(.infinity) == 1)
        #expect(AccountingMath.normalCDF(-.infinity) == 0)
    }

    @Test("Φ⁻¹ matches mpmath to 1e-15 relative, including at the PLD truncation point e⁻⁵⁰/2")
    func normalQuantile() {
        let reference: [(Double, Double)] = [
            (9.643749239819589e-23, -9.745474864965935), (1e-10, -6.361340902404057), (0.01, -2.326347874040841),
            (0.3, -0.5244005127080408), (0.9, 1.2815515655446006),
        ]
        for (p, value) in reference {
            #expect(abs(AccountingMath.normalQuantile(p) - value) / abs(value) < 1e-15)
        }
        #expect(AccountingMath.normalQuantile(0.5) == 0)
    }

    @Test("Brent's method finds roots to the requested tolerance and refuses an unbracketed interval")
    func brent() throws {
        let root = try #require(AccountingMath.brentRoot(in: 0, 2, xtol: 1e-14) { $0 * $0 - 2 })
        #expect(abs(root - 2.0.squareRoot()) < 1e-13)
        let cosine = try #require(AccountingMath.brentRoot(in: 1, 2, xtol: 1e-12) { cos($0) })
        #expect(abs(cosine - Double.pi / 2) < 1e-12)
        #expect(AccountingMath.brentRoot(in: 2, 3, xtol: 1e-12) { $0 * $0 - 2 } == nil)
    }

    /// A reproducible pseudo-random probability vector (SplitMix64).
    static func probabilities(count: Int, seed: UInt64) -> [Double] {
        var state = seed
        var values = (0..<count).map { _ -> Double in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        let total = values.reduce(0, +)
        values = values.map { $0 / total }
        return values
    }

    @Test("FFT convolution of probability vectors is within 1e-16 per point of direct summation")
    func fftConvolution() {
        let a = Self.probabilities(count: 3000, seed: 1)
        let b = Self.probabilities(count: 1700, seed: 2)
        let viaFFT = AccountingFFT.convolve(a, b)
        let direct = AccountingFFT.directConvolution(a, b)
        #expect(viaFFT.count == direct.count)
        let maximumError = zip(viaFFT, direct).map { abs($0 - $1) }.max() ?? 0
        #expect(maximumError < 1e-16, "max abs error \(maximumError)")
        #expect(abs(viaFFT.reduce(0, +) - 1) < 1e-13)
    }

    @Test("the FFT convolution power equals repeated direct convolution to 1e-16 per point")
    func fftPower() {
        let p = Self.probabilities(count: 200, seed: 3)
        var direct = p
        for _ in 1..<7 { direct = AccountingFFT.directConvolution(direct, p) }
        let power = AccountingFFT.circularPower(p, exponent: 7, length: AccountingFFT.length(atLeast: direct.count))
        let maximumError = zip(power, direct).map { abs($0 - $1) }.max() ?? 0
        #expect(maximumError < 1e-16, "max abs error \(maximumError)")
        #expect(power[direct.count...].allSatisfy { abs($0) < 1e-16 })
    }

    @Test("a forward and inverse transform round-trip to 1e-15", arguments: [1, 2, 8, 1024])
    func roundTrip(count: Int) {
        let fft = AccountingFFT(count: count)
        let original = Self.probabilities(count: count, seed: UInt64(count))
        var real = original
        var imaginary = [Double](repeating: 0, count: count)
        fft.transform(real: &real, imaginary: &imaginary, inverse: false)
        #expect(abs(real[0] - 1) < 1e-14)  // the DC term is the total mass
        fft.transform(real: &real, imaginary: &imaginary, inverse: true)
        #expect(zip(real, original).allSatisfy { abs($0 - $1) < 1e-15 })
        #expect(imaginary.allSatisfy { abs($0) < 1e-15 })
    }
}
