import PhalanxCore

/// One entry of the audit record, linked to its predecessor by hash.
public struct AuditEntry: Hashable, Sendable, Codable {
    /// 0-based position in the record.
    public let index: UInt64
    /// The hash of the previous entry; all zeros for the first.
    public let previous: SHA256Digest
    public let tick: UInt64?
    public let timestampMs: Int64
    public let record: AuditRecord

    public init(index: UInt64, previous: SHA256Digest, tick: UInt64?, timestampMs: Int64, record: AuditRecord) {
        self.index = index
        self.previous = previous
        self.tick = tick
        self.timestampMs = timestampMs
        self.record = record
    }

    /// The canonical encoding of the entry; what its hash covers.
    public func canonicalBytes() throws -> [UInt8] { try CanonicalEncoding.encode(self) }

    /// SHA-256 of ``canonicalBytes()``.
    public func hash() throws -> SHA256Digest { SHA256Digest.of(try canonicalBytes()) }

    /// The `previous` of the first entry.
    public static let genesis = try! SHA256Digest(bytes: [UInt8](repeating: 0, count: 32))
}
