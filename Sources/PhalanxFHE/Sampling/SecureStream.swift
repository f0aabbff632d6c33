import Crypto
import CryptoExtras
import Foundation

/// A stream of cryptographically random words: the AES-256-CTR keystream of a key that is either fresh from the
/// system's CSPRNG (secrets, noise, masks) or derived with HKDF-SHA256 from a public seed and a label (common
/// reference polynomials that every party must derive identically).
///
/// The keystream is produced in 64 KiB chunks; each chunk is wiped once consumed. Not thread-safe: one stream per
/// task.
public final class SecureStream {
    private let key: SymmetricKey
    /// The next 128-bit counter block, big-endian in the nonce.
    private var counter: UInt64 = 0
    private var buffer: [UInt64] = []
    private var position = 0
    static let chunkWords = 8192
    /// The plaintext AES-CTR encrypts into keystream: allocated once, not per chunk.
    private static let zeros = [UInt8](repeating: 0, count: chunkWords * 8)

    /// A stream keyed from the system CSPRNG.
    public init() {
        key = SymmetricKey(size: .bits256)
    }

    /// A deterministic stream for public randomness: HKDF-SHA256(seed, salt "phalanx.fhe.crp.v1", info label).
    public init(seed: some DataProtocol, label: String) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(seed)), salt: Data("phalanx.fhe.crp.v1".utf8),
            info: Data(label.utf8), outputByteCount: 32)
    }

    deinit {
        SecretWipe.array(&buffer)
    }

    /// The next 64 random bits.
    @inline(__always)
    public func next() -> UInt64 {
        if position == buffer.count { refill() }
        let word = buffer[position]
        position += 1
        return word
    }

    private func refill() {
        let byteCount = Self.chunkWords * 8
        var nonceBytes = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: counter.bigEndian) { nonceBytes.replaceSubrange(8..<16, with: $0) }
        // Each chunk consumes byteCount/16 counter blocks; the low word of the block counter never wraps within a
        // stream's lifetime (2⁶⁴ blocks).
        counter &+= UInt64(byteCount / 16)
        // AES-CTR with a valid 16-byte nonce and a 256-bit key cannot fail.
        let nonce = try! AES._CTR.Nonce(nonceBytes: nonceBytes)
        var keystream = try! AES._CTR.encrypt(Self.zeros, using: key, nonce: nonce)
        SecretWipe.array(&buffer)
        buffer = [UInt64](repeating: 0, count: Self.chunkWords)
        buffer.withUnsafeMutableBytes { destination in
            keystream.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
        keystream.resetBytes(in: keystream.startIndex..<keystream.endIndex)
        position = 0
    }

    /// A uniform integer in [0, bound) by rejection (no modulo bias).
    @inline(__always)
    public func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        let mask = bound.nonzeroBitCount == 1 ? bound - 1 : (UInt64.max >> bound.leadingZeroBitCount)
        while true {
            let candidate = next() & mask
            if candidate < bound { return candidate }
        }
    }
}
