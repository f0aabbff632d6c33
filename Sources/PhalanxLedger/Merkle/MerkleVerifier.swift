import PhalanxCore

/// The checks an outsider runs with nothing but a proof, the leaf (or its hash) and signed tree heads
/// (RFC 9162 §2.1.3.2 and §2.1.4.2).
///
/// Each check first works out, from the sizes and the index alone, how many hashes the proof must have, and
/// refuses any other count with ``MerkleError/Code/wrongProofLength`` before hashing anything; it then
/// recomputes the root(s) in place, allocating no arrays. Equivalent to the RFC's bit-shifting algorithms and to
/// transparency-dev/merkle's `proof` package; see `docs/ledger-merkle.md` for the edge-case policy.
public enum MerkleVerifier {
    /// The root hash that `proof` and leaf `leafHash` at `index` imply for a tree of `size` leaves.
    ///
    /// Throws ``MerkleError/Code/indexOutOfRange`` unless `index < size` (nothing is included in the empty tree)
    /// and ``MerkleError/Code/wrongProofLength`` if the proof has more or fewer hashes than that position needs.
    public static func rootFromInclusionProof(
        leafHash: SHA256Digest, index: UInt64, size: UInt64, proof: [SHA256Digest]
    ) throws(MerkleError) -> SHA256Digest {
        guard index < size else {
            throw MerkleError(.indexOutOfRange, "leaf index \(index) is not in a tree of \(size) leaves")
        }
        let shape = ProofShape(index: index, size: size)
        let expected = shape.inner + shape.border
        guard proof.count == expected else {
            throw MerkleError(
                .wrongProofLength,
                "an inclusion proof of leaf \(index) in a tree of \(size) leaves has \(expected) hashes, got \(proof.count)"
            )
        }
        var hash = leafHash
        for (position, sibling) in proof.enumerated() {
            if position < shape.inner && (index >> UInt64(position)) & 1 == 0 {
                hash = MerkleHashing.nodeHash(hash, sibling)
            } else {
                hash = MerkleHashing.nodeHash(sibling, hash)
            }
        }
        return hash
    }

    /// Checks that leaf `leafHash` is at `index` in the tree of `size` leaves whose root is `root`.
    ///
    /// Throws as ``rootFromInclusionProof(leafHash:index:size:proof:)`` does, and
    /// ``MerkleError/Code/rootMismatch`` if the proof leads to a different root.
    public static func verifyInclusion(
        leafHash: SHA256Digest, index: UInt64, size: UInt64, proof: [SHA256Digest], root: SHA256Digest
    ) throws(MerkleError) {
        let computed = try rootFromInclusionProof(leafHash: leafHash, index: index, size: size, proof: proof)
        guard computed == root else {
            throw MerkleError(
                .rootMismatch,
                "the inclusion proof of leaf \(index) leads to root \(computed.short)…, not \(root.short)… (size \(size))"
            )
        }
    }

    /// Checks that the tree of `newSize` leaves with root `newRoot` extends the tree of `oldSize` leaves with root
    /// `oldRoot`, i.e. that the log only appended.
    ///
    /// - `oldSize > newSize`: ``MerkleError/Code/oldSizeGreaterThanNew``.
    /// - Equal sizes: the proof must be empty and the roots equal (RFC 9162 §2.1.4); for size 0 the root must also
    ///   be ``MerkleHashing/emptyRoot``.
    /// - `oldSize` 0: every tree extends the empty one; the proof must be empty and `oldRoot` must be
    ///   ``MerkleHashing/emptyRoot`` (`newRoot` is not constrained). RFC 9162 defines proofs only for
    ///   `0 < oldSize`; this follows transparency-dev/merkle's verifier, which accepts the empty proof.
    /// - Otherwise the proof must have exactly the RFC's number of hashes (``MerkleError/Code/wrongProofLength``)
    ///   and must reproduce both roots (``MerkleError/Code/rootMismatch``).
    public static func verifyConsistency(
        oldSize: UInt64, newSize: UInt64, oldRoot: SHA256Digest, newRoot: SHA256Digest, proof: [SHA256Digest]
    ) throws(MerkleError) {
        guard oldSize <= newSize else {
            throw MerkleError(
                .oldSizeGreaterThanNew, "a tree of \(newSize) leaves cannot extend one of \(oldSize) leaves")
        }
        if oldSize == newSize || oldSize == 0 {
            guard proof.isEmpty else {
                throw MerkleError(
                    .wrongProofLength,
                    "a consistency proof from \(oldSize) to \(newSize) leaves is empty, got \(proof.count) hashes")
            }
            if oldSize == 0 && oldRoot != MerkleHashing.emptyRoot {
                throw MerkleError(
                    .rootMismatch,
                    "the root of the empty tree is \(MerkleHashing.emptyRoot.short)…, not \(oldRoot.short)…")
            }
            if oldSize == newSize && oldRoot != newRoot {
                throw MerkleError(
                    .rootMismatch,
                    "two trees of \(oldSize) leaves have different roots \(oldRoot.short)… and \(newRoot.short)…")
            }
            return
        }

        let shape = ConsistencyShape(oldSize: oldSize, newSize: newSize)
        guard proof.count == shape.proofLength else {
            throw MerkleError(
                .wrongProofLength,
                "a consistency proof from \(oldSize) to \(newSize) leaves has \(shape.proofLength) hashes, got \(proof.count)"
            )
        }
        // Walk up from the largest complete subtree ending at `oldSize` (whose hash is the old root itself when
        // `oldSize` is a power of 2), computing the old root from the left siblings only and the new root from
        // all of them.
        let seed = shape.seedInProof ? proof[0] : oldRoot
        let pathStart = shape.seedInProof ? 1 : 0
        let innerEnd = pathStart + shape.path.inner - shape.seedLevel
        var oldHash = seed
        var newHash = seed
        for position in pathStart..<proof.count {
            let sibling = proof[position]
            let isLeftSibling =
                position >= innerEnd || (shape.seedIndex >> UInt64(position - pathStart)) & 1 == 1
            if isLeftSibling {
                oldHash = MerkleHashing.nodeHash(sibling, oldHash)
                newHash = MerkleHashing.nodeHash(sibling, newHash)
            } else {
                newHash = MerkleHashing.nodeHash(newHash, sibling)
            }
        }
        guard oldHash == oldRoot else {
            throw MerkleError(
                .rootMismatch,
                "the consistency proof leads to old root \(oldHash.short)…, not \(oldRoot.short)… (size \(oldSize))")
        }
        guard newHash == newRoot else {
            throw MerkleError(
                .rootMismatch,
                "the consistency proof leads to new root \(newHash.short)…, not \(newRoot.short)… (size \(newSize))")
        }
    }
}
