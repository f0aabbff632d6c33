/// A source of uniformly random 64-bit words for the differential-privacy samplers.
///
/// A conforming type promises that its words are indistinguishable from independent uniform bits by any efficient
/// observer: the privacy guarantee of every sampler in this module is proved for ideal randomness and carries over
/// only to a cryptographically secure source. Use ``SecureRandom`` in production and ``SeededSecureRandom`` where a
/// run must be reproducible (tests, simulations). Never conform a statistical generator such as SplitMix or a
/// linear congruential generator: its output can be predicted from a few samples, and the noise with it.
///
/// The protocol allows non-copyable conformers so that a stateful generator can refuse to be duplicated: two copies
/// of a seeded generator would produce the same noise twice, and noise reused across two releases cancels out.
/// Samplers take the source `inout`.
public protocol RandomBitSource: ~Copyable {
    /// Returns 64 uniformly random bits.
    mutating func next() -> UInt64
}

/// The operating system's cryptographically secure generator (`getrandom(2)` on Linux, `arc4random_buf` on Apple
/// platforms), through the standard library's `SystemRandomNumberGenerator`.
///
/// It has no state of its own, so copies are harmless and it is also a `RandomNumberGenerator`. Each word costs a
/// system call; for bulk noise in a trusted process, ``SeededSecureRandom`` keyed with 32 bytes from this source is
/// faster and equally strong.
public struct SecureRandom: RandomBitSource, RandomNumberGenerator, Sendable {
    /// Creates a handle on the system generator.
    public init() {}

    /// Returns 64 bits from the system generator.
    public mutating func next() -> UInt64 {
        var system = SystemRandomNumberGenerator()
        return system.next()
    }

    /// Returns `count` bytes from the system generator, for example a seed for ``SeededSecureRandom``.
    public func bytes(_ count: Int) -> [UInt8] {
        var system = SystemRandomNumberGenerator()
        var result: [UInt8] = []
        result.reserveCapacity(max(0, count))
        while result.count < count {
            withUnsafeBytes(of: system.next()) { result.append(contentsOf: $0.prefix(count - result.count)) }
        }
        return result
    }
}

// MARK: - Exact uniform integers and rational coins

extension RandomBitSource where Self: ~Copyable {
    /// A uniform integer in `0..<bound` by rejection: draw `⌈log₂ bound⌉` bits and retry while the value is too
    /// large (no modulo bias; fewer than two draws on average). `bound` must be positive.
    mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "internal: uniform(below: 0)")
        let mask = bound == 1 ? 0 : UInt64.max >> UInt64((bound - 1).leadingZeroBitCount)
        while true {
            let candidate = next() & mask
            if candidate < bound { return candidate }
        }
    }

    /// A uniform integer in `0..<bound` for a 128-bit bound, by the same rejection method.
    mutating func uniform(below bound: UInt128) -> UInt128 {
        if let small = UInt64(exactly: bound) { return UInt128(uniform(below: small)) }
        let mask = UInt128.max >> UInt128((bound - 1).leadingZeroBitCount)
        while true {
            let candidate = (UInt128(next()) << 64 | UInt128(next())) & mask
            if candidate < bound { return candidate }
        }
    }

    /// `true` with probability exactly `numerator / denominator` (requires `numerator ≤ denominator`, `denominator
    /// > 0`): a uniform draw below the denominator compared with the numerator. Certain outcomes draw nothing.
    mutating func coin(numerator: UInt128, denominator: UInt128) -> Bool {
        if numerator == 0 { return false }
        if numerator >= denominator { return true }
        return uniform(below: denominator) < numerator
    }

    /// `true` with probability exactly 1/2.
    mutating func fairCoin() -> Bool {
        next() & 1 == 1
    }
}
