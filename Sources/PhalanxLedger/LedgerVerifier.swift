import Foundation
import GRDB
import GRDBSQLite
import PhalanxCore

/// Checks a ledger file from its stored bytes alone: it recomputes every leaf and node hash from the entries,
/// verifies every stored checkpoint's signature, and checks that every checkpoint's root is the root of the
/// entries at its size (so all checkpoints are mutually consistent). Problems name the first bad index.
public enum LedgerVerifier {
    /// Verifies the ledger at `path`. With `trustedKey`, checkpoints must be signed by that key (pin it when
    /// you got the key from somewhere other than the file itself).
    public static func verify(path: String, trustedKey: NoteVerifierKey? = nil) -> LedgerVerificationReport {
        var report = LedgerVerificationReport(path: path)
        do {
            guard FileManager.default.fileExists(atPath: path) else {
                report.add(.notFound, nil, "no ledger at \(path)")
                return report
            }
            let database = try DatabaseQueue(path: path, configuration: LedgerSchema.configuration(readonly: true))
            try database.read { db in try check(db, trustedKey: trustedKey, into: &report) }
        } catch let error as DatabaseError {
            report.add(.corruptDatabase, nil, "SQLite cannot read the file: \(error.message ?? "\(error.resultCode)")")
        } catch {
            report.add(.corruptDatabase, nil, "cannot read the file: \(error)")
        }
        return report
    }

    private static func check(
        _ db: Database, trustedKey: NoteVerifierKey?, into report: inout LedgerVerificationReport
    ) throws {
        let integrity = try String.fetchAll(db, sql: "PRAGMA quick_check")
        if integrity != ["ok"] {
            report.add(.corruptDatabase, nil, "SQLite integrity check: \(integrity.prefix(3).joined(separator: "; "))")
        }
        let meta = try Dictionary(
            Row.fetchAll(db, sql: "SELECT key, value FROM meta").compactMap { row in
                row.safe("key", as: String.self).flatMap { k in row.safe("value", as: String.self).map { (k, $0) } }
            },
            uniquingKeysWith: { a, _ in a }
        )
        guard meta["format"] == LedgerSchema.format, let origin = meta["origin"], let vkey = meta["vkey"],
            let storedKey = try? NoteVerifierKey(parsing: vkey)
        else {
            report.add(.corruptDatabase, nil, "the file is not a \(LedgerSchema.format) ledger (meta table)")
            return
        }
        report.origin = origin
        report.verifierKey = storedKey.vkey
        if let trustedKey, trustedKey != storedKey {
            report.add(.untrustedKey, nil, "the file names key \(storedKey.vkey), not the trusted \(trustedKey.vkey)")
        }
        let key = trustedKey ?? storedKey

        // Entries: position, decoding, self-declared index, leaf hash.
        var levels = MerkleLevels()
        // This loop is the cost of `verify`: it steps SQLite directly and hashes the stored bytes in place.
        let statement = try db.makeStatement(sql: "SELECT idx, body, leaf FROM entries ORDER BY idx")
        let scan = statement.sqliteStatement
        entryScan: while true {
            let step = sqlite3_step(scan)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else {
                report.add(
                    .corruptDatabase, levels.leafCount,
                    "SQLite stopped reading entries: \(String(cString: sqlite3_errstr(step)))")
                break
            }
            let expected = levels.leafCount
            guard sqlite3_column_type(scan, 0) == SQLITE_INTEGER else {
                report.add(
                    .changedEntry, expected, "the row after entry \(Int64(expected) - 1) has an unreadable index")
                break entryScan
            }
            let stored = sqlite3_column_int64(scan, 0)
            guard stored == Int64(expected) else {
                report.add(.missingEntry, expected, "entry \(expected) is missing (the next stored entry is \(stored))")
                break entryScan
            }
            let body = Self.blob(scan, 1)
            let leaf = MerkleHashing.leafHash(body)
            guard let declared = LedgerEntry.declaredIndex(inLeafData: body) else {
                report.add(
                    .changedEntry, expected,
                    "entry \(expected) is not a canonical ledger entry (its bytes were changed)")
                break entryScan
            }
            guard declared == expected else {
                report.add(
                    .reorderedEntries, expected,
                    "row \(expected) holds entry \(declared): entries were reordered or moved")
                break entryScan
            }
            guard Self.blob(scan, 2).elementsEqual(leaf.bytes) else {
                report.add(
                    .changedEntry, expected,
                    "entry \(expected) no longer matches its stored leaf hash (entry or hash changed)")
                break entryScan
            }
            levels.extend(leafHash: leaf)
        }
        report.entries = levels.leafCount
        let intact = report.problems.isEmpty

        // Interior nodes: every stored node must be the recomputed one; every complete subtree must be stored.
        var storedNodes = 0
        var firstNodeProblem: (level: Int, index: UInt64)?
        var coveredBeyond: UInt64?
        let nodeStatement = try db.makeStatement(sql: "SELECT level, idx, hash FROM nodes ORDER BY level, idx")
        let nodes = nodeStatement.sqliteStatement
        while sqlite3_step(nodes) == SQLITE_ROW {
            storedNodes += 1
            guard sqlite3_column_type(nodes, 0) == SQLITE_INTEGER, sqlite3_column_type(nodes, 1) == SQLITE_INTEGER
            else {
                firstNodeProblem = firstNodeProblem ?? (1, 0)
                continue
            }
            let level = Int(sqlite3_column_int64(nodes, 0))
            let rawIndex = sqlite3_column_int64(nodes, 1)
            guard level >= 1, level < 64, rawIndex >= 0 else {
                firstNodeProblem = firstNodeProblem ?? (1, 0)
                continue
            }
            let index = UInt64(rawIndex)
            let end = (index + 1) << UInt64(level)
            if end > levels.leafCount {
                // A stored subtree over entries that are not there: entries were removed.
                coveredBeyond = max(coveredBeyond ?? 0, end)
                continue
            }
            let matches = (try? levels.node(level: level, index: index)).map {
                Self.blob(nodes, 2).elementsEqual($0.bytes)
            }
            if matches != true {
                if let first = firstNodeProblem, first.level <= level { continue }
                firstNodeProblem = (level, index)
            }
        }
        if intact, let end = coveredBeyond {
            report.add(
                .missingEntry, levels.leafCount,
                "stored interior hashes cover entries up to \(end - 1), but only \(levels.leafCount) entries are stored: entries from \(levels.leafCount) are missing"
            )
        }
        if intact, coveredBeyond == nil, let (level, index) = firstNodeProblem {
            let start = index << UInt64(level)
            report.add(
                .changedEntry, start,
                "the stored hash of the subtree over entries [\(start), \(start + (1 << UInt64(level)))) does not match them: an entry in that range or the stored hash was changed"
            )
        }
        // Complete subtrees above the leaves: ⌊n / 2^L⌋ at each level L ≥ 1.
        var expectedNodes = 0
        var level = 1
        while levels.leafCount >> UInt64(level) > 0 {
            expectedNodes += Int(levels.leafCount >> UInt64(level))
            level += 1
        }
        if intact, firstNodeProblem == nil, coveredBeyond == nil, storedNodes != expectedNodes {
            report.add(.changedNode, nil, "\(expectedNodes) interior hashes expected, \(storedNodes) stored")
        }

        // Checkpoints: signature, origin, and root at their size.
        var lastGood: UInt64 = 0
        let notes = try Row.fetchAll(db, sql: "SELECT size, note FROM checkpoints ORDER BY size")
        report.checkpoints = notes.count
        for row in notes {
            guard let rawSize = row.safe("size", as: Int64.self), rawSize >= 0,
                let text = row.safe("note", as: String.self)
            else {
                report.add(.badSignature, nil, "a stored checkpoint is unreadable")
                continue
            }
            let size = UInt64(rawSize)
            let checkpoint: Checkpoint
            do {
                let note = try SignedNote(parsing: text)
                _ = try note.verify(with: [key])
                checkpoint = try Checkpoint(parsing: note.text)
            } catch {
                report.add(.badSignature, size, "the checkpoint at size \(size) does not verify: \(error)")
                continue
            }
            guard checkpoint.origin == origin, checkpoint.size == size else {
                report.add(
                    .inconsistentCheckpoint, size,
                    "the checkpoint stored at size \(size) is for \(checkpoint.origin) size \(checkpoint.size)")
                continue
            }
            report.latestCheckpoint = text
            guard size <= levels.leafCount else {
                // When an entry problem stopped the scan, a checkpoint beyond it is a consequence, not news.
                guard intact else { continue }
                report.add(
                    .missingEntry, levels.leafCount,
                    "a checkpoint covers \(size) entries but only \(levels.leafCount) are readable: entries from \(levels.leafCount) are missing"
                )
                continue
            }
            guard intact else { continue }
            let root = try MerkleTree.root(size: size, in: levels)
            if root != checkpoint.root {
                report.add(
                    .inconsistentCheckpoint, lastGood,
                    "the entries below \(size) do not hash to the signed root of that size: the first bad index is between \(lastGood) and \(size - 1)"
                )
            } else {
                lastGood = size
            }
        }
        if intact { report.root = try MerkleTree.root(size: levels.leafCount, in: levels).hex }
        report.problems.sort { ($0.index ?? .max, $0.kind.rawValue) < ($1.index ?? .max, $1.kind.rawValue) }
    }
}

