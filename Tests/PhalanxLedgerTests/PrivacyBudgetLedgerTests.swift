import Foundation
import PhalanxCore
import Testing

@testable import PhalanxLedger

@Suite("Privacy budget ledger")
struct PrivacyBudgetLedgerTests {
    static let alice = try! ParticipantID("alice")
    static func job(_ n: Int) -> SHA256Digest { SHA256Digest.of(Array("job-\(n)".utf8)) }

    @Test("reserve, spend within the reservation, close returns the unspent part")
    func lifecycle() throws {
        let ledger = try PrivacyBudgetLedger(path: nil)
        try ledger.setLimit(participant: Self.alice, epsilon: 2, delta: 1e-5)
        try ledger.reserve(job: Self.job(1), participant: Self.alice, epsilon: 1.5, delta: 1e-6)
        #expect(try ledger.status(participant: Self.alice).epsilonRemaining == 0.5)
        #expect {
            try ledger.reserve(job: Self.job(2), participant: Self.alice, epsilon: 0.6, delta: 0)
        } throws: { error in
            (error as? BudgetError)?.code == .wouldOverspend && "\(error)".contains("this job needs ε=0.6")
        }
        try ledger.spend(job: Self.job(1), participant: Self.alice, round: 0, epsilon: 0.5, delta: 0, atMs: 0)
        #expect(throws: BudgetError.self) {
            try ledger.spend(job: Self.job(1), participant: Self.alice, round: 1, epsilon: 1.01, delta: 0, atMs: 0)
        }
        try ledger.close(job: Self.job(1), participant: Self.alice)
        let status = try ledger.status(participant: Self.alice)
        #expect(status.epsilonSpent == 0.5 && status.epsilonCommitted == 0.5 && status.openJobs == 0)
        try ledger.reserve(job: Self.job(2), participant: Self.alice, epsilon: 1.5, delta: 0)
        #expect(throws: BudgetError.self) {
            try ledger.spend(job: Self.job(1), participant: Self.alice, round: 2, epsilon: 0.1, delta: 0, atMs: 0)
        }
    }

    @Test("bad amounts are refused with a clear error and change nothing", arguments: [-1.0, .nan, .infinity, 2e9])
    func badAmounts(value: Double) throws {
        let ledger = try PrivacyBudgetLedger(path: nil)
        try ledger.setLimit(participant: Self.alice, epsilon: 1, delta: 1e-5)
        #expect(throws: BudgetError.self) {
            try ledger.reserve(job: Self.job(1), participant: Self.alice, epsilon: value, delta: 0)
        }
        #expect(throws: BudgetError.self) { try ledger.setLimit(participant: Self.alice, epsilon: value, delta: 0) }
        #expect(try ledger.status(participant: Self.alice).epsilonCommitted == 0)
        #expect(try ledger.status(participant: Self.alice).epsilonLimit == 1)
    }

    @Test("concurrent admissions never grant more than the limit")
    func concurrentAdmissions() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("budget.sqlite").path
        try PrivacyBudgetLedger(path: path).setLimit(participant: Self.alice, epsilon: 1, delta: 1e-5)
        // 40 concurrent reservations of 0.1 from 4 separate connections: exactly 10 may succeed.
        let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<40 {
                group.addTask {
                    let ledger = try PrivacyBudgetLedger(path: path)
                    do {
                        try ledger.reserve(job: Self.job(i), participant: Self.alice, epsilon: 0.1, delta: 0)
                        return true
                    } catch let error as BudgetError where error.code == .wouldOverspend {
                        return false
                    }
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(granted == 10)
        #expect(try PrivacyBudgetLedger(path: path).status(participant: Self.alice).epsilonCommitted <= 1)
    }

    @Test(
        "thousands of random operation sequences with crashes: the limit and every reservation hold", arguments: 0..<4)
    func randomSequences(batch: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = Generator(seed: UInt64(batch + 1) &* 0x51_7CC1_B727_220A)
        let people = try ["p0", "p1", "p2"].map { try ParticipantID($0) }
        var operations = 0
        for sequence in 0..<60 {
            let path = dir.appendingPathComponent("s\(sequence).sqlite").path
            var ledger = try PrivacyBudgetLedger(path: path)
            // The model, in the ledger's own units (10⁻⁹).
            var limits: [ParticipantID: Int64] = [:]
            var reserved: [String: Int64] = [:]
            var spent: [String: Int64] = [:]
            var closed: Set<String> = []
            for p in people {
                let limit = Double(1 + rng.next() % 40) / 10
                try ledger.setLimit(participant: p, epsilon: limit, delta: 1e-3)
                limits[p] = try PrivacyBudgetLedger.down(limit, "ε")
            }
            func committed(_ p: ParticipantID) -> Int64 {
                reserved.filter { $0.key.hasSuffix("|\(p)") }.reduce(0) { sum, entry in
                    sum + (closed.contains(entry.key) ? spent[entry.key, default: 0] : entry.value)
                }
            }
            for _ in 0..<50 {
                operations += 1
                let p = people[Int(rng.next() % 3)]
                let j = Int(rng.next() % 8)
                let key = "\(Self.job(j).hex)|\(p)"
                let amount = Double(rng.next() % 1_500) / 1_000
                let units = try PrivacyBudgetLedger.up(amount, "ε")
                switch rng.next() % 10 {
                case 0...3:
                    let allowed = reserved[key] == nil && committed(p) + units <= limits[p]!
                    do {
                        try ledger.reserve(job: Self.job(j), participant: p, epsilon: amount, delta: 0)
                        #expect(allowed, "a reservation the model refuses was granted")
                        reserved[key] = units
                    } catch {
                        #expect(!allowed, "a reservation the model allows was refused: \(error)")
                    }
                case 4...7:
                    let allowed =
                        reserved[key].map { spent[key, default: 0] + units <= $0 } == true && !closed.contains(key)
                    do {
                        try ledger.spend(job: Self.job(j), participant: p, round: 0, epsilon: amount, delta: 0, atMs: 0)
                        #expect(allowed)
                        spent[key, default: 0] += units
                    } catch {
                        #expect(!allowed, "\(error)")
                    }
                case 8:
                    try ledger.close(job: Self.job(j), participant: p)
                    if reserved[key] != nil { closed.insert(key) }
                default:
                    // A crash: the process loses everything in memory; the file is all that remains.
                    ledger = try PrivacyBudgetLedger(path: path)
                }
                for q in people {
                    let status = try ledger.status(participant: q)
                    #expect(status.epsilonCommitted <= status.epsilonLimit + 1e-12)
                    #expect(abs(status.epsilonCommitted - Double(committed(q)) / PrivacyBudgetLedger.scale) < 1e-9)
                }
            }
        }
        #expect(operations == 3_000)
    }
}

private struct Generator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
