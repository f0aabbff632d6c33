import Crypto
import CryptoExtras
import Foundation
import PhalanxSecAgg
import Testing
import _TestSupport

@Suite("Mask PRG (HKDF-SHA256 + AES-256-CTR)")
struct MaskPRGTests {
    static let seed: [UInt8] = Array(0..<32)
    static let info = MaskPRG.info(label: "pairwise", round: 7, first: "node-a", second: "node-b")

    func code(of body: () throws(MaskPRGError) -> Void) -> MaskPRGError.Code? {
        do {
            try body()
            return nil
        } catch {
            return error.code
        }
    }

    /// The keystream computed by one AES-CTR call over zeros with the key derived the documented way.
    static func referenceLanes(seed: [UInt8], info: [UInt8], count: Int) throws -> [UInt32] {
        let key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: seed), salt: MaskPRG.hkdfSalt, info: info, outputByteCount: 32)
        let nonce = try AES._CTR.Nonce(nonceBytes: [UInt8](repeating: 0, count: 16))
        let keystream = Array(try AES._CTR.encrypt([UInt8](repeating: 0, count: count * 4), using: key, nonce: nonce))
        return (0..<count).map { lane in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(keystream[4 * lane + $1]) << UInt32(8 * $1) }
        }
    }

    @Test("the info encoding is length-prefixed and big-endian")
    func infoLayout() {
        let expected: [UInt8] =
            [0, 0, 0, 8] + Array("pairwise".utf8) + [0, 0, 0, 0, 0, 0, 0, 7]
            + [0, 0, 0, 6] + Array("node-a".utf8) + [0, 0, 0, 6] + Array("node-b".utf8)
        #expect(Self.info == expected)
        // Moving a byte between fields changes the encoding.
        #expect(
            MaskPRG.info(label: "ab", round: 1, first: "c", second: "d")
                != MaskPRG.info(label: "a", round: 1, first: "bc", second: "d"))
    }

    /// Computed independently of swift-crypto: HKDF-SHA256 with Python's `hmac`, and `openssl enc -aes-256-ctr
    /// -K <key> -iv 00…00` over zeros (OpenSSL 3.0), for seed 00 01 … 1f and ``info``. The derived key is
    /// e6581c37 4c8387d9 320da0e7 4d5ce1ef 4cdde186 833e6100 4c63c613 9e77fc33.
    @Test("a known answer computed with Python's hmac and the OpenSSL command line")
    func knownAnswer() throws {
        let lanes = try MaskPRG.expand(seed: Self.seed, info: Self.info, count: 32778)
        #expect(
            Array(lanes.prefix(8)) == [
                0xC8BE_9018, 0x836E_B5DA, 0xF736_6C78, 0x7DCB_6A4F, 0xF300_1530, 0x5BDA_D627, 0x12AD_7540, 0x8F03_2C49,
            ])
        #expect(Array(lanes[16384..<16388]) == [0xD965_B1C9, 0x65A0_18C2, 0x4D2A_AB2F, 0x6784_48E9])
        #expect(Array(lanes.suffix(4)) == [0x970E_118A, 0x87B5_BE69, 0x4FAB_4D3F, 0x381D_A2C5])
    }

    @Test(
        "lanes are the keystream read little-endian, across chunk boundaries",
        arguments: [0, 1, 3, 4095, 16383, 16384, 16385, 50_000])
    func lanesMatchKeystream(count: Int) throws {
        let lanes = try MaskPRG.expand(seed: Self.seed, info: Self.info, count: count)
        #expect(lanes.count == count)
        #expect(lanes == (try Self.referenceLanes(seed: Self.seed, info: Self.info, count: count)))
    }

    @Test("the same seed and info give the same mask")
    func deterministic() throws {
        let first = try MaskPRG.expand(seed: Self.seed, info: Self.info, count: 1000)
        let second = try MaskPRG.expand(seed: SymmetricKey(data: Self.seed), info: Self.info, count: 1000)
        #expect(first == second)
        // A shorter mask is a prefix of a longer one.
        #expect(try MaskPRG.expand(seed: Self.seed, info: Self.info, count: 10) == Array(first.prefix(10)))
    }

    @Test("a different seed, label, round or pair order gives an unrelated mask")
    func domainSeparation() throws {
        let base = try MaskPRG.expand(seed: Self.seed, info: Self.info, count: 256)
        var otherSeed = Self.seed
        otherSeed[31] ^= 1
        let variants: [[UInt32]] = [
            try MaskPRG.expand(seed: otherSeed, info: Self.info, count: 256),
            try MaskPRG.expand(
                seed: Self.seed, info: MaskPRG.info(label: "self", round: 7, first: "node-a", second: "node-b"),
                count: 256),
            try MaskPRG.expand(
                seed: Self.seed, info: MaskPRG.info(label: "pairwise", round: 8, first: "node-a", second: "node-b"),
                count: 256),
            try MaskPRG.expand(
                seed: Self.seed, info: MaskPRG.info(label: "pairwise", round: 7, first: "node-b", second: "node-a"),
                count: 256),
        ]
        for variant in variants {
            #expect(variant != base)
            // Unrelated, not just different: practically no lane agrees (expected 256 / 2³²).
            #expect(zip(variant, base).filter { $0 == $1 }.count <= 1)
        }
    }

    @Test(
        "adding then subtracting a mask restores the vector exactly",
        arguments: [0, 1, 7, 16384, 16385, 40_000])
    func addThenSubtract(count: Int) throws {
        var generator = SplitMix64(seed: UInt64(count))
        let original = (0..<count).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) }
        var vector = original
        try MaskPRG.addMask(seed: Self.seed, info: Self.info, into: &vector, sign: .plus)
        if count > 0 { #expect(vector != original) }
        let mask = try MaskPRG.expand(seed: Self.seed, info: Self.info, count: count)
        #expect(vector == zip(original, mask).map { $0 &+ $1 })
        try MaskPRG.addMask(seed: Self.seed, info: Self.info, into: &vector, sign: .minus)
        #expect(vector == original)
    }

    @Test("pairwise masks cancel in a sum, as in secure aggregation")
    func pairwiseCancellation() throws {
        let count = 20_000
        let seedAB = SymmetricKey(size: .bits256)
        var a = [UInt32](repeating: 5, count: count)
        var b = [UInt32](repeating: 9, count: count)
        try MaskPRG.addMask(seed: seedAB, info: Self.info, into: &a, sign: .plus)
        try MaskPRG.addMask(seed: seedAB, info: Self.info, into: &b, sign: .minus)
        #expect(zip(a, b).allSatisfy { $0 &+ $1 == 14 })
    }

    @Test("seeds of the wrong length and negative counts are refused", arguments: [0, 16, 31, 33, 64])
    func refusals(seedLength: Int) {
        let seed = [UInt8](repeating: 1, count: seedLength)
        var vector: [UInt32] = [1, 2, 3]
        #expect(
            code { () throws(MaskPRGError) in
                _ = try MaskPRG.expand(seed: seed, info: Self.info, count: 4)
            } == .seedLength)
        #expect(
            code { () throws(MaskPRGError) in
                try MaskPRG.addMask(seed: seed, info: Self.info, into: &vector, sign: .plus)
            } == .seedLength)
        #expect(vector == [1, 2, 3])
        #expect(
            code { () throws(MaskPRGError) in
                _ = try MaskPRG.expand(seed: Self.seed, info: Self.info, count: -1)
            } == .countInvalid)
    }

    @Test("the keystream rate probe returns a positive rate")
    func rateProbe() {
        #expect(MaskPRG.keystreamRate(bytes: 4096) > 0)
    }
}
