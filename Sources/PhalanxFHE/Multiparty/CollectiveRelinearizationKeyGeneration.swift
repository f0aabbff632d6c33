/// Collective relinearization-key generation (RKG; Mouchet et al. 2020, §4.2, Protocol 2), two rounds, for the
/// BV key switch with one digit per RNS prime.
///
/// Round 1: each party samples an ephemeral ternary uᵢ and publishes, per digit k, h₀ = −uᵢ·aₖ + sᵢ·gₖ + e₀
/// and h₁ = sᵢ·aₖ + e₁. Round 2: given the sums H₀, H₁, it publishes h₀' = sᵢ·H₀ + e₂ and
/// h₁' = (uᵢ − sᵢ)·H₁ + e₃. The key is (Σh₀' + Σh₁', H₁): (Σh₀' + Σh₁') + H₁·s = s²·gₖ + s·e₀ + u·e₁ + e.
/// The party keeps uᵢ between the rounds; ``Party`` wipes it afterwards.
public struct CollectiveRelinearizationKeyGeneration: Sendable {
    public let context: BFVContext
    /// aₖ, one per digit.
    public let crp: [RNSPolynomial]

    public init(context: BFVContext, crp: [RNSPolynomial]) {
        precondition(crp.count == context.basisQ.count, "one common random polynomial per RNS digit")
        self.context = context
        self.crp = crp
    }

    /// One party's side of the protocol; holds the ephemeral secret uᵢ between the rounds.
    public final class Party {
        let protocolState: CollectiveRelinearizationKeyGeneration
        let secret: SecretKey
        private var ephemeral: RNSPolynomial

        init(_ protocolState: CollectiveRelinearizationKeyGeneration, secret: SecretKey) {
            self.protocolState = protocolState
            self.secret = secret
            let basis = protocolState.context.basisQ
            var u = RNSPolynomial(signed: Sampler.ternary(degree: basis.degree, SecureStream()), in: basis)
            u.toNTT(basis)
            ephemeral = u
        }

        deinit { ephemeral.wipe() }

        public func round1() -> RelinearizationKeyShareRound1 {
            let basis = protocolState.context.basisQ
            let stream = SecureStream()
            var h0: [RNSPolynomial] = []
            var h1: [RNSPolynomial] = []
            for (digit, a) in protocolState.crp.enumerated() {
                // −u·a + s·g_k + e₀: s·g_k is s on limb k and 0 elsewhere.
                var first = KeyShares.error(basis, stream)
                var ua = a
                ua.multiply(ephemeral, basis)
                first.subtract(ua, basis)
                first.addLimb(of: secret.polynomial, limb: digit, basis)
                var second = KeyShares.error(basis, stream)
                second.addProduct(secret.polynomial, a, basis)
                h0.append(first)
                h1.append(second)
            }
            return RelinearizationKeyShareRound1(h0: h0, h1: h1)
        }

        public func round2(aggregate: RelinearizationKeyShareRound1) throws(FHEError) -> RelinearizationKeyShareRound2 {
            let context = protocolState.context
            let basis = context.basisQ
            guard aggregate.h0.count == basis.count, aggregate.h1.count == basis.count else {
                throw .protocolViolation(
                    "the round-1 aggregate has \(aggregate.h0.count) digits, expected \(basis.count)")
            }
            for polynomial in aggregate.h0 + aggregate.h1 { try context.checkShape(polynomial, "round-1 aggregate") }
            let stream = SecureStream()
            var uMinusS = ephemeral
            uMinusS.subtract(secret.polynomial, basis)
            defer { uMinusS.wipe() }
            var h0: [RNSPolynomial] = []
            var h1: [RNSPolynomial] = []
            for digit in 0..<basis.count {
                var first = KeyShares.error(basis, stream)
                first.addProduct(secret.polynomial, aggregate.h0[digit], basis)
                var second = KeyShares.error(basis, stream)
                second.addProduct(uMinusS, aggregate.h1[digit], basis)
                h0.append(first)
                h1.append(second)
            }
            return RelinearizationKeyShareRound2(h0: h0, h1: h1)
        }
    }

    public func party(secret: SecretKey) -> Party { Party(self, secret: secret) }

    /// Sums the round-1 shares of every party.
    public func aggregate(_ shares: [RelinearizationKeyShareRound1]) throws(FHEError) -> RelinearizationKeyShareRound1 {
        guard var sum = shares.first else { throw .protocolViolation("no round-1 shares to aggregate") }
        try check(sum.h0 + sum.h1, "round-1 share")
        for share in shares.dropFirst() {
            try check(share.h0 + share.h1, "round-1 share")
            for digit in 0..<context.basisQ.count {
                sum.h0[digit].add(share.h0[digit], context.basisQ)
                sum.h1[digit].add(share.h1[digit], context.basisQ)
            }
        }
        return sum
    }

    /// The relinearization key from the round-1 aggregate and every party's round-2 share.
    public func combine(
        round1 aggregate: RelinearizationKeyShareRound1, round2 shares: [RelinearizationKeyShareRound2]
    ) throws(FHEError) -> RelinearizationKey {
        guard let first = shares.first else { throw .protocolViolation("no round-2 shares to combine") }
        try check(aggregate.h0 + aggregate.h1, "round-1 aggregate")
        var b = first.h0
        try check(first.h0 + first.h1, "round-2 share")
        for digit in b.indices { b[digit].add(first.h1[digit], context.basisQ) }
        for share in shares.dropFirst() {
            try check(share.h0 + share.h1, "round-2 share")
            for digit in b.indices {
                b[digit].add(share.h0[digit], context.basisQ)
                b[digit].add(share.h1[digit], context.basisQ)
            }
        }
        return RelinearizationKey(b: b, a: aggregate.h1, parties: shares.count)
    }

    private func check(_ polynomials: [RNSPolynomial], _ what: String) throws(FHEError) {
        guard polynomials.count == 2 * context.basisQ.count else {
            throw .protocolViolation("a \(what) has \(polynomials.count / 2) digits, expected \(context.basisQ.count)")
        }
        for polynomial in polynomials { try context.checkShape(polynomial, what) }
    }
}
