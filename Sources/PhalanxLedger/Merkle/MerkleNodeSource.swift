import PhalanxCore

/// Read access to the stored hashes of the complete (perfect) subtrees of an append-only Merkle tree.
///
/// Node addressing follows transparency-dev/merkle's `compact.NodeID`: `node(level: 0, index: i)` is the hash of
/// leaf `i`, and `node(level: L, index: i)` is the hash of the complete subtree over the leaves
/// `[i·2^L, (i+1)·2^L)`. Only nodes of complete subtrees exist: a store of `n` leaves holds `n >> L` nodes at
/// level `L`, and `2n − popcount(n)` nodes in all. The hashes of incomplete subtrees on the right edge of the tree
/// are never stored; ``MerkleTree`` computes them from the O(log n) complete subtrees that cover them.
///
/// ``MerkleTree`` asks only for nodes that exist for its size argument. A source that cannot supply one (a store
/// with a hole, an I/O failure) throws; the failure reaches the caller as ``MerkleError/Code/missingNode``.
public protocol MerkleNodeSource {
    /// The number of leaves stored.
    var leafCount: UInt64 { get }
    /// The hash of the complete subtree at `level` and `index` (see the type's documentation).
    func node(level: Int, index: UInt64) throws -> SHA256Digest
}
