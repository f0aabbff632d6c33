import Foundation
import PhalanxCore
import PhalanxLedger
import Testing

/// The published Merkle test vectors kept in `Vectors/merkle` (see the README there for their source).
enum MerkleVectors {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors/merkle", isDirectory: true)

    static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(relativePath))
    }

    static func decode<T: Decodable>(_ type: T.Type, from relativePath: String) throws -> T {
        try JSONDecoder().decode(type, from: data(relativePath))
    }

    /// The relative paths of the `.json` files under `subdirectory`, sorted.
    static func jsonFiles(under subdirectory: String) -> [String] {
        let root = directory.appendingPathComponent(subdirectory, isDirectory: true)
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        var files: [String] = []
        for case let path as String in walker where path.hasSuffix(".json") {
            files.append(subdirectory + "/" + path)
        }
        return files.sorted()
    }

    /// The tree of `testonly/constants.go`: eight leaf inputs, every complete-subtree hash, and the roots of the
    /// trees of 0…8 leaves.
    struct TreeHashes: Decodable {
        let leafInputs: [String]
        let nodeHashes: [[String]]
        let rootHashes: [String]

        var leaves: [[UInt8]] { leafInputs.map { Hex.decode($0)! } }
        var levels: MerkleLevels { MerkleLevels(leafHashes: leaves.map { MerkleHashing.leafHash($0) }) }
    }

    static let treeHashes: TreeHashes = try! decode(TreeHashes.self, from: "tree-hashes.json")
}

/// A 32-byte digest from 64 hex characters; test data only.
func merkleDigest(hex: String) -> SHA256Digest { try! SHA256Digest(hex: hex) }

/// The hash of a distinct leaf for position `index`, for trees built in tests.
func merkleTestLeaf(_ index: Int) -> SHA256Digest {
    MerkleHashing.leafHash(Array("leaf \(index)".utf8))
}

func merkleTestLeaves(_ count: Int) -> [SHA256Digest] { (0..<count).map(merkleTestLeaf) }

/// Runs `body` and checks that it throws a ``MerkleError`` with `code`.
func expectMerkleError(
    _ code: MerkleError.Code, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record(
            "expected \(code), but nothing was thrown. \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation
        )
    } catch let error as MerkleError {
        #expect(error.code == code, "\(error). \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a MerkleError \(code), got \(error)", sourceLocation: sourceLocation)
    }
}

/// The definitions of RFC 9162 §2.1, written out recursively exactly as the RFC states them, with no stored
/// nodes: the reference the optimized code is checked against.
enum NaiveMerkle {
    /// §2.1.1: MTH(D[n]).
    static func mth(_ leaves: ArraySlice<SHA256Digest>) -> SHA256Digest {
        switch leaves.count {
        case 0: return SHA256Digest.of([UInt8]())
        case 1: return leaves[leaves.startIndex]
        default:
            let k = largestPowerOfTwo(below: leaves.count)
            let split = leaves.startIndex + k
            return MerkleHashing.nodeHash(mth(leaves[..<split]), mth(leaves[split...]))
        }
    }

    /// §2.1.3.1: PATH(m, D[n]).
    static func path(_ m: Int, _ leaves: ArraySlice<SHA256Digest>) -> [SHA256Digest] {
        guard leaves.count > 1 else { return [] }
        let k = largestPowerOfTwo(below: leaves.count)
        let split = leaves.startIndex + k
        if m < k { return path(m, leaves[..<split]) + [mth(leaves[split...])] }
        return path(m - k, leaves[split...]) + [mth(leaves[..<split])]
    }

    /// §2.1.4.1: PROOF(m, D[n]) = SUBPROOF(m, D[n], true).
    static func proof(_ m: Int, _ leaves: ArraySlice<SHA256Digest>) -> [SHA256Digest] {
        subproof(m, leaves, true)
    }

    static func subproof(_ m: Int, _ leaves: ArraySlice<SHA256Digest>, _ b: Bool) -> [SHA256Digest] {
        let n = leaves.count
        if m == n { return b ? [] : [mth(leaves)] }
        let k = largestPowerOfTwo(below: n)
        let split = leaves.startIndex + k
        if m <= k { return subproof(m, leaves[..<split], b) + [mth(leaves[split...])] }
        return subproof(m - k, leaves[split...], false) + [mth(leaves[..<split])]
    }

    /// The largest power of two smaller than `n` (n > 1).
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}

extension SHA256Digest {
    /// This digest with bit `bit` (0…255, most significant bit of byte 0 first) inverted.
    func flippingBit(_ bit: Int) -> SHA256Digest {
        var bytes = self.bytes
        bytes[bit / 8] ^= 0x80 >> UInt8(bit % 8)
        return try! SHA256Digest(bytes: bytes)
    }
}

/// A node source that counts the nodes read, to check that proofs touch only O(log n) of them.
final class CountingNodeSource<Base: MerkleNodeSource>: MerkleNodeSource {
    let base: Base
    private(set) var reads = 0
    init(_ base: Base) { self.base = base }
    var leafCount: UInt64 { base.leafCount }
    func node(level: Int, index: UInt64) throws -> SHA256Digest {
        reads += 1
        return try base.node(level: level, index: index)
    }
}

/// A node source for a tree far too large to build: every leaf has the same hash, so the complete subtree at
/// level `L` has the same hash wherever it is, computed once per level. Positions that are not complete are
/// refused, as a real store would.
struct SyntheticNodeSource: MerkleNodeSource {
    let leafCount: UInt64
    private static let levelHashes: [SHA256Digest] = {
        var hashes = [MerkleHashing.leafHash(Array("synthetic leaf".utf8))]
        for _ in 1..<64 { hashes.append(MerkleHashing.nodeHash(hashes.last!, hashes.last!)) }
        return hashes
    }()

    init(leafCount: UInt64) { self.leafCount = leafCount }

    func node(level: Int, index: UInt64) throws -> SHA256Digest {
        guard level >= 0, level < 64, index < leafCount >> UInt64(level) else {
            throw MerkleError(.missingNode, "the synthetic tree has no complete subtree at \(level)/\(index)")
        }
        return Self.levelHashes[level]
    }
}
