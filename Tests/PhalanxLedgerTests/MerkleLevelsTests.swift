import PhalanxCore
import PhalanxLedger
import Testing

/// ``MerkleLevels`` keeps every complete subtree, reports exactly the nodes each append completes, and serves
/// roots and proofs with O(log n) reads.
@Suite("MerkleLevels: the in-memory store of complete subtrees")
struct MerkleLevelsTests {
    @Test("append returns the leaf, then the parents it completed, bottom-up")
    func appendReportsCompletedNodes() throws {
        var levels = MerkleLevels()
        var reported: [(level: Int, index: UInt64, hash: SHA256Digest)] = []
        let leaves = merkleTestLeaves(300)
        for (position, leaf) in leaves.enumerated() {
            let nodes = levels.append(leafHash: leaf)
            let index = UInt64(position)
            // Leaf i completes one node per trailing 1 bit of i, plus the leaf itself.
            #expect(nodes.count == 1 + (~index).trailingZeroBitCount)
            #expect(nodes.first?.level == 0)
            #expect(nodes.first?.index == index)
            #expect(nodes.first?.hash == leaf)
            for (offset, node) in nodes.enumerated() {
                #expect(node.level == offset)
                #expect(node.index == index >> UInt64(offset))
                // Each reported node is the MTH of the leaves it spans, and is now readable.
                let begin = Int(node.index) << node.level
                let end = begin + (1 << node.level)
                #expect(end == position + 1)
                #expect(node.hash == NaiveMerkle.mth(leaves[begin..<end]))
                #expect(try levels.node(level: node.level, index: node.index) == node.hash)
            }
            reported += nodes
            #expect(levels.leafCount == index + 1)
        }
        // Over n appends, every complete subtree is reported exactly once: Σ_L ⌊n / 2^L⌋ = 2n − popcount(n).
        let n = leaves.count
        #expect(reported.count == 2 * n - n.nonzeroBitCount)
        #expect(reported.count == (0..<64).reduce(0) { $0 + (n >> $1) })
        let positions = Set(reported.map { "\($0.level)/\($0.index)" })
        #expect(positions.count == reported.count)
    }

    @Test("the root of every prefix equals MTH of that prefix", arguments: [0, 1, 2, 3, 127, 128, 129, 300])
    func rootOfEveryPrefix(total: Int) throws {
        let leaves = merkleTestLeaves(total)
        let levels = MerkleLevels(leafHashes: leaves)
        for size in 0...total {
            #expect(try MerkleTree.root(size: UInt64(size), in: levels) == NaiveMerkle.mth(leaves[..<size]))
        }
        expectMerkleError(.sizeOutOfRange) { _ = try MerkleTree.root(size: UInt64(total) + 1, in: levels) }
    }

