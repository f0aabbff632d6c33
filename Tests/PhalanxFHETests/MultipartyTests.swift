import Testing
import _TestSupport

@testable import PhalanxFHE

/// A wide modulus at a small degree, so that a product still has room for 40-bit smudging in a debug build
/// (insecure: for protocol correctness only).
let multipartyTestParameters = try! BFVParameters.standard(degree: 1024, primeBits: [60, 60, 60, 60])

/// n parties with their secret shares and the collective public key, built with CKG.
struct Federation {
    let context: BFVContext
    let secrets: [SecretKey]
    let publicKey: PublicKey
    let encoder: BatchEncoder
    let evaluator: BFVEvaluator

    init(parties: Int, parameters: BFVParameters = multipartyTestParameters, seed: [UInt8] = [1, 2, 3]) throws {
        let context = BFVContext(parameters)
        self.context = context
        secrets = (0..<parties).map { _ in SecretKey(context: context) }
        let ckg = CollectivePublicKeyGeneration(
            context: context, crp: CommonRandomPolynomial.derive(context: context, seed: seed, label: "ckg"))
        publicKey = try ckg.combine(secrets.map { ckg.share(secret: $0) })
        encoder = BatchEncoder(context: context)
        evaluator = BFVEvaluator(context: context)
    }

    var encryptor: BFVEncryptor { BFVEncryptor(context: context, publicKey: publicKey) }

    func decrypt(_ ciphertext: Ciphertext, smudging: SmudgingPolicy = .standard) throws -> [UInt64] {
        let cks = CollectiveKeySwitch(context: context, parties: secrets.count, smudging: smudging)
        let shares = try secrets.map { try cks.decryptionShare(secret: $0, ciphertext: ciphertext) }
        return encoder.decode(try cks.decrypt(ciphertext, shares: shares))
    }

    /// The collective secret Σ sᵢ (tests only: nobody holds it in a real run).
    var jointSecret: SecretKey {
        var sum = secrets[0].polynomial
        for secret in secrets.dropFirst() { sum.add(secret.polynomial, context.basisQ) }
        return SecretKey(context: context, ntt: sum)
    }

    func relinearizationKey(seed: [UInt8] = [9]) throws -> RelinearizationKey {
        let rkg = CollectiveRelinearizationKeyGeneration(
            context: context, crp: CommonRandomPolynomial.deriveDigits(context: context, seed: seed, label: "rkg"))
        let parties = secrets.map { rkg.party(secret: $0) }
        let round1 = try rkg.aggregate(parties.map { $0.round1() })
        return try rkg.combine(round1: round1, round2: try parties.map { try $0.round2(aggregate: round1) })
    }
}

@Suite("Multiparty BFV (Mouchet et al.)")
struct MultipartyTests {
    @Test("collective key generation and smudged collective decryption of a sum, 2–7 parties", arguments: 2...7)
    func keyGenerationAndDecryption(parties: Int) throws {
        let federation = try Federation(parties: parties)
        let t = federation.context.plaintextModulus
        var random = SplitMix64(seed: UInt64(parties))
        let inputs = (0..<parties).map { _ in (0..<federation.context.degree).map { _ in random.next() % 1000 } }
        var sum = try federation.encryptor.encrypt(try federation.encoder.encode(inputs[0]))
        for input in inputs.dropFirst() {
            try federation.evaluator.addInPlace(
                &sum, try federation.encryptor.encrypt(try federation.encoder.encode(input)))
        }
        let expected = (0..<federation.context.degree).map { i in inputs.reduce(0) { t.add($0, $1[i]) } }
        #expect(try federation.decrypt(sum) == expected)
        // The joint secret decrypts too (the collective key is a BFV key for Σ sᵢ), and the public noise estimate
        // does not under-state the measured noise of a collective-key ciphertext.
        let decryptor = BFVDecryptor(context: federation.context, secretKey: federation.jointSecret)
        #expect(federation.encoder.decode(try decryptor.decrypt(sum)) == expected)
        #expect(federation.context.noiseBudget(sum) <= (try decryptor.measuredNoiseBudget(sum)) + 0.5)
        // All shares are needed: leaving one out yields garbage.
        let cks = CollectiveKeySwitch(context: federation.context, parties: parties - 1)
        let partial = try federation.secrets.dropLast().map { try cks.decryptionShare(secret: $0, ciphertext: sum) }
        #expect(federation.encoder.decode(try cks.decrypt(sum, shares: partial)) != expected)
        let strict = CollectiveKeySwitch(context: federation.context, parties: parties)
        #expect(throws: FHEError.self) { try strict.decrypt(sum, shares: partial) }
    }

    @Test("collective relinearization key: products decrypt collectively", arguments: [2, 3, 5])
    func relinearization(parties: Int) throws {
        let federation = try Federation(parties: parties)
        let t = federation.context.plaintextModulus
        let key = try federation.relinearizationKey()
        #expect(key.parties == parties)
        var random = SplitMix64(seed: 40 + UInt64(parties))
        let a = (0..<federation.context.degree).map { _ in random.next() % t.value }
        let b = (0..<federation.context.degree).map { _ in random.next() % t.value }
        let product = try federation.evaluator.multiply(
            try federation.encryptor.encrypt(try federation.encoder.encode(a)),
            try federation.encryptor.encrypt(try federation.encoder.encode(b)), relinearizationKey: key)
        #expect(try federation.decrypt(product) == zip(a, b).map { t.multiply($0, $1) })
        let measured = try BFVDecryptor(context: federation.context, secretKey: federation.jointSecret)
            .measuredNoiseBudget(product)
        #expect(federation.context.noiseBudget(product) <= measured + 0.5, "estimate vs measured \(measured)")
    }

