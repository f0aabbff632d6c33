import Testing
import _TestSupport

@testable import PhalanxFHE

/// Small parameters for fast debug-build tests (not secure: N = 1024 with log Q = 100 exceeds the standard's 27
/// bits); the presets are exercised where the cost allows.
let testParameters = try! BFVParameters.standard(degree: 1024, primeBits: [50, 50])

struct BFVFixture {
    let context: BFVContext
    let encoder: BatchEncoder
    let secret: SecretKey
    let publicKey: PublicKey
    let encryptor: BFVEncryptor
    let decryptor: BFVDecryptor
    let evaluator: BFVEvaluator

    init(_ parameters: BFVParameters = testParameters) {
        context = BFVContext(parameters)
        encoder = BatchEncoder(context: context)
        let generator = BFVKeyGenerator(context: context)
        secret = generator.secretKey()
        publicKey = generator.publicKey(for: secret)
        encryptor = BFVEncryptor(context: context, publicKey: publicKey)
        decryptor = BFVDecryptor(context: context, secretKey: secret)
        evaluator = BFVEvaluator(context: context)
    }

    func randomSlots(_ random: inout SplitMix64, below bound: UInt64? = nil) -> [UInt64] {
        let t = bound ?? context.parameters.plaintextModulus
        return (0..<context.degree).map { _ in random.next() % t }
    }

    func decrypt(_ ciphertext: Ciphertext) throws -> [UInt64] {
        encoder.decode(try decryptor.decrypt(ciphertext))
    }
}

@Suite("BFV")
struct BFVTests {
    @Test("encode/decode and encrypt/decrypt round trips", arguments: [testParameters, BFVParameters.n4096])
    func roundTrip(parameters: BFVParameters) throws {
        let f = BFVFixture(parameters)
        var random = SplitMix64(seed: 1)
        let slots = f.randomSlots(&random)
        #expect(f.encoder.decode(try f.encoder.encode(slots)) == slots)
        #expect(try f.decrypt(try f.encryptor.encrypt(try f.encoder.encode(slots))) == slots)
        let signed: [Int64] = [-32768, -1, 0, 1, 32768]
        #expect(Array(f.encoder.decodeSigned(try f.encoder.encode(signed: signed)).prefix(5)) == signed)
        #expect(throws: FHEError.self) { try f.encoder.encode([65537]) }
        #expect(throws: FHEError.self) { try f.encoder.encode(signed: [40000]) }
    }

