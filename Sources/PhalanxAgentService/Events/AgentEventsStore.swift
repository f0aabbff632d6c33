import Crypto
import Foundation
import GRDB
import PhalanxAgent

/// The agent's record of its decisions and the labels operators give them, in SQLite (WAL, synchronous FULL).
///
/// **What is kept.** Per decision: the receipt (the id is its hash), the findings with their redacted evidence, the
/// category scores and the text's SHA-256. The text itself only when the decision's `keepText` says so (the policy's
/// or the deciding rule's `keep_text`). Each event expires `retention_days` after it was decided, and
/// ``purgeExpired(nowMs:)`` deletes it with its text.
///
/// **Feedback.** A label per event (a later label replaces an earlier one). Feedback on an event whose text was not
/// kept may carry the text, accepted only when its digest matches, so labelled examples can be collected without the
/// store keeping every text. Feedback survives the event's expiry: it is a training set an operator built on purpose.
///
/// **The receipt chain.** The store also keeps the chain's position (head and next sequence) and how far the audit
/// ledger has the receipts, so a restarted agent continues the same chain and writes what the ledger is missing.
/// Every decision is durable here before the API answers it.
public final class AgentEventsStore: Sendable {
    public let path: String
    private let database: DatabaseQueue

    static let msPerDay: Int64 = 86_400_000

