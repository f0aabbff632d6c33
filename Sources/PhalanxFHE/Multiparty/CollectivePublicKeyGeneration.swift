/// Collective public-key generation (CKG; Mouchet et al. 2020, §4.1): every party i holds a ternary secret sᵢ
/// and publishes pᵢ = −sᵢ·a + eᵢ for the common random polynomial a; the collective key is (Σ pᵢ, a), a BFV key
/// for the secret s = Σ sᵢ that nobody knows. No dealer, one round.
public struct CollectivePublicKeyGeneration: Sendable {
    public let context: BFVContext
    /// The common random polynomial a.
    public let crp: RNSPolynomial

    public init(context: BFVContext, crp: RNSPolynomial) {
        self.context = context
        self.crp = crp
    }

    public func share(secret: SecretKey) -> PublicKeyShare {
        PublicKeyShare(polynomial: KeyShares.rlweSample(secret: secret, a: crp, stream: SecureStream()))
    }

    /// The collective public key from every party's share.
    public func combine(_ shares: [PublicKeyShare]) throws(FHEError) -> PublicKey {
        guard let first = shares.first else { throw .protocolViolation("no public-key shares to combine") }
        var b = first.polynomial
        for share in shares.dropFirst() {
            try context.checkShape(share.polynomial, "public-key share")
            b.add(share.polynomial, context.basisQ)
        }
        try context.checkShape(first.polynomial, "public-key share")
        return PublicKey(b: b, a: crp, parties: shares.count)
    }
}

extension BFVContext {
    /// Refuses a polynomial that is not in NTT form over Q for these parameters (a share from another job).
    func checkShape(_ polynomial: RNSPolynomial, _ what: String) throws(FHEError) {
        guard polynomial.degree == degree, polynomial.limbs == basisQ.count, polynomial.isNTT,
            polynomial.data.count == degree * basisQ.count
        else {
            throw .mismatch("\(what) is not a polynomial in NTT form over Q for \(parameters.name)")
        }
    }
}
