import PhalanxCore

/// The CLI's seeded generator (the fuzzer's inputs, the control benchmark's arrival order): SplitMix64 (Steele, Lea &
/// Flood, "Fast Splittable Pseudorandom Number Generators", OOPSLA 2014), so that a run is reproducible from its
/// seed. Never for key material.
struct FuzzRandom: RandomNumberGenerator {
    private var base: SplitMix64

    init(seed: UInt64) { base = SplitMix64(seed: seed) }

    /// A generator seeded from the bytes of `input` (FNV-1a), so that whatever a target derives from it
    /// (e.g. an expression's evaluation context) is reproducible from the input alone.
    init(hashing input: [UInt8], salt: UInt64 = 0) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
        for byte in input {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        base = SplitMix64(seed: hash)
    }

    mutating func next() -> UInt64 { base.next() }

    /// A uniform integer in `0..<bound`; `bound` must be positive.
    mutating func below(_ bound: Int) -> Int {
        Int.random(in: 0..<bound, using: &self)
    }

    /// True with probability `numerator / denominator`.
    mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        below(denominator) < numerator
    }

    /// A uniformly chosen element of a non-empty array.
    mutating func pick<T>(_ elements: [T]) -> T {
        elements[below(elements.count)]
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    /// A length that is usually small and sometimes large: what finds both shallow and size-related bugs.
    mutating func length(upTo maximum: Int) -> Int {
        switch below(8) {
        case 0: return below(min(maximum, 4_096) + 1)
        case 1, 2: return below(min(maximum, 256) + 1)
        default: return below(min(maximum, 32) + 1)
        }
    }
}
