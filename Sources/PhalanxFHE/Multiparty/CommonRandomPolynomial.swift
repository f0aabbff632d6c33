/// The common reference string of the multiparty protocols: uniform polynomials that every party derives from
/// a public seed (the job's identifier, say) and a label naming their use, so no dealer has to send them.
///
/// Deterministic: AES-256-CTR keyed by HKDF-SHA256(seed, label) (``SecureStream/init(seed:label:)``), sampled
/// straight into NTT form (a uniform polynomial is uniform in either representation).
public enum CommonRandomPolynomial {
    public static func derive(context: BFVContext, seed: [UInt8], label: String) -> RNSPolynomial {
        Sampler.uniform(in: context.basisQ, isNTT: true, SecureStream(seed: seed, label: label))
    }

    /// One polynomial per RNS digit, for relinearization-key generation.
    public static func deriveDigits(context: BFVContext, seed: [UInt8], label: String) -> [RNSPolynomial] {
        let stream = SecureStream(seed: seed, label: label)
        return (0..<context.basisQ.count).map { _ in Sampler.uniform(in: context.basisQ, isNTT: true, stream) }
    }
}
