import Foundation
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
        .commandResent(command: commandId, participant: id("aggregator"), attempt: 1),
        .releaseCleared(jobId: jobId, tick: 12, digest: digest("clearance")),
        .jobFinalized(jobId: jobId, resultDigest: digest("result")),
        .jobAborted(jobId: jobId, reason: "guard-rail contribution-bound fired"),
        .override(
            operator: id("alice"), command: commandId, kind: .suspend, reason: "manual stop", digest: digest("override")
        ),
        .overrideApproved(operator: id("bob"), command: commandId, digest: digest("approval")),
        .overrideRefused(operator: id("mallory"), command: commandId, reason: "not an operator"),
        .providerIncident(
            jobId: jobId, kind: "invalid-shares", round: 2, offenders: [id("org-c")], digest: digest("incident")),
        .privacyReserved(jobId: jobId, participant: id("org-a"), epsilon: 0.9, delta: 1e-6),
        .privacySpent(jobId: jobId, participant: id("org-a"), round: 1, epsilon: 0.3125, delta: 0),
    ]

    /// A fresh signing identity for a test ledger.
    static func signer(_ name: String = "control") -> SigningIdentity {
        SigningIdentity.generate(id: id(name), role: .control)
    }

    /// A temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("phalanx-ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
