import Foundation
import GRDB

/// The state of one participant process that must survive a restart, in SQLite (WAL, synchronous FULL).
///
/// - every participant: the job it was in and that job's state-machine state, so that after a crash it knows it
///   was mid-job and aborts it instead of rejoining with state it no longer has;
/// - the control plane: its tick counter, the registered participants (and the data they declared), and every
///   job with its outcome. The audit ledger and the privacy-budget ledger are SQLite files of their own.
///
/// Secrets are never written here: a provider session's keys and masks live only in memory, which is exactly why
/// a restarted participant cannot resume a round and must abort it.
public final class StateStore: Sendable {
    private let database: DatabaseQueue

    public struct JobRecord: Sendable, Hashable {
        public var jobId: String
        public var plugin: String
        public var provider: String
        /// running, finalized, aborted or refused.
        public var state: String
        public var reason: String
        public var startedTick: UInt64
        public var ticks: UInt64
    }

    public struct Registration: Sendable, Hashable {
        public var participant: String
        public var declaredData: Data
        public var lastSeenTick: UInt64
    }

    public init(path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE participant_job (
                        job_id TEXT PRIMARY KEY NOT NULL, state TEXT NOT NULL, tick INTEGER NOT NULL);
                    CREATE TABLE jobs (
                        job_id TEXT PRIMARY KEY NOT NULL, plugin TEXT NOT NULL, provider TEXT NOT NULL,
                        state TEXT NOT NULL, reason TEXT NOT NULL, started_tick INTEGER NOT NULL,
                        ticks INTEGER NOT NULL, seq INTEGER NOT NULL);
                    CREATE TABLE registrations (
                        participant TEXT PRIMARY KEY NOT NULL, declared_data BLOB NOT NULL,
                        last_seen_tick INTEGER NOT NULL);
                    """)
        }
        try migrator.migrate(database)
    }

    // MARK: meta

    public func value(_ key: String) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
        }
    }

    public func setValue(_ value: String, for key: String) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    // MARK: a participant's own job

    /// Records the state of the job this participant is in.
    public func recordParticipantJob(jobId: String, state: String, tick: UInt64) throws {
        try database.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO participant_job (job_id, state, tick) VALUES (?, ?, ?)",
                arguments: [jobId, state, Int64(tick)])
        }
    }

    /// Jobs this participant was in and had not finished (state not DONE, ABORTED, FINALIZE or IDLE).
    public func unfinishedParticipantJobs(terminal: Set<String>) throws -> [(jobId: String, state: String)] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT job_id, state FROM participant_job ORDER BY tick").compactMap { row in
                let state: String = row["state"]
                return terminal.contains(state) ? nil : (row["job_id"], state)
            }
        }
    }

    // MARK: the control plane's jobs

    public func recordJob(_ job: JobRecord) throws {
        try database.write { db in
            let seq =
                try Int64.fetchOne(db, sql: "SELECT seq FROM jobs WHERE job_id = ?", arguments: [job.jobId])
                ?? (try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs") ?? 1)
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO jobs (job_id, plugin, provider, state, reason, started_tick, ticks, seq)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    job.jobId, job.plugin, job.provider, job.state, job.reason, Int64(job.startedTick),
                    Int64(job.ticks), seq,
                ])
        }
    }

    public func jobs() throws -> [JobRecord] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY seq").map { row in
                JobRecord(
                    jobId: row["job_id"], plugin: row["plugin"], provider: row["provider"], state: row["state"],
                    reason: row["reason"], startedTick: UInt64(row["started_tick"] as Int64),
                    ticks: UInt64(row["ticks"] as Int64))
            }
        }
    }

    // MARK: registrations

    public func register(participant: String, declaredData: Data, tick: UInt64) throws {
        try database.write { db in
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO registrations (participant, declared_data, last_seen_tick) VALUES (?, ?, ?)",
                arguments: [participant, declaredData, Int64(tick)])
        }
    }

    public func registrations() throws -> [Registration] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM registrations ORDER BY participant").map { row in
                Registration(
                    participant: row["participant"], declaredData: row["declared_data"],
                    lastSeenTick: UInt64(row["last_seen_tick"] as Int64))
            }
        }
    }
}
