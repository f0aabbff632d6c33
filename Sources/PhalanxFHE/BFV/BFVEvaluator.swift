import Foundation

/// Homomorphic operations on BFV ciphertexts: addition, plaintext multiplication, and ciphertext multiplication
/// with relinearization (the HPS RNS variant of Fan–Vercauteren's tensor-and-rescale).
///
/// Every operation updates the ciphertext's public noise estimate (``Ciphertext/noiseBits``) with ``NoiseModel``.
public struct BFVEvaluator: Sendable {
    public let context: BFVContext

    public init(context: BFVContext) {
        self.context = context
    }

    // MARK: Addition

    public func add(_ a: Ciphertext, _ b: Ciphertext) throws(FHEError) -> Ciphertext {
        var sum = a
        try addInPlace(&sum, b)
        return sum
    }

    public func addInPlace(_ a: inout Ciphertext, _ b: Ciphertext) throws(FHEError) {
        try context.check(a)
        try context.check(b, size: a.size)
        for i in 0..<a.size { a.polynomials[i].add(b.polynomials[i], context.basisQ) }
        a.noiseBits = NoiseModel.additionBits(a.noiseBits, b.noiseBits, context: context)
    }

    public func subtract(_ a: Ciphertext, _ b: Ciphertext) throws(FHEError) -> Ciphertext {
        try context.check(a)
        try context.check(b, size: a.size)
        var difference = a
        for i in 0..<a.size { difference.polynomials[i].subtract(b.polynomials[i], context.basisQ) }
        difference.noiseBits = NoiseModel.additionBits(a.noiseBits, b.noiseBits, context: context)
        return difference
    }

    /// Adds a plaintext: c₀ += Δ·m.
    public func add(_ a: Ciphertext, plaintext: Plaintext) throws(FHEError) -> Ciphertext {
        try context.check(a)
        var scaled = RNSPolynomial(zeroIn: context.basisQ)
        context.addScaledPlaintext(plaintext, to: &scaled)
        scaled.toNTT(context.basisQ)
        var sum = a
        sum.polynomials[0].add(scaled, context.basisQ)
        sum.noiseBits = NoiseModel.sumBits(a.noiseBits, log2(Double(context.qModT)) + 1)
        return sum
    }

    // MARK: Plaintext multiplication

    /// Multiplies by a plaintext prepared with ``BatchEncoder/prepare(_:)``: slot-wise product of the vectors.
    public func multiply(_ a: Ciphertext, by plaintext: PreparedPlaintext) throws(FHEError) -> Ciphertext {
        try context.check(a)
        var product = a
        for i in 0..<a.size { product.polynomials[i].multiply(plaintext.polynomial, context.basisQ) }
        product.noiseBits = NoiseModel.plaintextProductBits(
            noiseBits: a.noiseBits, growthBits: plaintext.growthBits, context: context)
        return product
    }

    /// Multiplies every slot by the integer `scalar` (|scalar| < t/2): a weight, cheaper on the noise than a
    /// slot vector (growth |scalar| instead of ~‖p‖·√N).
    public func multiply(_ a: Ciphertext, byScalar scalar: Int64) throws(FHEError) -> Ciphertext {
        try context.check(a)
        let t = Int64(context.parameters.plaintextModulus)
        guard scalar > -t / 2 && scalar <= t / 2 else {
            throw .plaintextOutOfRange("scalar \(scalar) is outside (−t/2, t/2]")
        }
        var product = a
        let residues = context.basisQ.moduli.map { $0.residue(scalar) }
        for i in 0..<a.size { product.polynomials[i].multiply(byScalars: residues, context.basisQ) }
        product.noiseBits = NoiseModel.plaintextProductBits(
            noiseBits: a.noiseBits, growthBits: NoiseModel.plaintextGrowthBits(largest: scalar.magnitude, nonzero: 1),
            context: context)
        return product
    }

    // MARK: Ciphertext multiplication

    /// The tensor product of two 2-component ciphertexts, rescaled by t/Q: a 3-component ciphertext decrypting
    /// under (1, s, s²) to the slot-wise product. `parties` is the number of secret shares s sums (for the noise
    /// estimate).
    ///
    /// HPS: lift both operands exactly from Q to Q∪P (centered), tensor in NTT form over Q∪P where the product
    /// is exact, compute round(t·x/Q) straight into P, and convert back to Q.
    public func multiplyWithoutRelinearization(
        _ a: Ciphertext, _ b: Ciphertext, parties: Int = 1
    ) throws(FHEError) -> Ciphertext {
        try context.check(a, size: 2)
        try context.check(b, size: 2)
        let lifted = (a.polynomials + b.polynomials).map(liftToQP)
        let qp = context.basisQP
        var d0 = lifted[0]
        d0.multiply(lifted[2], qp)
        var d1 = lifted[0]
        d1.multiply(lifted[3], qp)
        d1.addProduct(lifted[1], lifted[2], qp)
        var d2 = lifted[1]
        d2.multiply(lifted[3], qp)
        let product = [d0, d1, d2].map(rescaleToQ)
        return Ciphertext(
            polynomials: product,
            noiseBits: NoiseModel.productBits(a.noiseBits, b.noiseBits, parties: parties, context: context),
            fingerprint: context.fingerprint)
    }

