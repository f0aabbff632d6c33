import Foundation

/// A set of word-sized NTT primes q₀ … q_{L−1} and their transforms for one ring degree N: the ring
/// Z_Q[X]/(X^N + 1) with Q = ∏ qᵢ, held in residue-number-system (RNS) form, one limb of N residues per prime.
public final class RNSBasis: Sendable, Equatable {
    public let degree: Int
    public let moduli: [Modulus]
    public let tables: [NTTTables]
    /// log₂ Q.
    public let logModulus: Double

    public init(degree: Int, primes: [UInt64]) {
        precondition(!primes.isEmpty, "a basis needs at least one prime")
        precondition(Set(primes).count == primes.count, "the primes of a basis must be distinct")
        self.degree = degree
        self.moduli = primes.map(Modulus.init)
        self.tables = moduli.map { NTTTables(degree: degree, modulus: $0) }
        self.logModulus = primes.reduce(0) { $0 + log2(Double($1)) }
    }

    public var count: Int { moduli.count }
    public var primes: [UInt64] { moduli.map(\.value) }

    public static func == (lhs: RNSBasis, rhs: RNSBasis) -> Bool {
        lhs === rhs || (lhs.degree == rhs.degree && lhs.primes == rhs.primes)
    }

    /// The basis of these primes followed by `other`'s (for Q∪P during multiplication).
    public func extended(with other: RNSBasis) -> RNSBasis {
        precondition(other.degree == degree)
        return RNSBasis(degree: degree, primes: primes + other.primes)
    }
}
