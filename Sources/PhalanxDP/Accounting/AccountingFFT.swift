import Foundation

/// An iterative radix-2 complex FFT over `Double` and the two convolutions the PLD accountant needs: the linear
/// convolution of two probability vectors (composition of two PLDs, SciPy's `signal.fftconvolve` in
/// dp-accounting) and the circular `n`-th convolution power (self-composition, dp-accounting's
/// `ifft(fft(x)ⁿ)`), where the power of every frequency bin is taken by repeated squaring.
///
/// Accuracy: twiddle factors are computed directly from `cos`/`sin` of angles reduced to the first octant (no
/// recurrences), so a transform of length `N` has an error of order `ε·log₂N` relative to the input's L2 norm
/// (ε = 2⁻⁵² ≈ 2.2e-16). For probability vectors this is an absolute error of about 1e-16 per output bin, up to
/// `n·ε·log₂N` relative per frequency bin for an `n`-th power: at n = 1,000 and N = 2¹⁸ that is ~4e-12 of the
/// L2 norm, i.e. well below 1e-15 per probability, which moves a δ of 1e-5 by less than 1e-9 relative. Outputs
/// may hold tiny negative values (round-off) exactly as dp-accounting's do.
struct AccountingFFT {
    /// The transform length, a power of two.
    let count: Int
    private let cosines: [Double]
    private let sines: [Double]

    /// A transform of length `count`, which must be a power of two.
    init(count: Int) {
        precondition(count > 0 && count & (count - 1) == 0, "FFT length must be a power of two")
        self.count = count
        let half = max(count / 2, 1)
        var cosines = [Double](repeating: 1, count: half)
        var sines = [Double](repeating: 0, count: half)
        let quarter = count / 4
        let eighth = count / 8
        let scale = 2 * Double.pi / Double(count)
        for k in 0..<half {
            // Reduce the angle 2πk/N to at most π/4 so that cos and sin are evaluated where they are most accurate.
            var c: Double
            var s: Double
            let j = k <= quarter ? k : count / 2 - k
            if j <= eighth || quarter == 0 {
                c = cos(scale * Double(j))
                s = sin(scale * Double(j))
            } else {
                let m = quarter - j
                c = sin(scale * Double(m))
                s = cos(scale * Double(m))
            }
            if k > quarter { c = -c }
            cosines[k] = c
            sines[k] = s
        }
        self.cosines = cosines
        self.sines = sines
    }

    /// The smallest power of two that is at least `n` (and at least 1).
    static func length(atLeast n: Int) -> Int {
        var length = 1
        while length < n { length <<= 1 }
        return length
    }

    /// Transforms `(real, imaginary)` in place: `X_k = Σ_j x_j e^{∓2πijk/N}` (minus sign forward); the inverse
    /// transform includes the `1/N` factor.
    func transform(real: inout [Double], imaginary: inout [Double], inverse: Bool) {
        precondition(real.count == count && imaginary.count == count)
        let n = count
        real.withUnsafeMutableBufferPointer { re in
            imaginary.withUnsafeMutableBufferPointer { im in
                cosines.withUnsafeBufferPointer { cosines in
                    sines.withUnsafeBufferPointer { sines in
                        Self.bitReverse(re, im, n)
                        let direction: Double = inverse ? 1 : -1
                        var length = 2
                        while length <= n {
                            let half = length >> 1
                            let stride = n / length
                            var start = 0
                            while start < n {
                                var twiddle = 0
                                for a in start..<(start + half) {
                                    let b = a + half
                                    let wr = cosines[twiddle]
                                    let wi = direction * sines[twiddle]
                                    let tr = re[b] * wr - im[b] * wi
                                    let ti = re[b] * wi + im[b] * wr
                                    re[b] = re[a] - tr
                                    im[b] = im[a] - ti
                                    re[a] += tr
                                    im[a] += ti
                                    twiddle += stride
                                }
                                start += length
                            }
                            length <<= 1
                        }
                        if inverse {
                            let scale = 1 / Double(n)
                            for i in 0..<n {
                                re[i] *= scale
                                im[i] *= scale
                            }
                        }
                    }
                }
            }
        }
    }

