import Crypto
import CryptoExtras

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A deterministic cryptographically secure generator: the AES-256-CTR keystream of a 32-byte seed, for tests and
/// reproducible simulations.
///
/// The stream is fixed so that it can be reproduced elsewhere: block `b` of the keystream is `AES-256_seed(b)`,
/// with `b` a 128-bit big-endian counter starting at zero (the encryption of zeros under AES-256-CTR with the
/// all-zero initial counter block), and word `i` is keystream bytes `8i ..< 8i+8` read as a little-endian
/// `UInt64`. Anyone holding the seed can recompute every word, and so every noise value drawn from it: a seed used
/// for a real release is as secret as the data, and must never be reused for a second release.
///
/// The keystream is produced ``bufferByteCount`` bytes at a time through swift-crypto's `AES._CTR`. The type is
/// non-copyable, so a generator cannot be duplicated by accident (two copies would emit the same noise); its buffer
/// is overwritten with zeros when it is refilled and when the generator is destroyed, and it has no description, so
/// it never prints. The key is a `SymmetricKey`, which swift-crypto zeroes when freed.
public struct SeededSecureRandom: RandomBitSource, ~Copyable {
    /// The length of a seed in bytes.
    public static let seedByteCount = 32
    /// The bytes of keystream generated per `AES._CTR` call (256 blocks).
    public static let bufferByteCount = 4096

    private let key: SymmetricKey
    private let buffer: UnsafeMutableRawBufferPointer
    /// The byte offset of the next unread word in `buffer`.
    private var offset: Int
    /// The counter block at which the next refill starts.
    private var nextBlock: UInt64

    /// Creates the generator whose stream is the AES-256-CTR keystream of `seed`.
    ///
    /// - Throws: ``SamplerError/Code-swift.struct/invalidParameter`` if `seed` is not ``seedByteCount`` bytes long.
    public init(seed: some ContiguousBytes) throws(SamplerError) {
        let key = seed.withUnsafeBytes { SymmetricKey(data: $0) }
        guard key.bitCount == Self.seedByteCount * 8 else {
            throw SamplerError(
                .invalidParameter,
                "a SeededSecureRandom seed must be \(Self.seedByteCount) bytes, got \(key.bitCount / 8)")
        }
        self.key = key
        buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: Self.bufferByteCount, alignment: MemoryLayout<UInt64>.alignment)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        offset = Self.bufferByteCount
        nextBlock = 0
    }

    deinit {
        Self.wipe(buffer)
        buffer.deallocate()
    }

    /// Returns the next 64 bits of the keystream.
    public mutating func next() -> UInt64 {
        if offset == Self.bufferByteCount { refill() }
        let word = buffer.load(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: word)
    }

    private mutating func refill() {
        var counterBlock = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 { counterBlock[15 - index] = UInt8(truncatingIfNeeded: nextBlock >> UInt64(8 * index)) }
        var keystream: Data
        do {
            let nonce = try AES._CTR.Nonce(nonceBytes: counterBlock)
            keystream = try AES._CTR.encrypt(Self.zeros, using: key, nonce: nonce)
        } catch {
            // The key is 256 bits (checked in init) and the counter block 16 bytes, the only inputs AES._CTR can
            // refuse; a failure here is a broken crypto backend, and continuing without randomness is not an option.
            preconditionFailure("AES-256-CTR refused a 256-bit key and a 16-byte counter block")
        }
        keystream.withUnsafeBytes { buffer.copyMemory(from: $0) }
        keystream.withUnsafeMutableBytes { Self.wipe($0) }
        offset = 0
        nextBlock &+= UInt64(Self.bufferByteCount / 16)
    }

    /// The plaintext of every refill.
    private static let zeros = [UInt8](repeating: 0, count: bufferByteCount)

    /// Overwrites `bytes` with zeros in a way the optimiser does not remove as a dead store.
    private static func wipe(_ bytes: UnsafeMutableRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        #if canImport(Glibc) || canImport(Musl)
        explicit_bzero(base, bytes.count)
        #elseif canImport(Darwin)
        _ = memset_s(base, bytes.count, 0, bytes.count)
        #else
        bytes.initializeMemory(as: UInt8.self, repeating: 0)
        #endif
    }
}

// The only state is the key (Sendable), the counters and a heap buffer that no other value references: the type is
// non-copyable, so sending it to another isolation domain moves the sole owner of the buffer, and every mutation
// goes through `inout` exclusivity.
extension SeededSecureRandom: @unchecked Sendable {}
