import PhalanxCore
import PhalanxLedger
import Testing
import _TestSupport

/// Proofs generated from ``MerkleLevels`` for many tree shapes agree with the RFC's recursive definitions, verify,
/// and stop verifying when anything about them is changed.
@Suite("Merkle proofs: generated = RFC definition, and every alteration is caught")
struct MerklePropertyTests {
    /// Every size up to 70 (all shapes of the lower levels), the sizes around powers of two up to 257, and
    /// pseudo-random sizes up to 300 (seeded, so a failure reproduces).
    static let sizes: [Int] = {
        var generator = SplitMix64(seed: 0x5EED_6962)
        var sizes = Set(1...70)
        for power in [64, 128, 256] { sizes.formUnion([power - 1, power, power + 1]) }
        while sizes.count < 90 { sizes.insert(Int.random(in: 71...300, using: &generator)) }
        return sizes.sorted()
    }()

    static let tree300 = MerkleLevels(leafHashes: merkleTestLeaves(300))
    static let leaves300 = merkleTestLeaves(300)

    @Test("every inclusion proof equals PATH, verifies, and fails for a wrong index, size or root", arguments: sizes)
    func inclusion(size: Int) throws {
        let n = UInt64(size)
        let levels = Self.tree300
        let leaves = Self.leaves300[..<size]
        let root = try MerkleTree.root(size: n, in: levels)
        #expect(root == NaiveMerkle.mth(leaves))
        var generator = SplitMix64(seed: UInt64(size))

        for index in 0..<size {
            let i = UInt64(index)
            let leaf = leaves[index]
            let proof = try MerkleTree.inclusionProof(index: i, size: n, in: levels)
            #expect(proof == NaiveMerkle.path(index, leaves), "PATH(\(index), D[\(size)])")
            #expect(try MerkleVerifier.rootFromInclusionProof(leafHash: leaf, index: i, size: n, proof: proof) == root)
            try MerkleVerifier.verifyInclusion(leafHash: leaf, index: i, size: n, proof: proof, root: root)

            // Another leaf, or the right leaf claimed at another position.
            let otherLeaf = leaves[(index + 1) % size]
            if otherLeaf != leaf {
                expectMerkleError(.rootMismatch) {
                    try MerkleVerifier.verifyInclusion(leafHash: otherLeaf, index: i, size: n, proof: proof, root: root)
                }
            }
            for wrongIndex in Set([i &- 1, i + 1, i ^ 1, i ^ 2, UInt64.random(in: 0..<n + 2, using: &generator)])
            where wrongIndex != i {
                #expect(throws: MerkleError.self, "index \(wrongIndex) instead of \(i) in \(size)") {
                    try MerkleVerifier.verifyInclusion(
                        leafHash: leaf, index: wrongIndex, size: n, proof: proof, root: root)
                }
            }
            // A wrong size, checked against that size's own (honest) root.
            for wrongSize in Set([n - 1, n + 1, 2 * n, n / 2, UInt64.random(in: 1...300, using: &generator)])
            where wrongSize != n && wrongSize > i && wrongSize <= 300 {
                let wrongRoot = try MerkleTree.root(size: wrongSize, in: levels)
                #expect(throws: MerkleError.self, "size \(wrongSize) instead of \(size) for leaf \(index)") {
                    try MerkleVerifier.verifyInclusion(
                        leafHash: leaf, index: i, size: wrongSize, proof: proof, root: wrongRoot)
                }
            }
            // One flipped bit in each proof hash, at a pseudo-random position.
            for position in proof.indices {
                var altered = proof
                altered[position] = proof[position].flippingBit(Int.random(in: 0..<256, using: &generator))
                expectMerkleError(.rootMismatch) {
                    try MerkleVerifier.verifyInclusion(leafHash: leaf, index: i, size: n, proof: altered, root: root)
                }
            }
            // One hash too many or too few.
            expectMerkleError(.wrongProofLength) {
                try MerkleVerifier.verifyInclusion(leafHash: leaf, index: i, size: n, proof: proof + [root], root: root)
            }
            if !proof.isEmpty {
                expectMerkleError(.wrongProofLength) {
                    try MerkleVerifier.verifyInclusion(
                        leafHash: leaf, index: i, size: n, proof: Array(proof.dropLast()), root: root)
                }
                expectMerkleError(.wrongProofLength) {
                    try MerkleVerifier.verifyInclusion(
                        leafHash: leaf, index: i, size: n, proof: Array(proof.dropFirst()), root: root)
                }
            }
        }
    }

    @Test(
        "every single bit of every proof hash matters",
        arguments: [(1, 0), (2, 1), (3, 2), (5, 4), (7, 3), (8, 5), (13, 12), (32, 17), (33, 32), (300, 255)])
    func everyBit(size: Int, index: Int) throws {
        let n = UInt64(size)
        let i = UInt64(index)
        let leaf = Self.leaves300[index]
        let root = try MerkleTree.root(size: n, in: Self.tree300)
        let proof = try MerkleTree.inclusionProof(index: i, size: n, in: Self.tree300)
        for position in proof.indices {
            for bit in 0..<256 {
                var altered = proof
                altered[position] = proof[position].flippingBit(bit)
                expectMerkleError(.rootMismatch, "hash \(position), bit \(bit)") {
                    try MerkleVerifier.verifyInclusion(leafHash: leaf, index: i, size: n, proof: altered, root: root)
                }
            }
        }
        for bit in 0..<256 {
            expectMerkleError(.rootMismatch, "leaf bit \(bit)") {
                try MerkleVerifier.verifyInclusion(
                    leafHash: leaf.flippingBit(bit), index: i, size: n, proof: proof, root: root)
            }
        }
        if size > 1 {
            let old = n / 2
            let oldRoot = try MerkleTree.root(size: old, in: Self.tree300)
            let consistency = try MerkleTree.consistencyProof(oldSize: old, newSize: n, in: Self.tree300)
            for position in consistency.indices {
                for bit in 0..<256 {
                    var altered = consistency
                    altered[position] = consistency[position].flippingBit(bit)
                    expectMerkleError(.rootMismatch, "consistency hash \(position), bit \(bit)") {
                        try MerkleVerifier.verifyConsistency(
                            oldSize: old, newSize: n, oldRoot: oldRoot, newRoot: root, proof: altered)
                    }
                }
            }
        }
    }

    @Test("consistency proofs for every pair of sizes up to 48 equal SUBPROOF and verify")
    func consistencyAllPairs() throws {
        let leaves = Self.leaves300
        let roots = try (0...48).map { try MerkleTree.root(size: UInt64($0), in: Self.tree300) }
        for newSize in 1...48 {
            for oldSize in 1...newSize {
                let proof = try MerkleTree.consistencyProof(
                    oldSize: UInt64(oldSize), newSize: UInt64(newSize), in: Self.tree300)
                #expect(proof == NaiveMerkle.proof(oldSize, leaves[..<newSize]), "PROOF(\(oldSize), D[\(newSize)])")
                try MerkleVerifier.verifyConsistency(
                    oldSize: UInt64(oldSize), newSize: UInt64(newSize), oldRoot: roots[oldSize],
                    newRoot: roots[newSize], proof: proof)
            }
        }
    }

    @Test(
        "consistency proofs fail for a wrong size, a wrong root, a flipped bit, or a hash added or removed",
        arguments: sizes)
    func consistencyAlterations(newSize: Int) throws {
        let n = UInt64(newSize)
        var generator = SplitMix64(seed: 0xC0FFEE ^ n)
        let newRoot = try MerkleTree.root(size: n, in: Self.tree300)
        // All old sizes for small trees, a sample for large ones.
        let oldSizes: [UInt64] =
            newSize <= 40
            ? Array(1...n)
            : Array(Set((0..<24).map { _ in UInt64.random(in: 1...n, using: &generator) } + [1, n - 1, n])).sorted()
        for m in oldSizes {
            let oldRoot = try MerkleTree.root(size: m, in: Self.tree300)
            let proof = try MerkleTree.consistencyProof(oldSize: m, newSize: n, in: Self.tree300)
            #expect(proof == NaiveMerkle.proof(Int(m), Self.leaves300[..<newSize]))
            try MerkleVerifier.verifyConsistency(
                oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
            if m == n {
                #expect(proof.isEmpty)
                continue
            }

            // Wrong old size or new size, each with that size's honest root.
            for wrongOld in Set([m - 1, m + 1, m ^ 2, UInt64.random(in: 1...n, using: &generator)])
            where wrongOld != m && wrongOld >= 1 && wrongOld <= n {
                let wrongOldRoot = try MerkleTree.root(size: wrongOld, in: Self.tree300)
                #expect(throws: MerkleError.self, "old size \(wrongOld) instead of \(m) → \(n)") {
                    try MerkleVerifier.verifyConsistency(
                        oldSize: wrongOld, newSize: n, oldRoot: wrongOldRoot, newRoot: newRoot, proof: proof)
                }
            }
            for wrongNew in Set([n - 1, n + 1, 2 * n, n / 2]) where wrongNew != n && wrongNew >= m && wrongNew <= 300 {
                let wrongNewRoot = try MerkleTree.root(size: wrongNew, in: Self.tree300)
                #expect(throws: MerkleError.self, "new size \(wrongNew) instead of \(n) from \(m)") {
                    try MerkleVerifier.verifyConsistency(
                        oldSize: m, newSize: wrongNew, oldRoot: oldRoot, newRoot: wrongNewRoot, proof: proof)
                }
            }
            // Wrong or swapped roots.
            let otherRoot = SHA256Digest.of(Array("not a root of this tree".utf8))
            expectMerkleError(.rootMismatch) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: m, newSize: n, oldRoot: otherRoot, newRoot: newRoot, proof: proof)
            }
            expectMerkleError(.rootMismatch) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: otherRoot, proof: proof)
            }
            expectMerkleError(.rootMismatch) {
                try MerkleVerifier.verifyConsistency(
                    oldSize: m, newSize: n, oldRoot: newRoot, newRoot: oldRoot, proof: proof)
            }
            // One flipped bit in each hash.
            for position in proof.indices {
                var altered = proof
                altered[position] = proof[position].flippingBit(Int.random(in: 0..<256, using: &generator))
                expectMerkleError(.rootMismatch, "PROOF(\(m), \(n)) hash \(position)") {
                    try MerkleVerifier.verifyConsistency(
                        oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: newRoot, proof: altered)
                }
            }
            // Hashes added or removed at either end, and the empty proof.
            for altered in [
                proof + [newRoot], [oldRoot] + proof, Array(proof.dropLast()), Array(proof.dropFirst()), [],
            ] {
                expectMerkleError(.wrongProofLength, "PROOF(\(m), \(n)) with \(altered.count) hashes") {
                    try MerkleVerifier.verifyConsistency(
                        oldSize: m, newSize: n, oldRoot: oldRoot, newRoot: newRoot, proof: altered)
                }
            }
        }
    }

    /// An inclusion proof does not commit to the tree size by itself: the root does. Claiming the same leaf in a
    /// tree of another size, against the original root, is refused whenever that size gives the proof another
    /// shape; when the shape is the same, the recomputed root is the same and the claim passes — exactly as in
    /// RFC 9162 §2.1.3.2 and transparency-dev/merkle. Only a root signed for the claimed size (the test above)
    /// makes the size binding.
    @Test("a wrong size with the original root is refused unless the proof has the same shape")
    func sizeWithOriginalRoot() throws {
        var sameShapeAccepted = 0
        for size in 1...48 {
            let n = UInt64(size)
            let root = try MerkleTree.root(size: n, in: Self.tree300)
            for index in 0..<size {
                let i = UInt64(index)
                let proof = try MerkleTree.inclusionProof(index: i, size: n, in: Self.tree300)
                for claimed in UInt64(index + 1)...96 where claimed != n {
                    let sameShape = Self.shape(index: i, size: claimed) == Self.shape(index: i, size: n)
                    let accepted =
                        (try? MerkleVerifier.verifyInclusion(
                            leafHash: Self.leaves300[index], index: i, size: claimed, proof: proof, root: root)) != nil
                    #expect(accepted == sameShape, "leaf \(index) of \(size) claimed in \(claimed)")
                    if accepted { sameShapeAccepted += 1 }
                }
            }
        }
        #expect(sameShapeAccepted > 0)
    }

    /// The split of an inclusion proof into levels where the sibling may be on either side, and left-border
    /// levels (transparency-dev/merkle `decompInclProof`).
    static func shape(index: UInt64, size: UInt64) -> [Bool] {
        let inner = UInt64.bitWidth - (index ^ (size - 1)).leadingZeroBitCount
        let border = (index >> UInt64(inner)).nonzeroBitCount
        return (0..<inner).map { (index >> UInt64($0)) & 1 == 1 } + Array(repeating: true, count: border)
    }
}
