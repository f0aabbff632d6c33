/// Public-key switching (PCKS; Mouchet et al. 2020, §4.4, Protocol 4): re-encrypts a ciphertext under the
/// collective key s to an external receiver's public key (b', a') — a querier, an auditor — without anyone
/// decrypting it. Party i publishes h₀ = sᵢ·c₁ + uᵢ·b' + e₀ (e₀ smudging) and h₁ = uᵢ·a' + e₁; the result
/// (c₀ + Σh₀, Σh₁) decrypts under the receiver's secret.
public struct PublicKeySwitch: Sendable {
    public let context: BFVContext
    public let receiver: PublicKey
    public let parties: Int
    public let smudging: SmudgingPolicy

    public init(context: BFVContext, receiver: PublicKey, parties: Int, smudging: SmudgingPolicy = .standard) {
        self.context = context
        self.receiver = receiver
        self.parties = parties
        self.smudging = smudging
    }

    public func share(secret: SecretKey, ciphertext: Ciphertext) throws(FHEError) -> PublicKeySwitchShare {
        try context.check(ciphertext, size: 2)
        try smudging.checkRoom(noiseBits: ciphertext.noiseBits, parties: parties, context: context)
        let basis = context.basisQ
        let stream = SecureStream()
        var u = RNSPolynomial(signed: Sampler.ternary(degree: basis.degree, stream), in: basis)
        u.toNTT(basis)
        defer { u.wipe() }
        var h0 = Sampler.smudging(
            bits: smudging.bits(noiseBits: ciphertext.noiseBits, degree: context.degree), in: basis, stream)
        h0.toNTT(basis)
        h0.addProduct(secret.polynomial, ciphertext.polynomials[1], basis)
        h0.addProduct(u, receiver.b, basis)
        var h1 = KeyShares.error(basis, stream)
        h1.addProduct(u, receiver.a, basis)
        return PublicKeySwitchShare(h0: h0, h1: h1)
    }

    public func combine(_ ciphertext: Ciphertext, shares: [PublicKeySwitchShare]) throws(FHEError) -> Ciphertext {
        try context.check(ciphertext, size: 2)
        guard shares.count == parties, let first = shares.first else {
            throw .protocolViolation(
                "\(shares.count) of \(parties) public-key-switch shares; every party must take part")
        }
        var c0 = ciphertext.polynomials[0]
        var c1 = first.h1
        for (index, share) in shares.enumerated() {
            try context.checkShape(share.h0, "public-key-switch share")
            try context.checkShape(share.h1, "public-key-switch share")
            c0.add(share.h0, context.basisQ)
            if index > 0 { c1.add(share.h1, context.basisQ) }
        }
        // New noise: the smudged switch plus Σuᵢ·e' (receiver's key error) and Σe₁·s'.
        let fresh = NoiseModel.freshBits(degree: context.degree, parties: parties)
        let noise = NoiseModel.sumBits(
            smudging.noiseAfterShares(noiseBits: ciphertext.noiseBits, parties: parties, degree: context.degree), fresh)
        return Ciphertext(polynomials: [c0, c1], noiseBits: noise, fingerprint: context.fingerprint)
    }
}
