import PhalanxCore

/// One leaf of the audit ledger: a typed record with its position and time.
///
/// The leaf data of the Merkle tree is the canonical encoding of this value, so the entry's own index is
/// signed into it: a row moved to another position no longer matches its leaf (reordering is detectable
/// from the entry alone). Entries hold identifiers and digests — never raw data, values or secrets.
public struct LedgerEntry: Hashable, Sendable, Codable {
    /// 0-based position in the ledger.
    public let index: UInt64
    /// The control-plane tick, for records made during a job.
    public let tick: UInt64?
    /// Milliseconds since the Unix epoch (UTC) when the record was made.
    public let timestampMs: Int64
    public let record: AuditRecord

    public init(index: UInt64, tick: UInt64?, timestampMs: Int64, record: AuditRecord) {
        self.index = index
        self.tick = tick
        self.timestampMs = timestampMs
        self.record = record
    }

    /// The leaf data: the canonical encoding of the entry.
    public func leafData() throws -> [UInt8] { try CanonicalEncoding.encode(self) }

    /// Decodes leaf data strictly.
    public init(leafData: some Collection<UInt8>) throws {
        self = try CanonicalEncoding.decode(LedgerEntry.self, from: leafData)
    }
}
