/// The messages of the multiparty protocols (Mouchet, Troncoso-Pastoriza, Bossuat, Hubaux, "Multiparty
/// Homomorphic Encryption from Ring-Learning-With-Errors", PETS 2021, eprint 2020/304). Each is one party's
/// contribution; the aggregator sums them. All polynomials are in NTT form over Q.

/// Collective public-key generation (CKG, §4.1): pᵢ = −sᵢ·a + eᵢ for the common random polynomial a.
public struct PublicKeyShare: Sendable, Equatable {
    public var polynomial: RNSPolynomial
    public init(polynomial: RNSPolynomial) { self.polynomial = polynomial }
}

/// Collective relinearization-key generation (RKG, §4.2), first round: per RNS digit k,
/// h₀ = −uᵢ·aₖ + sᵢ·gₖ + e₀ and h₁ = sᵢ·aₖ + e₁ (gₖ the CRT idempotent of qₖ, uᵢ an ephemeral ternary secret).
public struct RelinearizationKeyShareRound1: Sendable, Equatable {
    public var h0: [RNSPolynomial]
    public var h1: [RNSPolynomial]
    public init(h0: [RNSPolynomial], h1: [RNSPolynomial]) {
        self.h0 = h0
        self.h1 = h1
    }
}

/// RKG, second round: h₀' = sᵢ·Σh₀ + e₂ and h₁' = (uᵢ − sᵢ)·Σh₁ + e₃, per digit.
public struct RelinearizationKeyShareRound2: Sendable, Equatable {
    public var h0: [RNSPolynomial]
    public var h1: [RNSPolynomial]
    public init(h0: [RNSPolynomial], h1: [RNSPolynomial]) {
        self.h0 = h0
        self.h1 = h1
    }
}

/// Collective key switching (CKS, §4.3) from s to s' (s' = 0: collective decryption):
/// hᵢ = (sᵢ − s'ᵢ)·c₁ + eᵢ with smudging noise eᵢ.
public struct KeySwitchShare: Sendable, Equatable {
    public var polynomial: RNSPolynomial
    public init(polynomial: RNSPolynomial) { self.polynomial = polynomial }
}

/// Public-key switching (PCKS, §4.4) to a receiver's public key (b', a'):
/// h₀ = sᵢ·c₁ + uᵢ·b' + e₀ (smudging), h₁ = uᵢ·a' + e₁.
public struct PublicKeySwitchShare: Sendable, Equatable {
    public var h0: RNSPolynomial
    public var h1: RNSPolynomial
    public init(h0: RNSPolynomial, h1: RNSPolynomial) {
        self.h0 = h0
        self.h1 = h1
    }
}

/// Collective refresh (masked decryption and re-encryption, the BFV "bootstrapping" of §4.5 / Lattigo's
/// `RefreshProtocol`): h₀ = sᵢ·c₁ − ⌊Q·Mᵢ/t⌉ + e₀ (smudging), h₁ = −sᵢ·a' + ⌊Q·Mᵢ/t⌉ + e₁, for a uniform mask Mᵢ ∈ R_t and
/// a common random polynomial a'.
public struct RefreshShare: Sendable, Equatable {
    public var h0: RNSPolynomial
    public var h1: RNSPolynomial
    public init(h0: RNSPolynomial, h1: RNSPolynomial) {
        self.h0 = h0
        self.h1 = h1
    }
}
