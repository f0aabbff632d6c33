/// The negacyclic number-theoretic transform over Z_q[X]/(X^N + 1).
///
/// Forward: Cooley–Tukey butterflies on the powers of ψ (a primitive 2N-th root of unity) in bit-reversed order,
/// natural order in, bit-reversed order out, so that no separate permutation pass is needed (Longa–Naehrig 2016,
/// "Speeding up the Number Theoretic Transform for Faster Ideal Lattice-Based Cryptography", Alg. 1 and 2).
/// Inverse: Gentleman–Sande butterflies on the powers of ψ⁻¹, bit-reversed in, natural out, then a scaling by
/// N⁻¹ folded into the last layer. Twiddles are multiplied with Shoup's precomputed quotients.
///
/// Pointwise products of transformed polynomials are transforms of negacyclic products: NTT(a·b) = NTT(a)∘NTT(b).
public struct NTTTables: Sendable {
    public let degree: Int
    public let modulus: Modulus
    /// ψ^bitreverse(i), and their Shoup quotients.
    let forwardRoots: [UInt64]
    let forwardRootsShoup: [UInt64]
    /// ψ^−(bitreverse(i)), and their Shoup quotients.
    let inverseRoots: [UInt64]
    let inverseRootsShoup: [UInt64]
    /// N⁻¹ and N⁻¹·ψ^−… folded for the last inverse layer.
    let inverseDegree: UInt64
    let inverseDegreeShoup: UInt64
    let lastInverseRoot: UInt64
    let lastInverseRootShoup: UInt64

    public init(degree: Int, modulus: Modulus) {
        precondition(degree >= 4 && degree & (degree - 1) == 0, "degree must be a power of two, at least 4")
        self.degree = degree
        self.modulus = modulus
        let psi = NTTPrimes.minimalPrimitiveRoot(degree: degree, modulus: modulus)
        let psiInverse = modulus.inverse(psi)!
        let logDegree = degree.trailingZeroBitCount
        var forward = [UInt64](repeating: 0, count: degree)
        var inverse = [UInt64](repeating: 0, count: degree)
        var power: UInt64 = 1
        var inversePower: UInt64 = 1
        for i in 0..<degree {
            let reversed = Self.bitReverse(i, bits: logDegree)
            forward[reversed] = power
            inverse[reversed] = inversePower
            power = modulus.multiply(power, psi)
            inversePower = modulus.multiply(inversePower, psiInverse)
        }
        forwardRoots = forward
        forwardRootsShoup = forward.map { modulus.shoup($0) }
        inverseRoots = inverse
        inverseRootsShoup = inverse.map { modulus.shoup($0) }
        inverseDegree = modulus.inverse(UInt64(degree))!
        inverseDegreeShoup = modulus.shoup(inverseDegree)
        lastInverseRoot = modulus.multiply(inverse[1], inverseDegree)
        lastInverseRootShoup = modulus.shoup(lastInverseRoot)
    }

    static func bitReverse(_ value: Int, bits: Int) -> Int {
        var result = 0
        var value = value
        for _ in 0..<bits {
            result = (result << 1) | (value & 1)
            value >>= 1
        }
        return result
    }

