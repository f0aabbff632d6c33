import PhalanxCore
import PhalanxLedger
import Testing

/// The edge-case policy of `docs/ledger-merkle.md`, one row at a time.
@Suite("Merkle edge cases follow the documented policy")
struct MerkleEdgeCaseTests {
    let levels = MerkleLevels(leafHashes: merkleTestLeaves(10))
    var root10: SHA256Digest { try! MerkleTree.root(size: 10, in: levels) }
    let someHash = SHA256Digest.of(Array("some hash".utf8))

    // MARK: Size 0

    @Test("size 0: the root is SHA-256 of the empty string, and no inclusion proof exists")
    func emptyTree() throws {
        #expect(try MerkleTree.root(size: 0, in: levels) == MerkleHashing.emptyRoot)
        #expect(try MerkleTree.root(size: 0, in: MerkleLevels()) == MerkleHashing.emptyRoot)
        expectMerkleError(.indexOutOfRange) { _ = try MerkleTree.inclusionProof(index: 0, size: 0, in: levels) }
        expectMerkleError(.indexOutOfRange) {
            _ = try MerkleVerifier.rootFromInclusionProof(leafHash: someHash, index: 0, size: 0, proof: [])
        }
        expectMerkleError(.indexOutOfRange) {
            try MerkleVerifier.verifyInclusion(
                leafHash: someHash, index: 0, size: 0, proof: [], root: MerkleHashing.emptyRoot)
        }
    }

