/// An element of Z_Q[X]/(X^N + 1) in RNS form: `limbs` rows of N residues, row i modulo qᵢ, stored row after row
/// in one array. `isNTT` tells whether the rows hold coefficients or NTT evaluations; arithmetic checks that
/// operands agree.
public struct RNSPolynomial: Sendable, Equatable {
    public let degree: Int
    public let limbs: Int
    public var isNTT: Bool
    /// limbs × degree residues.
    public var data: [UInt64]

    public init(zeroIn basis: RNSBasis, isNTT: Bool = false) {
        degree = basis.degree
        limbs = basis.count
        self.isNTT = isNTT
        data = [UInt64](repeating: 0, count: basis.count * basis.degree)
    }

    /// A polynomial whose residues `initialize` writes, every one of them (no zero-filling first: hot paths
    /// allocate their outputs this way).
    init(
        degree: Int, limbs: Int, isNTT: Bool, initializingWith initialize: (UnsafeMutableBufferPointer<UInt64>) -> Void
    ) {
        self.degree = degree
        self.limbs = limbs
        self.isNTT = isNTT
        data = [UInt64](unsafeUninitializedCapacity: degree * limbs) { buffer, count in
            initialize(buffer)
            count = degree * limbs
        }
    }

    public init(degree: Int, limbs: Int, isNTT: Bool, data: [UInt64]) {
        precondition(data.count == degree * limbs)
        self.degree = degree
        self.limbs = limbs
        self.isNTT = isNTT
        self.data = data
    }

    /// The polynomial with small signed coefficients `values`, reduced into every limb of `basis`.
    public init(signed values: [Int64], in basis: RNSBasis) {
        precondition(values.count == basis.degree)
        self.init(zeroIn: basis)
        let n = degree
        data.withUnsafeMutableBufferPointer { out in
            for (limb, modulus) in basis.moduli.enumerated() {
                for i in 0..<n { out[limb * n + i] = modulus.residue(values[i]) }
            }
        }
    }

    /// Overwrites the residues with zeros (for polynomials that held secrets).
    public mutating func wipe() {
        SecretWipe.array(&data)
    }

    func assertCompatible(_ other: RNSPolynomial) {
        precondition(degree == other.degree && limbs == other.limbs, "polynomials from different rings")
        precondition(isNTT == other.isNTT, "one polynomial is in NTT form, the other is not")
    }
}

// MARK: - Transforms

extension RNSPolynomial {
    public mutating func toNTT(_ basis: RNSBasis) {
        precondition(!isNTT, "already in NTT form")
        transform(basis, forward: true)
        isNTT = true
    }

    public mutating func fromNTT(_ basis: RNSBasis) {
        precondition(isNTT, "already in coefficient form")
        transform(basis, forward: false)
        isNTT = false
    }

    public func ntt(_ basis: RNSBasis) -> RNSPolynomial {
        var copy = self
        copy.toNTT(basis)
        return copy
    }

    public func inverseNTT(_ basis: RNSBasis) -> RNSPolynomial {
        var copy = self
        copy.fromNTT(basis)
        return copy
    }

    private mutating func transform(_ basis: RNSBasis, forward: Bool) {
        precondition(basis.count == limbs && basis.degree == degree)
        let n = degree
        data.withUnsafeMutableBufferPointer { buffer in
            for limb in 0..<limbs {
                let row = UnsafeMutableBufferPointer(rebasing: buffer[(limb * n)..<((limb + 1) * n)])
                if forward { basis.tables[limb].forward(row) } else { basis.tables[limb].inverse(row) }
            }
        }
    }
}

// MARK: - Arithmetic

extension RNSPolynomial {
    /// Applies `operation` to every residue pair of `self` and `other`, limb by limb, in place.
    @inline(__always)
    mutating func combine(
        _ other: RNSPolynomial, _ basis: RNSBasis, _ operation: (Modulus, UInt64, UInt64) -> UInt64
    ) {
        assertCompatible(other)
        let n = degree
        other.data.withUnsafeBufferPointer { rhs in
            data.withUnsafeMutableBufferPointer { lhs in
                for limb in 0..<limbs {
                    let modulus = basis.moduli[limb]
                    let offset = limb * n
                    for i in offset..<(offset + n) { lhs[i] = operation(modulus, lhs[i], rhs[i]) }
                }
            }
        }
    }

    public mutating func add(_ other: RNSPolynomial, _ basis: RNSBasis) {
        combine(other, basis) { $0.add($1, $2) }
    }

    public mutating func subtract(_ other: RNSPolynomial, _ basis: RNSBasis) {
        combine(other, basis) { $0.subtract($1, $2) }
    }