    /// Transforms `values` (N residues below q, coefficient order) in place.
    ///
    /// Butterflies are lazy (Harvey 2014): values stay in [0, 4q) between layers and are reduced once at the end,
    /// which is why moduli stay below 2⁶¹.
    public func forward(_ values: UnsafeMutableBufferPointer<UInt64>) {
        precondition(values.count == degree)
        let q = modulus.value
        let twoQ = q << 1
        let base = values.baseAddress!
        forwardRoots.withUnsafeBufferPointer { rootsBuffer in
            forwardRootsShoup.withUnsafeBufferPointer { shoupBuffer in
                let roots = rootsBuffer.baseAddress!
                let shoups = shoupBuffer.baseAddress!
                var gap = degree
                var groups = 1
                // Every layer but the last: values in [0, 4q) between layers.
                while groups < degree >> 1 {
                    gap &>>= 1
                    for group in 0..<groups {
                        let w = roots[groups &+ group]
                        let wShoup = shoups[groups &+ group]
                        var x = base + 2 &* group &* gap
                        var y = x + gap
                        for _ in 0..<gap {
                            // x in [0, 4q) → [0, 2q); y·w in [0, 2q).
                            var u = x.pointee
                            if u >= twoQ { u &-= twoQ }
                            let quotient = y.pointee.multipliedFullWidth(by: wShoup).high
                            let v = y.pointee &* w &- quotient &* q
                            x.pointee = u &+ v
                            y.pointee = u &+ twoQ &- v
                            x += 1
                            y += 1
                        }
                    }
                    groups &<<= 1
                }
                // The last layer (adjacent pairs), with the final reduction to [0, q) folded in.
                for group in 0..<groups {
                    let w = roots[groups &+ group]
                    let wShoup = shoups[groups &+ group]
                    let x = base + 2 &* group
                    var u = x[0]
                    if u >= twoQ { u &-= twoQ }
                    let quotient = x[1].multipliedFullWidth(by: wShoup).high
                    let v = x[1] &* w &- quotient &* q
                    var sum = u &+ v
                    if sum >= twoQ { sum &-= twoQ }
                    if sum >= q { sum &-= q }
                    var difference = u &+ twoQ &- v
                    if difference >= twoQ { difference &-= twoQ }
                    if difference >= q { difference &-= q }
                    x[0] = sum
                    x[1] = difference
                }
            }
        }
    }

    /// Inverts ``forward(_:)`` in place (bit-reversed evaluations in, coefficients below q out).
    public func inverse(_ values: UnsafeMutableBufferPointer<UInt64>) {
        precondition(values.count == degree)
        let q = modulus.value
        let twoQ = q << 1
        let base = values.baseAddress!
        inverseRoots.withUnsafeBufferPointer { rootsBuffer in
            inverseRootsShoup.withUnsafeBufferPointer { shoupBuffer in
                let roots = rootsBuffer.baseAddress!
                let shoups = shoupBuffer.baseAddress!
                // The first layer (adjacent pairs; inputs below q, so no reduction of the sum is needed).
                var groups = degree >> 1
                for group in 0..<groups {
                    let w = roots[groups &+ group]
                    let wShoup = shoups[groups &+ group]
                    let x = base + 2 &* group
                    let u = x[0]
                    let v = x[1]
                    x[0] = u &+ v
                    let difference = u &+ twoQ &- v
                    let quotient = difference.multipliedFullWidth(by: wShoup).high
                    x[1] = difference &* w &- quotient &* q
                }
                var gap = 2
                groups >>= 1
                while groups > 1 {
                    for group in 0..<groups {
                        let w = roots[groups + group]
                        let wShoup = shoups[groups + group]
                        var x = base + 2 * group * gap
                        var y = x + gap
                        for _ in 0..<gap {
                            // Inputs in [0, 2q); outputs in [0, 2q).
                            let u = x.pointee
                            let v = y.pointee
                            var sum = u &+ v
                            if sum >= twoQ { sum &-= twoQ }
                            x.pointee = sum
                            let difference = u &+ twoQ &- v
                            let quotient = difference.multipliedFullWidth(by: wShoup).high
                            y.pointee = difference &* w &- quotient &* q
                            x += 1
                            y += 1
                        }
                    }
                    gap <<= 1
                    groups >>= 1
                }
                // Last layer, with N⁻¹ folded in: x' = (u + v)·N⁻¹, y' = (u − v)·ψ⁻¹·N⁻¹.
                let half = degree >> 1
                for i in 0..<half {
                    let u = base[i]
                    let v = base[i + half]
                    var sum = u &+ v
                    if sum >= twoQ { sum &-= twoQ }
                    let difference = u &+ twoQ &- v
                    base[i] = modulus.multiplyShoup(sum, inverseDegree, inverseDegreeShoup)
                    base[i + half] = modulus.multiplyShoup(difference, lastInverseRoot, lastInverseRootShoup)
                }
            }
        }
    }
}
