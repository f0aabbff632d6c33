import Foundation

/// Everything derived once from ``BFVParameters``: the RNS bases, NTT tables, Δ = ⌊Q/t⌋, and the conversions
/// that decryption and multiplication use. Immutable and shared by every key, ciphertext and party of a session.
public final class BFVContext: Sendable {
    public let parameters: BFVParameters
    /// The ciphertext basis Q.
    public let basisQ: RNSBasis
    /// The auxiliary basis P (|P| = |Q| + 1 primes of 60 bits) that holds the exact tensor product during
    /// multiplication (HPS); it never appears in keys or ciphertexts.
    public let basisP: RNSBasis
    /// Q ∪ P.
    public let basisQP: RNSBasis
    /// t as a modulus, with the NTT that batching uses.
    public let plaintextModulus: Modulus
    let plaintextNTT: NTTTables
    /// [Δ]_{qᵢ}.
    let deltaResidues: [UInt64]
    /// [t]_{qᵢ} and [Q mod t]: r_t, the rounding term of BFV's invariant noise.
    let tResidues: [UInt64]
    public let qModT: UInt64
    let qToP: BasisConversion
    let pToQ: BasisConversion
    let rescaleQPToP: ScaleAndRound
    let decryptScale: ScaleAndRound
    /// Bits of the fixed header fields and a fingerprint of the parameters, for serialized objects.
    public let fingerprint: UInt64

    public init(_ parameters: BFVParameters) {
        self.parameters = parameters
        let n = parameters.degree
        basisQ = RNSBasis(degree: n, primes: parameters.ciphertextPrimes)
        let pPrimes = NTTPrimes.generate(
            count: parameters.ciphertextPrimes.count + 1, bits: 60, degree: n,
            excluding: Set(parameters.ciphertextPrimes))
        basisP = RNSBasis(degree: n, primes: pPrimes)
        basisQP = basisQ.extended(with: basisP)
        plaintextModulus = Modulus(parameters.plaintextModulus)
        plaintextNTT = NTTTables(degree: n, modulus: plaintextModulus)
        let t = parameters.plaintextModulus
        // Q mod t, then Δ = (Q − [Q]_t)/t, whose residues need no big integer: [Δ]_{qᵢ} = −[Q]_t·t⁻¹ mod qᵢ.
        let tModulus = Modulus(t)
        let qModT = parameters.ciphertextPrimes.reduce(1 as UInt64) { tModulus.multiply($0, tModulus.reduce($1)) }
        self.qModT = qModT
        deltaResidues = basisQ.moduli.map { q in
            q.multiply(q.negate(q.reduce(qModT)), q.inverse(q.reduce(t))!)
        }
        tResidues = basisQ.moduli.map { $0.reduce(t) }
        qToP = BasisConversion(from: basisQ, to: basisP)
        pToQ = BasisConversion(from: basisP, to: basisQ)
        rescaleQPToP = ScaleAndRound(q: basisQ, extra: basisP.moduli, targets: basisP.moduli, t: t)
        decryptScale = ScaleAndRound(q: basisQ, extra: [], targets: [plaintextModulus], t: t)
        var hasher = FNV1a()
        hasher.combine(UInt64(n))
        hasher.combine(t)
        for prime in parameters.ciphertextPrimes { hasher.combine(prime) }
        fingerprint = hasher.value
    }

    public var degree: Int { parameters.degree }
    public var logQ: Double { basisQ.logModulus }

    /// The scaled message ⌊Q·m/t⌉ over Q for a plaintext m (coefficients in [0, t)), added to `polynomial`
    /// (coefficient form).
    ///
    /// ⌊Q·m/t⌉ = Δ·m + ⌊r_t·m/t⌉ with Δ = ⌊Q/t⌋ and r_t = Q mod t (SEAL's encoding). With plain Δ·m, every
    /// homomorphic addition whose messages wrap past t would add r_t (up to t) to the noise, and a collective
    /// refresh would add parties·r_t; with the rounded scaling such wraps cost at most one. The rounding term is
    /// computed in double precision: an error there changes it by one, which is noise of size 1.
    func addScaledPlaintext(_ plaintext: Plaintext, to polynomial: inout RNSPolynomial) {
        let n = degree
        let fraction = Double(qModT) / Double(parameters.plaintextModulus)
        plaintext.coefficients.withUnsafeBufferPointer { m in
            polynomial.data.withUnsafeMutableBufferPointer { out in
                for (limb, q) in basisQ.moduli.enumerated() {
                    let delta = deltaResidues[limb]
                    let deltaShoup = q.shoup(delta)
                    for i in 0..<n {
                        let rounding = UInt64(Double(m[i]) * fraction + 0.5)
                        let scaled = q.add(q.multiplyShoup(m[i], delta, deltaShoup), q.reduce(rounding))
                        out[limb * n + i] = q.add(out[limb * n + i], scaled)
                    }
                }
            }
        }
    }
}

/// 64-bit FNV-1a over words, for parameter fingerprints (not a security function).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func combine(_ word: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) {
            value ^= (word >> UInt64(shift)) & 0xff
            value &*= 0x0000_0100_0000_01b3
        }
    }
}
