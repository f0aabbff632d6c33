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

    /// The leaf data of an entry whose record is already canonically encoded: the same bytes as
    /// `LedgerEntry(...).leafData()`, assembled without encoding the record again.
    ///
    /// The ledger encodes records outside its actor (on any core) and numbers them inside it; this splices the
    /// number in. The map's keys in canonical order are `tick` (when present), `index`, `record`, `timestampMs`.
    public static func leafData(index: UInt64, tick: UInt64?, timestampMs: Int64, encodedRecord: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedRecord.count + 48)
        func head(_ major: UInt8, _ value: UInt64) {
            let m = major << 5
            switch value {
            case 0..<24: out.append(m | UInt8(value))
            case 24...0xFF: out += [m | 24, UInt8(value)]
            case 0x100...0xFFFF: out += [m | 25, UInt8(value >> 8), UInt8(value & 0xFF)]
            case 0x1_0000...0xFFFF_FFFF:
                out.append(m | 26)
                for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
            default:
                out.append(m | 27)
                for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8((value >> UInt64(shift)) & 0xFF)) }
            }
        }
        func key(_ text: String) {
            head(3, UInt64(text.utf8.count))
            out += text.utf8
        }
        head(5, tick == nil ? 3 : 4)
        if let tick {
            key("tick")
            head(0, tick)
        }
        key("index")
        head(0, index)
        key("record")
        out += encodedRecord
        key("timestampMs")
        if timestampMs >= 0 { head(0, UInt64(timestampMs)) } else { head(1, UInt64(-1 - timestampMs)) }
        return out
    }

    /// Decodes leaf data strictly.
    public init(leafData: some Collection<UInt8>) throws {
        self = try CanonicalEncoding.decode(LedgerEntry.self, from: leafData)
    }
}

extension LedgerEntry {
    /// The `index` an entry's leaf data declares, read from the canonical prefix without decoding the record.
    ///
    /// In canonical order the entry's map starts with `tick` (when present) and then `index` (shorter keys sort
    /// first), so the index is found in the first few bytes. Verification uses this to check positions at the
    /// speed of hashing; the leaf hash covers the rest of the bytes.
    public static func declaredIndex(inLeafData data: some Collection<UInt8>) -> UInt64? {
        var bytes = data.makeIterator()
        func next() -> UInt8? { bytes.next() }
        func unsigned() -> UInt64? {
            guard let head = next(), head >> 5 == 0 else { return nil }
            let info = head & 0x1F
            let length: Int
            switch info {
            case 0..<24: return UInt64(info)
            case 24: length = 1
            case 25: length = 2
            case 26: length = 4
            case 27: length = 8
            default: return nil
            }
            var value: UInt64 = 0
            for _ in 0..<length {
                guard let b = next() else { return nil }
                value = value << 8 | UInt64(b)
            }
            return value
        }
        func key(_ expected: [UInt8]) -> Bool {
            guard next() == 0x60 | UInt8(expected.count) else { return false }
            for byte in expected where next() != byte { return false }
            return true
        }
        switch next() {
        case 0xA3:
            break
        case 0xA4:
            guard key(Array("tick".utf8)), unsigned() != nil else { return nil }
        default:
            return nil
        }
        guard key(Array("index".utf8)) else { return nil }
        return unsigned()
    }
}
