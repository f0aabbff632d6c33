import Foundation

/// The parameters of a BFV instance: ring degree N, plaintext modulus t and the ciphertext modulus Q as a list of
/// NTT-friendly primes.
///
/// Security: every preset keeps log₂ Q at or below the bound that the HomomorphicEncryption.org standard
/// (Albrecht et al., "Homomorphic Encryption Standard", 2018, Table 1, ternary secrets, σ ≈ 3.2) gives for 128-bit
/// classical security at that N: 109 bits at N = 4096, 218 at 8192, 438 at 16384. `docs/fhe.md` has the table
/// and the reasoning. The extension primes used inside multiplication never appear in keys or ciphertexts and do
/// not count.
public struct BFVParameters: Hashable, Sendable, Codable, CustomStringConvertible {
    public let degree: Int
    public let plaintextModulus: UInt64
    public let ciphertextPrimes: [UInt64]
    /// A short name for logs and headers (e.g. `n8192-q120`).
    public let name: String

    /// The HomomorphicEncryption.org bound on log₂ Q for 128-bit classical security with ternary secrets.
    public static let maximumLogQ128: [Int: Int] = [1024: 27, 2048: 54, 4096: 109, 8192: 218, 16384: 438, 32768: 881]

    public init(degree: Int, plaintextModulus: UInt64, ciphertextPrimes: [UInt64], name: String? = nil) throws(FHEError)
    {
        guard degree >= 16, degree & (degree - 1) == 0, degree <= 32768 else {
            throw .invalidParameters("ring degree \(degree) is not a power of two in 16…32768")
        }
        guard plaintextModulus >= 2, NTTPrimes.isPrime(plaintextModulus),
            (plaintextModulus - 1) % UInt64(2 * degree) == 0
        else {
            throw .invalidParameters(
                "plaintext modulus \(plaintextModulus) must be a prime ≡ 1 mod 2N = \(2 * degree) so that vectors batch into slots"
            )
        }
        guard !ciphertextPrimes.isEmpty, Set(ciphertextPrimes).count == ciphertextPrimes.count else {
            throw .invalidParameters("the ciphertext modulus needs one or more distinct primes")
        }
        for prime in ciphertextPrimes {
            guard prime < (1 << Modulus.maximumBitWidth), NTTPrimes.isPrime(prime),
                (prime - 1) % UInt64(2 * degree) == 0
            else {
                throw .invalidParameters("\(prime) is not a prime below 2^61 with q ≡ 1 mod \(2 * degree)")
            }
            guard prime != plaintextModulus else { throw .invalidParameters("t must not divide Q") }
        }
        self.degree = degree
        self.plaintextModulus = plaintextModulus
        self.ciphertextPrimes = ciphertextPrimes
        let logQ = Int(ciphertextPrimes.reduce(0.0) { $0 + log2(Double($1)) }.rounded(.up))
        self.name = name ?? "n\(degree)-q\(logQ)"
    }

    /// The parameters with `count` primes of `bits` bits each (the largest such NTT primes, so every party derives
    /// the same ones).
    public static func standard(
        degree: Int, primeBits: [Int], plaintextModulus: UInt64 = 65537
    ) throws(FHEError)
        -> BFVParameters
    {
        var primes: [UInt64] = []
        for bits in primeBits {
            primes += NTTPrimes.generate(count: 1, bits: bits, degree: degree, excluding: Set(primes))
        }
        return try BFVParameters(degree: degree, plaintextModulus: plaintextModulus, ciphertextPrimes: primes)
    }

    /// N = 4096, Q of 2 × 54 bits (108 ≤ 109): sums and plaintext weighting; small keys and ciphertexts.
    public static let n4096 = try! standard(degree: 4096, primeBits: [54, 54])
    /// N = 8192, Q of 2 × 60 bits (120 ≤ 218): the parameters OpenFHE picks for depth 1 at t = 65537.
    public static let n8192 = try! standard(degree: 8192, primeBits: [60, 60])
    /// N = 8192, Q of 3 × 60 bits (180 ≤ 218): room for a multiplication and smudged collective decryption.
    public static let n8192Deep = try! standard(degree: 8192, primeBits: [60, 60, 60])
    /// N = 16384, Q of 7 × 60 bits (420 ≤ 438): several multiplications.
    public static let n16384 = try! standard(degree: 16384, primeBits: [60, 60, 60, 60, 60, 60, 60])

    public static let presets: [String: BFVParameters] = [
        "n4096": n4096, "n8192": n8192, "n8192-deep": n8192Deep, "n16384": n16384,
    ]

    /// log₂ Q.
    public var logQ: Double { ciphertextPrimes.reduce(0.0) { $0 + log2(Double($1)) } }

    /// Whether log₂ Q is within the standard's 128-bit bound for N.
    public var meets128BitSecurity: Bool {
        guard let bound = Self.maximumLogQ128[degree] else { return false }
        return logQ <= Double(bound)
    }

    public var description: String {
        "BFV(N=\(degree), t=\(plaintextModulus), log2 Q=\(String(format: "%.1f", logQ)), \(ciphertextPrimes.count) primes)"
    }
}