    @Test("consistency from size 0: the empty proof, accepted only with the empty tree's root")
    func consistencyFromEmpty() throws {
        for newSize: UInt64 in [0, 1, 2, 7, 10] {
            #expect(try MerkleTree.consistencyProof(oldSize: 0, newSize: newSize, in: levels) == [])
            let newRoot = try MerkleTree.root(size: newSize, in: levels)
            try MerkleVerifier.verifyConsistency(
                oldSize: 0, newSize: newSize, oldRoot: MerkleHashing.emptyRoot, newRoot: newRoot, proof: [])
            expectMerkleError(.rootMismatch, "a size-0 tree head must carry the empty root") {
                try MerkleVerifier.verifyConsistency(
                    oldSize: 0, newSize: newSize, oldRoot: someHash, newRoot: newRoot, proof: [])
            }
            expectMerkleError(.wrongProofLength) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: 0, newSize: newSize, oldRoot: MerkleHashing.emptyRoot, newRoot: newRoot,
                    proof: [MerkleHashing.emptyRoot])
            }
        }
    }

    // MARK: Equal sizes

    @Test("equal sizes: the proof is empty and the roots must be equal")
    func equalSizes() throws {
        for size: UInt64 in [1, 2, 3, 8, 10] {
            #expect(try MerkleTree.consistencyProof(oldSize: size, newSize: size, in: levels) == [])
            let root = try MerkleTree.root(size: size, in: levels)
            try MerkleVerifier.verifyConsistency(oldSize: size, newSize: size, oldRoot: root, newRoot: root, proof: [])
            expectMerkleError(.rootMismatch) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: size, newSize: size, oldRoot: root, newRoot: someHash, proof: [])
            }
            expectMerkleError(.wrongProofLength) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: size, newSize: size, oldRoot: root, newRoot: root, proof: [root])
            }
        }
    }

    // MARK: Out of range

    @Test("index ≥ size is refused when generating and when verifying")
    func indexOutOfRange() {
        for (index, size): (UInt64, UInt64) in [(10, 10), (11, 10), (1, 1), (UInt64.max, 10), (2, 1)] {
            expectMerkleError(.indexOutOfRange) {
                _ = try MerkleTree.inclusionProof(index: index, size: size, in: levels)
            }
            expectMerkleError(.indexOutOfRange) {
                try MerkleVerifier.verifyInclusion(
                    leafHash: someHash, index: index, size: size, proof: [], root: root10)
            }
        }
    }

    @Test("old size > new size is refused when generating and when verifying")
    func oldGreaterThanNew() {
        expectMerkleError(.oldSizeGreaterThanNew) {
            _ = try MerkleTree.consistencyProof(oldSize: 5, newSize: 4, in: levels)
        }
        expectMerkleError(.oldSizeGreaterThanNew) {
            _ = try MerkleTree.consistencyProof(oldSize: 1, newSize: 0, in: levels)
        }
        expectMerkleError(.oldSizeGreaterThanNew) {
            try MerkleVerifier.verifyConsistency(oldSize: 5, newSize: 4, oldRoot: root10, newRoot: root10, proof: [])
        }
    }

    @Test("a size beyond the stored leaves is refused, not guessed")
    func sizeBeyondStore() {
        expectMerkleError(.sizeOutOfRange) { _ = try MerkleTree.root(size: 11, in: levels) }
        expectMerkleError(.sizeOutOfRange) { _ = try MerkleTree.inclusionProof(index: 3, size: 11, in: levels) }
        expectMerkleError(.sizeOutOfRange) { _ = try MerkleTree.consistencyProof(oldSize: 3, newSize: 11, in: levels) }
        expectMerkleError(.sizeOutOfRange) { _ = try MerkleTree.consistencyProof(oldSize: 0, newSize: 11, in: levels) }
        expectMerkleError(.sizeOutOfRange) {
            _ = try MerkleTree.consistencyProof(oldSize: 11, newSize: 11, in: levels)
        }
    }

    // MARK: Proof length

    @Test("proofs with extra or missing hashes are refused before any hashing")
    func wrongLengths() throws {
        let proof = try MerkleTree.inclusionProof(index: 6, size: 10, in: levels)
        let leaf = merkleTestLeaf(6)
        #expect(proof.count == 4)  // 6 = 0b0110 and 9 = 0b1001 part at the top: four inner levels
        for altered in [proof + [someHash], [someHash] + proof, Array(proof.dropLast()), Array(proof.dropFirst()), []] {
            expectMerkleError(.wrongProofLength) {
                try MerkleVerifier.verifyInclusion(leafHash: leaf, index: 6, size: 10, proof: altered, root: root10)
            }
        }
        // A single-leaf tree: the proof is empty and the leaf hash is the root.
        let one = MerkleLevels(leafHashes: [leaf])
        #expect(try MerkleTree.inclusionProof(index: 0, size: 1, in: one) == [])
        try MerkleVerifier.verifyInclusion(leafHash: leaf, index: 0, size: 1, proof: [], root: leaf)
        expectMerkleError(.wrongProofLength) {
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: 0, size: 1, proof: [leaf], root: leaf)
        }

        let consistency = try MerkleTree.consistencyProof(oldSize: 3, newSize: 10, in: levels)
        let root3 = try MerkleTree.root(size: 3, in: levels)
        for altered in [consistency + [someHash], [someHash] + consistency, Array(consistency.dropLast()), []] {
            expectMerkleError(.wrongProofLength) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: 3, newSize: 10, oldRoot: root3, newRoot: root10, proof: altered)
            }
        }
    }

    @Test("the proof lengths are the RFC's: at most ⌈log2 n⌉ for inclusion")
    func proofLengths() throws {
        let big = MerkleLevels(leafHashes: merkleTestLeaves(1025))
        for size: UInt64 in [1, 2, 3, 4, 5, 512, 513, 1024, 1025] {
            let ceilLog2 = size <= 1 ? 0 : UInt64.bitWidth - (size - 1).leadingZeroBitCount
            for index in Set([0, size / 2, size - 1]) {
                let proof = try MerkleTree.inclusionProof(index: index, size: size, in: big)
                #expect(proof.count <= ceilLog2)
            }
        }
        // A perfect tree: every inclusion proof has exactly log2 n hashes.
        for index: UInt64 in [0, 1, 511, 1023] {
            #expect(try MerkleTree.inclusionProof(index: index, size: 1024, in: big).count == 10)
        }
    }
}
