import PhalanxCore

/// Root hashes and proofs of an RFC 9162 Merkle tree (§2.1), computed from stored complete-subtree hashes.
///
/// Every function reads O(log n) nodes from the source and never rehashes the tree: a subtree on the right edge
/// that is not complete (an "ephemeral" node in transparency-dev/merkle's terms) is hashed from the complete
/// subtrees that tile it, at most 64 of them. Nothing recurses. The proofs are the ones RFC 9162 defines
/// (`PATH` and `SUBPROOF`), in its order: the hashes nearest the leaf first.
///
/// The layout of a proof follows the decomposition transparency-dev/merkle (`proof/verify.go`) uses: for leaf
/// `m` in a tree of `n` leaves, the first `inner = bitLength(m ⊕ (n − 1))` hashes are the siblings of the path
/// below the point where the paths to `m` and to `n − 1` part (on either side; the highest right sibling may be an
/// incomplete subtree), and the remaining `popcount(m >> inner)` hashes are the complete subtrees to the left of
/// the path above it, lowest first.
public enum MerkleTree {
    /// The root hash of the first `size` leaves (RFC 9162 §2.1.1 `MTH(D[0:size])`); `size` 0 gives
    /// ``MerkleHashing/emptyRoot``. Reads `popcount(size)` nodes.
    public static func root(size: UInt64, in source: some MerkleNodeSource) throws(MerkleError) -> SHA256Digest {
        try requireStored(size: size, in: source)
        if size == 0 { return MerkleHashing.emptyRoot }
        return try subtreeHash(begin: 0, end: size, in: source)
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves (RFC 9162 §2.1.3.1
    /// `PATH(index, D[0:size])`). Throws ``MerkleError/Code/indexOutOfRange`` unless `index < size` (so no proof
    /// exists in the empty tree), and ``MerkleError/Code/sizeOutOfRange`` if the source holds fewer leaves.
    public static func inclusionProof(
        index: UInt64, size: UInt64, in source: some MerkleNodeSource
    ) throws(MerkleError) -> [SHA256Digest] {
        guard index < size else {
            throw MerkleError(.indexOutOfRange, "leaf index \(index) is not in a tree of \(size) leaves")
        }
        try requireStored(size: size, in: source)
        let shape = ProofShape(index: index, size: size)
        var proof: [SHA256Digest] = []
        proof.reserveCapacity(shape.inner + shape.border)
        try appendPath(from: index, level: 0, shape: shape, size: size, in: source, to: &proof)
        return proof
    }

    /// The consistency proof between the trees of the first `oldSize` and the first `newSize` leaves (RFC 9162
    /// §2.1.4.1 `PROOF(oldSize, D[0:newSize])`, built with `SUBPROOF`).
    ///
    /// The proof is empty when the sizes are equal (RFC 9162) and, by this module's policy, when `oldSize` is 0:
    /// every tree extends the empty one, and ``MerkleVerifier/verifyConsistency(oldSize:newSize:oldRoot:newRoot:proof:)``
    /// accepts that empty proof only with the empty tree's root. Throws ``MerkleError/Code/oldSizeGreaterThanNew``
    /// if `oldSize > newSize` and ``MerkleError/Code/sizeOutOfRange`` if the source holds fewer than `newSize`
    /// leaves.
    public static func consistencyProof(
        oldSize: UInt64, newSize: UInt64, in source: some MerkleNodeSource
    ) throws(MerkleError) -> [SHA256Digest] {
        guard oldSize <= newSize else {
            throw MerkleError(
                .oldSizeGreaterThanNew, "no consistency proof from \(oldSize) leaves to fewer (\(newSize))")
        }
        try requireStored(size: newSize, in: source)
        if oldSize == newSize || oldSize == 0 { return [] }

        // SUBPROOF(m, D[0:n], true) is the path from the seed, the largest complete subtree that ends where the
        // old tree ends, to the root of the n-leaf tree, preceded by the seed's own hash unless the seed is the
        // whole old tree (m a power of 2), whose root the verifier already holds.
        let shape = ConsistencyShape(oldSize: oldSize, newSize: newSize)
        var proof: [SHA256Digest] = []
        proof.reserveCapacity(shape.proofLength)
        if shape.seedInProof { proof.append(try read(level: shape.seedLevel, index: shape.seedIndex, in: source)) }
        try appendPath(
            from: oldSize - 1, level: shape.seedLevel, shape: shape.path, size: newSize, in: source, to: &proof)
        return proof
    }

    /// Appends the siblings on the path from the node at `level` above leaf `leaf` to the root of the
    /// `size`-leaf tree: the inner siblings bottom-up, then the complete subtrees on the left border.
    private static func appendPath(
        from leaf: UInt64, level: Int, shape: ProofShape, size: UInt64, in source: some MerkleNodeSource,
        to proof: inout [SHA256Digest]
    ) throws(MerkleError) {
        for height in level..<shape.inner {
            let node = leaf >> UInt64(height)
            let sibling = node ^ 1
            if node & 1 == 1 {
                proof.append(try read(level: height, index: sibling, in: source))
            } else {
                // A right sibling lies below the point where the paths part, so it starts before `size`; only
                // the highest one can reach past the right edge, and then it is hashed from its tiles.
                let begin = sibling << UInt64(height)
                let width = UInt64(1) << UInt64(height)
                if size - begin >= width {
                    proof.append(try read(level: height, index: sibling, in: source))
                } else {
                    proof.append(try subtreeHash(begin: begin, end: size, in: source))
                }
            }
        }
        var height = shape.inner
        while height < UInt64.bitWidth, leaf >> UInt64(height) != 0 {
            let node = leaf >> UInt64(height)
            if node & 1 == 1 { proof.append(try read(level: height, index: node ^ 1, in: source)) }
            height += 1
        }
    }

    /// `MTH(D[begin:end])` for a range that is a subtree of the RFC 9162 tree (`begin` is a multiple of the
    /// smallest power of 2 that is at least `end − begin`): the fold, right to left, of the complete subtrees
    /// that tile it, one per set bit of `end − begin`.
    private static func subtreeHash(
        begin: UInt64, end: UInt64, in source: some MerkleNodeSource
    ) throws(MerkleError) -> SHA256Digest {
        let count = end - begin
        var remaining = count
        var hash: SHA256Digest?
        while remaining != 0 {
            let level = remaining.trailingZeroBitCount
            // The tile for bit `level` ends where the bits of `count` from `level` up end.
            let tile = try read(
                level: level, index: (begin >> UInt64(level)) + (count >> UInt64(level)) - 1, in: source)
            hash = hash.map { MerkleHashing.nodeHash(tile, $0) } ?? tile
            remaining &= remaining - 1
        }
        guard let hash else { preconditionFailure("subtreeHash of an empty range") }
        return hash
    }

    private static func requireStored(size: UInt64, in source: some MerkleNodeSource) throws(MerkleError) {
        let stored = source.leafCount
        guard size <= stored else {
            throw MerkleError(.sizeOutOfRange, "tree size \(size) is larger than the \(stored) leaves stored")
        }
    }

    private static func read(
        level: Int, index: UInt64, in source: some MerkleNodeSource
    ) throws(MerkleError) -> SHA256Digest {
        do {
            return try source.node(level: level, index: index)
        } catch let error as MerkleError {
            throw error
        } catch {
            throw MerkleError(.missingNode, "the node at level \(level), index \(index) could not be read: \(error)")
        }
    }
}

/// How the proof for leaf `index` in a tree of `size` leaves splits (transparency-dev/merkle `decompInclProof`):
/// `inner` levels where the sibling may be on either side, then `border` complete subtrees on the left.
struct ProofShape: Equatable {
    let inner: Int
    let border: Int

    init(index: UInt64, size: UInt64) {
        precondition(index < size)
        inner = UInt64.bitWidth - (index ^ (size - 1)).leadingZeroBitCount
        border = (index >> UInt64(inner)).nonzeroBitCount  // a shift by 64 gives 0
    }
}

/// How the consistency proof between `oldSize` and `newSize` (0 < oldSize < newSize) is laid out: the largest
/// complete subtree ending at `oldSize` (the seed, at `seedLevel`/`seedIndex`), whether its hash is the proof's
/// first element, and the path from it to the new root, which is the tail of the inclusion path of leaf
/// `oldSize − 1`.
struct ConsistencyShape {
    let seedLevel: Int
    let seedIndex: UInt64
    let seedInProof: Bool
    let path: ProofShape

    init(oldSize: UInt64, newSize: UInt64) {
        precondition(0 < oldSize && oldSize < newSize)
        seedLevel = oldSize.trailingZeroBitCount
        seedIndex = (oldSize - 1) >> UInt64(seedLevel)
        seedInProof = seedIndex != 0
        path = ProofShape(index: oldSize - 1, size: newSize)
    }

    /// The number of hashes in the proof: the seed (unless it is the old root), the inner siblings above the seed,
    /// and the left border.
    var proofLength: Int { (seedInProof ? 1 : 0) + (path.inner - seedLevel) + path.border }
}
