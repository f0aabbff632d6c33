/// Collective key switching (CKS; Mouchet et al. 2020, §4.3, Protocol 3) and its special case, collective
/// decryption (switching to the key 0).
///
/// Party i publishes hᵢ = (sᵢ − s'ᵢ)·c₁ + eᵢ, eᵢ smudging noise sized by ``SmudgingPolicy`` from the ciphertext's
/// public noise estimate. Then (c₀ + Σ hᵢ, c₁) decrypts under s' = Σ s'ᵢ; with s' = 0, c₀ + Σ hᵢ = ⌊Q·m/t⌉ + e' and the
/// message is round(t·(c₀ + Σ hᵢ)/Q). Every party must contribute (N-out-of-N): a missing share leaves its
/// secret's term in the result and decryption yields noise.
public struct CollectiveKeySwitch: Sendable {
    public let context: BFVContext
    public let smudging: SmudgingPolicy
    /// The number of parties whose shares will be combined (for the noise check).
    public let parties: Int

    public init(context: BFVContext, parties: Int, smudging: SmudgingPolicy = .standard) {
        self.context = context
        self.parties = parties
        self.smudging = smudging
    }

    /// Party i's decryption share of `ciphertext` (key switch to 0).
    public func decryptionShare(secret: SecretKey, ciphertext: Ciphertext) throws(FHEError) -> KeySwitchShare {
        try share(secret: secret, target: nil, ciphertext: ciphertext)
    }

    /// Party i's share for switching `ciphertext` from s to s' (`target` is party i's share s'ᵢ; `nil` for 0).
    public func share(secret: SecretKey, target: SecretKey?, ciphertext: Ciphertext) throws(FHEError) -> KeySwitchShare
    {
        try context.check(ciphertext, size: 2)
        try smudging.checkRoom(noiseBits: ciphertext.noiseBits, parties: parties, context: context)
        let basis = context.basisQ
        var h = Sampler.smudging(
            bits: smudging.bits(noiseBits: ciphertext.noiseBits, degree: context.degree), in: basis, SecureStream())
        h.toNTT(basis)
        var key = secret.polynomial
        if let target { key.subtract(target.polynomial, basis) }
        h.addProduct(key, ciphertext.polynomials[1], basis)
        key.wipe()
        return KeySwitchShare(polynomial: h)
    }

    /// c₀ + Σ hᵢ: the ciphertext's first component with every party's share added.
    private func fold(_ ciphertext: Ciphertext, _ shares: [KeySwitchShare]) throws(FHEError) -> RNSPolynomial {
        try context.check(ciphertext, size: 2)
        guard shares.count == parties else {
            throw .protocolViolation("\(shares.count) of \(parties) key-switch shares; every party must take part")
        }
        var c0 = ciphertext.polynomials[0]
        for share in shares {
            try context.checkShape(share.polynomial, "key-switch share")
            c0.add(share.polynomial, context.basisQ)
        }
        return c0
    }

    /// The ciphertext under the new key s' after combining every party's share.
    public func combine(_ ciphertext: Ciphertext, shares: [KeySwitchShare]) throws(FHEError) -> Ciphertext {
        let c0 = try fold(ciphertext, shares)
        return Ciphertext(
            polynomials: [c0, ciphertext.polynomials[1]],
            noiseBits: smudging.noiseAfterShares(
                noiseBits: ciphertext.noiseBits, parties: parties, degree: context.degree),
            fingerprint: context.fingerprint)
    }

    /// Collective decryption: the plaintext from every party's decryption share ("fusion").
    public func decrypt(_ ciphertext: Ciphertext, shares: [KeySwitchShare]) throws(FHEError) -> Plaintext {
        var phase = try fold(ciphertext, shares)
        phase.fromNTT(context.basisQ)
        return context.roundToPlaintext(phase)
    }
}
