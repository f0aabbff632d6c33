import Foundation

/// Public, heuristic bounds on the noise ‖e‖∞ of BFV ciphertexts, as log₂, following the average-case analysis
/// of Costache–Smart ("Which Ring Based Somewhat Homomorphic Encryption Scheme is Best?", CT-RSA 2016) and
/// SEAL's invariant-noise reasoning: products of independent random polynomials have coefficient variance
/// N·σ_a²·σ_b², and a bound is z standard deviations. The model is checked against the noise actually measured
/// with the secret key (tests assert it never under-estimates and stays within a few tens of bits).
public enum NoiseModel {
    /// Standard deviations per bound: P(|X| > 8σ) ≈ 10⁻¹⁵ per coefficient for near-Gaussian sums.
    static let z = 8.0
    static let errorVariance = Sampler.errorStandardDeviation * Sampler.errorStandardDeviation
    static let ternaryVariance = 2.0 / 3.0

    /// A fresh public-key encryption under a key whose secret and error sum `parties` shares:
    /// e = e_pk·u + e₀ + e₁·s.
    public static func freshBits(degree: Int, parties: Int) -> Double {
        let n = Double(degree)
        let k = Double(parties)
        let variance = n * k * errorVariance * ternaryVariance + errorVariance + n * errorVariance * k * ternaryVariance
        return log2(z * variance.squareRoot())
    }

    public static func sumBits(_ a: Double, _ b: Double) -> Double {
        log2(exp2(a) + exp2(b))
    }

    /// The noise of a homomorphic sum: the operands' noise plus one, the rounding of ⌊Q·m₁/t⌉ + ⌊Q·m₂/t⌉ against
    /// ⌊Q·[m₁ + m₂]_t/t⌉ when the messages wrap past t.
    public static func additionBits(_ a: Double, _ b: Double, context: BFVContext) -> Double {
        log2(exp2(a) + exp2(b) + 1)
    }

    /// Growth of ‖e‖ under multiplication by a plaintext with `nonzero` coefficients of magnitude ≤ `largest`.
    public static func plaintextGrowthBits(largest: UInt64, nonzero: Int) -> Double {
        guard largest > 0 else { return -Double.infinity }
        return log2(Double(largest)) + (nonzero > 1 ? log2(z * Double(nonzero).squareRoot()) : 0)
    }

    /// e·p + δ·p after multiplying by a prepared plaintext (δ ≤ 1 the rounding of the scaled message).
    public static func plaintextProductBits(noiseBits: Double, growthBits: Double, context: BFVContext) -> Double {
        let rounding = exp2(growthBits)
        return log2(exp2(noiseBits + growthBits) + rounding + 1)
    }

    /// After tensoring and rescaling two ciphertexts encrypted under a secret of `parties` shares, before
    /// relinearization: t·(e₁·k₂ + e₂·k₁) dominates, with ‖kᵢ‖ ≈ ‖c₁·s‖/Q; plus the m·e and m·δ cross terms.
    public static func productBits(_ a: Double, _ b: Double, parties: Int, context: BFVContext) -> Double {
        let n = Double(context.degree)
        let t = Double(context.parameters.plaintextModulus)
        let secretNorm = z * (n * Double(parties) * ternaryVariance / 12).squareRoot()
        let crossTerms = t * (exp2(a) + exp2(b)) * z * n.squareRoot() * (secretNorm + 1)
        let messageTerms = (t / 2) * (exp2(a) + exp2(b)) * z * n.squareRoot()
        let rounding = z * n.squareRoot() * t + z * n * Double(parties)
        return log2(crossTerms + messageTerms + rounding)
    }

    /// The BV key switch with one RNS digit per prime adds Σ_k D_k·e_k, D_k uniform below q_k.
    public static func relinearizationBits(context: BFVContext, parties: Int) -> Double {
        let n = Double(context.degree)
        let k = Double(parties)
        let limbs = Double(context.basisQ.count)
        let largestPrime = Double(context.parameters.ciphertextPrimes.max()!)
        // Single key: e_k ~ σ. Collective key (two-round RKG): s·e₀ + u·e₁ + e, with n-party sums.
        let keyErrorVariance =
            parties == 1 ? errorVariance : 2 * n * (k * ternaryVariance) * (k * errorVariance) + k * errorVariance
        let variance = limbs * n * (largestPrime * largestPrime / 12) * keyErrorVariance
        return log2(z * variance.squareRoot())
    }

    /// How many ciphertext–ciphertext multiplications (with relinearization) a ciphertext with `noiseBits` can
    /// still take, each against a fresh ciphertext, before its estimated budget falls to `reserve` bits (the room a
    /// smudged collective decryption needs, say).
    public static func levelsLeft(noiseBits: Double, context: BFVContext, parties: Int, reserve: Double = 0) -> Int {
        var noise = noiseBits
        var levels = 0
        let fresh = freshBits(degree: context.degree, parties: parties)
        let relinearization = relinearizationBits(context: context, parties: parties)
        while levels < 64 {
            noise = sumBits(productBits(noise, fresh, parties: parties, context: context), relinearization)
            if context.noiseBudget(noiseBits: noise) <= reserve { break }
            levels += 1
        }
        return levels
    }
}
