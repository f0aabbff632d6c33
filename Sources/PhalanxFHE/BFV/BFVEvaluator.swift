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

    /// Adds a plaintext: c₀ += ⌊Q·m/t⌉.
    public func add(_ a: Ciphertext, plaintext: Plaintext) throws(FHEError) -> Ciphertext {
        try context.check(a)
        var scaled = RNSPolynomial(zeroIn: context.basisQ)
        context.addScaledPlaintext(plaintext, to: &scaled)
        scaled.toNTT(context.basisQ)
        var sum = a
        sum.polynomials[0].add(scaled, context.basisQ)
        sum.noiseBits = NoiseModel.additionBits(a.noiseBits, 0, context: context)
        return sum
    }

    // MARK: Plaintext multiplication

    /// Multiplies by a plaintext prepared with ``BatchEncoder/prepare(_:)``: slot-wise product of the vectors.
    public func multiply(_ a: Ciphertext, by plaintext: PreparedPlaintext) throws(FHEError) -> Ciphertext {
        try context.check(a)
        var product = a
        for i in 0..<a.size {
            product.polynomials[i].multiply(plaintext.polynomial, shoup: plaintext.shoup, context.basisQ)
        }
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
        var (d0, d1, d2) = try tensor(a, b)
        d0.toNTT(context.basisQ)
        d1.toNTT(context.basisQ)
        d2.toNTT(context.basisQ)
        return Ciphertext(
            polynomials: [d0, d1, d2],
            noiseBits: NoiseModel.productBits(a.noiseBits, b.noiseBits, parties: parties, context: context),
            fingerprint: context.fingerprint)
    }

    /// The product of two ciphertexts, relinearized back to two components with `key`.
    public func multiply(
        _ a: Ciphertext, _ b: Ciphertext, relinearizationKey key: RelinearizationKey
    ) throws(FHEError) -> Ciphertext {
        try check(key)
        var (d0, d1, d2) = try tensor(a, b)
        d0.toNTT(context.basisQ)
        d1.toNTT(context.basisQ)
        // d₂ stays in coefficient form: its RNS digits are what relinearization needs.
        keySwitch(c0: &d0, c1: &d1, c2Coefficients: d2, key: key)
        let product = NoiseModel.productBits(a.noiseBits, b.noiseBits, parties: key.parties, context: context)
        return Ciphertext(
            polynomials: [d0, d1],
            noiseBits: NoiseModel.sumBits(
                product, NoiseModel.relinearizationBits(context: context, parties: key.parties)),
            fingerprint: context.fingerprint)
    }

    /// The three rescaled tensor components, in coefficient form over Q.
    private func tensor(
        _ a: Ciphertext, _ b: Ciphertext
    ) throws(FHEError) -> (RNSPolynomial, RNSPolynomial, RNSPolynomial) {
        try context.check(a, size: 2)
        try context.check(b, size: 2)
        let lifted = (a.polynomials + b.polynomials).map(liftToQP)
        let qp = context.basisQP
        let d0 = RNSPolynomial.product(lifted[0], lifted[2], qp)
        let d1 = RNSPolynomial.sumOfProducts(lifted[0], lifted[3], lifted[1], lifted[2], qp)
        let d2 = RNSPolynomial.product(lifted[1], lifted[3], qp)
        return (rescaleToQ(d0), rescaleToQ(d1), rescaleToQ(d2))
    }

    /// Turns (c₀, c₁, c₂) into (c₀', c₁') decrypting to the same message under s: c₂ is split into its RNS digits
    /// Dₖ = [c₂]_{qₖ}, and Σₖ Dₖ·(bₖ, aₖ) replaces c₂·s² (the BV key switch; Bajard et al. 2016, §4).
    public func relinearize(_ ciphertext: Ciphertext, key: RelinearizationKey) throws(FHEError) -> Ciphertext {
        try context.check(ciphertext, size: 3)
        try check(key)
        var c0 = ciphertext.polynomials[0]
        var c1 = ciphertext.polynomials[1]
        keySwitch(c0: &c0, c1: &c1, c2Coefficients: ciphertext.polynomials[2].inverseNTT(context.basisQ), key: key)
        return Ciphertext(
            polynomials: [c0, c1],
            noiseBits: NoiseModel.sumBits(
                ciphertext.noiseBits, NoiseModel.relinearizationBits(context: context, parties: key.parties)),
            fingerprint: context.fingerprint)
    }

    private func check(_ key: RelinearizationKey) throws(FHEError) {
        let count = context.basisQ.count
        guard key.b.count == count, key.a.count == count else {
            throw .mismatch("relinearization key has \(key.b.count) digits, Q has \(count) primes")
        }
        for polynomial in key.b + key.a { try context.checkShape(polynomial, "relinearization key") }
    }

    /// c₀ += Σₖ Dₖ·bₖ, c₁ += Σₖ Dₖ·aₖ for the digits Dₖ of c₂ (coefficient form).
    private func keySwitch(
        c0: inout RNSPolynomial, c1: inout RNSPolynomial, c2Coefficients c2: RNSPolynomial, key: RelinearizationKey
    ) {
        let basis = context.basisQ
        let n = basis.degree
        var lifted = RNSPolynomial(zeroIn: basis)
        for digit in 0..<basis.count {
            lifted.isNTT = false
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
    }

    /// An NTT-form polynomial over Q, lifted exactly (centered) to Q∪P, in NTT form there: its Q limbs are
    /// already transformed; only the P limbs are converted (from the coefficients) and transformed.
    private func liftToQP(_ polynomial: RNSPolynomial) -> RNSPolynomial {
        let q = context.basisQ
        let pBasis = context.basisP
        let n = q.degree
        let coefficients = polynomial.inverseNTT(q)
        let qLength = q.count * n
        return RNSPolynomial(degree: n, limbs: context.basisQP.count, isNTT: true) { out in
            polynomial.data.withUnsafeBufferPointer {
                UnsafeMutableBufferPointer(rebasing: out[0..<qLength]).initialize(fromContentsOf: $0)
            }
            let tail = UnsafeMutableBufferPointer(rebasing: out[qLength...])
            coefficients.data.withUnsafeBufferPointer { context.qToP.convert($0, into: tail) }
            for limb in 0..<pBasis.count {
                pBasis.tables[limb].forward(UnsafeMutableBufferPointer(rebasing: tail[(limb * n)..<((limb + 1) * n)]))
            }
        }
    }

    /// round(t·x/Q) for a tensor component in NTT form over Q∪P, in coefficient form over Q.
    private func rescaleToQ(_ polynomial: consuming RNSPolynomial) -> RNSPolynomial {
        let q = context.basisQ
        let n = q.degree
        var coefficients = polynomial
        coefficients.fromNTT(context.basisQP)
        let inP = RNSPolynomial(degree: n, limbs: context.basisP.count, isNTT: false) { out in
            coefficients.data.withUnsafeBufferPointer { context.rescaleQPToP.apply($0, degree: n, into: out) }
        }
        return RNSPolynomial(degree: n, limbs: q.count, isNTT: false) { out in
            inP.data.withUnsafeBufferPointer { context.pToQ.convert($0, into: out) }
        }
    }
}
