import PhalanxCore

/// t-out-of-N keys: each party Shamir-shares its key share sᵢ of the collective secret s = Σ sᵢ, so that any t
/// parties can later act for all N (Mouchet et al., "Multiparty homomorphic encryption from ring-learning-with-
/// errors", §5, and its threshold variant, eprint 2022/780; Lattigo's `Thresholdizer` and `Combiner`).
///
/// Dealing: party i draws f_i(X) = sᵢ + a₁X + … + a_{t−1}X^{t−1} with uniform aₖ ∈ R_Q and sends f_i(j) to party
/// j — **privately**: a dealt share is key material, and this type does not provide the channel. Party j's
/// threshold share is s'ⱼ = Σᵢ fᵢ(j), a point on a polynomial F = Σ fᵢ with F(0) = s. Acting: for an active set S of
/// at least t parties, party j uses λⱼ·s'ⱼ (λⱼ the Lagrange coefficient of j for S at 0) as its additive share,
/// and Σ_{j∈S} λⱼ·s'ⱼ = s exactly, modulo every prime of Q. The existing protocols (collective decryption, key
/// switching, refresh, relinearization-key generation) then run unchanged with |S| parties.
///
/// Shamir's scheme works per RNS prime (each is a field) and pointwise in NTT form (the NTT is linear). Fewer than t
/// shares reveal nothing about s: any t − 1 points of a random degree-(t−1) polynomial are uniform.
public struct ThresholdKeySharing: Sendable {
    public let context: BFVContext
    /// t: the number of parties needed to act.
    public let threshold: Int

    public init(context: BFVContext, threshold: Int) throws(FHEError) {
        guard threshold >= 1 else { throw .invalidParameters("a threshold of \(threshold) parties") }
        self.context = context
        self.threshold = threshold
    }

    /// The shares of `secret` for the parties at `points` (distinct, nonzero, below every prime of Q), keyed by point.
    /// Each must reach its party privately.
    public func deal(_ secret: SecretKey, to points: [UInt64]) throws(FHEError) -> [UInt64: RNSPolynomial] {
        try checkPoints(points)
        guard points.count >= threshold else {
            throw .invalidParameters("\(points.count) parties cannot hold a \(threshold)-out-of-N sharing")
        }
        let basis = context.basisQ
        let stream = SecureStream()
        var coefficients = [secret.polynomial]
        for _ in 1..<threshold { coefficients.append(Sampler.uniform(in: basis, isNTT: true, stream)) }
        defer { for index in coefficients.indices.dropFirst() { coefficients[index].wipe() } }
        var shares: [UInt64: RNSPolynomial] = [:]
        for point in points {
            // Horner's rule, residue by residue: f(x) = (…(a_{t−1}·x + a_{t−2})·x + …)·x + s.
            var value = coefficients[threshold - 1]
            for degree in stride(from: threshold - 2, through: 0, by: -1) {
                value.multiply(byScalars: basis.moduli.map { $0.reduce(point) }, basis)
                value.add(coefficients[degree], basis)
            }
            shares[point] = value
        }
        return shares
    }

    /// Party `point`'s threshold share from the shares every party dealt it (one per party, its own included).
    public func combine(point: UInt64, received: [RNSPolynomial]) throws(FHEError) -> ThresholdSecretShare {
        try checkPoints([point])
        guard var sum = received.first else { throw .protocolViolation("no dealt shares to combine") }
        try context.checkShape(sum, "dealt share")
        for share in received.dropFirst() {
            try context.checkShape(share, "dealt share")
            sum.add(share, context.basisQ)
        }
        let key = SecretKey(context: context, ntt: sum)
        sum.wipe()
        return ThresholdSecretShare(point: point, threshold: threshold, share: key)
    }

    /// ``deal(_:to:)`` with every share serialized into zero-on-free bytes (``SecretKey/serializedSecret()``), ready
    /// to be encrypted for its holder.
    public func dealSerialized(_ secret: SecretKey, to points: [UInt64]) throws(FHEError) -> [UInt64: SecretBytes] {
        var serialized: [UInt64: SecretBytes] = [:]
        for (point, polynomial) in try deal(secret, to: points) {
            serialized[point] = SecretKey(context: context, ntt: polynomial).serializedSecret()
        }
        return serialized
    }

    /// ``combine(point:received:)`` from serialized dealt shares.
    public func combine(point: UInt64, serialized: [SecretBytes]) throws(FHEError) -> ThresholdSecretShare {
        var polynomials: [RNSPolynomial] = []
        for bytes in serialized {
            polynomials.append(try SecretKey.deserializeSecret(bytes, context: context).polynomial)
        }
        defer { for index in polynomials.indices { polynomials[index].wipe() } }
        return try combine(point: point, received: polynomials)
    }

    func checkPoints(_ points: [UInt64]) throws(FHEError) {
        let smallest = context.parameters.ciphertextPrimes.min()!
        guard Set(points).count == points.count, points.allSatisfy({ $0 > 0 && $0 < smallest }) else {
            throw .invalidParameters("party points must be distinct, nonzero and below every prime of Q")
        }
    }
}

/// One party's share s'ⱼ of the collective secret under a t-out-of-N sharing; zeroed when freed.
public struct ThresholdSecretShare: Sendable {
    public let point: UInt64
    public let threshold: Int
    let share: SecretKey

    /// The additive share λⱼ·s'ⱼ this party uses when the parties at `active` act together: pass it as the
    /// secret to ``CollectiveKeySwitch``, ``CollectiveRefresh`` or ``PublicKeySwitch`` built for `active.count`
    /// parties.
    public func activeSecret(among active: [UInt64]) throws(FHEError) -> SecretKey {
        guard active.count >= threshold else {
            throw .protocolViolation("\(active.count) parties cannot act for a \(threshold)-out-of-N key")
        }
        guard Set(active).count == active.count, active.contains(point) else {
            throw .protocolViolation("the active set must list distinct parties, this one (\(point)) included")
        }
        let context = share.context
        let basis = context.basisQ
        let lagrange = try basis.moduli.map { (modulus) throws(FHEError) -> UInt64 in
            var numerator: UInt64 = 1
            var denominator: UInt64 = 1
            for other in active where other != point {
                numerator = modulus.multiply(numerator, modulus.reduce(other))
                denominator = modulus.multiply(
                    denominator, modulus.subtract(modulus.reduce(other), modulus.reduce(point)))
            }
            guard let inverse = modulus.inverse(denominator) else {
                throw .invalidParameters("party points collide modulo \(modulus.value)")
            }
            return modulus.multiply(numerator, inverse)
        }
        var scaled = share.polynomial
        scaled.multiply(byScalars: lagrange, basis)
        let key = SecretKey(context: context, ntt: scaled)
        scaled.wipe()
        return key
    }
}
