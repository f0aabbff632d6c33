import Foundation
import PhalanxAgent
import PhalanxCore
import Testing

@testable import PhalanxAgentService

/// The events store on a real SQLite file, fed by a real agent.
@Suite("Agent events store")
struct AgentEventsStoreTests {
    static let day: Int64 = 86_400_000

    static func agent() throws -> SafetyAgent {
        try SafetyAgent(
            .init(
                agent: try ParticipantID("agent-a"), policy: DefaultAgentPolicy.policy,
                trusted: try FederationRoster([])))
    }

    static func store() throws -> (AgentEventsStore, String) {
        let directory = NSTemporaryDirectory() + "phalanx-events-\(UUID().uuidString)"
        return (try AgentEventsStore(path: directory + "/events.sqlite"), directory)
    }

    @Test("retention: purgeExpired deletes the events whose retention has run out, with their texts")
    func retention() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let agent = try Self.agent()
        let start: Int64 = 1_800_000_000_000
        let old = agent.decide(ScanRequest(text: Wire.injection), nowMs: start)
        let recent = agent.decide(ScanRequest(text: Wire.benign), nowMs: start + 20 * Self.day)
        try await store.record(old, text: Wire.injection, retentionDays: 30)
        try await store.record(recent, text: Wire.benign, retentionDays: 30)

        #expect(try await store.purgeExpired(nowMs: start + 30 * Self.day - 1) == 0)
        #expect(try await store.purgeExpired(nowMs: start + 30 * Self.day) == 1)
        #expect(try await store.event(id: old.receipt.hash) == nil)
        #expect(try await store.event(id: recent.receipt.hash) != nil)
        // The chain's position survives the purge.
        #expect(try await store.chainPosition().head == recent.receipt.hash)
    }

    @Test("the text is stored only when the decision says keepText; its digest always")
    func keepText() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var policy = DefaultAgentPolicy.policy
        policy.keepText = true
        let keeping = try SafetyAgent(
            .init(agent: try ParticipantID("agent-a"), policy: policy, trusted: try FederationRoster([])))
        let decision = keeping.decide(ScanRequest(text: Wire.injection), nowMs: 0)
        let event = try await store.record(decision, text: Wire.injection, retentionDays: 1)
        #expect(event.textKept)
        // Feedback without a text uses the kept one.
        try await store.addFeedback(AgentFeedback(eventId: event.receiptId, label: 1), nowMs: 1)
        #expect(try await store.trainingExamples() == [LabeledText(text: Wire.injection, isAttack: true)])

        // A policy without keep_text: the text is not kept (a second agent, so a second chain and store).
        let (plainStore, plainDirectory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: plainDirectory) }
        let plain = try Self.agent().decide(ScanRequest(text: Wire.benign), nowMs: 0)
        let plainEvent = try await plainStore.record(plain, text: Wire.benign, retentionDays: 1)
        #expect(!plainEvent.textKept)
        // Feedback without a text on an event without one is recorded but is no training example.
        try await plainStore.addFeedback(AgentFeedback(eventId: plainEvent.receiptId, label: 0), nowMs: 2)
        #expect(try await plainStore.trainingExamples().isEmpty)
        #expect(try await plainStore.feedbackCount() == 1)
    }

    @Test("safety-event rows: day since day 0, the top counted category, deny and redact blocked, escalate escalated")
    func safetyEventRows() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let agent = try Self.agent()
        let epochDay: Int64 = 20_000
        let dayZero = epochDay * Self.day
        let decisions = [
            agent.decide(ScanRequest(text: Wire.injection), nowMs: dayZero - 1),  // day -1: left out
            agent.decide(ScanRequest(text: Wire.injection), nowMs: dayZero + 5),  // day 0, blocked
            agent.decide(ScanRequest(text: Wire.benign), nowMs: dayZero + Self.day),  // nothing scored: no row
            agent.decide(ScanRequest(text: Wire.secret, direction: .output), nowMs: dayZero + 2 * Self.day),
            agent.decide(ScanRequest(text: Wire.secret, direction: .input), nowMs: dayZero + 3 * Self.day),
            agent.decide(ScanRequest(text: Wire.injection), nowMs: dayZero + 366 * Self.day),  // past day 365
        ]
        for decision in decisions { try await store.record(decision, text: "", retentionDays: 3_650) }
        let rows = try await store.safetyEventRows(epochDay: epochDay)
        #expect(
            rows == [
                SafetyEventRow(day: 0, category: .promptInjection, action: .blocked),
                SafetyEventRow(day: 2, category: .secretExfiltration, action: .blocked),
                SafetyEventRow(day: 3, category: .secretExfiltration, action: .escalated),
            ])
        #expect(try await store.safetyEventRows(epochDay: epochDay, sinceDay: 1).count == 2)

        let csvPath = directory + "/safety_events.csv"
        try await store.writeSafetyEventsCSV(to: csvPath, epochDay: epochDay)
        #expect(
            try String(contentsOfFile: csvPath, encoding: .utf8)
                == "day,category,action\n0,prompt_injection,blocked\n2,secret_exfiltration,blocked\n"
                + "3,secret_exfiltration,escalated\n")
    }

    @Test("a reopened store continues the receipt chain where it stopped")
    func chainResumes() async throws {
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let agent = try Self.agent()
        let decisions = (0..<3).map { agent.decide(ScanRequest(text: "text \($0)"), nowMs: Int64($0)) }
        // Committed out of order, as concurrent requests may be.
        for decision in decisions.reversed() { try await store.record(decision, text: "", retentionDays: 1) }
        let reopened = try AgentEventsStore(path: store.path)
        let chain = try await reopened.chainPosition()
        #expect(chain.head == decisions[2].receipt.hash)
        #expect(chain.nextSequence == 3)
        #expect(try await reopened.receipts(in: 0..<3) == decisions.map(\.receipt))
    }
}
