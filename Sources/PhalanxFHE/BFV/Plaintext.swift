/// A BFV plaintext: a polynomial of R_t in coefficient form, coefficients in [0, t).
public struct Plaintext: Hashable, Sendable {
    public var coefficients: [UInt64]

    public init(coefficients: [UInt64]) {
        self.coefficients = coefficients
    }
}

/// A plaintext prepared for repeated multiplication: its centered lift to Q in NTT form.
public struct PreparedPlaintext: Sendable {
    let polynomial: RNSPolynomial
    /// Shoup quotients of every residue, so that a product costs two word multiplications per residue.
    let shoup: [UInt64]
    /// log₂ of the ℓ₁-like growth factor the product applies to a ciphertext's noise (see ``NoiseModel``).
    let growthBits: Double
}

/// Batching: a vector of up to N integers modulo t is placed in the N "slots" of one plaintext, so that adding or
/// multiplying plaintexts adds or multiplies the vectors slot by slot (Smart–Vercauteren; t ≡ 1 mod 2N).
///
/// The slots are the evaluations of the message polynomial at the primitive 2N-th roots of unity modulo t, in the
/// NTT's bit-reversed order: encoding is an inverse NTT modulo t, decoding a forward one. Phalanx uses no slot
/// rotations, so any fixed order will do.
public struct BatchEncoder: Sendable {
    public let context: BFVContext

    public init(context: BFVContext) {
        self.context = context
    }

    public var slotCount: Int { context.degree }

    /// Encodes unsigned values (each below t); missing slots are zero.
    public func encode(_ values: [UInt64]) throws(FHEError) -> Plaintext {
        let t = context.parameters.plaintextModulus
        guard values.count <= slotCount else {
            throw .plaintextOutOfRange("\(values.count) values do not fit \(slotCount) slots")
        }
        if let index = values.firstIndex(where: { $0 >= t }) {
            throw .plaintextOutOfRange("slot \(index) holds \(values[index]), not below t = \(t)")
        }
        var slots = values + [UInt64](repeating: 0, count: slotCount - values.count)
        slots.withUnsafeMutableBufferPointer { context.plaintextNTT.inverse($0) }
        return Plaintext(coefficients: slots)
    }

    /// Encodes signed values in (−t/2, t/2] (as residues modulo t).
    public func encode(signed values: [Int64]) throws(FHEError) -> Plaintext {
        let t = Int64(context.parameters.plaintextModulus)
        if let index = values.firstIndex(where: { $0 <= -(t + 1) / 2 || $0 > t / 2 }) {
            throw .plaintextOutOfRange("slot \(index) holds \(values[index]), outside (−t/2, t/2] for t = \(t)")
        }
        return try encode(values.map { UInt64($0 < 0 ? $0 + t : $0) })
    }

    /// The N slot values, each in [0, t).
    public func decode(_ plaintext: Plaintext) -> [UInt64] {
        var slots = plaintext.coefficients
        slots.withUnsafeMutableBufferPointer { context.plaintextNTT.forward($0) }
        return slots
    }

    /// The N slot values as signed integers in (−t/2, t/2].
    public func decodeSigned(_ plaintext: Plaintext) -> [Int64] {
        decode(plaintext).map { context.plaintextModulus.centered($0) }
    }

    /// The plaintext lifted to Q (centered coefficients, which keeps the noise growth of a product smallest) and
    /// transformed, for ``BFVEvaluator/multiply(_:by:)``.
    public func prepare(_ plaintext: Plaintext) -> PreparedPlaintext {
        let t = context.plaintextModulus
        let centered = plaintext.coefficients.map { t.centered($0) }
        let largest = centered.map(\.magnitude).max() ?? 0
        let nonzero = centered.filter { $0 != 0 }.count
        var polynomial = RNSPolynomial(signed: centered, in: context.basisQ)
        polynomial.toNTT(context.basisQ)
        var shoup = [UInt64](repeating: 0, count: polynomial.data.count)
        for (limb, modulus) in context.basisQ.moduli.enumerated() {
            for i in (limb * context.degree)..<((limb + 1) * context.degree) {
                shoup[i] = modulus.shoup(polynomial.data[i])
            }
        }
        return PreparedPlaintext(
            polynomial: polynomial, shoup: shoup,
            growthBits: NoiseModel.plaintextGrowthBits(largest: largest, nonzero: nonzero))
    }
}
