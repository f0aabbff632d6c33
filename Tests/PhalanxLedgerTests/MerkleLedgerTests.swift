import Foundation
import GRDB
import PhalanxCore
import Testing
import _TestSupport

@testable import PhalanxLedger

@Suite("The durable Merkle ledger")
struct MerkleLedgerTests {
    static let origin = "test.phalanx.local/ledger"

    func record(_ i: Int) -> AuditRecord { Fixtures.everyRecord[i % Fixtures.everyRecord.count] }

    func fill(_ ledger: MerkleLedger, count: Int, from start: Int = 0) async throws {
        for i in start..<(start + count) { try await ledger.append(record(i), tick: UInt64(i), timestampMs: Int64(i)) }
    }

    /// Runs SQL on a closed ledger file, as an attacker with file access would.
    func tamper(_ path: String, _ sql: String) throws {
        let db = try DatabaseQueue(path: path)
        try db.write { try $0.execute(sql: sql) }
        try db.close()
    }

    @Test("appends are numbered, survive reopening, and the root matches a tree rebuilt from the entries")
    func appendAndReopen() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ledger.sqlite").path
        let signer = Fixtures.signer()
        var root: SHA256Digest
        do {
            let ledger = try MerkleLedger.create(path: path, origin: Self.origin, signer: signer)
            try await fill(ledger, count: 300)
            try await ledger.commitBlock()
            root = try await ledger.root(size: 300)
            #expect(await ledger.size == 300)
        }
        let reopened = try MerkleLedger.open(path: path)
        #expect(await reopened.size == 300)
        #expect(try await reopened.root(size: 300) == root)
        let entries = try await reopened.entries(from: 0, count: 300)
        #expect(entries.map(\.index) == Array(0..<300))
        #expect(entries[17].record == record(17))
        var rebuilt = MerkleLevels()
        for data in try await reopened.leafData(from: 0, count: 300) {
            rebuilt.append(leafHash: MerkleHashing.leafHash(data))
        }
        #expect(try MerkleTree.root(size: 300, in: rebuilt) == root)
        let note = try #require(try await reopened.latestCheckpoint())
        let checkpoint = try Checkpoint(parsing: note.text)
        #expect(checkpoint.size == 300 && checkpoint.root == root && checkpoint.origin == Self.origin)
        #expect(try note.verify(with: [reopened.verifierKey]).count == 1)
        await #expect(throws: LedgerError.self) { try await reopened.append(record(0), tick: nil, timestampMs: 0) }
        #expect(LedgerVerifier.verify(path: path).isValid)
    }

    @Test("concurrent appends are committed in groups, each index exactly once, and every one is durable")
    func groupCommit() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ledger.sqlite").path
        let ledger = try MerkleLedger.create(
            path: path, origin: Self.origin, signer: Fixtures.signer(), maximumBatch: 64)
        let indices = try await withThrowingTaskGroup(of: UInt64.self) { group in
            for i in 0..<2_000 {
                group.addTask { try await ledger.append(self.record(i), tick: nil, timestampMs: Int64(i)) }
            }
            return try await group.reduce(into: [UInt64]()) { $0.append($1) }
        }
        #expect(indices.sorted() == Array(0..<2_000))
        let entries = try await ledger.entries(from: 0, count: 2_000)
        #expect(entries.enumerated().allSatisfy { UInt64($0.offset) == $0.element.index })
        try await ledger.commitBlock()
        let report = LedgerVerifier.verify(path: path)
        #expect(report.isValid, "\(report.problems)")
        #expect(report.entries == 2_000)
    }

    @Test("proofs from the ledger verify against its signed checkpoints")
    func proofs() async throws {
        let ledger = try MerkleLedger.create(path: nil, origin: Self.origin, signer: Fixtures.signer())
        try await fill(ledger, count: 37)
        let first = try Checkpoint(parsing: try await ledger.commitBlock().text)
        try await fill(ledger, count: 20, from: 37)
        let second = try Checkpoint(parsing: try await ledger.commitBlock().text)
        #expect(first.size == 37 && second.size == 57)
        for index in [0, 1, 20, 36] as [UInt64] {
            let proof = try await ledger.inclusionProof(index: index, size: 37)
            let data = try await ledger.leafData(from: index, count: 1)[0]
            try MerkleVerifier.verifyInclusion(
                leafHash: MerkleHashing.leafHash(data), index: index, size: 37, proof: proof, root: first.root)
        }
        let consistency = try await ledger.consistencyProof(oldSize: 37, newSize: 57)
        try MerkleVerifier.verifyConsistency(
            oldSize: 37, newSize: 57, oldRoot: first.root, newRoot: second.root, proof: consistency)
        #expect(try await ledger.checkpoints().count == 2)
        // Signing again without new entries returns the same checkpoint.
        #expect(try await ledger.commitBlock().text == second.text)
    }

    @Test("the ledger refuses to sign a checkpoint inconsistent with the last one it signed")
    func refusesForkedCheckpoint() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ledger.sqlite").path
        let signer = Fixtures.signer()
        do {
            let ledger = try MerkleLedger.create(path: path, origin: Self.origin, signer: signer)
            try await fill(ledger, count: 10)
            try await ledger.commitBlock()
        }
        // Someone rewrites entry 3 and its leaf hash consistently; the signed checkpoint of 10 no longer matches.
        let forged = try LedgerEntry(index: 3, tick: 3, timestampMs: 3, record: record(4)).leafData()
        try tamper(
            path,
            "UPDATE entries SET body = x'\(Hex.encode(forged))', leaf = x'\(MerkleHashing.leafHash(forged).hex)' WHERE idx = 3"
        )
        let ledger = try MerkleLedger.open(path: path, signer: signer)
        try await fill(ledger, count: 1, from: 10)
        await #expect {
            try await ledger.commitBlock()
        } throws: { error in
            (error as? LedgerError)?.code == .inconsistent
        }
        let report = LedgerVerifier.verify(path: path)
        #expect(!report.isValid)
    }

    @Test("only the ledger's own key may append and sign; another ledger file is refused")
    func keys() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ledger.sqlite").path
        _ = try MerkleLedger.create(path: path, origin: Self.origin, signer: Fixtures.signer())
        #expect(throws: LedgerError.self) { try MerkleLedger.open(path: path, signer: Fixtures.signer()) }
        #expect(throws: LedgerError.self) {
            try MerkleLedger.create(path: path, origin: Self.origin, signer: Fixtures.signer())
        }
        #expect(throws: LedgerError.self) { try MerkleLedger.open(path: dir.appendingPathComponent("none").path) }
        let notALedger = dir.appendingPathComponent("other.sqlite").path
        let other = try DatabaseQueue(path: notALedger)
        try await other.write { try $0.execute(sql: "CREATE TABLE t(x)") }
        try other.close()
        #expect(throws: (any Error).self) { try MerkleLedger.open(path: notALedger) }
        let report = LedgerVerifier.verify(path: notALedger)
        #expect(report.firstProblem?.kind == .corruptDatabase)
    }

    // MARK: - Tampering

    /// A closed ledger file with 40 entries and checkpoints at 16, 32 and 40.
    func sampleLedger() async throws -> (URL, String) {
        let dir = try Fixtures.temporaryDirectory()
        let path = dir.appendingPathComponent("ledger.sqlite").path
        let ledger = try MerkleLedger.create(path: path, origin: Self.origin, signer: Fixtures.signer())
        try await fill(ledger, count: 16)
        try await ledger.commitBlock()
        try await fill(ledger, count: 16, from: 16)
        try await ledger.commitBlock()
        try await fill(ledger, count: 8, from: 32)
        try await ledger.commitBlock()
        return (dir, path)
    }

    static let tamperings: [(name: String, sql: String, kind: LedgerVerificationReport.Kind, index: UInt64?)] = [
        (
            "changed entry body",
            "UPDATE entries SET body = substr(body, 1, 20) || x'7A' || substr(body, 22) WHERE idx = 9", .changedEntry, 9
        ),
        ("changed leaf hash", "UPDATE entries SET leaf = zeroblob(32) WHERE idx = 21", .changedEntry, 21),
        ("deleted entry", "DELETE FROM entries WHERE idx = 7", .missingEntry, 7),
        ("truncated log", "DELETE FROM entries WHERE idx >= 35", .missingEntry, 35),
        (
            "swapped entries",
            "UPDATE entries SET idx = -1 WHERE idx = 12; UPDATE entries SET idx = 12 WHERE idx = 13; UPDATE entries SET idx = 13 WHERE idx = -1",
            .reorderedEntries, 12
        ),
        (
            "changed interior hash", "UPDATE nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 5", .changedEntry,
            20
        ),
        ("deleted interior hash", "DELETE FROM nodes WHERE level = 1 AND idx = 3", .changedNode, nil),
        (
            "forged checkpoint",
            "UPDATE checkpoints SET note = replace(note, char(10) || '32' || char(10), char(10) || '33' || char(10)) WHERE size = 32",
            .badSignature, 32
        ),
        ("deleted meta", "DELETE FROM meta", .corruptDatabase, nil),
    ]

    @Test("verify names the first bad index and what is wrong", arguments: tamperings)
    func tampering(_ t: (name: String, sql: String, kind: LedgerVerificationReport.Kind, index: UInt64?)) async throws {
        let (dir, path) = try await sampleLedger()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(LedgerVerifier.verify(path: path).isValid)
        try tamper(path, t.sql)
        let report = LedgerVerifier.verify(path: path)
        let first = try #require(report.firstProblem, "\(t.name) went undetected")
        #expect(first.kind == t.kind, "\(t.name): \(first)")
        #expect(first.index == t.index, "\(t.name): \(first)")
    }

    @Test("a validly signed checkpoint whose root disagrees with the entries is an inconsistent checkpoint")
    func inconsistentButSigned() async throws {
        let dir = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("ledger.sqlite").path
        let signer = Fixtures.signer()
        do {
            let ledger = try MerkleLedger.create(path: path, origin: Self.origin, signer: signer)
            try await fill(ledger, count: 12)
            try await ledger.commitBlock()
            try await fill(ledger, count: 8, from: 12)
            try await ledger.commitBlock()
        }
        // The key holder signs a second view of size 12 (a fork) and slips it in place of the real one.
        let fork = try Checkpoint(origin: Self.origin, size: 12, root: Fixtures.digest("another history"))
        let note = try SignedNote.sign(text: fork.text, name: Self.origin, with: signer)
        try tamper(path, "UPDATE checkpoints SET note = '\(note.rendered)' WHERE size = 12")
        let report = LedgerVerifier.verify(path: path)
        let first = try #require(report.firstProblem)
        #expect(first.kind == .inconsistentCheckpoint)
        #expect(first.index == 0, "no earlier checkpoint vouches for any prefix, so the bad range starts at 0")
        #expect(first.message.contains("below 12"))
    }

    @Test("a checkpoint from another key is refused when the key is pinned")
    func pinnedKey() async throws {
        let (dir, path) = try await sampleLedger()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stranger = try NoteVerifierKey(
            name: Self.origin, publicKey: [UInt8](Fixtures.signer().publicIdentity.publicKey))
        let report = LedgerVerifier.verify(path: path, trustedKey: stranger)
        #expect(report.problems.contains { $0.kind == .untrustedKey })
        #expect(report.problems.contains { $0.kind == .badSignature })
    }

    @Test("flipping bytes of the database file never changes the ledger silently")
    func byteFlips() async throws {
        let (dir, path) = try await sampleLedger()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        func content(_ file: String) -> String? {
            guard let db = try? DatabaseQueue(path: file, configuration: LedgerSchema.configuration(readonly: true))
            else { return nil }
            return try? db.read { db in
                let rows =
                    try Row.fetchAll(db, sql: "SELECT idx, body, leaf FROM entries ORDER BY idx")
                    + Row.fetchAll(db, sql: "SELECT level, idx, hash FROM nodes ORDER BY level, idx")
                    + Row.fetchAll(db, sql: "SELECT size, note FROM checkpoints ORDER BY size")
                    + Row.fetchAll(db, sql: "SELECT key, value FROM meta ORDER BY key")
                return rows.map(\.description).joined(separator: "\n")
            }
        }
        let reference = try #require(content(path))
        var detected = 0
        var harmless = 0
        var rng = SplitMix64(seed: 2026)
        let copy = dir.appendingPathComponent("flipped.sqlite").path
        // Every page header, and 1,500 random positions.
        var positions = Set(stride(from: 0, to: original.count, by: 4096).flatMap { [$0, $0 + 1, $0 + 100] })
        while positions.count < 1_500 + original.count / 4096 * 3 {
            positions.insert(Int(rng.next() % UInt64(original.count)))
        }
        for position in positions.sorted() where position < original.count {
            var bytes = original
            bytes[position] ^= 1 << UInt8(rng.next() % 8)
            try bytes.write(to: URL(fileURLWithPath: copy))
            let report = LedgerVerifier.verify(path: copy)
            if !report.isValid {
                detected += 1
            } else {
                // Verify passed: the flip must have hit bytes that carry no ledger data.
                #expect(content(copy) == reference, "a flip at byte \(position) changed the ledger and verify passed")
                harmless += 1
            }
        }
        #expect(detected > 0)
        #expect(detected + harmless == positions.filter { $0 < original.count }.count)
    }
}
