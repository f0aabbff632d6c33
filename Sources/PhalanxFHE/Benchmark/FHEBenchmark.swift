/// Times the BFV and multiparty operations that `phalanx bench fhe` compares with OpenFHE: the same operations,
/// named as in `Benchmarks/openfhe/bench_openfhe.py`, each the median of `iterations` runs after two warm-ups.
/// Every result is also checked (the benchmark refuses to report figures of wrong answers).
public struct FHEBenchmark: Sendable {
    public let parameters: BFVParameters
    public let iterations: Int
    public let parties: Int

    public init(parameters: BFVParameters, iterations: Int, parties: Int = 3) {
        self.parameters = parameters
        self.iterations = max(iterations, 1)
        self.parties = parties
    }

    /// Operation keys in report order, with the OpenFHE call each corresponds to.
    public static let operations: [(key: String, label: String)] = [
        ("keygen", "key generation (secret + public)"),
        ("relinKeygen", "relinearization key generation"),
        ("encrypt", "encrypt (public key)"),
        ("add", "add"),
        ("mulPlain", "plaintext multiply"),
        ("mulRelin", "ciphertext multiply + relinearize"),
        ("decrypt", "decrypt + decode"),
        ("thresholdKeygenPerParty", "3-party key generation, per party"),
        ("partialDecryptPerParty", "3-party partial decryption, per party"),
        ("fusion", "3-party fusion + decode"),
    ]

    public struct Report: Sendable, Codable {
        public var library = "phalanx"
        public var parameters: String
        public var degree: Int
        public var plaintextModulus: UInt64
        public var moduliBits: [Int]
        /// Milliseconds, median.
        public var operations: [String: Double]
        public var ciphertextBytes: Int
        /// Phalanx-only operations (collective relinearization-key generation, refresh, one NTT), milliseconds.
        public var multiparty: [String: Double]
    }

