/// Exact RNS base conversion from basis A to basis B with Halevi–Polyakov–Shoup's floating-point correction
/// (HPS, CT-RSA 2019, "An Improved RNS Variant of the BFV Homomorphic Encryption Scheme", §2.3).
///
/// For x given by its residues xᵢ modulo the primes aᵢ of A: yᵢ = [xᵢ·(A/aᵢ)⁻¹]_{aᵢ}, so x ≡ Σ yᵢ·(A/aᵢ)
/// (mod A) and Σ yᵢ·(A/aᵢ) = x + v·A with v = round(Σ yᵢ/aᵢ) for the centered representative x ∈ [−A/2, A/2).
/// The residues modulo each bⱼ are then Σ yᵢ·[A/aᵢ]_{bⱼ} − v·[A]_{bⱼ}. The sum Σ yᵢ/aᵢ is taken in double
/// precision; it errs only when x lies within about L·2⁻⁵³·A of ±A/2, which ciphertext coefficients reach with
/// negligible probability.
struct BasisConversion: Sendable {
    let source: RNSBasis
    let target: RNSBasis
    /// [(A/aᵢ)⁻¹]_{aᵢ} and its Shoup quotient.
    let inversePunctured: [UInt64]
    let inversePuncturedShoup: [UInt64]
    /// [A/aᵢ]_{bⱼ}, indexed [j][i].
    let puncturedInTarget: [[UInt64]]
    /// [A]_{bⱼ}.
    let productInTarget: [UInt64]
    /// 1/aᵢ.
    let reciprocal: [Double]

    init(from source: RNSBasis, to target: RNSBasis) {
        self.source = source
        self.target = target
        let a = source.moduli
        let inverses = a.indices.map { i in
            let punctured = a.indices.filter { $0 != i }.reduce(1 as UInt64) {
                a[i].multiply($0, a[i].reduce(a[$1].value))
            }
            return a[i].inverse(punctured)!
        }
        inversePunctured = inverses
        inversePuncturedShoup = a.indices.map { a[$0].shoup(inverses[$0]) }
        puncturedInTarget = target.moduli.map { b in
            a.indices.map { i in
                a.indices.filter { $0 != i }.reduce(1 as UInt64) { b.multiply($0, b.reduce(a[$1].value)) }
            }
        }
        productInTarget = target.moduli.map { b in a.reduce(1 as UInt64) { b.multiply($0, b.reduce($1.value)) } }
        reciprocal = a.map { 1 / Double($0.value) }
    }

    /// The residues of `input` (coefficient form over the source basis) modulo the target primes, written to
    /// `output` (coefficient form over the target basis).
    ///
    /// Two passes, so that the inner loops run over contiguous coefficients with no per-coefficient bookkeeping:
    /// first yᵢ and v for every coefficient, then one accumulation per target prime.
    func convert(_ input: UnsafeBufferPointer<UInt64>, into output: UnsafeMutableBufferPointer<UInt64>) {
        let n = source.degree
        let sourceCount = source.count
        var ys = [UInt64](repeating: 0, count: sourceCount * n)
        var vs = [UInt64](repeating: 0, count: n)
        ys.withUnsafeMutableBufferPointer { y in
            vs.withUnsafeMutableBufferPointer { v in
                var fractions = [Double](repeating: 0, count: n)
                fractions.withUnsafeMutableBufferPointer { fraction in
                    for i in 0..<sourceCount {
                        let modulus = source.moduli[i]
                        let w = inversePunctured[i]
                        let wShoup = inversePuncturedShoup[i]
                        let reciprocal = self.reciprocal[i]
                        let row = i * n
                        for k in 0..<n {
                            let value = modulus.multiplyShoup(input[row + k], w, wShoup)
                            y[row + k] = value
                            fraction[k] += Double(value) * reciprocal
                        }
                    }
                    for k in 0..<n { v[k] = UInt64(fraction[k].rounded()) }
                }
                for (j, modulus) in target.moduli.enumerated() {
                    let weights = puncturedInTarget[j]
                    let product = productInTarget[j]
                    let productShoup = modulus.shoup(product)
                    let row = j * n
                    for k in 0..<n {
                        // Accumulate in 128 bits and reduce once: L products below 2¹²² fit easily.
                        var low: UInt64 = 0
                        var high: UInt64 = 0
                        for i in 0..<sourceCount {
                            let term = y[i * n + k].multipliedFullWidth(by: weights[i])
                            let (sum, overflow) = low.addingReportingOverflow(term.low)
                            low = sum
                            high &+= term.high &+ (overflow ? 1 : 0)
                        }
                        let reduced = modulus.reduce(high: high, low: low)
                        output[row + k] = modulus.subtract(reduced, modulus.multiplyShoup(v[k], product, productShoup))
                    }
                }
            }
        }
    }
}
