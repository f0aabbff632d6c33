/// Primes for negacyclic NTTs: q ≡ 1 (mod 2N), so that Z_q holds a primitive 2N-th root of unity ψ.
public enum NTTPrimes {
    /// Whether `n` is prime: Miller–Rabin with the seven bases of Jim Sinclair, which is deterministic for every
    /// 64-bit integer.
    public static func isPrime(_ n: UInt64) -> Bool {
        if n < 2 { return false }
        for small: UInt64 in [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
            if n % small == 0 { return n == small }
        }
        var d = n - 1
        var shift = 0
        while d & 1 == 0 {
            d >>= 1
            shift += 1
        }
        func mulmod(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let product = a.multipliedFullWidth(by: b)
            return n.dividingFullWidth((product.high, product.low)).remainder
        }
        func powmod(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
            var result: UInt64 = 1
            var base = base % n
            var exponent = exponent
            while exponent > 0 {
                if exponent & 1 == 1 { result = mulmod(result, base) }
                base = mulmod(base, base)
                exponent >>= 1
            }
            return result
        }
        witnesses: for base: UInt64 in [2, 325, 9375, 28178, 450775, 9_780_504, 1_795_265_022] {
            let a = base % n
            if a == 0 { continue }
            var x = powmod(a, d)
            if x == 1 || x == n - 1 { continue }
            for _ in 1..<max(shift, 1) {
                x = mulmod(x, x)
                if x == n - 1 { continue witnesses }
            }
            return false
        }
        return true
    }

    /// The `count` largest primes q < 2^bits with q ≡ 1 (mod 2·degree), descending, skipping those in `excluding`.
    public static func generate(
        count: Int, bits: Int, degree: Int, excluding: Set<UInt64> = []
    ) -> [UInt64] {
        precondition(bits >= 20 && bits <= Modulus.maximumBitWidth, "prime size out of range")
        precondition(degree > 0 && degree & (degree - 1) == 0, "degree must be a power of two")
        let step = UInt64(2 * degree)
        var candidate = ((1 as UInt64) << bits) - step + 1
        var primes: [UInt64] = []
        while primes.count < count {
            precondition(candidate > (1 << (bits - 1)), "not enough \(bits)-bit NTT primes for degree \(degree)")
            if !excluding.contains(candidate) && isPrime(candidate) { primes.append(candidate) }
            candidate -= step
        }
        return primes
    }

    /// The smallest primitive 2N-th root of unity modulo q (deterministic, so every party derives the same NTT).
    public static func minimalPrimitiveRoot(degree: Int, modulus: Modulus) -> UInt64 {
        let order = UInt64(2 * degree)
        let q = modulus.value
        precondition((q - 1) % order == 0, "q ≢ 1 mod 2N")
        // A 2N-th root ψ is primitive iff ψ^N = −1. Collect ψ = g^((q−1)/2N) for small g until one qualifies,
        // then take the smallest among its odd powers (all the primitive roots).
        var generator: UInt64 = 2
        var root: UInt64 = 0
        while true {
            let candidate = modulus.power(generator, (q - 1) / order)
            if modulus.power(candidate, UInt64(degree)) == q - 1 {
                root = candidate
                break
            }
            generator += 1
        }
        let square = modulus.multiply(root, root)
        var smallest = root
        var current = root
        for _ in 0..<degree {
            current = modulus.multiply(current, square)
            if current < smallest { smallest = current }
        }
        return smallest
    }
}