    /// Pointwise product (a negacyclic product when both are in NTT form).
    public mutating func multiply(_ other: RNSPolynomial, _ basis: RNSBasis) {
        precondition(isNTT, "multiply polynomials in NTT form")
        combine(other, basis) { $0.multiply($1, $2) }
    }

    /// Pointwise product with a constant polynomial whose Shoup quotients are precomputed.
    public mutating func multiply(_ other: RNSPolynomial, shoup: [UInt64], _ basis: RNSBasis) {
        assertCompatible(other)
        precondition(isNTT && shoup.count == data.count)
        let n = degree
        other.data.withUnsafeBufferPointer { w in
            shoup.withUnsafeBufferPointer { wShoup in
                data.withUnsafeMutableBufferPointer { out in
                    for limb in 0..<limbs {
                        let modulus = basis.moduli[limb]
                        for i in (limb * n)..<((limb + 1) * n) {
                            out[i] = modulus.multiplyShoup(out[i], w[i], wShoup[i])
                        }
                    }
                }
            }
        }
    }

    /// a ∘ b (pointwise, NTT form) into a new polynomial.
    static func product(_ a: RNSPolynomial, _ b: RNSPolynomial, _ basis: RNSBasis) -> RNSPolynomial {
        a.assertCompatible(b)
        precondition(a.isNTT, "multiply polynomials in NTT form")
        let n = a.degree
        return RNSPolynomial(degree: n, limbs: a.limbs, isNTT: true) { out in
            a.data.withUnsafeBufferPointer { a in
                b.data.withUnsafeBufferPointer { b in
                    for (limb, modulus) in basis.moduli.enumerated() {
                        for i in (limb * n)..<((limb + 1) * n) { out[i] = modulus.multiply(a[i], b[i]) }
                    }
                }
            }
        }
    }

    /// a ∘ b + c ∘ d (pointwise, NTT form), the two products summed in 128 bits and reduced once.
    static func sumOfProducts(
        _ a: RNSPolynomial, _ b: RNSPolynomial, _ c: RNSPolynomial, _ d: RNSPolynomial, _ basis: RNSBasis
    ) -> RNSPolynomial {
        a.assertCompatible(b)
        c.assertCompatible(d)
        a.assertCompatible(c)
        precondition(a.isNTT, "multiply polynomials in NTT form")
        let n = a.degree
        return RNSPolynomial(degree: n, limbs: a.limbs, isNTT: true) { out in
            a.data.withUnsafeBufferPointer { a in
                b.data.withUnsafeBufferPointer { b in
                    c.data.withUnsafeBufferPointer { c in
                        d.data.withUnsafeBufferPointer { d in
                            for (limb, modulus) in basis.moduli.enumerated() {
                                for i in (limb * n)..<((limb + 1) * n) {
                                    let first = a[i].multipliedFullWidth(by: b[i])
                                    let second = c[i].multipliedFullWidth(by: d[i])
                                    let (low, overflow) = first.low.addingReportingOverflow(second.low)
                                    let high = first.high &+ second.high &+ (overflow ? 1 : 0)
                                    out[i] = modulus.reduce(high: high, low: low)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// self += a ∘ b (pointwise, NTT form).
    public mutating func addProduct(_ a: RNSPolynomial, _ b: RNSPolynomial, _ basis: RNSBasis) {
        assertCompatible(a)
        a.assertCompatible(b)
        precondition(isNTT, "multiply polynomials in NTT form")
        let n = degree
        a.data.withUnsafeBufferPointer { a in
            b.data.withUnsafeBufferPointer { b in
                data.withUnsafeMutableBufferPointer { out in
                    for limb in 0..<limbs {
                        let modulus = basis.moduli[limb]
                        let offset = limb * n
                        for i in offset..<(offset + n) { out[i] = modulus.multiplyAdd(a[i], b[i], out[i]) }
                    }
                }
            }
        }
    }

    public mutating func negate(_ basis: RNSBasis) {
        let n = degree
        data.withUnsafeMutableBufferPointer { buffer in
            for limb in 0..<limbs {
                let modulus = basis.moduli[limb]
                for i in (limb * n)..<((limb + 1) * n) { buffer[i] = modulus.negate(buffer[i]) }
            }
        }
    }

    /// Multiplies every coefficient by the integer whose residue modulo qᵢ is `scalars[i]`.
    public mutating func multiply(byScalars scalars: [UInt64], _ basis: RNSBasis) {
        precondition(scalars.count == limbs)
        let n = degree
        data.withUnsafeMutableBufferPointer { buffer in
            for limb in 0..<limbs {
                let modulus = basis.moduli[limb]
                let w = scalars[limb]
                let wShoup = modulus.shoup(w)
                for i in (limb * n)..<((limb + 1) * n) { buffer[i] = modulus.multiplyShoup(buffer[i], w, wShoup) }
            }
        }
    }
}
