import PhalanxCore
import PhalanxLedger
import Testing

@Suite("Hash-chain audit ledger")
struct HashChainLedgerTests {
    static let count = 6

    // MARK: - Appending

    @Test("a new ledger is empty: head is genesis, no bytes, and it verifies to genesis")
    func emptyLedger() throws {
        let ledger = HashChainLedger()
        #expect(ledger.entries.isEmpty)
        #expect(ledger.head == AuditEntry.genesis)
        #expect(ledger.byteCount == 0)
        #expect(try HashChainLedger.verify([]) == AuditEntry.genesis)
    }

    @Test("appending links each entry to the hash of the one before, starting from genesis")
    func appendLinks() throws {
        var ledger = HashChainLedger()
        var heads: [SHA256Digest] = [ledger.head]
        for (i, record) in Fixtures.everyRecord.enumerated() {
            let tick: UInt64? = i.isMultiple(of: 3) ? nil : UInt64(i * 10)
            let entry = try ledger.append(record, tick: tick, timestampMs: 1_000 + Int64(i))
            #expect(entry == ledger.entries.last)
            #expect(entry.index == UInt64(i))
            #expect(entry.previous == heads[i])
            #expect(entry.tick == tick)
            #expect(entry.timestampMs == 1_000 + Int64(i))
            #expect(entry.record == record)
            #expect(ledger.head == (try entry.hash()))
            heads.append(ledger.head)
        }
        #expect(ledger.entries.first?.previous == AuditEntry.genesis)
        for i in ledger.entries.indices.dropFirst() {
            #expect(ledger.entries[i].previous == (try ledger.entries[i - 1].hash()))
        }
        #expect(Set(heads).count == heads.count, "every append moves the head to a new hash")
    }

    @Test("byteCount is the sum of the entries' canonical encodings")
    func byteCount() throws {
        var ledger = HashChainLedger()
        var expected = 0
        for record in Fixtures.everyRecord {
            let entry = try ledger.append(record, tick: 4, timestampMs: 99)
            let bytes = try CanonicalEncoding.encode(entry)
            #expect(try entry.canonicalBytes() == bytes)
            expected += bytes.count
            #expect(ledger.byteCount == expected)
        }
        #expect(expected > 0)
    }

    @Test("verify returns the head of an untouched ledger")
    func verifyReturnsHead() throws {
        let ledger = try Fixtures.ledger(count: Self.count)
        #expect(try HashChainLedger.verify(ledger.entries) == ledger.head)
        #expect(try HashChainLedger.verify(Array(ledger.entries.prefix(3))) == ledger.entries[3].previous)
    }

    @Test("the same records appended in the same way give the same head")
    func deterministic() throws {
        #expect(try Fixtures.ledger(count: 5).head == Fixtures.ledger(count: 5).head)
    }

    // MARK: - Tampering with an entry's content

    @Test(
        "changing the record, tick or timestamp of a non-final entry breaks the link of the next one",
        arguments: ContentTamper.allCases, 0..<(HashChainLedgerTests.count - 1)
    )
    func contentTamper(tamper: ContentTamper, index: Int) throws {
        let ledger = try Fixtures.ledger(count: Self.count)
        var entries = ledger.entries
        entries[index] = tamper.apply(to: entries[index])
        #expect(entries[index] != ledger.entries[index], "the tamper must change the entry")
        let error = try #require(verificationError(entries))
        #expect(error.index == index + 1)
        #expect(error.message.contains("does not match entry \(index)"))
        #expect(error.description == "audit entry \(index + 1): \(error.message)")
    }

    @Test("changing one field of any kind of record is detected", arguments: Fixtures.everyRecord.indices)
    func recordFieldTamper(index: Int) throws {
        let ledger = try Fixtures.ledger(count: Fixtures.everyRecord.count + 1)
        var entries = ledger.entries
        let altered = alterOneField(of: entries[index].record)
        #expect(altered != entries[index].record)
        #expect(altered.kind == entries[index].record.kind)
        entries[index] = entries[index].with(record: altered)
        let error = try #require(verificationError(entries))
        #expect(error.index == index + 1)
    }

    @Test(
        "changing the last entry's content leaves the chain intact but moves the head",
        arguments: ContentTamper.allCases)
    func lastEntryTamper(tamper: ContentTamper) throws {
        let ledger = try Fixtures.ledger(count: Self.count)
        var entries = ledger.entries
        entries[Self.count - 1] = tamper.apply(to: entries[Self.count - 1])
        // Nothing follows the last entry, so only a verifier holding the head hash can tell.
        let head = try HashChainLedger.verify(entries)
        #expect(head != ledger.head)
        #expect(head == (try entries[Self.count - 1].hash()))
    }

    // MARK: - Tampering with the chain's structure

    @Test("an entry claiming another index is named", arguments: 0..<HashChainLedgerTests.count)
    func indexTamper(index: Int) throws {
        var entries = try Fixtures.ledger(count: Self.count).entries
        entries[index] = entries[index].with(index: UInt64(index + 7))
        let error = try #require(verificationError(entries))
        #expect(error.index == index)
        #expect(error.message == "entry claims index \(index + 7)")
    }

