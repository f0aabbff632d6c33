import PhalanxCore

/// Every complete-subtree hash of an append-only Merkle tree, held in memory, level by level.
///
/// Level `L` is one contiguous byte array of `leafCount >> L` hashes of 32 bytes, so a tree of `n` leaves takes
/// about `64·n` bytes and the two children of a node are adjacent in memory. Appending a leaf hashes exactly the
/// parents it completes (one on average, at most 64). This is the ledger's in-memory cache of its `nodes`
/// table, and the tree the verifier tools and the tests build.
public struct MerkleLevels: MerkleNodeSource, Sendable {
    /// `levels[L]` holds the hashes of the complete subtrees at level `L`, in index order, 32 bytes each.
    private var levels: [[UInt8]] = []

    /// The number of leaves appended so far.
    public private(set) var leafCount: UInt64 = 0

    /// An empty tree.
    public init() {}

    /// The tree of the given leaf hashes, in order.
    public init(leafHashes: some Sequence<SHA256Digest>) {
        let expected = leafHashes.underestimatedCount
        if expected > 0 {
            levels.append([])
            levels[0].reserveCapacity(expected * MerkleHashing.digestSize)
        }
        for leafHash in leafHashes { _ = store(leafHash: leafHash) }
    }

    /// The hash of the complete subtree at `level` and `index`; throws ``MerkleError/Code/missingNode`` for a
    /// node that is not (yet) complete.
    public func node(level: Int, index: UInt64) throws(MerkleError) -> SHA256Digest {
        guard level >= 0, level < levels.count, index < UInt64(levels[level].count / MerkleHashing.digestSize) else {
            throw MerkleError(
                .missingNode,
                "no complete subtree at level \(level), index \(index) in a tree of \(leafCount) leaves")
        }
        return hash(level: level, index: Int(index))
    }

    /// Appends a leaf hash and returns every node that became complete: the leaf itself (level 0) first, then
    /// the parents it completed, bottom-up, so that a durable store can persist exactly those.
    @discardableResult
    public mutating func append(leafHash: SHA256Digest) -> [(level: Int, index: UInt64, hash: SHA256Digest)] {
        let index = leafCount
        let completed = store(leafHash: leafHash)
        var nodes: [(level: Int, index: UInt64, hash: SHA256Digest)] = []
        nodes.reserveCapacity(completed)
        nodes.append((level: 0, index: index, hash: leafHash))
        for level in 1..<completed {
            let parent = index >> UInt64(level)
            nodes.append((level: level, index: parent, hash: hash(level: level, index: Int(parent))))
        }
        return nodes
    }

    /// Appends a leaf hash without reporting the completed nodes (no allocation): for rebuilding and verifying.
    public mutating func extend(leafHash: SHA256Digest) {
        _ = store(leafHash: leafHash)
    }

    /// Stores a leaf and the parents it completes; returns how many nodes became complete (at least 1).
    private mutating func store(leafHash: SHA256Digest) -> Int {
        if levels.isEmpty { levels.append([]) }
        levels[0].append(contentsOf: leafHash.bytes)
        leafCount += 1
        var level = 0
        var index = leafCount - 1
        // A node with an odd index is a right child: its parent is now complete.
        while index & 1 == 1 {
            if levels.count == level + 1 { levels.append([]) }
            // Move the parent level out while the children are read, so both are not accessed at once.
            var parents: [UInt8] = []
            swap(&parents, &levels[level + 1])
            let left = Int(index - 1) * MerkleHashing.digestSize
            levels[level].withUnsafeBytes { bytes in
                let children = UnsafeRawBufferPointer(rebasing: bytes[left..<(left + 2 * MerkleHashing.digestSize)])
                MerkleHashing.appendNodeHash(children: children, to: &parents)
            }
            swap(&parents, &levels[level + 1])
            level += 1
            index >>= 1
        }
        return level + 1
    }

    private func hash(level: Int, index: Int) -> SHA256Digest {
        let start = index * MerkleHashing.digestSize
        return MerkleHashing.digest(bytes: Array(levels[level][start..<(start + MerkleHashing.digestSize)]))
    }
}