    @Test("homomorphic addition, plaintext and scalar multiplication match the slot-wise results")
    func linearOperations() throws {
        let f = BFVFixture()
        let t = Modulus(f.context.parameters.plaintextModulus)
        var random = SplitMix64(seed: 2)
        for _ in 0..<3 {
            let a = f.randomSlots(&random)
            let b = f.randomSlots(&random)
            let ca = try f.encryptor.encrypt(try f.encoder.encode(a))
            let cb = try f.encryptor.encrypt(try f.encoder.encode(b))
            #expect(try f.decrypt(try f.evaluator.add(ca, cb)) == zip(a, b).map { t.add($0, $1) })
            #expect(try f.decrypt(try f.evaluator.subtract(ca, cb)) == zip(a, b).map { t.subtract($0, $1) })
            let prepared = f.encoder.prepare(try f.encoder.encode(b))
            #expect(try f.decrypt(try f.evaluator.multiply(ca, by: prepared)) == zip(a, b).map { t.multiply($0, $1) })
            #expect(
                try f.decrypt(try f.evaluator.multiply(ca, byScalar: -7)) == a.map { t.multiply($0, t.residue(-7)) })
            #expect(
                try f.decrypt(try f.evaluator.add(ca, plaintext: try f.encoder.encode(b)))
                    == zip(a, b).map { t.add($0, $1) })
        }
    }

    @Test(
        "ciphertext multiplication with relinearization matches the slot-wise product",
        arguments: [testParameters, BFVParameters.n4096])
    func multiplication(parameters: BFVParameters) throws {
        let f = BFVFixture(parameters)
        let t = Modulus(f.context.parameters.plaintextModulus)
        let key = BFVKeyGenerator(context: f.context).relinearizationKey(for: f.secret)
        var random = SplitMix64(seed: 3)
        let a = f.randomSlots(&random)
        let b = f.randomSlots(&random)
        let ca = try f.encryptor.encrypt(try f.encoder.encode(a))
        let cb = try f.encryptor.encrypt(try f.encoder.encode(b))
        let product = try f.evaluator.multiply(ca, cb, relinearizationKey: key)
        #expect(product.size == 2)
        #expect(try f.decrypt(product) == zip(a, b).map { t.multiply($0, $1) })
        #expect(throws: FHEError.self) {
            try f.decryptor.decrypt(try f.evaluator.multiplyWithoutRelinearization(ca, cb))
        }
    }

    @Test("the noise estimate never under-states the noise measured with the secret key, and stays close to it")
    func noiseEstimate() throws {
        let f = BFVFixture()
        let key = BFVKeyGenerator(context: f.context).relinearizationKey(for: f.secret)
        var random = SplitMix64(seed: 4)
        let a = try f.encryptor.encrypt(try f.encoder.encode(f.randomSlots(&random)))
        let b = try f.encryptor.encrypt(try f.encoder.encode(f.randomSlots(&random)))
        var sum = a
        for _ in 0..<15 { try f.evaluator.addInPlace(&sum, b) }
        let cases: [(String, Ciphertext)] = [
            ("fresh", a),
            ("16 additions", sum),
            ("scalar ×1000", try f.evaluator.multiply(a, byScalar: 1000)),
            (
                "plaintext product",
                try f.evaluator.multiply(a, by: f.encoder.prepare(try f.encoder.encode(f.randomSlots(&random))))
            ),
            ("ciphertext product", try f.evaluator.multiply(a, b, relinearizationKey: key)),
        ]
        for (name, ciphertext) in cases {
            let estimated = f.context.noiseBudget(ciphertext)
            let measured = try f.decryptor.measuredNoiseBudget(ciphertext)
            #expect(estimated <= measured + 0.5, "\(name): estimated \(estimated) bits left, measured \(measured)")
            #expect(measured - estimated < 16, "\(name): estimated \(estimated) bits left, measured \(measured)")
        }
    }

    @Test("when the noise budget is exhausted decryption is wrong, and both budgets say so")
    func exhaustion() throws {
        let f = BFVFixture()
        let t = Modulus(f.context.parameters.plaintextModulus)
        var random = SplitMix64(seed: 5)
        let a = f.randomSlots(&random, below: 3)
        var ciphertext = try f.encryptor.encrypt(try f.encoder.encode(a))
        var expected = a
        var sawFailure = false
        // Each ×30000 scalar product costs ~15 bits; 100-bit Q runs out after a handful.
        for _ in 0..<10 {
            ciphertext = try f.evaluator.multiply(ciphertext, byScalar: 30000)
            expected = expected.map { t.multiply($0, 30000) }
            let measured = try f.decryptor.measuredNoiseBudget(ciphertext)
            let correct = try f.decrypt(ciphertext) == expected
            if measured > 1 {
                #expect(correct)
                #expect(f.context.noiseBudget(ciphertext) <= measured + 0.5)
            }
            if !correct {
                // The measure saturates near 0 once the noise is as large as Q/2t: it cannot say "minus".
                #expect(measured < 1)
                #expect(f.context.noiseBudget(ciphertext) <= 0)
                sawFailure = true
                break
            }
        }
        #expect(sawFailure)
    }

    @Test("operands from other parameters are refused")
    func mismatch() throws {
        let f = BFVFixture()
        let g = BFVFixture(try BFVParameters.standard(degree: 1024, primeBits: [50, 49]))
        let a = try f.encryptor.encrypt(try f.encoder.encode([1]))
        let b = try g.encryptor.encrypt(try g.encoder.encode([1]))
        #expect(throws: FHEError.self) { try f.evaluator.add(a, b) }
        #expect(throws: FHEError.self) { try g.decryptor.decrypt(a) }
        #expect(throws: FHEError.self) {
            try BFVParameters(degree: 1000, plaintextModulus: 65537, ciphertextPrimes: [17])
        }
        #expect(throws: FHEError.self) {
            try BFVParameters(degree: 1024, plaintextModulus: 65539, ciphertextPrimes: testParameters.ciphertextPrimes)
        }
    }

    @Test("the presets meet the HomomorphicEncryption.org bound for 128-bit security")
    func presetsAreSecure() {
        for (name, parameters) in BFVParameters.presets {
            #expect(parameters.meets128BitSecurity, "\(name)")
        }
        #expect(!testParameters.meets128BitSecurity)
    }
}