    @Test("an entry whose previous-hash was rewritten is named", arguments: 1..<HashChainLedgerTests.count)
    func previousTamper(index: Int) throws {
        var entries = try Fixtures.ledger(count: Self.count).entries
        entries[index] = entries[index].with(previous: Fixtures.digest("forged"))
        let error = try #require(verificationError(entries))
        #expect(error.index == index)
        #expect(error.message == "its previous-hash does not match entry \(index - 1)")
    }

    @Test("the first entry must start from genesis")
    func firstEntryMustStartFromGenesis() throws {
        var entries = try Fixtures.ledger(count: Self.count).entries
        entries[0] = entries[0].with(previous: Fixtures.digest("forged"))
        let error = try #require(verificationError(entries))
        #expect(error.index == 0)
        #expect(error.message.contains("previous-hash"))
    }

    @Test("a forged previous-hash on the first entry is reported against the genesis hash")
    func firstEntryMessageNamesGenesis() throws {
        var entries = try Fixtures.ledger(count: 2).entries
        entries[0] = entries[0].with(previous: Fixtures.digest("forged"))
        let error = try #require(verificationError(entries))
        #expect(!error.message.contains("-1"))
        #expect(error.message.contains("genesis"))
    }

    @Test(
        "dropping an entry other than the last is named at its position",
        arguments: 0..<(HashChainLedgerTests.count - 1))
    func dropEntry(index: Int) throws {
        var entries = try Fixtures.ledger(count: Self.count).entries
        entries.remove(at: index)
        let error = try #require(verificationError(entries))
        #expect(error.index == index)
        #expect(error.message == "entry claims index \(index + 1)")
    }

    @Test("dropping the last entry verifies to a head the ledger no longer has")
    func dropLast() throws {
        let ledger = try Fixtures.ledger(count: Self.count)
        let head = try HashChainLedger.verify(Array(ledger.entries.dropLast()))
        #expect(head != ledger.head)
        #expect(head == ledger.entries[Self.count - 1].previous)
    }

    @Test("swapping two entries is named at the first of them", arguments: [(0, 1), (1, 4), (2, 5), (4, 5)])
    func swapEntries(first: Int, second: Int) throws {
        var entries = try Fixtures.ledger(count: Self.count).entries
        entries.swapAt(first, second)
        let error = try #require(verificationError(entries))
        #expect(error.index == first)
        #expect(error.message == "entry claims index \(second)")
    }

    @Test("swapping the records of two entries (keeping indices and links) is detected")
    func swapRecords() throws {
        var entries = try Fixtures.ledger(count: Self.count).entries
        let (a, b) = (entries[1].record, entries[3].record)
        entries[1] = entries[1].with(record: b)
        entries[3] = entries[3].with(record: a)
        let error = try #require(verificationError(entries))
        #expect(error.index == 2)
    }

    @Test("inserting an entry is named", arguments: 0..<HashChainLedgerTests.count)
    func insertEntry(position: Int) throws {
        let original = try Fixtures.ledger(count: Self.count).entries
        let record = AuditRecord.jobAborted(jobId: Fixtures.jobId, reason: "inserted")

        // A careless forger: the inserted entry keeps some other index.
        var careless = original
        careless.insert(
            AuditEntry(index: 99, previous: original[position].previous, tick: 1, timestampMs: 1, record: record),
            at: position)
        #expect(verificationError(careless)?.index == position)

        // A careful forger links the inserted entry correctly; the entry after it gives it away.
        var careful = original
        careful.insert(
            AuditEntry(
                index: UInt64(position), previous: original[position].previous, tick: 1, timestampMs: 1, record: record),
            at: position)
        let error = try #require(verificationError(careful))
        #expect(error.index == position + 1)
        #expect(error.message == "entry claims index \(position)")
    }

    @Test("a fully re-chained forgery verifies, but to a different head")
    func rechainedForgery() throws {
        let ledger = try Fixtures.ledger(count: Self.count)
        var forged = HashChainLedger()
        for (i, entry) in ledger.entries.enumerated() {
            let record = i == 2 ? AuditRecord.jobAborted(jobId: Fixtures.jobId, reason: "rewritten") : entry.record
            try forged.append(record, tick: entry.tick, timestampMs: entry.timestampMs)
        }
        let head = try HashChainLedger.verify(forged.entries)
        #expect(head == forged.head)
        #expect(head != ledger.head, "only the head hash exposes a rewrite of the whole chain")
    }

    // MARK: - Blocks and the audit state machine

    @Test("commitBlock goes APPEND → COMMIT → APPEND, so appending continues after it")
    func commitBlock() throws {
        var ledger = HashChainLedger()
        try ledger.commitBlock()  // an empty block is allowed: APPEND has a blockSealed row
        try ledger.append(Fixtures.everyRecord[0], tick: nil, timestampMs: 1)
        let head = ledger.head
        let bytes = ledger.byteCount
        try ledger.commitBlock()
        #expect(ledger.head == head)
        #expect(ledger.byteCount == bytes)
        #expect(ledger.entries.count == 1)
        try ledger.commitBlock()  // back in APPEND, so another block can be closed
        let next = try ledger.append(Fixtures.everyRecord[1], tick: 1, timestampMs: 2)
        #expect(next.index == 1)
        #expect(next.previous == head)
        #expect(try HashChainLedger.verify(ledger.entries) == ledger.head)
    }

