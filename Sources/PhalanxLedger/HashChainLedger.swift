import PhalanxCore

/// An append-only audit record where each entry commits to the hash of the one before.
///
/// Changing, removing or reordering any entry changes every later hash, so a verifier holding the head hash
/// detects it. It is the foundation's ledger; the Merkle ledger (with inclusion and consistency proofs and
/// signed checkpoints) replaces it behind the same ``AuditLedger`` protocol.
public struct HashChainLedger: AuditLedger {
    public private(set) var entries: [AuditEntry] = []
    public private(set) var head: SHA256Digest = AuditEntry.genesis
    /// Total size of the canonical encodings of all entries, in bytes.
    public private(set) var byteCount = 0
    private var machine = StateMachine(Machines.audit)

    public init() {}

    @discardableResult
    public mutating func append(_ record: AuditRecord, tick: UInt64?, timestampMs: Int64) throws -> AuditEntry {
        try machine.fire(.recordAppended)
        let entry = AuditEntry(
            index: UInt64(entries.count), previous: head, tick: tick, timestampMs: timestampMs, record: record)
        let bytes = try entry.canonicalBytes()
        entries.append(entry)
        head = SHA256Digest.of(bytes)
        byteCount += bytes.count
        return entry
    }

    /// Closes the current block (the audit machine's APPEND → COMMIT → APPEND). In this in-memory chain a
    /// block is a marker; the durable ledger makes it an fsync'd, signed checkpoint.
    public mutating func commitBlock() throws {
        try machine.fire(.blockSealed)
        try machine.fire(.blockCommitted)
    }

    /// Checks that `entries` form an unbroken chain from genesis and returns the head hash.
    public static func verify(_ entries: [AuditEntry]) throws(AuditVerificationError) -> SHA256Digest {
        var previous = AuditEntry.genesis
        for (i, entry) in entries.enumerated() {
            guard entry.index == UInt64(i) else {
                throw AuditVerificationError(index: i, message: "entry claims index \(entry.index)")
            }
            guard entry.previous == previous else {
                let expected = i == 0 ? "the genesis hash (all zeros)" : "entry \(i - 1)"
                throw AuditVerificationError(index: i, message: "its previous-hash does not match \(expected)")
            }
            do {
                previous = try entry.hash()
            } catch {
                throw AuditVerificationError(index: i, message: "it cannot be encoded canonically: \(error)")
            }
        }
        return previous
    }
}

/// The operations the control plane needs from an audit ledger.
public protocol AuditLedger: Sendable {
    var entries: [AuditEntry] { get }
    var head: SHA256Digest { get }
    var byteCount: Int { get }
    @discardableResult
    mutating func append(_ record: AuditRecord, tick: UInt64?, timestampMs: Int64) throws -> AuditEntry
    mutating func commitBlock() throws
}

/// A broken audit record.
public struct AuditVerificationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let index: Int
    public let message: String
    public var description: String { "audit entry \(index): \(message)" }
}
