import Foundation

/// Public-key BFV encryption (Fan–Vercauteren 2012, §4): c = (b·u + e₀ + ⌊Q·m/t⌉, a·u + e₁) for a ternary u.
public struct BFVEncryptor: Sendable {
    public let context: BFVContext
    public let publicKey: PublicKey

    public init(context: BFVContext, publicKey: PublicKey) {
        self.context = context
        self.publicKey = publicKey
    }

    public func encrypt(_ plaintext: Plaintext) throws(FHEError) -> Ciphertext {
        guard plaintext.coefficients.count == context.degree else {
            throw .mismatch("plaintext of \(plaintext.coefficients.count) coefficients for N = \(context.degree)")
        }
        let basis = context.basisQ
        let stream = SecureStream()
        var u = RNSPolynomial(signed: Sampler.ternary(degree: basis.degree, stream), in: basis)
        u.toNTT(basis)
        var c0 = RNSPolynomial(signed: Sampler.error(degree: basis.degree, stream), in: basis)
        context.addScaledPlaintext(plaintext, to: &c0)
        c0.toNTT(basis)
        c0.addProduct(publicKey.b, u, basis)
        var c1 = KeyShares.error(basis, stream)
        c1.addProduct(publicKey.a, u, basis)
        u.wipe()
        return Ciphertext(
            polynomials: [c0, c1], noiseBits: NoiseModel.freshBits(degree: basis.degree, parties: publicKey.parties),
            fingerprint: context.fingerprint)
    }

    /// An encryption of zero (a re-randomizer: adding it changes a ciphertext's randomness, not its message).
    public func encryptZero() throws(FHEError) -> Ciphertext {
        try encrypt(Plaintext(coefficients: [UInt64](repeating: 0, count: context.degree)))
    }
}

/// Secret-key decryption: m = round(t·[c₀ + c₁·s]_Q / Q) mod t, computed in RNS (HPS §4.1).
public struct BFVDecryptor: Sendable {
    public let context: BFVContext
    let secretKey: SecretKey

    public init(context: BFVContext, secretKey: SecretKey) {
        self.context = context
        self.secretKey = secretKey
    }

    public func decrypt(_ ciphertext: Ciphertext) throws(FHEError) -> Plaintext {
        try context.check(ciphertext, size: 2)
        var phase = self.phase(ciphertext)
        defer { phase.wipe() }
        return context.roundToPlaintext(phase)
    }

    /// c₀ + c₁·s in coefficient form.
    func phase(_ ciphertext: Ciphertext) -> RNSPolynomial {
        let basis = context.basisQ
        var phase = ciphertext.polynomials[0]
        phase.addProduct(ciphertext.polynomials[1], secretKey.polynomial, basis)
        phase.fromNTT(basis)
        return phase
    }

    /// The remaining noise budget measured with the secret key, SEAL's definition:
    /// log₂ Q − 1 − log₂ ‖[t·(c₀ + c₁·s)]_Q‖∞ (decryption is correct while it is positive).
    public func measuredNoiseBudget(_ ciphertext: Ciphertext) throws(FHEError) -> Double {
        try context.check(ciphertext, size: 2)
        var phase = self.phase(ciphertext)
        defer { phase.wipe() }
        phase.multiply(byScalars: context.tResidues, context.basisQ)
        let largest = context.basisQ.largestCenteredMagnitude(phase)
        return context.logQ - 1 - Foundation.log2(max(largest, 1))
    }
}

extension BFVContext {
    /// round(t·x/Q) mod t for the coefficients x of a phase (coefficient form over Q).
    func roundToPlaintext(_ phase: RNSPolynomial) -> Plaintext {
        var coefficients = [UInt64](repeating: 0, count: degree)
        phase.data.withUnsafeBufferPointer { input in
            coefficients.withUnsafeMutableBufferPointer { output in
                decryptScale.apply(input, degree: degree, into: output)
            }
        }
        return Plaintext(coefficients: coefficients)
    }
}

extension RNSBasis {
    /// max over coefficients of |x| for the centered representative x ∈ (−Q/2, Q/2], as a Double (exact to 53
    /// bits relative): mixed-radix conversion (Garner) of x and of Q − x, evaluated by Horner's rule.
    func largestCenteredMagnitude(_ polynomial: RNSPolynomial) -> Double {
        precondition(!polynomial.isNTT)
        let n = degree
        let inverses: [[UInt64]] = moduli.indices.map { i in
            (0..<i).map { j in moduli[i].inverse(moduli[i].reduce(moduli[j].value))! }
        }
        func magnitude(_ residues: [UInt64]) -> Double {
            var digits = [UInt64](repeating: 0, count: count)
            for i in 0..<count {
                var value = residues[i]
                for j in 0..<i {
                    value = moduli[i].multiply(moduli[i].subtract(value, moduli[i].reduce(digits[j])), inverses[i][j])
                }
                digits[i] = value
            }
            var result = 0.0
            for i in stride(from: count - 1, through: 0, by: -1) {
                result = result * Double(moduli[i].value) + Double(digits[i])
            }
            return result
        }
        var largest = 0.0
        var residues = [UInt64](repeating: 0, count: count)
        for k in 0..<n {
            for i in 0..<count { residues[i] = polynomial.data[i * n + k] }
            let positive = magnitude(residues)
            for i in 0..<count { residues[i] = moduli[i].negate(residues[i]) }
            let negative = magnitude(residues)
            largest = Swift.max(largest, Swift.min(positive, negative))
        }
        return largest
    }
}