    @Test("the audit table allows exactly the transitions the ledger takes")
    func auditMachineRules() throws {
        let spec = Machines.audit
        #expect(spec.problems().isEmpty)
        #expect(spec.initial == .append)
        #expect(try spec.target(from: .append, on: .recordAppended) == .append)
        #expect(try spec.target(from: .append, on: .blockSealed) == .commit)
        #expect(try spec.target(from: .commit, on: .blockCommitted) == .append)
        // While a block is being committed nothing may be appended, and a block cannot be sealed twice.
        #expect(throws: IllegalTransition.self) { try spec.target(from: .commit, on: .recordAppended) }
        #expect(throws: IllegalTransition.self) { try spec.target(from: .commit, on: .blockSealed) }
        #expect(throws: IllegalTransition.self) { try spec.target(from: .append, on: .blockCommitted) }

        // Replaying the ledger's own event sequence on a fresh machine ends where the ledger is: APPEND.
        var machine = StateMachine(spec)
        try machine.fire(.recordAppended)
        try machine.fire(.blockSealed)
        #expect(machine.state == .commit)
        #expect(!machine.allows(.recordAppended))
        try machine.fire(.blockCommitted)
        #expect(machine.state == .append)
    }

    @Test("the ledger works through the AuditLedger protocol")
    func protocolUse() throws {
        func record(into ledger: inout some AuditLedger) throws {
            try ledger.append(Fixtures.everyRecord[0], tick: nil, timestampMs: 1)
            try ledger.commitBlock()
            try ledger.append(Fixtures.everyRecord[1], tick: 1, timestampMs: 2)
        }
        var ledger = HashChainLedger()
        try record(into: &ledger)
        #expect(ledger.entries.map(\.index) == [0, 1])
        #expect(try HashChainLedger.verify(ledger.entries) == ledger.head)
    }
}

/// Ways to change an entry's content while keeping its index and previous-hash.
enum ContentTamper: String, CaseIterable, Sendable, CustomStringConvertible {
    case replaceRecord, alterRecordField, changeTick, dropTick, changeTimestamp

    var description: String { rawValue }

    func apply(to entry: AuditEntry) -> AuditEntry {
        switch self {
        case .replaceRecord:
            entry.with(record: .jobAborted(jobId: Fixtures.jobId, reason: "replaced"))
        case .alterRecordField:
            entry.with(record: alterOneField(of: entry.record))
        case .changeTick:
            entry.with(tick: .some((entry.tick ?? 0) + 1))
        case .dropTick:
            entry.tick == nil ? entry.with(tick: .some(0)) : entry.with(tick: .some(nil))
        case .changeTimestamp:
            entry.with(timestampMs: entry.timestampMs + 1)
        }
    }
}

/// The same kind of record with one field changed.
func alterOneField(of record: AuditRecord) -> AuditRecord {
    switch record {
    case .jobAdmitted(let jobId, let plugin, let provider, let predicates):
        .jobAdmitted(jobId: jobId, plugin: plugin, provider: provider, predicates: Array(predicates.dropLast()))
    case .jobRejected(let jobId, let reason):
        .jobRejected(jobId: jobId, reason: reason + ".")
    case .framesSealed(let jobId, let tick, let frames, let rejected, let missing):
        .framesSealed(
            jobId: jobId, tick: tick, frames: frames, rejected: rejected.merging(["replay": 1]) { $0 + $1 },
            missing: missing)
    case .aggregationStep(let jobId, let round, let contributors, let mergedDigest):
        .aggregationStep(jobId: jobId, round: round + 1, contributors: contributors, mergedDigest: mergedDigest)
    case .predicateFired(let jobId, let tick, let predicate, let offenders):
        .predicateFired(jobId: jobId, tick: tick, predicate: predicate, offenders: offenders + [Fixtures.id("org-z")])
    case .commandIssued(let jobId, let command, let kind, let predicate, let targets, let digest):
        .commandIssued(
            jobId: jobId, command: command, kind: kind == .abortJob ? .observe : .abortJob, predicate: predicate,
            targets: targets, digest: digest)
    case .ackReceived(let command, let participant, let outcome, let digest):
        .ackReceived(
            command: command, participant: participant, outcome: outcome == .applied ? .rejected : .applied,
            digest: digest)
    case .ackMissing(let command, _):
        .ackMissing(command: command, participant: Fixtures.id("org-z"))
    case .releaseCleared(let jobId, let tick, let digest):
        .releaseCleared(jobId: jobId, tick: tick + 1, digest: digest)
    case .jobFinalized(let jobId, _):
        .jobFinalized(jobId: jobId, resultDigest: Fixtures.digest("other result"))
    case .jobAborted(_, let reason):
        .jobAborted(jobId: Fixtures.digest("other job"), reason: reason)
    }
}