extension LedgerVerifier {
    /// The bytes of a BLOB (or TEXT) column of the current row, without copying; valid until the next step.
    fileprivate static func blob(_ statement: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer {
        guard let base = sqlite3_column_blob(statement, column) else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: base, count: Int(sqlite3_column_bytes(statement, column)))
    }
}

/// The outcome of ``LedgerVerifier/verify(path:trustedKey:)``.
public struct LedgerVerificationReport: Sendable, Codable {
    public enum Kind: String, Sendable, Codable {
        case notFound = "not-found"
        case corruptDatabase = "corrupt-database"
        case missingEntry = "missing-entry"
        case reorderedEntries = "reordered-entries"
        case changedEntry = "changed-entry"
        case changedNode = "changed-node"
        case badSignature = "bad-signature"
        case inconsistentCheckpoint = "inconsistent-checkpoint"
        case untrustedKey = "untrusted-key"
    }

    public struct Problem: Sendable, Codable, Hashable {
        public let kind: Kind
        /// The first bad entry index, when one can be named.
        public let index: UInt64?
        public let message: String
    }

    public var path: String
    public var origin: String?
    public var verifierKey: String?
    public var entries: UInt64 = 0
    public var checkpoints = 0
    /// Hex root of all entries, when they are intact.
    public var root: String?
    public var latestCheckpoint: String?
    public var problems: [Problem] = []

    public init(path: String) { self.path = path }

    public var isValid: Bool { problems.isEmpty }
    /// The first problem by index: what `verify` reports first.
    public var firstProblem: Problem? { problems.first }

    mutating func add(_ kind: Kind, _ index: UInt64?, _ message: String) {
        problems.append(Problem(kind: kind, index: index, message: message))
    }
}