    /// The product of two ciphertexts, relinearized back to two components with `key`.
    public func multiply(
        _ a: Ciphertext, _ b: Ciphertext, relinearizationKey key: RelinearizationKey
    ) throws(FHEError) -> Ciphertext {
        try relinearize(multiplyWithoutRelinearization(a, b, parties: key.parties), key: key)
    }

    /// Turns (c₀, c₁, c₂) into (c₀', c₁') decrypting to the same message under s: c₂ is split into its RNS digits
    /// Dₖ = [c₂]_{qₖ}, and Σₖ Dₖ·(bₖ, aₖ) replaces c₂·s² (the BV key switch; Bajard et al. 2016, §4).
    public func relinearize(_ ciphertext: Ciphertext, key: RelinearizationKey) throws(FHEError) -> Ciphertext {
        try context.check(ciphertext, size: 3)
        let basis = context.basisQ
        guard key.b.count == basis.count, key.a.count == basis.count else {
            throw .mismatch("relinearization key has \(key.b.count) digits, Q has \(basis.count) primes")
        }
        var c0 = ciphertext.polynomials[0]
        var c1 = ciphertext.polynomials[1]
        let c2 = ciphertext.polynomials[2].inverseNTT(basis)
        let n = basis.degree
        for digit in 0..<basis.count {
            var lifted = RNSPolynomial(zeroIn: basis)
            c2.data.withUnsafeBufferPointer { source in
                lifted.data.withUnsafeMutableBufferPointer { out in
                    for (limb, modulus) in basis.moduli.enumerated() {
                        if limb == digit {
                            for i in 0..<n { out[limb * n + i] = source[digit * n + i] }
                        } else {
                            for i in 0..<n { out[limb * n + i] = modulus.reduce(source[digit * n + i]) }
                        }
                    }
                }
            }
            lifted.toNTT(basis)
            c0.addProduct(lifted, key.b[digit], basis)
            c1.addProduct(lifted, key.a[digit], basis)
        }
        return Ciphertext(
            polynomials: [c0, c1],
            noiseBits: NoiseModel.sumBits(
                ciphertext.noiseBits, NoiseModel.relinearizationBits(context: context, parties: key.parties)),
            fingerprint: context.fingerprint)
    }

    /// An NTT-form polynomial over Q, lifted exactly (centered) to Q∪P and transformed there.
    private func liftToQP(_ polynomial: RNSPolynomial) -> RNSPolynomial {
        let q = context.basisQ
        let qp = context.basisQP
        let n = q.degree
        let coefficients = polynomial.inverseNTT(q)
        var lifted = RNSPolynomial(zeroIn: qp)
        coefficients.data.withUnsafeBufferPointer { input in
            lifted.data.withUnsafeMutableBufferPointer { out in
                UnsafeMutableBufferPointer(rebasing: out[0..<(q.count * n)]).update(fromContentsOf: input)
                context.qToP.convert(input, into: UnsafeMutableBufferPointer(rebasing: out[(q.count * n)...]))
            }
        }
        lifted.toNTT(qp)
        return lifted
    }

    /// round(t·x/Q) for a tensor component in NTT form over Q∪P, back in NTT form over Q.
    private func rescaleToQ(_ polynomial: RNSPolynomial) -> RNSPolynomial {
        let q = context.basisQ
        let n = q.degree
        let coefficients = polynomial.inverseNTT(context.basisQP)
        var inP = RNSPolynomial(zeroIn: context.basisP)
        var result = RNSPolynomial(zeroIn: q)
        coefficients.data.withUnsafeBufferPointer { input in
            inP.data.withUnsafeMutableBufferPointer { out in
                context.rescaleQPToP.apply(input, degree: n, into: out)
            }
        }
        inP.data.withUnsafeBufferPointer { input in
            result.data.withUnsafeMutableBufferPointer { out in context.pToQ.convert(input, into: out) }
        }
        result.toNTT(q)
        return result
    }
}
