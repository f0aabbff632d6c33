import Crypto
import CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Expands a 32-byte seed into a mask of 32-bit lanes, the pseudorandom generator of secure aggregation
/// (Bonawitz et al., CCS 2017, §4: PRG(s_u,v) for pairwise masks and PRG(b_u) for self masks; Bell et al.,
/// CCS 2020).
///
/// The construction, fixed so that every party derives the same mask from the same seed and info:
///
/// 1. `key = HKDF-SHA256(ikm: seed, salt: hkdfSalt, info: info, length: 32)` (RFC 5869).
/// 2. `keystream = AES-256-CTR(key)` with the all-zero 128-bit initial counter block, i.e. the encryption of
///    zeros; block `b` of the keystream is `AES_key(b)` with `b` as a 128-bit big-endian integer.
/// 3. Lane `i` is keystream bytes `4i ..< 4i+4` read as a little-endian `UInt32`; masks add modulo 2³².
///
/// The zero nonce is safe because a key is never used for two different keystreams: it is derived from
/// `(seed, info)`, and `info` names the label, round and ordered pair of participants
/// (``info(label:round:first:second:)``), so a fresh seed or a different use gives an independent key. Callers must
/// not expand the same `(seed, info)` for two different purposes.
///
/// The keystream is generated in chunks of ``chunkByteCount`` bytes so accumulation never allocates a second
/// vector-sized buffer; each chunk is overwritten after use.
public enum MaskPRG {
    /// The length of a seed in bytes.
    public static let seedByteCount = 32
    /// The bytes of keystream produced per AES-CTR call (64 KiB, 16 Ki lanes), a multiple of the 16-byte block.
    public static let chunkByteCount = 64 * 1024
    /// The HKDF salt, constant for this version of the construction; changing it changes every mask.
    public static let hkdfSalt: [UInt8] = Array("phalanx.secagg.mask-prg.v1".utf8)

    /// Whether a mask is added to or subtracted from a vector.
    public enum Sign: Hashable, Sendable {
        /// Wrapping addition, lane by lane.
        case plus
        /// Wrapping subtraction, lane by lane; undoes ``plus`` with the same mask.
        case minus
    }