    @Test("growing the tree leaf by leaf keeps every earlier root")
    func rootsWhileGrowing() throws {
        let leaves = merkleTestLeaves(130)
        var levels = MerkleLevels()
        var roots: [SHA256Digest] = [try MerkleTree.root(size: 0, in: levels)]
        for leaf in leaves {
            levels.append(leafHash: leaf)
            roots.append(try MerkleTree.root(size: levels.leafCount, in: levels))
            // Appending never changes the root of an earlier size.
            let probe = Int(levels.leafCount / 2)
            #expect(try MerkleTree.root(size: UInt64(probe), in: levels) == roots[probe])
        }
        for (size, root) in roots.enumerated() { #expect(root == NaiveMerkle.mth(leaves[..<size])) }
    }

    @Test("building from a sequence equals appending one by one")
    func initFromSequence() throws {
        let leaves = merkleTestLeaves(77)
        var appended = MerkleLevels()
        for leaf in leaves { appended.append(leafHash: leaf) }
        let built = MerkleLevels(leafHashes: leaves)
        let lazy = MerkleLevels(leafHashes: leaves.lazy.map { $0 })
        #expect(built.leafCount == 77)
        #expect(lazy.leafCount == 77)
        for level in 0..<7 {
            for index in 0..<(UInt64(77) >> UInt64(level)) {
                let expected = try appended.node(level: level, index: index)
                #expect(try built.node(level: level, index: index) == expected)
                #expect(try lazy.node(level: level, index: index) == expected)
            }
        }
        #expect(MerkleLevels(leafHashes: []).leafCount == 0)
    }

    @Test("nodes that are not complete do not exist")
    func incompleteNodesAreMissing() {
        let levels = MerkleLevels(leafHashes: merkleTestLeaves(6))
        // Level 1 holds [0,2) [2,4) [4,6); level 2 holds [0,4) only; nothing at level 3.
        expectMerkleError(.missingNode) { _ = try levels.node(level: 0, index: 6) }
        expectMerkleError(.missingNode) { _ = try levels.node(level: 1, index: 3) }
        expectMerkleError(.missingNode) { _ = try levels.node(level: 2, index: 1) }
        expectMerkleError(.missingNode) { _ = try levels.node(level: 3, index: 0) }
        expectMerkleError(.missingNode) { _ = try MerkleLevels().node(level: 0, index: 0) }
        #expect((try? levels.node(level: 2, index: 0)) != nil)
    }

    @Test("a copy is independent of the original (value semantics)")
    func valueSemantics() throws {
        var original = MerkleLevels(leafHashes: merkleTestLeaves(5))
        let copy = original
        original.append(leafHash: merkleTestLeaf(5))
        #expect(copy.leafCount == 5)
        #expect(original.leafCount == 6)
        expectMerkleError(.missingNode) { _ = try copy.node(level: 1, index: 2) }
        #expect(try original.node(level: 1, index: 2) == MerkleHashing.nodeHash(merkleTestLeaf(4), merkleTestLeaf(5)))
    }

    /// Proofs on a tree of 2^40 + a few leaves, served by a source that makes node hashes up: generation must read
    /// only O(log n) nodes, or it would never finish.
    @Test(
        "proofs read O(log n) nodes, never the whole tree",
        arguments: [UInt64(1) << 40, (UInt64(1) << 40) + 1, (UInt64(1) << 40) + 0x5A5A5, UInt64.max >> 1])
    func logarithmicReads(size: UInt64) throws {
        let source = CountingNodeSource(SyntheticNodeSource(leafCount: size))
        let root = try MerkleTree.root(size: size, in: source)
        #expect(source.reads == size.nonzeroBitCount)

        for index in [0, 1, size / 3, size / 2, size - 2, size - 1] {
            let before = source.reads
            let proof = try MerkleTree.inclusionProof(index: index, size: size, in: source)
            #expect(source.reads - before <= 2 * UInt64.bitWidth)
            #expect(proof.count <= UInt64.bitWidth)
            // The generated proof verifies against the root computed the same way.
            let leaf = try source.node(level: 0, index: index)
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof, root: root)
        }
        for oldSize in [1, 2, 3, size / 2 + 1, size - 1] {
            let before = source.reads
            let proof = try MerkleTree.consistencyProof(oldSize: oldSize, newSize: size, in: source)
            #expect(source.reads - before <= 2 * UInt64.bitWidth)
            let oldRoot = try MerkleTree.root(size: oldSize, in: SyntheticNodeSource(leafCount: size))
            try MerkleVerifier.verifyConsistency(
                oldSize: oldSize, newSize: size, oldRoot: oldRoot, newRoot: root, proof: proof)
        }
    }

    @Test("a failure of the node source reaches the caller as missingNode")
    func sourceFailure() {
        struct BrokenStore: MerkleNodeSource, Sendable {
            struct IOError: Error {}
            var leafCount: UInt64 { 10 }
            func node(level: Int, index: UInt64) throws -> SHA256Digest { throw IOError() }
        }
        expectMerkleError(.missingNode) { _ = try MerkleTree.root(size: 10, in: BrokenStore()) }
        expectMerkleError(.missingNode) { _ = try MerkleTree.inclusionProof(index: 3, size: 10, in: BrokenStore()) }
        expectMerkleError(.missingNode) {
            _ = try MerkleTree.consistencyProof(oldSize: 3, newSize: 10, in: BrokenStore())
        }
        // Nothing is read for the empty tree.
        #expect((try? MerkleTree.root(size: 0, in: BrokenStore())) == MerkleHashing.emptyRoot)
    }
}
