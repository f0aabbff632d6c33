/// A BFV secret key s (ternary), held in NTT form over Q; zeroed when freed and never printed.
///
/// In the multiparty protocols each party holds one of these as its share sᵢ of the collective key s = Σ sᵢ.
public final class SecretKey: @unchecked Sendable, CustomStringConvertible {
    // @unchecked: `polynomial` is set in `init` and only read afterwards, except by `deinit`, which runs when no
    // other reference exists.
    let context: BFVContext
    private(set) var polynomial: RNSPolynomial

    /// A fresh ternary secret from the system CSPRNG.
    public convenience init(context: BFVContext) {
        let stream = SecureStream()
        var coefficients = Sampler.ternary(degree: context.degree, stream)
        self.init(context: context, coefficients: coefficients)
        SecretWipe.array(&coefficients)
    }

    /// A secret with the given small coefficients (secret-share reconstruction and tests).
    public init(context: BFVContext, coefficients: [Int64]) {
        self.context = context
        var polynomial = RNSPolynomial(signed: coefficients, in: context.basisQ)
        polynomial.toNTT(context.basisQ)
        self.polynomial = polynomial
    }

    init(context: BFVContext, ntt polynomial: RNSPolynomial) {
        precondition(polynomial.isNTT)
        self.context = context
        self.polynomial = polynomial
    }

    deinit {
        polynomial.wipe()
    }

    public var description: String { "SecretKey(\(context.parameters.name), redacted)" }
}

/// A BFV public key (b, a) = (−a·s + e, a), NTT form over Q; with a collective key, s = Σ sᵢ and e = Σ eᵢ.
public struct PublicKey: Sendable, Equatable {
    public let b: RNSPolynomial
    public let a: RNSPolynomial
    /// How many parties' secrets and errors the key sums (1 for a single-key scheme); the noise model needs it.
    public let parties: Int

    public init(b: RNSPolynomial, a: RNSPolynomial, parties: Int = 1) {
        self.b = b
        self.a = a
        self.parties = parties
    }
}

/// A relinearization key: for each RNS digit k, (b_k, a_k) with b_k + a_k·s ≈ g_k·s², where g_k is the CRT
/// idempotent of qₖ (1 modulo qₖ, 0 modulo the other primes), NTT form over Q (the BV key switch with RNS digits).
public struct RelinearizationKey: Sendable, Equatable {
    public let b: [RNSPolynomial]
    public let a: [RNSPolynomial]
    /// How many parties' secrets s is the sum of (1 for a single-key scheme); the noise model needs it.
    public let parties: Int

    public init(b: [RNSPolynomial], a: [RNSPolynomial], parties: Int = 1) {
        self.b = b
        self.a = a
        self.parties = parties
    }
}

/// Single-key generation (the multiparty protocols in `Multiparty/` generate the same objects collectively).
public struct BFVKeyGenerator: Sendable {
    public let context: BFVContext

    public init(context: BFVContext) {
        self.context = context
    }

    public func secretKey() -> SecretKey { SecretKey(context: context) }

    public func publicKey(for secret: SecretKey) -> PublicKey {
        let basis = context.basisQ
        let stream = SecureStream()
        let a = Sampler.uniform(in: basis, isNTT: true, stream)
        return PublicKey(b: KeyShares.rlweSample(secret: secret, a: a, stream: stream), a: a)
    }

    public func relinearizationKey(for secret: SecretKey) -> RelinearizationKey {
        let basis = context.basisQ
        let stream = SecureStream()
        var square = secret.polynomial
        square.multiply(secret.polynomial, basis)
        var bs: [RNSPolynomial] = []
        var as_: [RNSPolynomial] = []
        for digit in 0..<basis.count {
            let a = Sampler.uniform(in: basis, isNTT: true, stream)
            var b = KeyShares.rlweSample(secret: secret, a: a, stream: stream)
            b.addLimb(of: square, limb: digit, basis)
            bs.append(b)
            as_.append(a)
        }
        square.wipe()
        return RelinearizationKey(b: bs, a: as_)
    }
}

/// Building blocks shared by single-key and multiparty key generation.
enum KeyShares {
    /// −a·s + e (NTT form), e from the error distribution.
    static func rlweSample(secret: SecretKey, a: RNSPolynomial, stream: SecureStream) -> RNSPolynomial {
        let basis = secret.context.basisQ
        var error = RNSPolynomial(signed: Sampler.error(degree: basis.degree, stream), in: basis)
        error.toNTT(basis)
        var product = a
        product.multiply(secret.polynomial, basis)
        error.subtract(product, basis)
        return error
    }

    /// An error polynomial in NTT form.
    static func error(_ basis: RNSBasis, _ stream: SecureStream) -> RNSPolynomial {
        var error = RNSPolynomial(signed: Sampler.error(degree: basis.degree, stream), in: basis)
        error.toNTT(basis)
        return error
    }
}

extension RNSPolynomial {
    /// Adds `other`'s limb `limb` to this polynomial's same limb only: + g_limb·other for the CRT idempotent g.
    mutating func addLimb(of other: RNSPolynomial, limb: Int, _ basis: RNSBasis) {
        let n = degree
        let modulus = basis.moduli[limb]
        other.data.withUnsafeBufferPointer { source in
            data.withUnsafeMutableBufferPointer { out in
                for i in (limb * n)..<((limb + 1) * n) { out[i] = modulus.add(out[i], source[i]) }
            }
        }
    }
}
