import Foundation

/// A BFV ciphertext: two polynomials (three after a multiplication, before relinearization) in NTT form over Q,
/// with c₀ + c₁·s (+ c₂·s²) = ⌊Q·m/t⌉ + e (mod Q).
///
/// `noiseBits` is the public estimate of log₂ ‖e‖∞ that ``NoiseModel`` carries through every operation; anyone
/// holding the ciphertext can compute it, no key needed. ``noiseBudget(_:)`` turns it into the remaining budget.
public struct Ciphertext: Sendable, Equatable {
    public internal(set) var polynomials: [RNSPolynomial]
    public internal(set) var noiseBits: Double
    /// ``BFVContext/fingerprint`` of the parameters it was made under.
    public let fingerprint: UInt64

    public init(polynomials: [RNSPolynomial], noiseBits: Double, fingerprint: UInt64) {
        self.polynomials = polynomials
        self.noiseBits = noiseBits
        self.fingerprint = fingerprint
    }

    public var size: Int { polynomials.count }

    /// This ciphertext with its noise estimate raised to at least `bits`: a party that receives a ciphertext
    /// from someone else sizes its smudging from the larger of their estimate and its own.
    public func assumingNoise(atLeast bits: Double) -> Ciphertext {
        var copy = self
        copy.noiseBits = Swift.max(noiseBits, bits)
        return copy
    }
}

extension BFVContext {
    /// The estimated remaining noise budget of `ciphertext` in bits, SEAL's definition on the estimate:
    /// log₂ Q − 1 − log₂ ‖t·(e + δ)‖, with δ ≤ 1 the rounding of the scaled message ⌊Q·m/t⌉. Zero or less means it
    /// may not decrypt.
    public func noiseBudget(_ ciphertext: Ciphertext) -> Double {
        noiseBudget(noiseBits: ciphertext.noiseBits)
    }

    /// The budget left for a noise estimate of `noiseBits` (log₂ ‖e‖∞).
    public func noiseBudget(noiseBits: Double) -> Double {
        let t = Double(parameters.plaintextModulus)
        return logQ - 1 - log2(t * exp2(noiseBits) + t)
    }

    func check(_ ciphertext: Ciphertext, size: Int? = nil) throws(FHEError) {
        guard ciphertext.fingerprint == fingerprint else {
            throw .mismatch("the ciphertext was made under other parameters than \(parameters.name)")
        }
        if let size, ciphertext.size != size {
            throw .mismatch("expected a ciphertext of \(size) polynomials, got \(ciphertext.size)")
        }
        guard ciphertext.polynomials.allSatisfy({ $0.isNTT && $0.limbs == basisQ.count && $0.degree == degree })
        else { throw .mismatch("ciphertext polynomials are not in NTT form over Q") }
    }
}
