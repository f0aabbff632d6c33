import PhalanxDP
import Testing

/// The randomness sources: the seeded generator is the AES-256-CTR keystream of its seed, deterministic and
/// seed-dependent; the system generator differs from run to run.
@Suite("Random bit sources")
struct SamplerRandomSourceTests {
    /// Key 00 01 … 1f. Expected words come from `openssl enc -aes-256-ctr -K 000102…1f -iv 00…00` over 8192 zero
    /// bytes (an independent implementation), read as little-endian 64-bit words; words 510–513 straddle the
    /// refill at byte 4096 (block 256, also checked as AES-256-ECB of the counter 256 with Python's
    /// `cryptography`).
    static let knownWords: [(index: Int, word: UInt64)] = [
        (0, 0xD09F_492A_B600_90F2), (1, 0x8077_2EDD_6A9A_F3A9), (2, 0xE59F_B94A_AE76_5DF0),
        (3, 0x3D36_C248_319B_F6A6), (510, 0x59EC_1DC0_8ED4_B709), (511, 0x9A9E_6589_C428_DA32),
        (512, 0x4F5D_ACD1_3056_2E51), (513, 0x6573_0F6E_7D77_C843), (1023, 0xA5FD_04DF_1657_CA52),
    ]

    @Test("the seeded generator is AES-256-CTR of the seed from counter zero (known answers)")
    func knownAnswer() throws {
        var source = try SeededSecureRandom(seed: (0..<32).map { UInt8($0) })
        var words: [UInt64] = []
        for _ in 0..<1024 { words.append(source.next()) }
        for known in Self.knownWords {
            #expect(words[known.index] == known.word, "word \(known.index)")
        }
    }

    @Test("the same seed gives the same stream and the same noise")
    func deterministic() throws {
        var first = try SamplerSupport.source(42)
        var second = try SamplerSupport.source(42)
        for _ in 0..<2_000 { #expect(first.next() == second.next()) }
        let gaussian = try DiscreteGaussian(sigmaSquared: 9)
        #expect(gaussian.samples(500, using: &first) == gaussian.samples(500, using: &second))
    }

    @Test("different seeds give different streams")
    func seedDependent() throws {
        var first = try SamplerSupport.source(1)
        var second = try SamplerSupport.source(2)
        let a = (0..<16).map { _ in first.next() }
        let b = (0..<16).map { _ in second.next() }
        #expect(a != b)
    }

    @Test("the system generator differs from one use to the next")
    func systemDiffers() {
        var first = SecureRandom()
        var second = SecureRandom()
        let a = (0..<4).map { _ in first.next() }
        let b = (0..<4).map { _ in second.next() }
        // 256 random bits each: equal with probability 2⁻²⁵⁶.
        #expect(a != b)
        #expect(SecureRandom().bytes(32) != SecureRandom().bytes(32))
        #expect(SecureRandom().bytes(13).count == 13)
    }

    @Test("a seed of the wrong length is refused", arguments: [0, 16, 31, 33, 64])
    func wrongSeedLength(_ length: Int) {
        #expect(throws: SamplerError.self) { _ = try SeededSecureRandom(seed: [UInt8](repeating: 1, count: length)) }
    }

    @Test("the seeded generator's words look uniform (bit balance of 10⁶ bits)")
    func bitBalance() throws {
        var source = try SamplerSupport.source(7)
        var ones = 0
        for _ in 0..<(1_000_000 / 64) { ones += source.next().nonzeroBitCount }
        let n = Double(1_000_000 / 64 * 64)
        #expect(SamplerSupport.within(Double(ones), of: n / 2, standardError: (n / 4).squareRoot()))
    }
}
