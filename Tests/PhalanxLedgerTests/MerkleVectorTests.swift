import Foundation
import PhalanxCore
import PhalanxLedger
import Testing

/// transparency-dev/merkle's published test vectors: the RFC 6962 proof tables of `proof/verify_test.go` and the
/// JSON probes of `testdata/inclusion` and `testdata/consistency` (happy paths and their corruptions).
@Suite("Merkle proofs match transparency-dev/merkle's test vectors")
struct MerkleVectorTests {
    // MARK: The RFC 6962 proof tables

    struct ProofTables: Decodable {
        struct Inclusion: Decodable {
            /// 1-based, as in the upstream table.
            let leaf: UInt64
            let size: UInt64
            let proof: [String]
        }
        struct Consistency: Decodable {
            let size1: UInt64
            let size2: UInt64
            let proof: [String]
        }
        let inclusionProofs: [Inclusion]
        let consistencyProofs: [Consistency]
    }

    static let tables: ProofTables = try! MerkleVectors.decode(ProofTables.self, from: "rfc6962-proofs.json")

    @Test("inclusion proofs of the RFC 6962 table are generated exactly and verify", arguments: 0..<5)
    func inclusionTable(row: Int) throws {
        let vector = Self.tables.inclusionProofs[row]
        let tree = MerkleVectors.treeHashes
        let index = vector.leaf - 1
        let expected = vector.proof.map(merkleDigest(hex:))
        let root = merkleDigest(hex: tree.rootHashes[Int(vector.size)])
        let leafHash = MerkleHashing.leafHash(tree.leaves[Int(index)])

        #expect(try MerkleTree.inclusionProof(index: index, size: vector.size, in: tree.levels) == expected)
        #expect(
            try MerkleVerifier.rootFromInclusionProof(
                leafHash: leafHash, index: index, size: vector.size, proof: expected)
                == root)
        try MerkleVerifier.verifyInclusion(
            leafHash: leafHash, index: index, size: vector.size, proof: expected, root: root)
        #expect(NaiveMerkle.path(Int(index), tree.levels.leafHashesForTesting[..<Int(vector.size)]) == expected)
    }

    @Test("consistency proofs of the RFC 6962 table are generated exactly and verify", arguments: 0..<5)
    func consistencyTable(row: Int) throws {
        let vector = Self.tables.consistencyProofs[row]
        let tree = MerkleVectors.treeHashes
        let expected = vector.proof.map(merkleDigest(hex:))
        let oldRoot = merkleDigest(hex: tree.rootHashes[Int(vector.size1)])
        let newRoot = merkleDigest(hex: tree.rootHashes[Int(vector.size2)])

        #expect(
            try MerkleTree.consistencyProof(oldSize: vector.size1, newSize: vector.size2, in: tree.levels) == expected)
        try MerkleVerifier.verifyConsistency(
            oldSize: vector.size1, newSize: vector.size2, oldRoot: oldRoot, newRoot: newRoot, proof: expected)
        #expect(
            NaiveMerkle.proof(Int(vector.size1), tree.levels.leafHashesForTesting[..<Int(vector.size2)]) == expected)
    }

    // MARK: The JSON probes

    /// One probe file: a proof with a claim, and whether transparency-dev's verifier must refuse it.
    struct InclusionProbe: Decodable {
        let leafIndex: UInt64
        let treeSize: UInt64
        let root: String
        let leafHash: String
        let proof: [String]?
        let desc: String
        let wantErr: Bool

        enum CodingKeys: String, CodingKey { case leafIdx, leafIndex, treeSize, root, leafHash, proof, desc, wantErr }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            // Older upstream files spell the index "leafIndex", newer ones "leafIdx".
            leafIndex =
                try container.decodeIfPresent(UInt64.self, forKey: .leafIdx)
                ?? container.decode(UInt64.self, forKey: .leafIndex)
            treeSize = try container.decode(UInt64.self, forKey: .treeSize)
            root = try container.decode(String.self, forKey: .root)
            leafHash = try container.decode(String.self, forKey: .leafHash)
            proof = try container.decodeIfPresent([String].self, forKey: .proof)
            desc = try container.decode(String.self, forKey: .desc)
            wantErr = try container.decode(Bool.self, forKey: .wantErr)
        }
    }

    struct ConsistencyProbe: Decodable {
        let size1: UInt64
        let size2: UInt64
        let root1: String
        let root2: String
        let proof: [String]?
        let desc: String
        let wantErr: Bool
    }

    /// Upstream's probes carry raw byte strings; a ``SHA256Digest`` holds exactly 32 bytes, so a probe with a
    /// shorter "hash" (`"WrongLeaf"`, an empty string, `"don't care 1"`) is refused before any verification.
    static func digests(base64 strings: [String]) -> [SHA256Digest]? {
        var digests: [SHA256Digest] = []
        for string in strings {
            guard let data = Data(base64Encoded: string), let digest = try? SHA256Digest(bytes: [UInt8](data)) else {
                return nil
            }
            digests.append(digest)
        }
        return digests
    }

    /// The two probes upstream accepts whose "roots" are the 12-byte strings "don't care 1"/"don't care 2": they
    /// cannot be expressed with 32-byte digests at all. ``equalSizesWithoutDigests()`` checks their meaning with
    /// real digests instead.
    static let unrepresentableAcceptedProbes: Set<String> = [
        "consistency/additional/sizes-are-equal-zero-and-proof-is-empty.json",
        "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json",
    ]

    static let inclusionFiles = MerkleVectors.jsonFiles(under: "inclusion")
    static let consistencyFiles = MerkleVectors.jsonFiles(under: "consistency")

    @Test("all 196 upstream probe files are present")
    func probeFilesPresent() throws {
        #expect(Self.inclusionFiles.count == 98)
        #expect(Self.consistencyFiles.count == 98)
        let inclusion = try Self.inclusionFiles.map { try MerkleVectors.decode(InclusionProbe.self, from: $0) }
        let consistency = try Self.consistencyFiles.map { try MerkleVectors.decode(ConsistencyProbe.self, from: $0) }
        #expect(inclusion.filter { !$0.wantErr }.count == 6)
        #expect(consistency.filter { !$0.wantErr }.count == 7)
    }

    @Test("inclusion probe", arguments: inclusionFiles)
    func inclusionProbe(file: String) throws {
        let probe = try MerkleVectors.decode(InclusionProbe.self, from: file)
        guard let values = Self.digests(base64: [probe.root, probe.leafHash] + (probe.proof ?? [])) else {
            #expect(probe.wantErr, "\(file): a probe with a hash that is not 32 bytes must be one upstream refuses")
            return
        }
        let root = values[0]
        let leafHash = values[1]
        let proof = Array(values[2...])
        let outcome = Result { () throws(MerkleError) in
            try MerkleVerifier.verifyInclusion(
                leafHash: leafHash, index: probe.leafIndex, size: probe.treeSize, proof: proof, root: root)
        }
        switch outcome {
        case .success:
            #expect(!probe.wantErr, "\(file) (\(probe.desc)) was accepted")
        case .failure(let error):
            #expect(probe.wantErr, "\(file) (\(probe.desc)) was refused: \(error)")
        }
        guard !probe.wantErr else { return }

        #expect(
            try MerkleVerifier.rootFromInclusionProof(
                leafHash: leafHash, index: probe.leafIndex, size: probe.treeSize, proof: proof) == root)
        // Generation: rebuild the probe's tree and produce the same proof.
        let levels = try Self.tree(withRoot: root, size: probe.treeSize, singleLeaf: leafHash)
        #expect(try MerkleTree.inclusionProof(index: probe.leafIndex, size: probe.treeSize, in: levels) == proof)
    }

    @Test("consistency probe", arguments: consistencyFiles)
    func consistencyProbe(file: String) throws {
        let probe = try MerkleVectors.decode(ConsistencyProbe.self, from: file)
        guard let values = Self.digests(base64: [probe.root1, probe.root2] + (probe.proof ?? [])) else {
            if Self.unrepresentableAcceptedProbes.contains(file) {
                #expect(!probe.wantErr)
            } else {
                #expect(probe.wantErr, "\(file): a probe with a hash that is not 32 bytes must be one upstream refuses")
            }
            return
        }
        let oldRoot = values[0]
        let newRoot = values[1]
        let proof = Array(values[2...])
        let outcome = Result { () throws(MerkleError) in
            try MerkleVerifier.verifyConsistency(
                oldSize: probe.size1, newSize: probe.size2, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
        }
        switch outcome {
        case .success:
            #expect(!probe.wantErr, "\(file) (\(probe.desc)) was accepted")
        case .failure(let error):
            #expect(probe.wantErr, "\(file) (\(probe.desc)) was refused: \(error)")
        }
        guard !probe.wantErr else { return }

        let levels = try Self.tree(withRoot: newRoot, size: probe.size2, singleLeaf: nil)
        #expect(try MerkleTree.root(size: probe.size1, in: levels) == oldRoot)
        #expect(try MerkleTree.consistencyProof(oldSize: probe.size1, newSize: probe.size2, in: levels) == proof)
    }

    /// What the two unrepresentable probes mean, with real digests: equal sizes and equal roots with an empty proof
    /// are consistent; for size 0 the root must moreover be the empty tree's.
    @Test("equal sizes with an empty proof, restated with digests")
    func equalSizesWithoutDigests() throws {
        let someRoot = SHA256Digest.of(Array("don't care 2".utf8))
        try MerkleVerifier.verifyConsistency(oldSize: 1, newSize: 1, oldRoot: someRoot, newRoot: someRoot, proof: [])
        let empty = MerkleHashing.emptyRoot
        try MerkleVerifier.verifyConsistency(oldSize: 0, newSize: 0, oldRoot: empty, newRoot: empty, proof: [])
        expectMerkleError(.rootMismatch) {
            try MerkleVerifier.verifyConsistency(
                oldSize: 0, newSize: 0, oldRoot: someRoot, newRoot: someRoot, proof: [])
        }
    }

    /// The tree a happy-path probe was made from: the reference tree of `constants.go` if its root matches, else
    /// (the single-entry probes) the one-leaf tree.
    static func tree(withRoot root: SHA256Digest, size: UInt64, singleLeaf: SHA256Digest?) throws -> MerkleLevels {
        let reference = MerkleVectors.treeHashes.levels
        if size <= reference.leafCount, try MerkleTree.root(size: size, in: reference) == root { return reference }
        if size == 1, let singleLeaf, singleLeaf == root { return MerkleLevels(leafHashes: [singleLeaf]) }
        Issue.record("no known tree of \(size) leaves has root \(root)")
        return reference
    }
}

extension MerkleLevels {
    /// The leaf hashes, read back through the public node interface.
    var leafHashesForTesting: [SHA256Digest] {
        (0..<leafCount).map { try! node(level: 0, index: $0) }
    }
}