    private static func bitReverse(
        _ re: UnsafeMutableBufferPointer<Double>, _ im: UnsafeMutableBufferPointer<Double>, _ n: Int
    ) {
        var j = 0
        for i in 1..<max(n, 1) {
            var bit = n >> 1
            while j & bit != 0 {
                j ^= bit
                bit >>= 1
            }
            j |= bit
            if i < j {
                re.swapAt(i, j)
                im.swapAt(i, j)
            }
        }
    }

    /// The linear convolution `c_k = Σ_i a_i b_{k-i}` (length `a.count + b.count - 1`). Small products are
    /// computed directly (exactly as dp-accounting's sparse composition does); larger ones by FFT.
    static func convolve(_ a: [Double], _ b: [Double]) -> [Double] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        let outputCount = a.count + b.count - 1
        if min(a.count, b.count) <= 16 || a.count * b.count <= 1 << 14 {
            return directConvolution(a, b)
        }
        let fft = AccountingFFT(count: length(atLeast: outputCount))
        var aReal = a + [Double](repeating: 0, count: fft.count - a.count)
        var aImaginary = [Double](repeating: 0, count: fft.count)
        var bReal = b + [Double](repeating: 0, count: fft.count - b.count)
        var bImaginary = [Double](repeating: 0, count: fft.count)
        fft.transform(real: &aReal, imaginary: &aImaginary, inverse: false)
        fft.transform(real: &bReal, imaginary: &bImaginary, inverse: false)
        for k in 0..<fft.count {
            let re = aReal[k] * bReal[k] - aImaginary[k] * bImaginary[k]
            let im = aReal[k] * bImaginary[k] + aImaginary[k] * bReal[k]
            aReal[k] = re
            aImaginary[k] = im
        }
        fft.transform(real: &aReal, imaginary: &aImaginary, inverse: true)
        return Array(aReal[0..<outputCount])
    }

    /// The convolution computed term by term, summing each output in increasing order of `a`'s index.
    static func directConvolution(_ a: [Double], _ b: [Double]) -> [Double] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var output = [Double](repeating: 0, count: a.count + b.count - 1)
        output.withUnsafeMutableBufferPointer { out in
            for (i, x) in a.enumerated() {
                for (j, y) in b.enumerated() { out[i + j] += x * y }
            }
        }
        return output
    }

    /// The `exponent`-fold circular self-convolution of `input` zero-padded to `length` (a power of two at least
    /// `input.count`): `ifft(fft(input)^exponent)`, real part. Each frequency bin is raised to the power by
    /// repeated squaring.
    static func circularPower(_ input: [Double], exponent: Int, length: Int) -> [Double] {
        let fft = AccountingFFT(count: length)
        var real = input + [Double](repeating: 0, count: length - input.count)
        var imaginary = [Double](repeating: 0, count: length)
        fft.transform(real: &real, imaginary: &imaginary, inverse: false)
        for k in 0..<length {
            var baseRe = real[k]
            var baseIm = imaginary[k]
            var resultRe = 1.0
            var resultIm = 0.0
            var remaining = exponent
            while remaining > 0 {
                if remaining & 1 == 1 {
                    let re = resultRe * baseRe - resultIm * baseIm
                    resultIm = resultRe * baseIm + resultIm * baseRe
                    resultRe = re
                }
                remaining >>= 1
                if remaining > 0 {
                    let re = baseRe * baseRe - baseIm * baseIm
                    baseIm = 2 * baseRe * baseIm
                    baseRe = re
                }
            }
            real[k] = resultRe
            imaginary[k] = resultIm
        }
        fft.transform(real: &real, imaginary: &imaginary, inverse: true)
        return real
    }
}
