import PhalanxCore
import PhalanxLedger
import Testing

/// RFC 9162 §2.1.1 hashing, checked against the tree of transparency-dev/merkle's `testonly/constants.go`.
@Suite("Merkle hashing matches the RFC 6962 / RFC 9162 reference tree")
struct MerkleHashingTests {
    let tree = MerkleVectors.treeHashes

    @Test("the empty tree's root is SHA-256 of the empty string")
    func emptyRoot() throws {
        #expect(MerkleHashing.emptyRoot.hex == tree.rootHashes[0])
        #expect(MerkleHashing.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(try MerkleTree.root(size: 0, in: MerkleLevels()) == MerkleHashing.emptyRoot)
    }

    @Test("leaf hashes are SHA-256(0x00 ‖ entry)")
    func leafHashes() {
        #expect(tree.leaves.count == 8)
        for (leaf, expected) in zip(tree.leaves, tree.nodeHashes[0]) {
            #expect(MerkleHashing.leafHash(leaf).hex == expected)
            #expect(MerkleHashing.leafHash(leaf) == SHA256Digest.of([0x00] + leaf))
        }
    }

    @Test("interior hashes are SHA-256(0x01 ‖ left ‖ right), level by level")
    func nodeHashes() {
        for level in 1..<tree.nodeHashes.count {
            let below = tree.nodeHashes[level - 1].map(merkleDigest(hex:))
            for (index, expected) in tree.nodeHashes[level].enumerated() {
                let left = below[2 * index]
                let right = below[2 * index + 1]
                #expect(MerkleHashing.nodeHash(left, right).hex == expected)
                #expect(MerkleHashing.nodeHash(left, right) == SHA256Digest.of([0x01] + left.bytes + right.bytes))
            }
        }
    }

    @Test("MerkleLevels stores exactly the reference tree's complete-subtree hashes")
    func storedNodes() throws {
        let levels = tree.levels
        #expect(levels.leafCount == 8)
        for (level, hashes) in tree.nodeHashes.enumerated() {
            for (index, expected) in hashes.enumerated() {
                #expect(try levels.node(level: level, index: UInt64(index)).hex == expected)
            }
            expectMerkleError(.missingNode) { _ = try levels.node(level: level, index: UInt64(hashes.count)) }
        }
        expectMerkleError(.missingNode) { _ = try levels.node(level: tree.nodeHashes.count, index: 0) }
        expectMerkleError(.missingNode) { _ = try levels.node(level: -1, index: 0) }
    }

    @Test("the roots of the trees of 0…8 leaves", arguments: 0...8)
    func roots(size: Int) throws {
        let root = try MerkleTree.root(size: UInt64(size), in: tree.levels)
        #expect(root.hex == tree.rootHashes[size])
        // The same value from the leaves alone, by the RFC's recursive definition.
        let leaves = tree.leaves.map { MerkleHashing.leafHash($0) }
        #expect(NaiveMerkle.mth(leaves[..<size]) == root)
    }

    @Test("leaf hashing accepts any DataProtocol and large entries")
    func leafHashOfLargeEntry() {
        let entry = [UInt8](repeating: 0xA5, count: 100_000)
        #expect(MerkleHashing.leafHash(entry) == SHA256Digest.of([0x00] + entry))
        #expect(MerkleHashing.leafHash(entry[10..<20]) == SHA256Digest.of([0x00] + entry[10..<20]))
    }

    @Test("errors carry a code and a readable description")
    func errorDescription() {
        let error = MerkleError(.rootMismatch, "the proof leads elsewhere")
        #expect(error.description == "root mismatch: the proof leads elsewhere")
        #expect(error == MerkleError(.rootMismatch, "the proof leads elsewhere"))
        #expect(error.code != .wrongProofLength)
        let codes: [MerkleError.Code] = [
            .indexOutOfRange, .sizeOutOfRange, .oldSizeGreaterThanNew, .wrongProofLength, .rootMismatch, .missingNode,
        ]
        #expect(Set(codes).count == codes.count)
        #expect(Set(codes.map(\.description)).count == codes.count)
    }
}
