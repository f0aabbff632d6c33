import Crypto
import Foundation
import PhalanxCore

/// The hashes of an RFC 9162 Merkle tree (Certificate Transparency v2, §2.1.1; the same as RFC 6962 §2.1).
///
/// Leaves and interior nodes are hashed with different one-byte prefixes, so a leaf can never be passed off as an
/// interior node (second-preimage resistance):
///
///     MTH({}) = SHA-256()
///     leaf    = SHA-256(0x00 ‖ entry)
///     node    = SHA-256(0x01 ‖ left ‖ right)
public enum MerkleHashing {
    /// The root of the tree with no leaves: SHA-256 of the empty string (`e3b0c442…7852b855`).
    public static let emptyRoot = PhalanxCore.SHA256Digest.of([UInt8]())

    /// The hash of a leaf: SHA-256(0x00 ‖ entry).
    public static func leafHash(_ entry: some DataProtocol) -> PhalanxCore.SHA256Digest {
        var hasher = SHA256()
        withUnsafeBytes(of: leafPrefix) { hasher.update(bufferPointer: $0) }
        hasher.update(data: entry)
        return digest(hasher.finalize())
    }

    /// The hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
    public static func nodeHash(
        _ left: PhalanxCore.SHA256Digest, _ right: PhalanxCore.SHA256Digest
    ) -> PhalanxCore.SHA256Digest {
        var hasher = SHA256()
        withUnsafeBytes(of: nodePrefix) { hasher.update(bufferPointer: $0) }
        left.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return digest(hasher.finalize())
    }

    /// Hashes an interior node whose children are stored side by side (`children` is the 64 bytes
    /// `left ‖ right`) and appends the 32-byte result to `output`, allocating nothing else.
    static func appendNodeHash(children: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        precondition(children.count == 2 * digestSize, "an interior node has two 32-byte children")
        var hasher = SHA256()
        withUnsafeBytes(of: nodePrefix) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: children)
        hasher.finalize().withUnsafeBytes { output.append(contentsOf: $0) }
    }

    /// Wraps 32 bytes that are already known to be a SHA-256 output.
    static func digest(bytes: [UInt8]) -> PhalanxCore.SHA256Digest {
        do {
            return try PhalanxCore.SHA256Digest(bytes: bytes)
        } catch {
            preconditionFailure("a Merkle node hash has \(digestSize) bytes: \(error)")
        }
    }

    /// The size of every hash in the tree.
    static let digestSize = 32

    private static let leafPrefix: UInt8 = 0x00
    private static let nodePrefix: UInt8 = 0x01

    private static func digest(_ output: SHA256.Digest) -> PhalanxCore.SHA256Digest {
        digest(bytes: output.withUnsafeBytes { Array($0) })
    }
}
