import GRDB

/// The SQLite schema of a ledger file.
///
/// - `meta`: the origin (checkpoint name), the verifier key of the signer and the format version.
/// - `entries`: leaf data (the canonical encoding of a ``LedgerEntry``) and its RFC 9162 leaf hash.
/// - `nodes`: the hash of every complete subtree above the leaves (level ≥ 1), so that roots and proofs read
///   O(log n) rows instead of rehashing the log. Level 0 is `entries.leaf`.
/// - `checkpoints`: every signed checkpoint (C2SP signed note), by tree size.
enum LedgerSchema {
    static let format = "phalanx-ledger-v1"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                    CREATE TABLE entries (idx INTEGER PRIMARY KEY NOT NULL, body BLOB NOT NULL, leaf BLOB NOT NULL);
                    CREATE TABLE nodes (
                        level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)
                    ) WITHOUT ROWID;
                    CREATE TABLE checkpoints (size INTEGER PRIMARY KEY NOT NULL, note TEXT NOT NULL);
                    """
            )
        }
        return migrator
    }

    /// SQLite settings for a ledger: WAL, and `synchronous = FULL` so a commit is on disk before it returns.
    static func configuration(readonly: Bool) -> Configuration {
        var config = Configuration()
        config.readonly = readonly
        config.label = "phalanx-ledger"
        if !readonly { config.journalMode = .wal }
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try db.execute(sql: "PRAGMA cell_size_check = ON")
            // Reads map the file instead of copying it page by page through read(2).
            try db.execute(sql: "PRAGMA mmap_size = 4294967296")
        }
        return config
    }
}
