import Testing
import _TestSupport

@testable import PhalanxFHE

@Suite("RNS arithmetic and the NTT")
struct ArithmeticTests {
    @Test(
        "Barrett and Shoup reduction agree with 128-bit division",
        arguments: [17, 65537, 1_152_921_504_606_830_593, (1 << 54) - 33])
    func reduction(prime: UInt64) {
        let modulus = Modulus(prime)
        var random = SplitMix64(seed: prime)
        for _ in 0..<2000 {
            let a = random.next() % prime
            let b = random.next() % prime
            let expected = prime.dividingFullWidth(a.multipliedFullWidth(by: b)).remainder
            #expect(modulus.multiply(a, b) == expected)
            #expect(modulus.multiplyShoup(a, b, modulus.shoup(b)) == expected)
            let high = random.next()
            let low = random.next()
            #expect(modulus.reduce(high: high, low: low) == reference(high: high, low: low, prime))
            #expect(modulus.add(a, b) == (a + b) % prime)
            #expect(modulus.subtract(a, b) == (a + prime - b) % prime)
        }
        #expect(modulus.multiply(prime - 1, prime - 1) == 1)
        #expect(modulus.inverse(0) == nil)
        let x = random.next() % (prime - 1) + 1
        #expect(modulus.multiply(x, modulus.inverse(x)!) == 1)
    }

    /// (high·2⁶⁴ + low) mod p by two divisions (high mod p first, so each step's high word is below p).
    func reference(high: UInt64, low: UInt64, _ p: UInt64) -> UInt64 {
        p.dividingFullWidth((high % p, low)).remainder
    }

    @Test("Miller–Rabin agrees with trial division, and generated primes are NTT-friendly")
    func primes() {
        for n in UInt64(0)..<5000 {
            let trial = n >= 2 && !(2..<n).contains { $0 * $0 <= n && n % $0 == 0 }
            #expect(NTTPrimes.isPrime(n) == trial, "\(n)")
        }
        #expect(!NTTPrimes.isPrime(3_215_031_751))  // a strong pseudoprime to bases 2, 3, 5, 7
        #expect(NTTPrimes.isPrime(1_152_921_504_606_830_593))
        let primes = NTTPrimes.generate(count: 3, bits: 60, degree: 8192)
        // The same primes OpenFHE picks for N = 8192 (its first two 60-bit moduli).
        #expect(primes[0] == 1_152_921_504_606_830_593)
        #expect(primes[1] == 1_152_921_504_606_748_673)
        #expect(primes.allSatisfy { ($0 - 1) % 16384 == 0 && NTTPrimes.isPrime($0) && $0 < 1 << 60 })
    }

    @Test("known answer: the NTT over Z_17[X]/(X^8+1) of 1…8 (computed independently in Python)")
    func nttKnownAnswer() {
        let tables = NTTTables(degree: 8, modulus: Modulus(17))
        #expect(NTTPrimes.minimalPrimitiveRoot(degree: 8, modulus: Modulus(17)) == 3)
        var values: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8]
        values.withUnsafeMutableBufferPointer { tables.forward($0) }
        #expect(values == [5, 0, 13, 8, 9, 11, 5, 8])
        values.withUnsafeMutableBufferPointer { tables.inverse($0) }
        #expect(values == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test(
        "the NTT evaluates at ψ^(2·brv(i)+1) and turns products into negacyclic convolutions",
        arguments: [16, 256, 4096])
    func nttAgainstDefinition(degree: Int) {
        let prime = NTTPrimes.generate(count: 1, bits: 59, degree: degree)[0]
        let q = Modulus(prime)
        let tables = NTTTables(degree: degree, modulus: q)
        var random = SplitMix64(seed: UInt64(degree))
        let a = (0..<degree).map { _ in random.next() % prime }
        let b = (0..<degree).map { _ in random.next() % prime }
        var ta = a
        var tb = b
        ta.withUnsafeMutableBufferPointer { tables.forward($0) }
        tb.withUnsafeMutableBufferPointer { tables.forward($0) }
        // Definition, at a few points.
        let psi = NTTPrimes.minimalPrimitiveRoot(degree: degree, modulus: q)
        let bits = degree.trailingZeroBitCount
        for i in [0, 1, degree / 3, degree - 1] {
            let point = q.power(psi, UInt64(2 * NTTTables.bitReverse(i, bits: bits) + 1))
            var value: UInt64 = 0
            for coefficient in a.reversed() { value = q.add(q.multiply(value, point), coefficient) }
            #expect(ta[i] == value)
        }
        // Convolution theorem against the schoolbook negacyclic product (small degrees only).
        guard degree <= 256 else { return }
        var product = zip(ta, tb).map { q.multiply($0, $1) }
        product.withUnsafeMutableBufferPointer { tables.inverse($0) }
        var expected = [UInt64](repeating: 0, count: degree)
        for i in 0..<degree {
            for j in 0..<degree {
                let term = q.multiply(a[i], b[j])
                if i + j < degree {
                    expected[i + j] = q.add(expected[i + j], term)
                } else {
                    expected[i + j - degree] = q.subtract(expected[i + j - degree], term)
                }
            }
        }
        #expect(product == expected)
    }

    @Test("basis conversion is exact for centered values, and decryption rounding recovers Δ·m + e")
    func conversions() throws {
        let context = BFVContext(try BFVParameters.standard(degree: 16, primeBits: [50, 51]))
        var random = SplitMix64(seed: 7)
        // Small signed values convert exactly from Q to P.
        let values = (0..<16).map { _ in Int64(bitPattern: random.next()) >> 4 }
        let polynomial = RNSPolynomial(signed: values, in: context.basisQ)
        var converted = RNSPolynomial(zeroIn: context.basisP)
        polynomial.data.withUnsafeBufferPointer { input in
            converted.data.withUnsafeMutableBufferPointer { context.qToP.convert(input, into: $0) }
        }
        #expect(converted == RNSPolynomial(signed: values, in: context.basisP))
        // Decryption rounding: x = Δ·m + e decodes to m for |e| < Δ/2.
        let t = context.parameters.plaintextModulus
        let message = (0..<16).map { _ in random.next() % t }
        var phase = RNSPolynomial(signed: (0..<16).map { _ in Int64(random.next() % 2001) - 1000 }, in: context.basisQ)
        context.addScaledPlaintext(Plaintext(coefficients: message), to: &phase)
        #expect(context.roundToPlaintext(phase).coefficients == message)
    }
}