    /// Builds the HKDF info that names one use of a seed.
    ///
    /// Layout (all integers big-endian): `u32 len(label) ‖ label ‖ u64 round ‖ u32 len(first) ‖ first ‖
    /// u32 len(second) ‖ second`, strings as UTF-8. The length prefixes make the encoding injective. Both ends of a
    /// pairwise mask must pass the pair in the same order (for example sorted ascending), so they derive the same
    /// key; a self mask may name its owner twice.
    public static func info(label: String, round: UInt64, first: String, second: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24 + label.utf8.count + first.utf8.count + second.utf8.count)
        func appendInteger(_ value: some FixedWidthInteger) {
            withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
        }
        func appendString(_ string: String) {
            appendInteger(UInt32(string.utf8.count))
            bytes.append(contentsOf: string.utf8)
        }
        appendString(label)
        appendInteger(round)
        appendString(first)
        appendString(second)
        return bytes
    }

    /// Returns the mask of `count` lanes for `seed` and `info`.
    public static func expand(
        seed: some ContiguousBytes, info: [UInt8], count: Int
    ) throws(MaskPRGError) -> [UInt32] {
        var lanes = [UInt32](repeating: 0, count: try validatedCount(count))
        let key = try derivedKey(seed: seed, info: info)
        try forEachKeystreamChunk(key: key, byteCount: count * 4) { keystream, byteOffset in
            lanes.withUnsafeMutableBytes { destination in
                UnsafeMutableRawBufferPointer(rebasing: destination[byteOffset..<(byteOffset + keystream.count)])
                    .copyMemory(from: keystream)
            }
        }
        #if _endian(big)
        for index in lanes.indices { lanes[index] = UInt32(littleEndian: lanes[index]) }
        #endif
        return lanes
    }

    /// Adds (`.plus`) or subtracts (`.minus`) the mask for `seed` and `info` to every lane of `vector`, modulo 2³²,
    /// in place; the mask has `vector.count` lanes.
    ///
    /// This is the inner loop of secure aggregation: a client masks its input with one call per neighbour and one
    /// for its own seed, and the server removes the masks of survivors and dropouts the same way.
    public static func addMask(
        seed: some ContiguousBytes, info: [UInt8], into vector: inout [UInt32], sign: Sign
    ) throws(MaskPRGError) {
        let key = try derivedKey(seed: seed, info: info)
        let count = vector.count
        try vector.withUnsafeMutableBufferPointer { (lanes) throws(MaskPRGError) in
            guard let base = lanes.baseAddress else { return }
            try forEachKeystreamChunk(key: key, byteCount: count * 4) { keystream, byteOffset in
                let destination = base + byteOffset / 4
                let laneCount = keystream.count / 4
                switch sign {
                case .plus: accumulate(keystream, into: destination, laneCount: laneCount, &+)
                case .minus: accumulate(keystream, into: destination, laneCount: laneCount, &-)
                }
            }
        }
    }

    /// Measures raw AES-256-CTR keystream generation: one `AES._CTR.encrypt` call over a zero buffer of `bytes`
    /// bytes, repeated for at least a quarter of a second, in bytes per second.
    ///
    /// A diagnostic for benchmarks and logs; run it in a release build.
    public static func keystreamRate(bytes: Int) -> Double {
        precondition(bytes > 0, "measure at least one byte")
        let key = SymmetricKey(size: .bits256)
        let zeros = [UInt8](repeating: 0, count: bytes)
        guard let nonce = try? AES._CTR.Nonce(nonceBytes: [UInt8](repeating: 0, count: 16)) else { return 0 }
        var sink: UInt8 = 0
        func once() -> Bool {
            guard let keystream = try? AES._CTR.encrypt(zeros, using: key, nonce: nonce) else { return false }
            sink ^= keystream[keystream.startIndex]
            return true
        }
        guard once() else { return 0 }  // warm-up
        let clock = ContinuousClock()
        let start = clock.now
        var iterations = 0
        var elapsed = Duration.zero
        repeat {
            guard once() else { return 0 }
            iterations += 1
            elapsed = clock.now - start
        } while elapsed < .milliseconds(250)
        let (seconds, attoseconds) = elapsed.components
        let duration = Double(seconds) + Double(attoseconds) * 1e-18
        return withExtendedLifetime(sink) { Double(bytes) * Double(iterations) / duration }
    }

    // MARK: - Internals

    private static func validatedCount(_ count: Int) throws(MaskPRGError) -> Int {
        guard count >= 0, count <= Int.max / 4 else {
            throw MaskPRGError(.countInvalid, "lane count \(count) is negative or too large")
        }
        return count
    }

    /// HKDF-SHA256 of the seed with ``hkdfSalt`` and `info`, giving the 256-bit AES key.
    static func derivedKey(seed: some ContiguousBytes, info: [UInt8]) throws(MaskPRGError) -> SymmetricKey {
        let seedKey = seed.withUnsafeBytes { SymmetricKey(data: $0) }
        guard seedKey.bitCount == seedByteCount * 8 else {
            throw MaskPRGError(.seedLength, "seed has \(seedKey.bitCount / 8) bytes, expected \(seedByteCount)")
        }
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: seedKey, salt: hkdfSalt, info: info, outputByteCount: 32)
    }

    /// Calls `body` with successive keystream chunks covering bytes `0..<byteCount`, and the offset of each.
    ///
    /// Chunk `k` starts at counter block `k · chunkByteCount / 16`, so the chunks concatenate to the keystream of a
    /// single AES-CTR call over `byteCount` zeros. Each chunk's buffer is zeroed after `body` returns.
    private static func forEachKeystreamChunk(
        key: SymmetricKey, byteCount: Int, _ body: (UnsafeRawBufferPointer, Int) -> Void
    ) throws(MaskPRGError) {
        var byteOffset = 0
        while byteOffset < byteCount {
            let length = min(chunkByteCount, byteCount - byteOffset)
            var keystream: Data
            do {
                let nonce = try AES._CTR.Nonce(nonceBytes: counterBlock(UInt64(byteOffset / 16)))
                keystream = try zeroChunk.withUnsafeBytes { zeros in
                    try AES._CTR.encrypt(UnsafeRawBufferPointer(rebasing: zeros[0..<length]), using: key, nonce: nonce)
                }
            } catch {
                throw MaskPRGError(.backendFailure, "AES-256-CTR refused the derived key or counter block")
            }
            keystream.withUnsafeBytes { body($0, byteOffset) }
            keystream.withUnsafeMutableBytes { Wipe.bytes($0) }
            byteOffset += length
        }
    }

    /// The plaintext of every keystream chunk.
    private static let zeroChunk = [UInt8](repeating: 0, count: chunkByteCount)

    /// The 16-byte initial counter block for block index `block`: 64 zero bits, then `block` big-endian.
    private static func counterBlock(_ block: UInt64) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 { bytes[15 - index] = UInt8(truncatingIfNeeded: block >> UInt64(8 * index)) }
        return bytes
    }

    /// `destination[i] = operation(destination[i], lane i of keystream)` for `laneCount` lanes, without bounds checks.
    @inline(__always)
    private static func accumulate(
        _ keystream: UnsafeRawBufferPointer, into destination: UnsafeMutablePointer<UInt32>, laneCount: Int,
        _ operation: (UInt32, UInt32) -> UInt32
    ) {
        guard let source = keystream.baseAddress else { return }
        for index in 0..<laneCount {
            let lane = UInt32(littleEndian: source.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self))
            destination[index] = operation(destination[index], lane)
        }
    }
}
