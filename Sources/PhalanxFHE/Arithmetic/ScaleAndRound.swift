/// Computes round(t·x/Q) for x given in RNS over Q (optionally Q∪P), straight into residues modulo target primes
/// that are either t itself (BFV decryption) or the extension primes P (the rescaling step of BFV
/// multiplication), after HPS (CT-RSA 2019, §4.2 and §5).
///
/// With M = Q·P, cᵢ = [(M/qᵢ)⁻¹]_{qᵢ} and the CRT, t·x/Q ≡ Σᵢ xᵢ·θᵢ + Σⱼ xⱼ·λⱼ (mod t·P), θᵢ = t·P·cᵢ/qᵢ,
/// λⱼ = t·(P/pⱼ)·[(M/pⱼ)⁻¹]_{pⱼ}. Each θᵢ splits into an integer ωᵢ and a fraction φᵢ = rᵢ/qᵢ; only the
/// fractions need floating point. To keep the rounding exact for 61-bit residues, xᵢ is split as
/// xᵢ = hᵢ·2³⁰ + lᵢ, and 2³⁰·φᵢ = gᵢ + fᵢ, so xᵢφᵢ = hᵢgᵢ + hᵢfᵢ + lᵢφᵢ with the last two terms below 2³¹
/// (double precision leaves an absolute error near 2⁻²²). The integer parts never need a big integer: ωᵢ is
/// (t·P·cᵢ − rᵢ)/qᵢ and t·P ≡ 0 modulo every target.
struct ScaleAndRound: Sendable {
    let sourceQ: RNSBasis
    /// The extension primes P whose residues are part of the input (empty for decryption).
    let extra: [Modulus]
    let targets: [Modulus]
    /// [ωᵢ]_{target}, indexed [target][i].
    let integerPart: [[UInt64]]
    /// [gᵢ]_{target}, indexed [target][i].
    let splitIntegerPart: [[UInt64]]
    /// fᵢ and φᵢ.
    let splitFraction: [Double]
    let fraction: [Double]
    /// λⱼ modulo pⱼ, when targets are the extra primes.
    let extraFactor: [UInt64]

    /// - Parameters:
    ///   - q: the basis Q the division is by.
    ///   - extra: the primes P carried along in the input (targets must then be exactly these).
    ///   - targets: the primes to produce residues for.
    ///   - t: the plaintext modulus.
    init(q: RNSBasis, extra: [Modulus], targets: [Modulus], t: UInt64) {
        precondition(extra.isEmpty || extra.map(\.value) == targets.map(\.value))
        sourceQ = q
        self.extra = extra
        self.targets = targets
        let qm = q.moduli
        let all = qm + extra
        func product(_ moduli: [Modulus], except skip: Int?, modulo m: Modulus) -> UInt64 {
            moduli.indices.filter { $0 != skip }.reduce(1 as UInt64) { m.multiply($0, m.reduce(moduli[$1].value)) }
        }
        // rᵢ = [t·P·cᵢ]_{qᵢ}; cᵢ = [(M/qᵢ)⁻¹]_{qᵢ}.
        var remainders: [UInt64] = []
        for i in qm.indices {
            let m = qm[i]
            let c = m.inverse(product(all, except: i, modulo: m))!
            let pModQ = product(extra, except: nil, modulo: m)
            remainders.append(m.multiply(m.multiply(m.reduce(t), pModQ), c))
        }
        fraction = qm.indices.map { Double(remainders[$0]) / Double(qm[$0].value) }
        var split: [(integer: UInt64, remainder: UInt64)] = []
        for i in qm.indices {
            let (g, f) = qm[i].value.dividingFullWidth((remainders[i] >> 34, remainders[i] << 30))
            split.append((g, f))
        }
        splitFraction = qm.indices.map { Double(split[$0].remainder) / Double(qm[$0].value) }
        integerPart = targets.map { target in
            qm.indices.map { i in
                // ωᵢ = (t·P·cᵢ − rᵢ)/qᵢ, and t·P·cᵢ ≡ 0 modulo the target.
                target.multiply(
                    target.negate(target.reduce(remainders[i])), target.inverse(target.reduce(qm[i].value))!)
            }
        }
        splitIntegerPart = targets.map { target in qm.indices.map { target.reduce(split[$0].integer) } }
        extraFactor = extra.indices.map { j in
            let p = extra[j]
            let inverse = p.inverse(product(all, except: qm.count + j, modulo: p))!
            return p.multiply(p.multiply(p.reduce(t), product(extra, except: j, modulo: p)), inverse)
        }
    }

    /// Writes round(t·x/Q) modulo each target for the N coefficients of `input` (coefficient form, Q limbs first,
    /// then P limbs when `extra` is not empty). First the rounded fractional sums for every coefficient, then one
    /// accumulation pass per target.
    func apply(_ input: UnsafeBufferPointer<UInt64>, degree n: Int, into output: UnsafeMutableBufferPointer<UInt64>) {
        let qCount = sourceQ.count
        let lowMask: UInt64 = (1 << 30) - 1
        var roundedSums = [UInt64](repeating: 0, count: n)
        roundedSums.withUnsafeMutableBufferPointer { rounded in
            var sums = [Double](repeating: 0, count: n)
            sums.withUnsafeMutableBufferPointer { sum in
                for i in 0..<qCount {
                    let split = splitFraction[i]
                    let whole = fraction[i]
                    for k in 0..<n {
                        let x = input[i * n + k]
                        sum[k] += Double(x >> 30) * split + Double(x & lowMask) * whole
                    }
                }
                for k in 0..<n { rounded[k] = UInt64(sum[k].rounded()) }
            }
            for (j, target) in targets.enumerated() {
                let omega = integerPart[j]
                let g = splitIntegerPart[j]
                let hasExtra = !extra.isEmpty
                let lambda = hasExtra ? extraFactor[j] : 0
                let lambdaShoup = target.shoup(lambda)
                for k in 0..<n {
                    var low: UInt64 = 0
                    var high: UInt64 = 0
                    for i in 0..<qCount {
                        let x = input[i * n + k]
                        let first = x.multipliedFullWidth(by: omega[i])
                        var (sum, overflow) = low.addingReportingOverflow(first.low)
                        high &+= first.high &+ (overflow ? 1 : 0)
                        let second = (x >> 30).multipliedFullWidth(by: g[i])
                        (low, overflow) = sum.addingReportingOverflow(second.low)
                        high &+= second.high &+ (overflow ? 1 : 0)
                    }
                    var value = target.add(target.reduce(high: high, low: low), target.reduce(rounded[k]))
                    if hasExtra {
                        value = target.add(
                            value, target.multiplyShoup(input[(qCount + j) * n + k], lambda, lambdaShoup))
                    }
                    output[j * n + k] = value
                }
            }
        }
    }
}
