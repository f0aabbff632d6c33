import Foundation
import GRDB
import PhalanxCore

/// The privacy budget of every participant, persisted in SQLite: a limit, reservations made at job admission,
/// and the spends of each release. The budget can never be exceeded:
///
/// - amounts are integers of 10⁻⁹ (ε and δ are converted rounding *up* for reservations and spends and *down* for
///   limits), so comparisons are exact;
/// - a reservation is granted inside one immediate SQLite transaction only if the participant's committed
///   budget (open reservations count in full, closed ones by what they spent) plus the request stays within the
///   limit — concurrent admissions serialize on the database;
/// - a spend is granted only within its job's reservation;
/// - a crash between reserve and spend leaves the reservation committed in full until the job is closed, so
///   recovery can only under-spend.
///
/// Composition across jobs is basic (amounts add up), which is an upper bound on the true privacy loss.
public final class PrivacyBudgetLedger: Sendable {
    private let database: DatabaseQueue

    /// Opens (or creates) a budget ledger at `path`; `nil` keeps it in memory.
    public init(path: String?) throws {
        var config = Configuration()
        config.busyMode = .timeout(10)
        if path != nil { config.journalMode = .wal }
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        database =
            try path.map { try DatabaseQueue(path: $0, configuration: config) } ?? DatabaseQueue(configuration: config)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (participant TEXT PRIMARY KEY NOT NULL, epsilonLimit INTEGER NOT NULL, deltaLimit INTEGER NOT NULL);
                    CREATE TABLE reservations (
                        job TEXT NOT NULL, participant TEXT NOT NULL, epsilon INTEGER NOT NULL, delta INTEGER NOT NULL,
                        spentEpsilon INTEGER NOT NULL DEFAULT 0, spentDelta INTEGER NOT NULL DEFAULT 0,
                        closed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (job, participant)
                    ) WITHOUT ROWID;
                    CREATE TABLE spends (
                        id INTEGER PRIMARY KEY, job TEXT NOT NULL, participant TEXT NOT NULL, round INTEGER NOT NULL,
                        epsilon INTEGER NOT NULL, delta INTEGER NOT NULL, atMs INTEGER NOT NULL
                    );
                    """)
        }
        try migrator.migrate(database)
    }

    /// The scale of stored amounts: 10⁻⁹.
    public static let scale = 1_000_000_000.0

    static func up(_ x: Double, _ name: String) throws(BudgetError) -> Int64 {
        guard x.isFinite, x >= 0, x < 1e9 else {
            throw BudgetError(.invalidAmount, "\(name) must be a finite number ≥ 0, got \(x)")
        }
        return Int64((x * scale).rounded(.up))
    }

    static func down(_ x: Double, _ name: String) throws(BudgetError) -> Int64 {
        guard x.isFinite, x >= 0, x < 1e9 else {
            throw BudgetError(.invalidAmount, "\(name) must be a finite number ≥ 0, got \(x)")
        }
        return Int64((x * scale).rounded(.down))
    }

    /// Sets (or changes) a participant's limits. Lowering a limit below what is committed is refused.
    public func setLimit(participant: ParticipantID, epsilon: Double, delta: Double) throws {
        guard epsilon > 0, delta >= 0, delta < 1 else {
            throw BudgetError(.invalidAmount, "a budget needs ε > 0 and 0 ≤ δ < 1, got ε=\(epsilon), δ=\(delta)")
        }
        let e = try Self.down(epsilon, "ε"), d = try Self.down(delta, "δ")
        try database.write { db in
            let (ce, cd) = try Self.committed(db, participant)
            guard ce <= e, cd <= d else {
                throw BudgetError(
                    .wouldOverspend,
                    "\(participant) has already committed ε=\(Double(ce) / Self.scale), δ=\(Double(cd) / Self.scale); the limit cannot go below"
                )
            }
            try db.execute(
                sql:
                    "INSERT INTO accounts(participant, epsilonLimit, deltaLimit) VALUES (?, ?, ?) ON CONFLICT(participant) DO UPDATE SET epsilonLimit = excluded.epsilonLimit, deltaLimit = excluded.deltaLimit",
                arguments: [participant.rawValue, e, d])
        }
    }

    /// Reserves a job's worst-case (ε, δ) for a participant, atomically; throws with the numbers when the
    /// participant's limit would be exceeded. Reserving again for the same job is refused.
    public func reserve(job: SHA256Digest, participant: ParticipantID, epsilon: Double, delta: Double) throws {
        let e = try Self.up(epsilon, "ε"), d = try Self.up(delta, "δ")
        try database.write { db in
            guard
                let limit = try Row.fetchOne(
                    db, sql: "SELECT epsilonLimit, deltaLimit FROM accounts WHERE participant = ?",
                    arguments: [participant.rawValue])
            else {
                throw BudgetError(.noAccount, "\(participant) has no privacy budget; set one first")
            }
            let le: Int64 = limit[0], ld: Int64 = limit[1]
            let (ce, cd) = try Self.committed(db, participant)
            guard ce + e <= le, cd + d <= ld else {
                throw BudgetError(
                    .wouldOverspend,
                    String(
                        format:
                            "%@ would overspend: limit ε=%.9g δ=%.3g, committed ε=%.9g δ=%.3g, this job needs ε=%.9g δ=%.3g",
                        participant.rawValue, Double(le) / Self.scale, Double(ld) / Self.scale, Double(ce) / Self.scale,
                        Double(cd) / Self.scale, epsilon, delta))
            }
            do {
                try db.execute(
                    sql: "INSERT INTO reservations(job, participant, epsilon, delta) VALUES (?, ?, ?, ?)",
                    arguments: [job.hex, participant.rawValue, e, d])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw BudgetError(.duplicate, "job \(job.short)… already holds a reservation for \(participant)")
            }
        }
    }

    /// Records a release's spend within the job's reservation; throws if it would go past the reservation.
    public func spend(
        job: SHA256Digest, participant: ParticipantID, round: Int, epsilon: Double, delta: Double, atMs: Int64
    ) throws {
        let e = try Self.up(epsilon, "ε"), d = try Self.up(delta, "δ")
        try database.write { db in
            try Self.record(db, job: job, participant: participant, round: round, atMs: atMs) { _, _ in (e, d) }
        }
    }

    /// Records a release by the participant's *cumulative* loss in the job after it: the spend is what the
    /// cumulative loss adds to what was already spent, in the ledger's units. Accountants compose losses
    /// sub-additively, so callers know the cumulative value exactly; spending differences of rounded values
    /// instead could exceed a reservation of the rounded total by a unit per release.
    public func spend(
        job: SHA256Digest, participant: ParticipantID, round: Int, cumulativeEpsilon: Double,
        cumulativeDelta: Double, atMs: Int64
    ) throws {
        let ce = try Self.up(cumulativeEpsilon, "ε"), cd = try Self.up(cumulativeDelta, "δ")
        try database.write { db in
            try Self.record(db, job: job, participant: participant, round: round, atMs: atMs) { se, sd in
                (max(0, ce - se), max(0, cd - sd))
            }
        }
    }

    /// Checks and records a spend inside a write transaction; `amount` gets what was already spent (ε, δ units).
    private static func record(
        _ db: Database, job: SHA256Digest, participant: ParticipantID, round: Int, atMs: Int64,
        amount: (Int64, Int64) -> (Int64, Int64)
    ) throws {
        guard
            let r = try Row.fetchOne(
                db,
                sql:
                    "SELECT epsilon, delta, spentEpsilon, spentDelta, closed FROM reservations WHERE job = ? AND participant = ?",
                arguments: [job.hex, participant.rawValue])
        else { throw BudgetError(.noReservation, "job \(job.short)… has no reservation for \(participant)") }
        let re: Int64 = r[0], rd: Int64 = r[1], se: Int64 = r[2], sd: Int64 = r[3], closed: Bool = r[4]
        guard !closed else { throw BudgetError(.closed, "job \(job.short)… is closed for \(participant)") }
        let (e, d) = amount(se, sd)
        guard se + e <= re, sd + d <= rd else {
            throw BudgetError(
                .wouldOverspend,
                String(
                    format: "%@ would spend ε=%.9g beyond the job's reservation (reserved %.9g, spent %.9g)",
                    participant.rawValue, Double(e) / scale, Double(re) / scale, Double(se) / scale))
        }
        try db.execute(
            sql:
                "UPDATE reservations SET spentEpsilon = spentEpsilon + ?, spentDelta = spentDelta + ? WHERE job = ? AND participant = ?",
            arguments: [e, d, job.hex, participant.rawValue])
        try db.execute(
            sql: "INSERT INTO spends(job, participant, round, epsilon, delta, atMs) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [job.hex, participant.rawValue, round, e, d, atMs])
    }

    /// Closes a job for a participant: what it did not spend returns to the budget.
    public func close(job: SHA256Digest, participant: ParticipantID) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE reservations SET closed = 1 WHERE job = ? AND participant = ?",
                arguments: [job.hex, participant.rawValue])
        }
    }

    /// A participant's account.
    public func status(participant: ParticipantID) throws -> BudgetStatus {
        try database.read { db in
            guard
                let limit = try Row.fetchOne(
                    db, sql: "SELECT epsilonLimit, deltaLimit FROM accounts WHERE participant = ?",
                    arguments: [participant.rawValue])
            else { throw BudgetError(.noAccount, "\(participant) has no privacy budget") }
            let (ce, cd) = try Self.committed(db, participant)
            let spent = try Row.fetchOne(
                db,
                sql:
                    "SELECT COALESCE(SUM(spentEpsilon), 0), COALESCE(SUM(spentDelta), 0) FROM reservations WHERE participant = ?",
                arguments: [participant.rawValue])!
            let open =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM reservations WHERE participant = ? AND closed = 0",
                    arguments: [participant.rawValue]) ?? 0
            return BudgetStatus(
                participant: participant, epsilonLimit: Double(limit[0] as Int64) / Self.scale,
                deltaLimit: Double(limit[1] as Int64) / Self.scale, epsilonCommitted: Double(ce) / Self.scale,
                deltaCommitted: Double(cd) / Self.scale, epsilonSpent: Double(spent[0] as Int64) / Self.scale,
                deltaSpent: Double(spent[1] as Int64) / Self.scale, openJobs: open)
        }
    }

    /// Every participant with an account.
    public func participants() throws -> [ParticipantID] {
        try database.read { db in
            try String.fetchAll(db, sql: "SELECT participant FROM accounts ORDER BY participant").compactMap {
                try? ParticipantID($0)
            }
        }
    }

    /// Committed budget: open reservations in full, closed ones by what they spent (exact integers).
    static func committed(_ db: Database, _ participant: ParticipantID) throws -> (Int64, Int64) {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT COALESCE(SUM(CASE WHEN closed = 0 THEN epsilon ELSE spentEpsilon END), 0),
                       COALESCE(SUM(CASE WHEN closed = 0 THEN delta ELSE spentDelta END), 0)
                FROM reservations WHERE participant = ?
                """, arguments: [participant.rawValue])!
        return (row[0], row[1])
    }
}

/// A participant's budget.
public struct BudgetStatus: Sendable, Codable, Hashable {
    public let participant: ParticipantID
    public let epsilonLimit: Double
    public let deltaLimit: Double
    /// Reserved by open jobs plus spent by closed ones.
    public let epsilonCommitted: Double
    public let deltaCommitted: Double
    public let epsilonSpent: Double
    public let deltaSpent: Double
    public let openJobs: Int

    public var epsilonRemaining: Double { max(0, epsilonLimit - epsilonCommitted) }
}

/// Why a budget operation was refused. No partial state is left behind: each operation is one transaction.
public struct BudgetError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidAmount, noAccount, wouldOverspend, noReservation, duplicate, closed
    }
    public let code: Code
    public let message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { "privacy budget: \(message)" }
}
