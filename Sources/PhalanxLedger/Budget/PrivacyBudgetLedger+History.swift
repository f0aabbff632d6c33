import Foundation
import GRDB
import PhalanxCore

extension PrivacyBudgetLedger {
    /// A job's reservation for one participant, as recorded at admission.
    public struct Reservation: Sendable, Codable, Hashable {
        public let job: SHA256Digest
        /// The job's worst-case loss, reserved in full while the job is open.
        public let epsilon: Double
        public let delta: Double
        /// What the job's releases have spent so far.
        public let spentEpsilon: Double
        public let spentDelta: Double
        /// A closed job commits only what it spent.
        public let closed: Bool
    }

    /// One release's spend.
    public struct Spend: Sendable, Codable, Hashable {
        public let job: SHA256Digest
        public let round: Int
        public let epsilon: Double
        public let delta: Double
        /// When it was recorded, in milliseconds since 1970.
        public let atMs: Int64
    }

    /// A participant's account with its reservations (oldest job first by job id) and spends (in the order
    /// they were recorded).
    public struct History: Sendable, Codable, Hashable {
        public let status: BudgetStatus
        /// `limit − committed`, at least 0, computed in the ledger's exact units.
        public let epsilonRemaining: Double
        public let deltaRemaining: Double
        public let reservations: [Reservation]
        public let spends: [Spend]
    }

    /// A file that is not a privacy budget ledger (not SQLite, or without the ledger's tables), or whose
    /// rows do not parse.
    public struct FormatError: Error, Hashable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// An existing budget ledger opened read-only, for inspection: opening it never creates, migrates or
    /// writes the file (SQLite may add its `-wal`/`-shm` companions next to a WAL database).
    public struct Reader: Sendable {
        private let database: DatabaseQueue

        /// The tables and columns a reader relies on (the `v1` schema of ``PrivacyBudgetLedger``).
        static let schema: [String: Set<String>] = [
            "accounts": ["participant", "epsilonLimit", "deltaLimit"],
            "reservations": ["job", "participant", "epsilon", "delta", "spentEpsilon", "spentDelta", "closed"],
            "spends": ["job", "participant", "round", "epsilon", "delta", "atMs"],
        ]

        /// Opens the ledger at `path` read-only and checks its schema.
        ///
        /// - Throws: ``FormatError`` if the file is not SQLite or lacks a table or column of the ledger; the
        ///   underlying SQLite error if the file cannot be opened at all (it does not exist, or is not readable).
        public init(path: String) throws {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(10)
            database = try DatabaseQueue(path: path, configuration: config)
            do {
                try database.read { db in
                    for (table, columns) in Self.schema.sorted(by: { $0.key < $1.key }) {
                        let present = Set(try db.columns(in: table).map(\.name))
                        if let missing = columns.subtracting(present).sorted().first {
                            throw FormatError(message: "table \(table) has no column \(missing)")
                        }
                    }
                }
            } catch let error as FormatError {
                throw error
            } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
                throw FormatError(message: "not an SQLite database")
            } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
                // `columns(in:)` of a missing table.
                throw FormatError(message: error.message ?? "\(error)")
            }
        }

        /// Every participant with an account, in id order.
        public func participants() throws -> [ParticipantID] {
            try database.read { db in try Self.participants(db) }
        }

        /// The account, reservations and spends of `participant`, or of every participant when it is `nil`, read
        /// in one transaction; a participant without an account yields no entry.
        public func histories(participant: ParticipantID? = nil) throws -> [History] {
            try database.read { db in
                let participants = try participant.map { [$0] } ?? Self.participants(db)
                return try participants.compactMap { try Self.history(db, $0) }
            }
        }

        private static func participants(_ db: Database) throws -> [ParticipantID] {
            try String.fetchAll(db, sql: "SELECT participant FROM accounts ORDER BY participant").map { id in
                do { return try ParticipantID(id) } catch {
                    throw FormatError(message: "accounts: invalid participant id \"\(id)\": \(error)")
                }
            }
        }

        private static func history(_ db: Database, _ participant: ParticipantID) throws -> History? {
            guard
                let limit = try Row.fetchOne(
                    db, sql: "SELECT epsilonLimit, deltaLimit FROM accounts WHERE participant = ?",
                    arguments: [participant.rawValue])
            else { return nil }
            let scale = PrivacyBudgetLedger.scale
            let le: Int64 = limit[0], ld: Int64 = limit[1]
            let (ce, cd) = try PrivacyBudgetLedger.committed(db, participant)
            let reservations = try Row.fetchAll(
                db,
                sql: """
                    SELECT job, epsilon, delta, spentEpsilon, spentDelta, closed FROM reservations
                    WHERE participant = ? ORDER BY job
                    """, arguments: [participant.rawValue]
            ).map { row in
                Reservation(
                    job: try digest(row[0], "reservations"), epsilon: Double(row[1] as Int64) / scale,
                    delta: Double(row[2] as Int64) / scale, spentEpsilon: Double(row[3] as Int64) / scale,
                    spentDelta: Double(row[4] as Int64) / scale, closed: row[5])
            }
            let spends = try Row.fetchAll(
                db, sql: "SELECT job, round, epsilon, delta, atMs FROM spends WHERE participant = ? ORDER BY id",
                arguments: [participant.rawValue]
            ).map { row in
                Spend(
                    job: try digest(row[0], "spends"), round: row[1], epsilon: Double(row[2] as Int64) / scale,
                    delta: Double(row[3] as Int64) / scale, atMs: row[4])
            }
            // The same sums as `PrivacyBudgetLedger.status(participant:)`, over the rows read above.
            let spentEpsilon = try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(spentEpsilon), 0) FROM reservations WHERE participant = ?",
                arguments: [participant.rawValue])!
            let spentDelta = try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(spentDelta), 0) FROM reservations WHERE participant = ?",
                arguments: [participant.rawValue])!
            let status = BudgetStatus(
                participant: participant, epsilonLimit: Double(le) / scale, deltaLimit: Double(ld) / scale,
                epsilonCommitted: Double(ce) / scale, deltaCommitted: Double(cd) / scale,
                epsilonSpent: Double(spentEpsilon) / scale, deltaSpent: Double(spentDelta) / scale,
                openJobs: reservations.filter { !$0.closed }.count)
            return History(
                status: status, epsilonRemaining: Double(max(0, le - ce)) / scale,
                deltaRemaining: Double(max(0, ld - cd)) / scale, reservations: reservations, spends: spends)
        }

        private static func digest(_ hex: String, _ table: String) throws -> SHA256Digest {
            do { return try SHA256Digest(hex: hex) } catch {
                throw FormatError(message: "\(table): invalid job id \"\(hex.prefix(80))\": \(error)")
            }
        }
    }
}