    @Test("public-key switching re-encrypts to an outside receiver without decrypting")
    func publicKeySwitch() throws {
        let federation = try Federation(parties: 3)
        let generator = BFVKeyGenerator(context: federation.context)
        let receiverSecret = generator.secretKey()
        let pcks = PublicKeySwitch(
            context: federation.context, receiver: generator.publicKey(for: receiverSecret), parties: 3)
        let values: [UInt64] = [7, 11, 13, 65536]
        let ciphertext = try federation.encryptor.encrypt(try federation.encoder.encode(values))
        let switched = try pcks.combine(
            ciphertext, shares: try federation.secrets.map { try pcks.share(secret: $0, ciphertext: ciphertext) })
        let decrypted = federation.encoder.decode(
            try BFVDecryptor(context: federation.context, secretKey: receiverSecret).decrypt(switched))
        #expect(Array(decrypted.prefix(4)) == values)
    }

    @Test("collective key switching moves a ciphertext to another federation's key")
    func keySwitch() throws {
        let first = try Federation(parties: 3)
        let secondSecrets = (0..<3).map { _ in SecretKey(context: first.context) }
        let cks = CollectiveKeySwitch(context: first.context, parties: 3)
        let ciphertext = try first.encryptor.encrypt(try first.encoder.encode([42, 4242]))
        let shares = try zip(first.secrets, secondSecrets).map {
            try cks.share(secret: $0, target: $1, ciphertext: ciphertext)
        }
        let switched = try cks.combine(ciphertext, shares: shares)
        var joint = secondSecrets[0].polynomial
        for secret in secondSecrets.dropFirst() { joint.add(secret.polynomial, first.context.basisQ) }
        let decryptor = BFVDecryptor(context: first.context, secretKey: SecretKey(context: first.context, ntt: joint))
        #expect(Array(first.encoder.decode(try decryptor.decrypt(switched)).prefix(2)) == [42, 4242])
    }

    @Test("an exhausted budget refuses smudged decryption; a refresh in time restores the budget and the result")
    func refresh() throws {
        let federation = try Federation(parties: 3, parameters: testParameters)
        let context = federation.context
        let t = context.plaintextModulus
        let values: [UInt64] = (0..<UInt64(context.degree)).map { $0 % 5 }
        let fresh = try federation.encryptor.encrypt(try federation.encoder.encode(values))
        // Scalar products by 30 cost ~5 bits each. Find how many a fresh ciphertext takes before 40-bit smudging
        // for 3 parties no longer fits (the public estimate decides; nothing secret).
        let cks = CollectiveKeySwitch(context: context, parties: 3)
        var steps = 0
        var ciphertext = fresh
        while (try? cks.decryptionShare(secret: federation.secrets[0], ciphertext: ciphertext)) != nil {
            ciphertext = try federation.evaluator.multiply(ciphertext, byScalar: 30)
            steps += 1
        }
        #expect(steps >= 2)
        // `steps` products exhaust it: decryption is refused, detectably.
        #expect(throws: FHEError.self) {
            try cks.decryptionShare(secret: federation.secrets[1], ciphertext: ciphertext)
        }
        // Refresh after steps − 1 products, then `steps` − 1 more: more products than a fresh ciphertext could
        // take in all, and it decrypts to the right values.
        var halfway = fresh
        for _ in 0..<(steps - 1) { halfway = try federation.evaluator.multiply(halfway, byScalar: 30) }
        let refresh = CollectiveRefresh(
            context: context, crp: CommonRandomPolynomial.derive(context: context, seed: [5], label: "refresh-1"),
            parties: 3)
        var refreshed = try refresh.combine(
            halfway, shares: try federation.secrets.map { try refresh.share(secret: $0, ciphertext: halfway) })
        #expect(context.noiseBudget(refreshed) > context.noiseBudget(halfway) + 4)
        let measured = try BFVDecryptor(context: context, secretKey: federation.jointSecret).measuredNoiseBudget(
            refreshed)
        #expect(context.noiseBudget(refreshed) <= measured + 0.5)
        // The refreshed ciphertext is a fresh-looking encryption of the same message.
        let scale = t.power(30, UInt64(steps - 1))
        #expect(try federation.decrypt(refreshed) == values.map { t.multiply($0, scale) })
        for _ in 0..<(steps - 1) { refreshed = try federation.evaluator.multiply(refreshed, byScalar: 30) }
        let total = t.power(30, UInt64(2 * steps - 2))
        #expect(try federation.decrypt(refreshed) == values.map { t.multiply($0, total) })
    }

    @Test("smudging noise: B = noise + λ + log₂ N bits, uniform on [−2^B, 2^B)")
    func smudgingParameters() throws {
        let policy = SmudgingPolicy(statisticalSecurity: 40)
        #expect(policy.bits(noiseBits: 12.2, degree: 8192) == 66)  // ⌈12.2 + 40 + 13⌉
        #expect(SmudgingPolicy.standard.statisticalSecurity == 40)
        let context = BFVContext(multipartyTestParameters)
        let polynomial = Sampler.smudging(bits: 70, in: context.basisQ, SecureStream())
        let largest = context.basisQ.largestCenteredMagnitude(polynomial)
        let q0 = context.basisQ.moduli[0].value
        let negatives = polynomial.data.prefix(context.degree).filter { $0 > q0 / 2 }.count
        #expect(largest <= 0x1p70)
        #expect(largest > 0x1p69)  // 1024 draws reach the top half with overwhelming probability
        #expect(negatives > 400 && negatives < 624)
        // The required budget is positive and below the fresh budget for 3 parties.
        let needed = SmudgingPolicy.standard.requiredBudget(parties: 3, context: context)
        #expect(needed > 0 && needed < context.noiseBudget(noiseBits: NoiseModel.freshBits(degree: 1024, parties: 3)))
    }
}
