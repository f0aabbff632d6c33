import Foundation

/// Collective refresh, the multiparty "bootstrapping" of BFV (Mouchet et al. 2020, §4.5; Lattigo's
/// `RefreshProtocol`): the parties turn a ciphertext with little noise budget left into a fresh encryption of
/// the same message, without decrypting it and without bootstrapping circuits.
///
/// Party i draws a uniform mask Mᵢ ∈ R_t and publishes h₀ = sᵢ·c₁ − ⌊Q·Mᵢ/t⌉ + e₀ (smudging)
/// and h₁ = −sᵢ·a' + ⌊Q·Mᵢ/t⌉ + e₁ for a common random polynomial a'. The combiner computes the masked message
/// m' = round(t·(c₀ + Σh₀)/Q) = m − ΣMᵢ (mod t), which reveals nothing as long as one mask is secret, and
/// outputs (⌊Q·m'/t⌉ + Σh₁, a'), an encryption of m with fresh noise Σe₁ (plus at most parties + 1 from the
/// roundings of the scaled messages).
/// It needs every party (N-out-of-N) and enough budget left for the smudging (``SmudgingPolicy``).
public struct CollectiveRefresh: Sendable {
    public let context: BFVContext
    /// a', fresh for every refresh (derive it with a label that names the refresh).
    public let crp: RNSPolynomial
    public let parties: Int
    public let smudging: SmudgingPolicy

    public init(context: BFVContext, crp: RNSPolynomial, parties: Int, smudging: SmudgingPolicy = .standard) {
        self.context = context
        self.crp = crp
        self.parties = parties
        self.smudging = smudging
    }

    public func share(secret: SecretKey, ciphertext: Ciphertext) throws(FHEError) -> RefreshShare {
        try context.check(ciphertext, size: 2)
        try smudging.checkRoom(noiseBits: ciphertext.noiseBits, parties: parties, context: context)
        let basis = context.basisQ
        let stream = SecureStream()
        let t = context.parameters.plaintextModulus
        var mask = Plaintext(coefficients: (0..<context.degree).map { _ in stream.uniform(below: t) })
        var scaledMask = RNSPolynomial(zeroIn: basis)
        context.addScaledPlaintext(mask, to: &scaledMask)
        SecretWipe.array(&mask.coefficients)
        scaledMask.toNTT(basis)
        defer { scaledMask.wipe() }
        var h0 = Sampler.smudging(
            bits: smudging.bits(noiseBits: ciphertext.noiseBits, degree: context.degree), in: basis, stream)
        h0.toNTT(basis)
        h0.addProduct(secret.polynomial, ciphertext.polynomials[1], basis)
        h0.subtract(scaledMask, basis)
        var h1 = KeyShares.rlweSample(secret: secret, a: crp, stream: stream)
        h1.add(scaledMask, basis)
        return RefreshShare(h0: h0, h1: h1)
    }

    public func combine(_ ciphertext: Ciphertext, shares: [RefreshShare]) throws(FHEError) -> Ciphertext {
        try context.check(ciphertext, size: 2)
        guard shares.count == parties, let first = shares.first else {
            throw .protocolViolation("\(shares.count) of \(parties) refresh shares; every party must take part")
        }
        let basis = context.basisQ
        var masked = ciphertext.polynomials[0]
        var c0 = first.h1
        for (index, share) in shares.enumerated() {
            try context.checkShape(share.h0, "refresh share")
            try context.checkShape(share.h1, "refresh share")
            masked.add(share.h0, basis)
            if index > 0 { c0.add(share.h1, basis) }
        }
        masked.fromNTT(basis)
        let maskedMessage = context.roundToPlaintext(masked)
        var scaled = RNSPolynomial(zeroIn: basis)
        context.addScaledPlaintext(maskedMessage, to: &scaled)
        scaled.toNTT(basis)
        c0.add(scaled, basis)
        return Ciphertext(
            polynomials: [c0, crp], noiseBits: Self.refreshedNoiseBits(context: context, parties: parties),
            fingerprint: context.fingerprint)
    }

    /// The noise of a refreshed ciphertext: Σᵢ e₁ of `parties` errors, plus the roundings of the parties + 1
    /// scaled messages.
    public static func refreshedNoiseBits(context: BFVContext, parties: Int) -> Double {
        let errors = NoiseModel.z * (Double(parties) * NoiseModel.errorVariance).squareRoot()
        return log2(errors + Double(parties) + 1)
    }
}
