import PhalanxCore

/// What the control plane needs from an audit ledger: durable appends and, at the end of each block (tick),
/// a signed checkpoint.
public protocol AuditLedger: Actor {
    /// Appends a record; returns its index once the record is durable.
    @discardableResult
    func append(_ record: AuditRecord, tick: UInt64?, timestampMs: Int64) async throws -> UInt64
    /// Signs a checkpoint of everything appended so far (consistent with every earlier one).
    @discardableResult
    func commitBlock() async throws -> SignedNote
    /// The number of durable entries.
    var size: UInt64 { get }
    /// Entries `[from, from + count)`, decoded.
    func entries(from: UInt64, count: Int) throws -> [LedgerEntry]
}
