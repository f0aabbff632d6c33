import PhalanxCore
import PhalanxLedger

/// Records and ledgers shared by the ledger tests. Nothing here is random, so a failure reproduces.
enum Fixtures {
    static func id(_ s: String) -> ParticipantID { try! ParticipantID(s) }

    static func digest(_ label: String) -> SHA256Digest { SHA256Digest.of(Array(label.utf8)) }

    static let jobId = digest("job")
    static let commandId = try! CommandID("0b7c8f0e-3d53-4b6a-9a51-2f0d6c1e8a47")

    /// One record of every ``AuditRecord`` case, with optional fields both present and absent.
    static let everyRecord: [AuditRecord] = [
        .jobAdmitted(
            jobId: jobId, plugin: "safety-event-count@1.0.0", provider: "plain",
            predicates: ["contribution-bound", "straggler"]),
        .jobRejected(jobId: jobId, reason: "job refused at admission:\n  - at $.opcodes: …"),
        .framesSealed(
            jobId: jobId, tick: 7, frames: [digest("frame-a"), digest("frame-b")],
            rejected: ["replay": 2, "clock-skew": 1, "bad-signature": 3], missing: [id("org-c")]),
        .framesSealed(jobId: jobId, tick: 0, frames: [], rejected: [:], missing: []),
        .aggregationStep(
            jobId: jobId, round: 3, contributors: [id("org-a"), id("org-b")], mergedDigest: digest("merged")),
        .predicateFired(jobId: jobId, tick: 9, predicate: "contribution-bound", offenders: [id("org-b")]),
        .commandIssued(
            jobId: jobId, command: commandId, kind: .abortJob, predicate: "contribution-bound",
            targets: [id("org-a"), id("org-b"), id("aggregator")], digest: digest("command")),
        .commandIssued(
            jobId: nil, command: commandId, kind: .suspend, predicate: nil, targets: [id("agent-1")],
            digest: digest("operator-command")),
        .ackReceived(command: commandId, participant: id("org-a"), outcome: .applied, digest: digest("ack-a")),
        .ackReceived(command: commandId, participant: id("org-b"), outcome: .duplicate, digest: digest("ack-b")),
        .ackReceived(command: commandId, participant: id("org-c"), outcome: .rejected, digest: digest("ack-c")),
        .ackMissing(command: commandId, participant: id("aggregator")),
        .releaseCleared(jobId: jobId, tick: 12, digest: digest("clearance")),
        .jobFinalized(jobId: jobId, resultDigest: digest("result")),
        .jobAborted(jobId: jobId, reason: "guard-rail contribution-bound fired"),
    ]

    /// A ledger holding `count` entries cycling through ``everyRecord``, with distinct ticks and timestamps.
    static func ledger(count: Int = 6) throws -> HashChainLedger {
        var ledger = HashChainLedger()
        for i in 0..<count {
            let tick: UInt64? = i == 0 ? nil : UInt64(i)
            try ledger.append(everyRecord[i % everyRecord.count], tick: tick, timestampMs: 1_750_000_000_000 + Int64(i))
        }
        return ledger
    }
}

extension AuditEntry {
    /// A copy with some fields replaced, as a tamperer would write it.
    func with(
        index: UInt64? = nil,
        previous: SHA256Digest? = nil,
        tick: UInt64?? = nil,
        timestampMs: Int64? = nil,
        record: AuditRecord? = nil
    ) -> AuditEntry {
        AuditEntry(
            index: index ?? self.index,
            previous: previous ?? self.previous,
            tick: tick ?? self.tick,
            timestampMs: timestampMs ?? self.timestampMs,
            record: record ?? self.record
        )
    }
}

/// The error `HashChainLedger.verify` throws for `entries`, or `nil` when the chain verifies.
func verificationError(_ entries: [AuditEntry]) -> AuditVerificationError? {
    do {
        _ = try HashChainLedger.verify(entries)
        return nil
    } catch {
        return error
    }
}
