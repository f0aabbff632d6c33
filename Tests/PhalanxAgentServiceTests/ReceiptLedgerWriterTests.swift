import Foundation
import PhalanxAgent
import PhalanxCore
import PhalanxLedger
import Testing

@testable import PhalanxAgentService

/// Receipts reach the audit ledger in order, in batches, interleaved with mode changes as they happened.
@Suite("Receipt ledger writer")
struct ReceiptLedgerWriterTests {
    @Test("the ledger's entries hold exactly the receipt hashes in order, in batches, and the chain verifies")
    func batches() async throws {
        let directory = NSTemporaryDirectory() + "phalanx-ledger-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let agentID = try ParticipantID("agent-a")
        let control = SigningIdentity.generate(id: try ParticipantID("control"), role: .control)
        let identity = SigningIdentity.generate(id: agentID, role: .node)
        let agent = try SafetyAgent(
            .init(
                agent: agentID, policy: DefaultAgentPolicy.policy,
                trusted: try FederationRoster([control.publicIdentity])))
        _ = agent.drainAuditEvents()
        let ledger = try MerkleLedger.create(
            path: directory + "/ledger.sqlite", origin: "phalanx.agent/agent-a", signer: identity)
        let events = try AgentEventsStore(path: directory + "/events.sqlite")
        let writer = ReceiptLedgerWriter(
            agent: agent, ledger: ledger, events: events,
            batch: AgentConfig.LedgerBatch(maxReceipts: 3, maxDelayMs: 86_400_000))

        var receipts: [DecisionReceipt] = []
        for index in 0..<7 {
            receipts.append(agent.decide(ScanRequest(text: "request \(index)"), nowMs: Int64(index)).receipt)
        }
        let observe = ACommand(
            kind: .observe, jobId: nil, issuer: control.id, targets: [agentID], predicate: nil, reason: "look closer",
            issuedAtTick: 0, ackBy: 5, issuedAtMs: 0)
        #expect(agent.apply(try Signed(signing: observe, with: control), nowMs: 7).outcome == .applied)
        for index in 7..<9 {
            receipts.append(agent.decide(ScanRequest(text: "request \(index)"), nowMs: Int64(index)).receipt)
        }
        // Not forced: full batches and the receipts before the mode change are written; the last two wait (the
        // batch delay is a day, so a loaded machine cannot make them due).
        try await writer.write(force: false)
        #expect(await writer.receiptsWritten == 7)
        try await writer.flush()
        #expect(await writer.receiptsWritten == 9)

        let entries = try await ledger.entries(from: 0, count: 100)
        var hashes: [String] = []
        var shapes: [String] = []
        for entry in entries {
            switch entry.record {
            case .agentReceipts(let agent, let first, let batch, let head):
                #expect(agent == agentID)
                #expect(first == UInt64(hashes.count))
                #expect(head == batch.last)
                hashes += batch
                shapes.append("receipts(\(batch.count))")
            case .agentModeChanged(_, let from, let to, _):
                shapes.append("mode(\(from)→\(to))")
            default:
                shapes.append("other")
            }
        }
        #expect(shapes == ["receipts(3)", "receipts(3)", "receipts(1)", "mode(normal→observe)", "receipts(2)"])
        #expect(hashes == receipts.map(\.hash))
        #expect(ReceiptChain.firstBreak(in: receipts) == nil)
        #expect(try await ledger.latestCheckpoint() != nil)
        #expect(try await events.ledgerNextSequence() == 9)
    }

    @Test("after a restart the writer first commits the stored receipts the ledger is missing")
    func catchUp() async throws {
        let directory = NSTemporaryDirectory() + "phalanx-ledger-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let agentID = try ParticipantID("agent-a")
        let identity = SigningIdentity.generate(id: agentID, role: .node)
        let configuration = SafetyAgent.Configuration(
            agent: agentID, policy: DefaultAgentPolicy.policy, trusted: try FederationRoster([]))
        let events = try AgentEventsStore(path: directory + "/events.sqlite")
        // A first run decided five requests and stopped before writing them to the ledger.
        let first = try SafetyAgent(configuration)
        for index in 0..<5 {
            let decision = first.decide(ScanRequest(text: "request \(index)"), nowMs: Int64(index))
            try await events.record(decision, text: "", retentionDays: 1)
        }
        // The second run resumes the chain and writes the missing five before its own.
        let chain = try await events.chainPosition()
        let second = try SafetyAgent(configuration, chain: chain)
        let ledger = try MerkleLedger.create(
            path: directory + "/ledger.sqlite", origin: "phalanx.agent/agent-a", signer: identity)
        let writer = ReceiptLedgerWriter(
            agent: second, ledger: ledger, events: events, batch: AgentConfig.LedgerBatch(maxReceipts: 2),
            resumedAt: chain.nextSequence)
        let next = second.decide(ScanRequest(text: "request 5"), nowMs: 5)
        try await writer.catchUp()
        try await writer.flush()
        var hashes: [String] = []
        for entry in try await ledger.entries(from: 0, count: 100) {
            if case .agentReceipts(_, _, let batch, _) = entry.record { hashes += batch }
        }
        let stored = try await events.receipts(in: 0..<5)
        #expect(hashes == stored.map(\.hash) + [next.receipt.hash])
        #expect(ReceiptChain.firstBreak(in: stored + [next.receipt]) == nil)
    }
}
