import PhalanxCore
import PhalanxLedger
import Testing

@Suite("Audit records encode canonically")
struct AuditRecordTests {
    @Test("every record decodes to itself and re-encodes to the same bytes", arguments: Fixtures.everyRecord)
    func roundTrip(record: AuditRecord) throws {
        let bytes = try CanonicalEncoding.encode(record)
        let decoded = try CanonicalEncoding.decode(AuditRecord.self, from: bytes)
        #expect(decoded == record)
        #expect(try CanonicalEncoding.encode(decoded) == bytes)
    }

    @Test("the fixtures cover every kind of record")
    func everyKindIsCovered() {
        let kinds = Set(Fixtures.everyRecord.map(\.kind))
        #expect(
            kinds == [
                "job-admitted", "job-rejected", "frames-sealed", "aggregation-step", "predicate-fired",
                "command-issued", "ack-received", "ack-missing", "command-resent", "release-cleared", "job-finalized",
                "job-aborted", "override", "override-approved", "override-refused", "provider-incident",
                "privacy-reserved", "privacy-spent",
            ])
    }

    @Test("distinct records have distinct encodings")
    func distinctEncodings() throws {
        let encodings = try Fixtures.everyRecord.map { try CanonicalEncoding.encode($0) }
        #expect(Set(encodings).count == Fixtures.everyRecord.count)
    }

    @Test("the encoding of a map does not depend on the order its keys were inserted")
    func mapOrderIsCanonical() throws {
        var forward: [String: Int] = [:]
        var backward: [String: Int] = [:]
        let reasons = FrameRejectionNames.all
        for (i, reason) in reasons.enumerated() { forward[reason] = i }
        for (i, reason) in reasons.enumerated().reversed() { backward[reason] = i }
        let a = AuditRecord.framesSealed(jobId: Fixtures.jobId, tick: 1, frames: [], rejected: forward, missing: [])
        let b = AuditRecord.framesSealed(jobId: Fixtures.jobId, tick: 1, frames: [], rejected: backward, missing: [])
        #expect(try CanonicalEncoding.encode(a) == CanonicalEncoding.encode(b))
    }

    @Test("an absent optional field and a present one encode differently and both round-trip")
    func optionalFields() throws {
        let withJob = AuditRecord.commandIssued(
            jobId: Fixtures.jobId, command: Fixtures.commandId, kind: .observe, predicate: "straggler",
            targets: [Fixtures.id("org-a")], digest: Fixtures.digest("c"))
        let withoutJob = AuditRecord.commandIssued(
            jobId: nil, command: Fixtures.commandId, kind: .observe, predicate: nil,
            targets: [Fixtures.id("org-a")], digest: Fixtures.digest("c"))
        let a = try CanonicalEncoding.encode(withJob)
        let b = try CanonicalEncoding.encode(withoutJob)
        #expect(a != b)
        #expect(try CanonicalEncoding.decode(AuditRecord.self, from: b) == withoutJob)
    }

    @Test("bytes that are not exactly a canonical record are refused")
    func strictDecoding() throws {
        let bytes = try CanonicalEncoding.encode(Fixtures.everyRecord[2])
        #expect(throws: CanonicalEncodingError.self) {
            try CanonicalEncoding.decode(AuditRecord.self, from: bytes + [0x00])
        }
        #expect(throws: CanonicalEncodingError.self) {
            try CanonicalEncoding.decode(AuditRecord.self, from: bytes.dropLast())
        }
        // A record of another shape: a bare text string is not an AuditRecord.
        let text = try CanonicalEncoding.encode("job-admitted")
        #expect(throws: (any Error).self) { try CanonicalEncoding.decode(AuditRecord.self, from: text) }
    }

    @Test("a ledger entry round-trips as leaf data, and a nil tick differs from tick 0")
    func entryRoundTrip() throws {
        let record = Fixtures.everyRecord[0]
        let noTick = LedgerEntry(index: 0, tick: nil, timestampMs: -5, record: record)
        let tickZero = LedgerEntry(index: 0, tick: 0, timestampMs: -5, record: record)
        for entry in [noTick, tickZero] {
            let bytes = try entry.leafData()
            #expect(bytes == (try CanonicalEncoding.encode(entry)))
            #expect(try LedgerEntry(leafData: bytes) == entry)
        }
        #expect(try noTick.leafData() != tickZero.leafData())
        #expect(throws: (any Error).self) { try LedgerEntry(leafData: [0xA0]) }
    }
}

/// The wire names of the collector's rejection reasons (the ledger cannot import the control module).
private enum FrameRejectionNames {
    static let all = [
        "unknown-sender", "not-a-reporter", "bad-signature", "malformed", "wrong-job", "replay", "wrong-tick",
        "duplicate-in-tick", "metric-keys-mismatch", "invalid-value", "clock-skew",
    ]
}

@Suite("Reading an entry's declared index without decoding it")
struct DeclaredIndexTests {
    @Test("agrees with full decoding for entries with and without a tick, small and large indices")
    func agrees() throws {
        for index: UInt64 in [0, 1, 23, 24, 255, 256, 65_535, 65_536, 4_294_967_296, .max] {
            for tick: UInt64? in [nil, 0, 99, .max] {
                let data = try LedgerEntry(index: index, tick: tick, timestampMs: -1, record: Fixtures.everyRecord[2])
                    .leafData()
                #expect(LedgerEntry.declaredIndex(inLeafData: data) == index)
            }
        }
    }

    @Test("garbage and truncated prefixes give nil, not a wrong index")
    func garbage() throws {
        let data = try LedgerEntry(index: 300, tick: 7, timestampMs: 1, record: Fixtures.everyRecord[0]).leafData()
        for length in 0..<14 { #expect(LedgerEntry.declaredIndex(inLeafData: data.prefix(length)) == nil) }
        #expect(LedgerEntry.declaredIndex(inLeafData: [0xA5] + data.dropFirst()) == nil)
        #expect(LedgerEntry.declaredIndex(inLeafData: [UInt8]()) == nil)
    }
}

@Suite("Assembling leaf data from a pre-encoded record")
struct SplicedLeafDataTests {
    @Test("gives exactly the canonical encoding of the entry, for every record and boundary value")
    func sameBytes() throws {
        let indices: [UInt64] = [0, 23, 24, 255, 256, 65_535, 65_536, 4_294_967_295, 4_294_967_296, .max]
        let ticks: [UInt64?] = [nil, 0, 24, 70_000, .max]
        let times: [Int64] = [0, 1, -1, -24, -25, 1_750_000_000_000, .min, .max]
        for record in Fixtures.everyRecord {
            let encoded = try CanonicalEncoding.encode(record)
            for index in indices {
                for tick in ticks {
                    for time in times {
                        let expected = try LedgerEntry(index: index, tick: tick, timestampMs: time, record: record)
                            .leafData()
                        let spliced = LedgerEntry.leafData(
                            index: index, tick: tick, timestampMs: time, encodedRecord: encoded)
                        #expect(spliced == expected)
                    }
                }
            }
        }
    }
}
