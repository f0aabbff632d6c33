/// The distributions RLWE needs, all drawn from a ``SecureStream``.
///
/// - Secrets: uniform ternary {−1, 0, 1} (the HomomorphicEncryption.org standard's "ternary" secret distribution).
/// - Errors: the centered binomial distribution with k = 21 (the difference of the popcounts of two 21-bit
///   words), σ = √(k/2) ≈ 3.24 ≥ the standard's σ = 3.19, bounded by 21; it is computed with no data-dependent
///   branch or table lookup, which a discrete-Gaussian CDT sampler would need care to achieve.
/// - Uniform elements of R_Q: each residue independently uniform modulo its prime (uniform on Z_Q by the CRT).
/// - Smudging noise: uniform on [−2^b, 2^b) for any b up to log₂ Q, built in RNS form from random words.
public enum Sampler {
    /// The binomial parameter k of the error distribution (variance k/2).
    public static let binomialK = 21
    /// Its standard deviation √(k/2).
    public static let errorStandardDeviation = (Double(binomialK) / 2).squareRoot()
    /// The largest magnitude the error distribution can take.
    public static let errorBound = binomialK

    public static func ternary(degree: Int, _ stream: SecureStream) -> [Int64] {
        (0..<degree).map { _ in Int64(stream.uniform(below: 3)) - 1 }
    }

    public static func error(degree: Int, _ stream: SecureStream) -> [Int64] {
        let mask: UInt64 = (1 << UInt64(binomialK)) - 1
        return (0..<degree).map { _ in
            let bits = stream.next()
            return Int64((bits & mask).nonzeroBitCount) - Int64(((bits >> 21) & mask).nonzeroBitCount)
        }
    }

    public static func uniform(in basis: RNSBasis, isNTT: Bool, _ stream: SecureStream) -> RNSPolynomial {
        var polynomial = RNSPolynomial(zeroIn: basis, isNTT: isNTT)
        let n = basis.degree
        polynomial.data.withUnsafeMutableBufferPointer { out in
            for (limb, modulus) in basis.moduli.enumerated() {
                for i in (limb * n)..<((limb + 1) * n) { out[i] = stream.uniform(below: modulus.value) }
            }
        }
        return polynomial
    }

    /// Coefficients uniform on [−2^bits, 2^bits), in coefficient form over `basis`.
    public static func smudging(bits: Int, in basis: RNSBasis, _ stream: SecureStream) -> RNSPolynomial {
        precondition(bits >= 1 && Double(bits) < basis.logModulus - 1, "smudging noise must be smaller than Q/2")
        // x = Σ_k w_k·2^(64k) uniform on [0, 2^(bits+1)), then x − 2^bits; residues from the words' residues.
        let words = (bits + 1 + 63) / 64
        let topBits = (bits + 1) - 64 * (words - 1)
        let topMask: UInt64 = topBits == 64 ? .max : (1 << UInt64(topBits)) - 1
        let n = basis.degree
        var polynomial = RNSPolynomial(zeroIn: basis)
        // 2^(64k) mod q and 2^bits mod q for every limb.
        let wordWeights = basis.moduli.map { modulus in
            (0..<words).map { k in modulus.power(modulus.reduce(1 << 32), UInt64(2 * k)) }
        }
        let offsets = basis.moduli.map { modulus in modulus.power(2, UInt64(bits)) }
        var draw = [UInt64](repeating: 0, count: words)
        polynomial.data.withUnsafeMutableBufferPointer { out in
            for i in 0..<n {
                for k in 0..<words { draw[k] = stream.next() }
                draw[words - 1] &= topMask
                for (limb, modulus) in basis.moduli.enumerated() {
                    var residue: UInt64 = 0
                    for k in 0..<words {
                        residue = modulus.add(residue, modulus.multiply(modulus.reduce(draw[k]), wordWeights[limb][k]))
                    }
                    out[limb * n + i] = modulus.subtract(residue, offsets[limb])
                }
            }
        }
        SecretWipe.array(&draw)
        return polynomial
    }
}