    public func run() throws(FHEError) -> Report {
        let context = BFVContext(parameters)
        let encoder = BatchEncoder(context: context)
        let generator = BFVKeyGenerator(context: context)
        let evaluator = BFVEvaluator(context: context)
        let t = context.plaintextModulus
        var random = SystemRandomNumberGenerator()
        let a = (0..<context.degree).map { _ in UInt64.random(in: 0..<t.value, using: &random) }
        let b = (0..<context.degree).map { _ in UInt64.random(in: 0..<t.value, using: &random) }
        var operations: [String: Double] = [:]
        var multiparty: [String: Double] = [:]

        operations["keygen"] = time { _ = generator.publicKey(for: generator.secretKey()) }
        let secret = generator.secretKey()
        let publicKey = generator.publicKey(for: secret)
        operations["relinKeygen"] = time { _ = generator.relinearizationKey(for: secret) }
        let relinearizationKey = generator.relinearizationKey(for: secret)
        let encryptor = BFVEncryptor(context: context, publicKey: publicKey)
        let decryptor = BFVDecryptor(context: context, secretKey: secret)
        let plainA = try encoder.encode(a)
        let plainB = try encoder.encode(b)
        let prepared = encoder.prepare(plainB)
        operations["encrypt"] = try time { () throws(FHEError) in _ = try encryptor.encrypt(plainA) }
        let ca = try encryptor.encrypt(plainA)
        let cb = try encryptor.encrypt(plainB)
        operations["add"] = try time { () throws(FHEError) in _ = try evaluator.add(ca, cb) }
        operations["mulPlain"] = try time { () throws(FHEError) in _ = try evaluator.multiply(ca, by: prepared) }
        operations["mulRelin"] = try time { () throws(FHEError) in
            _ = try evaluator.multiply(ca, cb, relinearizationKey: relinearizationKey)
        }
        operations["decrypt"] = try time { () throws(FHEError) in _ = encoder.decode(try decryptor.decrypt(ca)) }
        // Check every result once.
        let expectations: [(String, Ciphertext, [UInt64])] = [
            ("add", try evaluator.add(ca, cb), zip(a, b).map { t.add($0, $1) }),
            ("mulPlain", try evaluator.multiply(ca, by: prepared), zip(a, b).map { t.multiply($0, $1) }),
            (
                "mulRelin", try evaluator.multiply(ca, cb, relinearizationKey: relinearizationKey),
                zip(a, b).map { t.multiply($0, $1) }
            ),
        ]
        for (name, ciphertext, expected) in expectations
        where encoder.decode(try decryptor.decrypt(ciphertext)) != expected {
            throw .protocolViolation("benchmark self-check: \(name) decrypted to a wrong result")
        }

        // Multiparty, `parties` parties: CKG shares, collective decryption shares, fusion.
        let seed = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        let ckg = CollectivePublicKeyGeneration(
            context: context, crp: CommonRandomPolynomial.derive(context: context, seed: seed, label: "ckg"))
        let secrets = (0..<parties).map { _ in SecretKey(context: context) }
        operations["thresholdKeygenPerParty"] = time { _ = ckg.share(secret: SecretKey(context: context)) }
        let collectiveKey = try ckg.combine(secrets.map { ckg.share(secret: $0) })
        let collective = try BFVEncryptor(context: context, publicKey: collectiveKey).encrypt(plainA)
        let cks = CollectiveKeySwitch(context: context, parties: parties)
        operations["partialDecryptPerParty"] = try time { () throws(FHEError) in
            _ = try cks.decryptionShare(secret: secrets[0], ciphertext: collective)
        }
        let shares = try secrets.map { (secret) throws(FHEError) in
            try cks.decryptionShare(secret: secret, ciphertext: collective)
        }
        operations["fusion"] = try time { () throws(FHEError) in
            _ = encoder.decode(try cks.decrypt(collective, shares: shares))
        }
        guard encoder.decode(try cks.decrypt(collective, shares: shares)) == a else {
            throw .protocolViolation("benchmark self-check: collective decryption is wrong")
        }
        let rkg = CollectiveRelinearizationKeyGeneration(
            context: context, crp: CommonRandomPolynomial.deriveDigits(context: context, seed: seed, label: "rkg"))
        let rkgParties = secrets.map { rkg.party(secret: $0) }
        multiparty["rkgRound1PerParty"] = time { _ = rkgParties[0].round1() }
        let round1 = try rkg.aggregate(rkgParties.map { $0.round1() })
        multiparty["rkgRound2PerParty"] = try time { () throws(FHEError) in
            _ = try rkgParties[0].round2(aggregate: round1)
        }
        let refresh = CollectiveRefresh(
            context: context, crp: CommonRandomPolynomial.derive(context: context, seed: seed, label: "refresh"),
            parties: parties)
        multiparty["refreshSharePerParty"] = try time { () throws(FHEError) in
            _ = try refresh.share(secret: secrets[0], ciphertext: collective)
        }
        let refreshShares = try secrets.map { (secret) throws(FHEError) in
            try refresh.share(secret: secret, ciphertext: collective)
        }
        multiparty["refreshCombine"] = try time { () throws(FHEError) in
            _ = try refresh.combine(collective, shares: refreshShares)
        }

        // The building block: one forward NTT of one limb.
        var limb = Array(ca.polynomials[0].data.prefix(context.degree))
        multiparty["nttOneLimb"] = time { limb.withUnsafeMutableBufferPointer { context.basisQ.tables[0].forward($0) } }

        return Report(
            parameters: parameters.name, degree: parameters.degree, plaintextModulus: parameters.plaintextModulus,
            moduliBits: context.basisQ.moduli.map(\.bitWidth), operations: operations,
            ciphertextBytes: FHESerialization.ciphertextByteCount(context: context, size: 2), multiparty: multiparty)
    }

    /// The median wall-clock time of `body` in milliseconds, after two warm-up runs.
    private func time<E: Error>(_ body: () throws(E) -> Void) throws(E) -> Double {
        try body()
        try body()
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<iterations {
            let start = clock.now
            try body()
            let elapsed = clock.now - start
            samples.append(
                Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) * 1e-15)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}