    public init(path: String) throws(AgentStoreError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            database = try DatabaseQueue(path: path, configuration: configuration)
            try database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            try Self.migrator.migrate(database)
        } catch {
            throw AgentStoreError(.database, file: path, "cannot open the events store: \(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                    CREATE TABLE events (
                        receipt_id TEXT PRIMARY KEY NOT NULL,
                        sequence INTEGER NOT NULL UNIQUE,
                        time_ms INTEGER NOT NULL,
                        direction TEXT NOT NULL,
                        source TEXT NOT NULL,
                        action TEXT,
                        principal TEXT,
                        verdict TEXT NOT NULL,
                        rule_id TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        mode TEXT NOT NULL,
                        counted_category TEXT,
                        category_list TEXT NOT NULL,
                        scores TEXT NOT NULL,
                        findings TEXT NOT NULL,
                        text_sha256 TEXT NOT NULL,
                        text TEXT,
                        expires_at_ms INTEGER NOT NULL,
                        receipt TEXT NOT NULL);
                    CREATE INDEX events_expiry ON events (expires_at_ms);
                    CREATE INDEX events_time ON events (time_ms);
                    CREATE TABLE feedback (
                        event_id TEXT PRIMARY KEY NOT NULL,
                        label INTEGER NOT NULL CHECK (label IN (0, 1)),
                        note TEXT,
                        labeller TEXT,
                        time_ms INTEGER NOT NULL,
                        text_sha256 TEXT NOT NULL,
                        text TEXT);
                    """)
        }
        return migrator
    }

    private func failure(_ error: any Error, _ what: String) -> AgentStoreError {
        if let error = error as? AgentStoreError { return error }
        return AgentStoreError(.database, file: path, "\(what): \(error)")
    }

    // MARK: - Recording decisions

    /// Records `decision` (about `text`) and returns the event; keeps `text` only when `decision.keepText`.
    @discardableResult
    public func record(
        _ decision: AgentDecision, text: String, retentionDays: Int
    ) async throws(AgentStoreError)
        -> AgentEvent
    {
        let receipt = decision.receipt
        let event = AgentEvent(
            receiptId: receipt.hash, sequence: receipt.sequence, timeMs: receipt.timestampMs,
            direction: receipt.direction.rawValue, source: receipt.source.rawValue, action: receipt.action,
            principal: receipt.principal, verdict: receipt.verdict.rawValue, ruleId: receipt.ruleId,
            reason: receipt.reason, mode: receipt.mode.rawValue, categories: receipt.scores,
            present: receipt.present, findings: decision.scan.findings.map(AgentEvent.Finding.init),
            textSHA256: receipt.textDigest,
            textKept: decision.keepText,
            expiresAtMs: receipt.timestampMs + Int64(max(retentionDays, 1)) * Self.msPerDay)
        let scores = Self.json(event.categories)
        let findings = Self.json(event.findings)
        let receiptJSON = Self.json(receipt)
        // In score order, so the list reads back as `present` is.
        let categoryList = "," + event.present.joined(separator: ",") + ","
        let kept = decision.keepText ? text : nil
        do {
            try await database.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO events (receipt_id, sequence, time_ms, direction, source, action, principal,
                            verdict, rule_id, reason, mode, counted_category, category_list, scores, findings,
                            text_sha256, text, expires_at_ms, receipt)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        event.receiptId, Int64(event.sequence), event.timeMs, event.direction, event.source,
                        event.action, event.principal, event.verdict, event.ruleId, event.reason, event.mode,
                        event.countedCategory, categoryList, scores, findings, event.textSHA256, kept,
                        event.expiresAtMs, receiptJSON,
                    ])
                // Decisions may commit out of order (concurrent requests); the chain's position is the highest.
                let next = Int64(receipt.sequence) + 1
                let stored = try Self.meta(db, "chain_next_sequence").flatMap { Int64($0) } ?? 0
                if next > stored {
                    try Self.setMeta(db, "chain_next_sequence", String(next))
                    try Self.setMeta(db, "chain_head", event.receiptId)
                }
            }
        } catch {
            throw failure(error, "cannot record decision \(receipt.sequence)")
        }
        return event
    }

    /// Where the receipt chain continues after a restart: after the last recorded receipt.
    public func chainPosition() async throws(AgentStoreError) -> ReceiptChain {
        do {
            return try await database.read { db in
                guard let head = try Self.meta(db, "chain_head"),
                    let next = try Self.meta(db, "chain_next_sequence").flatMap(UInt64.init)
                else { return ReceiptChain() }
                return ReceiptChain(head: head, nextSequence: next)
            }
        } catch {
            throw failure(error, "cannot read the receipt chain's position")
        }
    }

    /// The sequence number of the first receipt the audit ledger does not hold yet.
    public func ledgerNextSequence() async throws(AgentStoreError) -> UInt64 {
        do {
            return try await database.read { db in
                try Self.meta(db, "ledger_next_sequence").flatMap(UInt64.init) ?? 0
            }
        } catch {
            throw failure(error, "cannot read the ledger's position")
        }
    }

    /// Records that the audit ledger holds every receipt before `sequence`.
    public func setLedgerNextSequence(_ sequence: UInt64) async throws(AgentStoreError) {
        do {
            try await database.write { db in try Self.setMeta(db, "ledger_next_sequence", String(sequence)) }
        } catch {
            throw failure(error, "cannot record the ledger's position")
        }
    }

    /// The stored receipts with sequence numbers in `range`, in order (those purged by retention are absent).
    public func receipts(in range: Range<UInt64>) async throws(AgentStoreError) -> [DecisionReceipt] {
        guard !range.isEmpty else { return [] }
        do {
            let texts = try await database.read { db in
                try String.fetchAll(
                    db, sql: "SELECT receipt FROM events WHERE sequence >= ? AND sequence < ? ORDER BY sequence",
                    arguments: [Int64(clamping: range.lowerBound), Int64(clamping: range.upperBound)])
            }
            return try texts.map { try JSONDecoder().decode(DecisionReceipt.self, from: Data($0.utf8)) }
        } catch {
            throw failure(error, "cannot read receipts \(range.lowerBound)..<\(range.upperBound)")
        }
    }

    // MARK: - Reading events

    public func event(id: String) async throws(AgentStoreError) -> AgentEvent? {
        do {
            return try await database.read { db in
                try Row.fetchOne(db, sql: "SELECT * FROM events WHERE receipt_id = ?", arguments: [id]).map(
                    Self.event)
            }
        } catch {
            throw failure(error, "cannot read an event")
        }
    }

    /// A page of events matching `query`, oldest first.
    public func events(_ query: AgentEventQuery) async throws(AgentStoreError) -> AgentEventPage {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let after = query.after {
            conditions.append("sequence > ?")
            arguments.append(Int64(clamping: after))
        }
        if let verdict = query.verdict {
            conditions.append("verdict = ?")
            arguments.append(verdict.rawValue)
        }
        if let category = query.category {
            conditions.append("instr(category_list, ?) > 0")
            arguments.append(",\(category.rawValue),")
        }
        if let since = query.sinceMs {
            conditions.append("time_ms >= ?")
            arguments.append(since)
        }
        let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments.append(query.limit + 1)
        let sql = "SELECT * FROM events \(condition) ORDER BY sequence LIMIT ?"
        let statementArguments = StatementArguments(arguments)
        do {
            var events = try await database.read { db in
                try Row.fetchAll(db, sql: sql, arguments: statementArguments).map(Self.event)
            }
            let more = events.count > query.limit
            if more { events.removeLast() }
            return AgentEventPage(events: events, next: more ? events.last?.sequence : nil)
        } catch {
            throw failure(error, "cannot list events")
        }
    }

    static func event(_ row: Row) throws -> AgentEvent {
        let decoder = JSONDecoder()
        let sequence: Int64 = row["sequence"]
        let scores: String = row["scores"]
        let findings: String = row["findings"]
        let text: String? = row["text"]
        return AgentEvent(
            receiptId: row["receipt_id"], sequence: UInt64(max(sequence, 0)), timeMs: row["time_ms"],
            direction: row["direction"], source: row["source"], action: row["action"], principal: row["principal"],
            verdict: row["verdict"], ruleId: row["rule_id"], reason: row["reason"], mode: row["mode"],
            categories: try decoder.decode([String: Double].self, from: Data(scores.utf8)),
            present: (row["category_list"] as String).split(separator: ",").map(String.init),
            findings: try decoder.decode([AgentEvent.Finding].self, from: Data(findings.utf8)),
            textSHA256: row["text_sha256"], textKept: text != nil, expiresAtMs: row["expires_at_ms"])
    }

    // MARK: - Retention

    /// Deletes the events (and their texts) that expired at or before `nowMs`; returns how many.
    @discardableResult
    public func purgeExpired(nowMs: Int64) async throws(AgentStoreError) -> Int {
        do {
            return try await database.write { db in
                try db.execute(sql: "DELETE FROM events WHERE expires_at_ms <= ?", arguments: [nowMs])
                return db.changesCount
            }
        } catch {
            throw failure(error, "cannot purge expired events")
        }
    }

    // MARK: - Feedback

    /// Records `feedback`; a text it carries must hash to the event's digest. Replaces an earlier label.
    public func addFeedback(_ feedback: AgentFeedback, nowMs: Int64) async throws(AgentStoreError) {
        guard feedback.label == 0 || feedback.label == 1 else {
            throw AgentStoreError(.invalidFeedback, file: path, "a label is 0 (benign) or 1 (attack)")
        }
        let suppliedDigest = feedback.text.map { Self.sha256(Array($0.utf8)) }
        let path = path
        do {
            try await database.write { db in
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT text_sha256, text FROM events WHERE receipt_id = ?",
                        arguments: [feedback.eventId])
                else {
                    throw AgentStoreError(
                        .unknownEvent, file: path, "no event \(feedback.eventId) (never decided, or expired)")
                }
                let digest: String = row["text_sha256"]
                let keptText: String? = row["text"]
                if let suppliedDigest, suppliedDigest != digest {
                    throw AgentStoreError(
                        .digestMismatch, file: path,
                        "the text's SHA-256 is not the digest recorded for event \(feedback.eventId)")
                }
                try db.execute(
                    sql: """
                        INSERT INTO feedback (event_id, label, note, labeller, time_ms, text_sha256, text)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (event_id) DO UPDATE SET label = excluded.label, note = excluded.note,
                            labeller = excluded.labeller, time_ms = excluded.time_ms,
                            text = COALESCE(excluded.text, feedback.text)
                        """,
                    arguments: [
                        feedback.eventId, feedback.label, feedback.note, feedback.labeller, nowMs, digest,
                        feedback.text ?? keptText,
                    ])
            }
        } catch {
            throw failure(error, "cannot record feedback")
        }
    }

    /// The labelled texts: feedback that carries a text (supplied with it, or kept with the event), oldest first.
    public func trainingExamples() async throws(AgentStoreError) -> [LabeledText] {
        do {
            return try await database.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT text, label FROM feedback WHERE text IS NOT NULL ORDER BY time_ms, event_id"
                ).map { row in LabeledText(text: row["text"], isAttack: (row["label"] as Int) == 1) }
            }
        } catch {
            throw failure(error, "cannot read the training examples")
        }
    }

    /// How many labels are recorded.
    public func feedbackCount() async throws(AgentStoreError) -> Int {
        do {
            return try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM feedback") ?? 0 }
        } catch {
            throw failure(error, "cannot count feedback")
        }
    }

    // MARK: - Safety-event counts

    /// The `safety_events` rows of the stored decisions from day `sinceDay` on, counting days from `epochDay` (days
    /// since 1970-01-01, UTC) as day 0; one row per decision with a counted category, in order. Decisions before
    /// day 0 or after day ``SafetyEventRow/lastDay`` are left out (the plug-in's schema refuses them).
    public func safetyEventRows(epochDay: Int64, sinceDay: Int = 0) async throws(AgentStoreError) -> [SafetyEventRow] {
        let from = max(Int64(sinceDay), 0)
        let startMs = (epochDay + from) * Self.msPerDay
        let endMs = (epochDay + Int64(SafetyEventRow.lastDay) + 1) * Self.msPerDay
        do {
            let rows = try await database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT time_ms, counted_category, verdict FROM events
                        WHERE counted_category IS NOT NULL AND time_ms >= ? AND time_ms < ? ORDER BY sequence
                        """,
                    arguments: [startMs, endMs]
                ).map { row in (row["time_ms"] as Int64, row["counted_category"] as String, row["verdict"] as String) }
            }
            return rows.compactMap { time, category, verdict in
                guard let category = SafetyCategory(rawValue: category), let verdict = Verdict(rawValue: verdict)
                else { return nil }
                return SafetyEventRow(
                    day: Int(SafetyEventRow.day(of: time, epochDay: epochDay)), category: category,
                    action: SafetyEventRow.Action(verdict))
            }
        } catch {
            throw failure(error, "cannot read the safety-event rows")
        }
    }

    /// Writes the `safety_events` CSV of ``safetyEventRows(epochDay:sinceDay:)`` to `path` (atomically).
    public func writeSafetyEventsCSV(to path: String, epochDay: Int64, sinceDay: Int = 0) async throws(AgentStoreError)
    {
        let rows = try await safetyEventRows(epochDay: epochDay, sinceDay: sinceDay)
        do {
            try Data(SafetyEventRow.csv(rows).utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw AgentStoreError(.database, file: path, "cannot write the safety-event CSV: \(error)")
        }
    }

    // MARK: - Helpers

    static func meta(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    static func setMeta(_ db: Database, _ key: String, _ value: String) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// JSON with sorted keys; the values stored are plain strings, numbers and arrays, which always encode.
    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
