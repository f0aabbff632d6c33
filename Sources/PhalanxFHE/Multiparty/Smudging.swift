import Foundation

/// How much noise a party adds to a share that reveals a function of its secret (collective decryption, key
/// switching, refresh), so that the combined result leaks nothing statistically about the ciphertext's own noise
/// — which depends on the secret keys (Mouchet et al. 2020, §4.3; Asharov et al., EUROCRYPT 2012, "smudging").
///
/// If the ciphertext noise is below 2^b in every coefficient and each party adds noise uniform on [−2^B, 2^B),
/// the statistical distance between the revealed values with and without the ciphertext noise is at most
/// N·2^(b−B) over the N coefficients. With B = b + λ + log₂ N it is at most 2^−λ: λ is the statistical security
/// parameter (default 40 bits). The parties need not trust each other's smudging: one honest party's share
/// suffices.
public struct SmudgingPolicy: Hashable, Sendable, Codable {
    /// λ: the statistical security of the flooding, in bits.
    public let statisticalSecurity: Int

    public init(statisticalSecurity: Int = 40) {
        precondition(statisticalSecurity >= 0)
        self.statisticalSecurity = statisticalSecurity
    }

    public static let standard = SmudgingPolicy()

    /// B for a ciphertext whose public noise estimate is `noiseBits`.
    public func bits(noiseBits: Double, degree: Int) -> Int {
        Int((max(noiseBits, 0) + Double(statisticalSecurity) + log2(Double(degree))).rounded(.up))
    }

    /// The noise estimate of a ciphertext after `parties` smudged shares are added to it.
    public func noiseAfterShares(noiseBits: Double, parties: Int, degree: Int) -> Double {
        let smudging = Double(bits(noiseBits: noiseBits, degree: degree))
        return NoiseModel.sumBits(noiseBits, smudging + log2(Double(max(parties, 1))))
    }

    /// Throws unless a ciphertext with `noiseBits` can still be decrypted (or refreshed) by `parties` parties with
    /// this much smudging: the flooded noise must stay below the decryption limit.
    public func checkRoom(noiseBits: Double, parties: Int, context: BFVContext) throws(FHEError) {
        let after = noiseAfterShares(noiseBits: noiseBits, parties: parties, degree: context.degree)
        let budget = context.noiseBudget(noiseBits: after)
        guard budget > 0 else {
            throw .noiseBudgetExhausted(
                String(
                    format:
                        "smudging at %d bits of statistical security for %d parties needs %.1f bits of noise budget the ciphertext (%.1f bits left) does not have; refresh it earlier or use a larger Q",
                    statisticalSecurity, parties, context.noiseBudget(noiseBits: noiseBits) - budget,
                    context.noiseBudget(noiseBits: noiseBits)))
        }
    }

    /// The noise budget a ciphertext must keep so that `parties` parties can still decrypt or refresh it with
    /// smudging: the guard-rail floor for `fhe` jobs should not be below this.
    public func requiredBudget(parties: Int, context: BFVContext) -> Double {
        // Find the largest noise that still leaves a positive budget after smudging, by bisection on noise bits.
        var low = 0.0
        var high = context.logQ
        for _ in 0..<60 {
            let middle = (low + high) / 2
            let after = noiseAfterShares(noiseBits: middle, parties: parties, degree: context.degree)
            if context.noiseBudget(noiseBits: after) > 0 { low = middle } else { high = middle }
        }
        return context.noiseBudget(noiseBits: low)
    }
}
