import Foundation
import GRDB
import GRDBSQLite
import PhalanxCore

/// The durable audit ledger: an append-only RFC 9162 Merkle log in SQLite with signed C2SP checkpoints.
///
/// **Durability and group commit.** ``append(_:tick:timestampMs:)`` returns only after the entry's transaction
/// is committed with `synchronous = FULL` in WAL mode, i.e. on disk. Appends that arrive while a commit is in
/// flight are queued and committed together in the next transaction (up to ``maximumBatch`` entries), so the
/// throughput is not one fsync per entry, and an append waits at most for the commit in flight plus its own.
/// If a commit fails, its appends and every append queued behind it fail, and nothing of them is visible.
///
/// **Checkpoints.** ``commitBlock()`` signs a checkpoint of the durable tree with the ledger's key, after
/// checking that the tree at the size of the last signed checkpoint still has that checkpoint's root (a
/// consistency proof is generated and verified): the ledger never signs a view that forks from its past.
///
/// The complete-subtree hashes are kept in memory (64 bytes per entry, about 64 MB per million entries) as a
/// cache in front of the `nodes` table, so proofs read no disk.
public actor MerkleLedger: AuditLedger {
    /// The checkpoint origin: the ledger's name in its signed notes.
    public nonisolated let origin: String
    /// The key that verifies this ledger's checkpoints.
    public nonisolated let verifierKey: NoteVerifierKey
    /// The largest number of entries committed in one transaction.
    public nonisolated let maximumBatch: Int
    private let database: DatabaseQueue
    private let signer: SigningIdentity?
    /// Complete-subtree hashes of every appended leaf, including those of a batch whose commit is in flight.
    private var levels: MerkleLevels
    /// Entries `[0, durableSize)` are committed; everything the ledger shows, proves or signs is within them.
    private var durableSize: UInt64
    private var nextIndex: UInt64
    private var queue: [Pending] = []
    private var committing = false
    private var lastSigned: (size: UInt64, root: SHA256Digest)?

    private struct Pending {
        let index: UInt64
        let body: [UInt8]
        let continuation: CheckedContinuation<UInt64, any Error>
    }

    private init(
        origin: String, verifierKey: NoteVerifierKey, database: DatabaseQueue, signer: SigningIdentity?,
        levels: MerkleLevels, lastSigned: (UInt64, SHA256Digest)?, maximumBatch: Int
    ) {
        self.origin = origin
        self.verifierKey = verifierKey
        self.database = database
        self.signer = signer
        self.levels = levels
        self.durableSize = levels.leafCount
        self.nextIndex = levels.leafCount
        self.lastSigned = lastSigned
        self.maximumBatch = maximumBatch
    }

    /// Creates a new ledger file at `path` (or an in-memory ledger when `path` is `nil`) whose checkpoints are
    /// named `origin` and signed by `signer`. Refuses an existing file.
    public static func create(
        path: String?, origin: String, signer: SigningIdentity, maximumBatch: Int = 8_192
    ) throws -> MerkleLedger {
        let key = try NoteVerifierKey(name: origin, publicKey: [UInt8](signer.publicIdentity.publicKey))
        func initialize(_ database: DatabaseQueue) throws {
            try LedgerSchema.migrator.migrate(database)
            try database.write { db in
                for (k, v) in [("format", LedgerSchema.format), ("origin", origin), ("vkey", key.vkey)] {
                    try db.execute(sql: "INSERT INTO meta(key, value) VALUES (?, ?)", arguments: [k, v])
                }
            }
        }
        guard let path else {
            let database = try DatabaseQueue(configuration: LedgerSchema.configuration(readonly: false))
            try initialize(database)
            return MerkleLedger(
                origin: origin, verifierKey: key, database: database, signer: signer, levels: MerkleLevels(),
                lastSigned: nil, maximumBatch: maximumBatch
            )
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(.alreadyExists, "\(path) already exists; open it instead of creating it")
        }
        // Build the empty ledger beside the target and rename it into place, so a crash during creation never
        // leaves a file at `path` that is not a complete, empty ledger.
        let staging = path + ".creating-\(UUID().uuidString)"
        do {
            let database = try DatabaseQueue(path: staging, configuration: LedgerSchema.configuration(readonly: false))
            try initialize(database)
            try database.close()
            try FileManager.default.moveItem(atPath: staging, toPath: path)
        } catch {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: staging + suffix) }
            throw error
        }
        return try open(path: path, signer: signer, maximumBatch: maximumBatch)
    }

    /// Opens an existing ledger file. With `signer` (which must be the ledger's key) it can append and sign;
    /// without, it is read-only. The in-memory tree is rebuilt from the stored leaf hashes; run
    /// ``LedgerVerifier`` to check the entries themselves.
    public static func open(
        path: String, signer: SigningIdentity? = nil, maximumBatch: Int = 8_192
    ) throws -> MerkleLedger {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LedgerError(.notFound, "no ledger at \(path)")
        }
        let database = try DatabaseQueue(path: path, configuration: LedgerSchema.configuration(readonly: signer == nil))
        let (meta, leaves, last) = try database.read { db in
            let meta = try Dictionary(
                Row.fetchAll(db, sql: "SELECT key, value FROM meta").compactMap { row in
                    row.safe("key", as: String.self).flatMap { k in row.safe("value", as: String.self).map { (k, $0) } }
                }, uniquingKeysWith: { a, _ in a })
            var leaves: [SHA256Digest] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT idx, leaf FROM entries ORDER BY idx")
            while let row = try cursor.next() {
                guard row.safe("idx", as: Int64.self) == Int64(leaves.count),
                    let stored = row.safe("leaf", as: Data.self), let leaf = try? SHA256Digest(bytes: [UInt8](stored))
                else {
                    throw LedgerError(
                        .corrupt,
                        "entry \(leaves.count) is missing or its leaf hash is malformed; run `phalanx ledger verify`")
                }
                leaves.append(leaf)
            }
            let last = try String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")
            return (meta, leaves, last)
        }
        guard meta["format"] == LedgerSchema.format, let origin = meta["origin"], let vkey = meta["vkey"] else {
            throw LedgerError(.corrupt, "\(path) is not a \(LedgerSchema.format) ledger")
        }
        let key = try NoteVerifierKey(parsing: vkey)
        if let signer, try NoteVerifierKey(name: origin, publicKey: [UInt8](signer.publicIdentity.publicKey)) != key {
            throw LedgerError(.wrongKey, "the ledger is signed by \(key.vkey); the given identity holds another key")
        }
        var lastSigned: (UInt64, SHA256Digest)?
        if let last {
            let note = try SignedNote(parsing: last)
            _ = try note.verify(with: [key])
            let checkpoint = try Checkpoint(parsing: note.text)
            lastSigned = (checkpoint.size, checkpoint.root)
        }
        return MerkleLedger(
            origin: origin, verifierKey: key, database: database, signer: signer,
            levels: MerkleLevels(leafHashes: leaves), lastSigned: lastSigned, maximumBatch: maximumBatch
        )
    }

    // MARK: - Appending

    public var size: UInt64 { durableSize }

    /// Appends `record`; returns its index once it is durable.
    ///
    /// The record is encoded here, outside the actor, so concurrent appenders encode in parallel; the actor only
    /// numbers the entry and queues it.
    @discardableResult
    public nonisolated func append(_ record: AuditRecord, tick: UInt64?, timestampMs: Int64) async throws -> UInt64 {
        let encodedRecord = try CanonicalEncoding.encode(record)
        return try await enqueue(encodedRecord: encodedRecord, tick: tick, timestampMs: timestampMs)
    }

    private func enqueue(encodedRecord: [UInt8], tick: UInt64?, timestampMs: Int64) async throws -> UInt64 {
        guard signer != nil else { throw LedgerError(.readOnly, "this ledger was opened read-only") }
        let index = nextIndex
        let body = LedgerEntry.leafData(
            index: index, tick: tick, timestampMs: timestampMs, encodedRecord: encodedRecord)
        nextIndex += 1
        return try await withCheckedThrowingContinuation { continuation in
            queue.append(Pending(index: index, body: body, continuation: continuation))
            if !committing {
                committing = true
                Task { await self.commitQueued() }
            }
        }
    }

    /// Commits queued appends in batches until the queue is empty. Runs one at a time (`committing`).
    ///
    /// The batch's leaves go into `levels` before the commit (no copy of the tree per batch); they stay outside
    /// `durableSize` until the commit succeeds, and are dropped again if it fails.
    private func commitQueued() async {
        while !queue.isEmpty {
            let batch = Array(queue.prefix(maximumBatch))
            queue.removeFirst(batch.count)
            var rows: [(index: UInt64, body: [UInt8], leaf: SHA256Digest)] = []
            var nodes: [(level: Int, index: UInt64, hash: SHA256Digest)] = []
            rows.reserveCapacity(batch.count)
            nodes.reserveCapacity(batch.count)
            for item in batch {
                let leaf = MerkleHashing.leafHash(item.body)
                rows.append((item.index, item.body, leaf))
                for node in levels.append(leafHash: leaf) where node.level > 0 { nodes.append(node) }
            }
            do {
                try await database.write { [rows, nodes] db in
                    // Bound through the C API: building GRDB argument arrays for every row cost more than the
                    // inserts themselves at tens of thousands of entries per second.
                    let insertEntry = try db.cachedStatement(
                        sql: "INSERT INTO entries(idx, body, leaf) VALUES (?, ?, ?)")
                    for row in rows {
                        try Self.insert(insertEntry.sqliteStatement, Int64(row.index), row.body, row.leaf.bytes, db)
                    }
                    let insertNode = try db.cachedStatement(sql: "INSERT INTO nodes(level, idx, hash) VALUES (?, ?, ?)")
                    for node in nodes {
                        try Self.insert(
                            insertNode.sqliteStatement, Int64(node.level), Int64(node.index), node.hash.bytes, db)
                    }
                }
                durableSize += UInt64(batch.count)
                for item in batch { item.continuation.resume(returning: item.index) }
            } catch {
                // Nothing of this batch is visible; the appends queued behind it were numbered after it, so they
                // fail too, and numbering restarts at the durable size.
                let failure = LedgerError(.storage, "the append was not committed: \(error)")
                for item in batch + queue { item.continuation.resume(throwing: failure) }
                queue.removeAll()
                let kept = (0..<durableSize).compactMap { try? levels.node(level: 0, index: $0) }
                levels = MerkleLevels(leafHashes: kept)
                nextIndex = durableSize
            }
        }
        committing = false
    }

    /// Runs a prepared `INSERT` with an integer and two blobs (entries) bound directly.
    private static func insert(
        _ statement: OpaquePointer, _ index: Int64, _ body: [UInt8], _ leaf: [UInt8], _ db: Database
    ) throws {
        sqlite3_reset(statement)
        sqlite3_bind_int64(statement, 1, index)
        let code = body.withUnsafeBytes { b in
            leaf.withUnsafeBytes { l in
                sqlite3_bind_blob(statement, 2, b.baseAddress, Int32(b.count), sqliteTransient)
                sqlite3_bind_blob(statement, 3, l.baseAddress, Int32(l.count), sqliteTransient)
                return sqlite3_step(statement)
            }
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// Runs a prepared `INSERT` with two integers and a blob (nodes) bound directly.
    private static func insert(
        _ statement: OpaquePointer, _ level: Int64, _ index: Int64, _ hash: [UInt8], _ db: Database
    ) throws {
        sqlite3_reset(statement)
        sqlite3_bind_int64(statement, 1, level)
        sqlite3_bind_int64(statement, 2, index)
        let code = hash.withUnsafeBytes { h in
            sqlite3_bind_blob(statement, 3, h.baseAddress, Int32(h.count), sqliteTransient)
            return sqlite3_step(statement)
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
    }

    /// SQLite's `SQLITE_TRANSIENT`: copy the bound bytes.
    private static let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    // MARK: - Checkpoints

    /// Signs (and stores) a checkpoint of the durable tree; returns the latest one if nothing was added.
    @discardableResult
    public func commitBlock() async throws -> SignedNote {
        guard let signer else { throw LedgerError(.readOnly, "this ledger was opened read-only") }
        let size = durableSize
        let root = try MerkleTree.root(size: size, in: levels)
        if let lastSigned {
            guard size >= lastSigned.size else {
                throw LedgerError(
                    .inconsistent, "the tree has \(size) entries but a checkpoint of \(lastSigned.size) was signed")
            }
            if size == lastSigned.size, root == lastSigned.root, let latest = try latestCheckpoint() { return latest }
            let proof = try MerkleTree.consistencyProof(oldSize: lastSigned.size, newSize: size, in: levels)
            do {
                try MerkleVerifier.verifyConsistency(
                    oldSize: lastSigned.size, newSize: size, oldRoot: lastSigned.root, newRoot: root, proof: proof)
            } catch {
                throw LedgerError(
                    .inconsistent,
                    "refusing to sign: the tree of \(size) entries is not consistent with the checkpoint signed at size \(lastSigned.size) (\(error))"
                )
            }
        }
        let checkpoint = try Checkpoint(origin: origin, size: size, root: root)
        let note = try SignedNote.sign(text: checkpoint.text, name: origin, with: signer)
        let rendered = note.rendered
        try await database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO checkpoints(size, note) VALUES (?, ?)", arguments: [Int64(size), rendered])
        }
        lastSigned = (size, root)
        return note
    }

    /// The most recent signed checkpoint, if any.
    public func latestCheckpoint() throws -> SignedNote? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")
        }.map { try SignedNote(parsing: $0) }
    }

    /// Every signed checkpoint, by increasing size.
    public func checkpoints() throws -> [SignedNote] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT note FROM checkpoints ORDER BY size")
        }.map { try SignedNote(parsing: $0) }
    }

    // MARK: - Reading and proofs

    public func entries(from: UInt64, count: Int) throws -> [LedgerEntry] {
        try leafData(from: from, count: count).map { try LedgerEntry(leafData: $0) }
    }

    /// The stored leaf data of entries `[from, from + count)`.
    public func leafData(from: UInt64, count: Int) throws -> [[UInt8]] {
        try database.read { db in
            try Data.fetchAll(
                db, sql: "SELECT body FROM entries WHERE idx >= ? ORDER BY idx LIMIT ?",
                arguments: [Int64(from), count]
            ).map { [UInt8]($0) }
        }
    }

    public func root(size: UInt64) throws -> SHA256Digest {
        try checkDurable(size)
        return try MerkleTree.root(size: size, in: levels)
    }

    public func inclusionProof(index: UInt64, size: UInt64) throws -> [SHA256Digest] {
        try checkDurable(size)
        return try MerkleTree.inclusionProof(index: index, size: size, in: levels)
    }

    public func consistencyProof(oldSize: UInt64, newSize: UInt64) throws -> [SHA256Digest] {
        try checkDurable(newSize)
        return try MerkleTree.consistencyProof(oldSize: oldSize, newSize: newSize, in: levels)
    }

    private func checkDurable(_ size: UInt64) throws(MerkleError) {
        guard size <= durableSize else {
            throw MerkleError(.sizeOutOfRange, "tree size \(size) is beyond the \(durableSize) durable entries")
        }
    }
}

/// A ledger operation that failed. Messages name the file or index concerned, never secret material.
public struct LedgerError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        case alreadyExists, notFound, corrupt, wrongKey, readOnly, storage, inconsistent
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
