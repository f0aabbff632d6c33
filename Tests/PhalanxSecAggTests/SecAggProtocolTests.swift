import Foundation
import PhalanxCore
import Testing
import _TestSupport

@testable import PhalanxSecAgg

@Suite("Secure aggregation protocol")
struct SecAggProtocolTests {
    static func identities(_ n: Int) -> [SigningIdentity] {
        (0..<n).map { SigningIdentity.generate(id: try! ParticipantID(String(format: "c%03d", $0)), role: .node) }
    }

    static func simulation(
        n: Int, graph: SecAggGraph = .complete, threshold: Int? = nil, dimension: Int = 8, bound: UInt32 = 1_000
    ) throws -> SecAggSimulation {
        let ids = identities(n)
        let k = graph.groupSize(clientCount: n)
        let configuration = try SecAggConfiguration(
            instance: "test|\(n)|\(UUID().uuidString)", clients: ids.map(\.id), graph: graph,
            threshold: threshold ?? (k / 2 + 1), dimension: dimension, bound: bound)
        return try SecAggSimulation(configuration: configuration, identities: ids)
    }

    static func inputs(_ n: Int, _ d: Int, bound: Int64, rng: inout SplitMix64) -> [[Int64]] {
        (0..<n).map { _ in (0..<d).map { _ in Int64(rng.next() % UInt64(2 * bound + 1)) - bound } }
    }

    @Test("without dropouts the result is exactly the sum of all inputs")
    func noDropouts() throws {
        let sim = try Self.simulation(n: 6, dimension: 50)
        var rng = SplitMix64(seed: 1)
        let inputs = Self.inputs(6, 50, bound: 1_000, rng: &rng)
        let outcome = try sim.run(inputs: inputs)
        let expected = (0..<50).map { j in inputs.reduce(Int64(0)) { $0 + $1[j] } }
        #expect(outcome.sum == expected)
        #expect(outcome.contributors == sim.configuration.clients)
        #expect(outcome.metrics.dropouts == 0 && outcome.metrics.invalidShares == 0)
    }

    /// 500 schedules in 10 batches (run in parallel), each from a fixed seed list.
    @Test(
        "randomized schedules (10 × 50): every completed run equals the plain sum of its survivors; the others abort with a reason",
        arguments: 0..<10)
    func randomizedSchedules(batch: Int) throws {
        var completed = 0
        var aborted = 0
        var caught = 0
        for seed in (batch * 50 + 1)...(batch * 50 + 50) {
            var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9)
            let n = 3 + Int(rng.next() % 10)
            let sparse = n >= 7 && rng.next() % 3 == 0
            let graph: SecAggGraph = sparse ? .sparse(groupSize: 5, seed: [UInt8(seed & 0xFF)]) : .complete
            let k = graph.groupSize(clientCount: n)
            let t = k / 2 + 1 + Int(rng.next() % UInt64(max(1, k - k / 2 - 1)))
            let d = 1 + Int(rng.next() % 24)
            var sim = try Self.simulation(n: n, graph: graph, threshold: t, dimension: d)
            let clients = sim.configuration.clients
            for id in clients where rng.next() % 5 == 0 {
                sim.dropouts[id] = SecAggSimulation.Dropout.allCases[Int(rng.next() % 5)]
            }
            for id in clients where rng.next() % 12 == 0 { sim.corruptRevealers.insert(id) }
            let inputs = Self.inputs(n, d, bound: 1_000, rng: &rng)
            let outcome = try sim.run(inputs: inputs)
            if let sum = outcome.sum {
                completed += 1
                // The survivors are exactly the clients that sent a masked input.
                let survivors = clients.filter { (sim.dropouts[$0] ?? .duringUnmasking) >= .afterMaskedInput }
                #expect(outcome.contributors == survivors, "seed \(seed)")
                let indices = outcome.contributors.map { clients.firstIndex(of: $0)! }
                let expected = (0..<d).map { j in indices.reduce(Int64(0)) { $0 + inputs[$1][j] } }
                #expect(sum == expected, "seed \(seed): a wrong sum")
                // Every client that revealed corrupted shares (and got to reveal) is caught.
                let revealers = sim.corruptRevealers.filter { sim.dropouts[$0] == nil }
                #expect(revealers.isSubset(of: outcome.offenders), "seed \(seed)")
                if !revealers.isEmpty { caught += 1 }
            } else {
                aborted += 1
                #expect(outcome.abortReason?.isEmpty == false, "seed \(seed): an abort without a reason")
            }
        }
        #expect(completed + aborted == 50)
        #expect(completed > 25, "most schedules keep enough participants")
        #expect(aborted > 0, "some schedules lose too many participants")
        #expect(caught > 0, "some schedules have malicious revealers that are caught")
    }

    @Test("a client that drops after sharing has its pairwise masks removed with its reconstructed key")
    func dropoutAfterSharing() throws {
        var sim = try Self.simulation(n: 7, dimension: 16)
        let dropped = sim.configuration.clients[3]
        sim.dropouts[dropped] = .afterSharing
        var rng = SplitMix64(seed: 7)
        let inputs = Self.inputs(7, 16, bound: 1_000, rng: &rng)
        let outcome = try sim.run(inputs: inputs)
        let expected = (0..<16).map { j in (0..<7).filter { $0 != 3 }.reduce(Int64(0)) { $0 + inputs[$1][j] } }
        #expect(outcome.sum == expected)
        #expect(outcome.metrics.dropouts == 1)
    }

    @Test("too many dropouts abort with the precise reason, never a wrong sum")
    func tooManyDropouts() throws {
        var sim = try Self.simulation(n: 5, threshold: 4, dimension: 4)
        for id in sim.configuration.clients.prefix(2) { sim.dropouts[id] = .afterSharing }
        var rng = SplitMix64(seed: 3)
        let outcome = try sim.run(inputs: Self.inputs(5, 4, bound: 10, rng: &rng))
        #expect(outcome.sum == nil)
        #expect(outcome.abortReason?.contains("below the threshold 4") == true)
    }

    @Test("a client revealing corrupted shares is caught by the commitments and the sum stays correct")
    func maliciousRevealer() throws {
        var sim = try Self.simulation(n: 6, threshold: 4, dimension: 10)
        let liar = sim.configuration.clients[2]
        sim.corruptRevealers = [liar]
        var rng = SplitMix64(seed: 11)
        let inputs = Self.inputs(6, 10, bound: 500, rng: &rng)
        let outcome = try sim.run(inputs: inputs)
        #expect(outcome.abortReason == nil)
        #expect(outcome.offenders == [liar])
        #expect(outcome.metrics.invalidShares == 5, "one bad share per other dealer")
        #expect(outcome.sum == (0..<10).map { j in inputs.reduce(Int64(0)) { $0 + $1[j] } })
    }

    @Test("the server cannot swap a client's keys: relayed advertisements are signature-checked")
    func keySubstitution() throws {
        let ids = Self.identities(3)
        let roster = try FederationRoster(ids.map(\.publicIdentity))
        let configuration = try SecAggConfiguration(
            instance: "swap", clients: ids.map(\.id), graph: .complete, threshold: 2, dimension: 2, bound: 10)
        let clients = try ids.map {
            try SecAggClient(instance: "swap", identity: $0, roster: roster, input: [1, 2], bound: 10)
        }
        var ads = try clients.map { client -> Signed<SecAggAdvertisement> in
            guard case .advertise(let ad) = try client.advertise() else { throw SecAggError(.protocolViolation, "?") }
            return ad
        }
        // The server replaces client 1's advertisement with one it made up (signed by an impostor key).
        let impostor = SigningIdentity.generate(id: ids[1].id, role: .node)
        let fake = SecAggAdvertisement(
            client: ids[1].id, instance: "swap", encryptionKey: Data(repeating: 9, count: 32),
            maskKey: Data(repeating: 9, count: 32))
        ads[1] = try Signed(signing: fake, with: impostor)
        #expect(throws: SecAggError.self) { try clients[0].handle(.neighbours(configuration, ads)) }
    }

    @Test(
        "a server telling some clients that a peer dropped: those clients see too few matching signatures and refuse to reveal"
    )
    func lyingAboutDropouts() throws {
        let ids = Self.identities(5)
        let roster = try FederationRoster(ids.map(\.publicIdentity))
        let configuration = try SecAggConfiguration(
            instance: "lie", clients: ids.map(\.id), graph: .complete, threshold: 3, dimension: 2, bound: 10)
        let server = SecAggServer(configuration: configuration, roster: roster)
        let clients = try ids.map {
            try SecAggClient(instance: "lie", identity: $0, roster: roster, input: [1, 2], bound: 10)
        }
        var outgoing: [ParticipantID: SecAggServerMessage] = [:]
        for (i, c) in clients.enumerated() { server.receive(try c.advertise(), from: ids[i].id) }
        outgoing = try server.finishStage()
        for _ in 0..<2 {  // shares, masked inputs
            for (i, c) in clients.enumerated() { server.receive(try c.handle(outgoing[ids[i].id]!), from: ids[i].id) }
            outgoing = try server.finishStage()
        }
        // The honest list names all five; the server tells clients 0-1 that client 4 dropped.
        let all = ids.map(\.id)
        var attestations: [Signed<SecAggSurvivors>] = []
        for (i, c) in clients.enumerated() {
            let list = i < 2 ? Array(all.prefix(4)) : all
            guard case .attestation(let a) = try c.handle(.survivors(list)) else { return }
            attestations.append(a)
        }
        // Clients 0-1 see only 2 signatures on their list (< t = 3); clients 2-4 see 3 on theirs but that list
        // makes them reveal client 4's self-mask share while 0-1 would reveal its mask key: the server needs 3 of
        // a kind and gets them only from the honest majority, which cannot also give the other kind.
        for c in clients.prefix(2) {
            #expect(throws: SecAggError.self) { try c.handle(.attestations(attestations)) }
        }
    }

    @Test("a server showing a threshold at most half the group is refused before any secret is dealt")
    func lowThreshold() throws {
        let ids = Self.identities(4)
        let roster = try FederationRoster(ids.map(\.publicIdentity))
        let weak = try SecAggConfiguration(
            instance: "weak", clients: ids.map(\.id), graph: .complete, threshold: 2, dimension: 1, bound: 10)
        let client = try SecAggClient(instance: "weak", identity: ids[0], roster: roster, input: [1], bound: 10)
        guard case .advertise(let ad) = try client.advertise() else { return }
        #expect(throws: SecAggError.self) { try client.handle(.neighbours(weak, [ad])) }
    }

    @Test("inputs beyond the bound are refused, and configurations whose sum could wrap are refused")
    func bounds() throws {
        let ids = Self.identities(2)
        let roster = try FederationRoster(ids.map(\.publicIdentity))
        #expect(throws: SecAggError.self) {
            try SecAggClient(instance: "b", identity: ids[0], roster: roster, input: [11], bound: 10)
        }
        #expect(throws: SecAggError.self) {
            try SecAggConfiguration(
                instance: "b", clients: ids.map(\.id), graph: .complete, threshold: 2, dimension: 1, bound: 1 << 30)
        }
    }

    @Test("SecAgg+ groups are symmetric, of the requested odd size, and the same for everyone")
    func sparseGroups() throws {
        let ids = Self.identities(40).map(\.id)
        let graph = SecAggGraph.sparse(groupSize: 9, seed: [1, 2, 3])
        let configuration = try SecAggConfiguration(
            instance: "g", clients: ids, graph: graph, threshold: 5, dimension: 1, bound: 1)
        for u in ids {
            let group = configuration.group(of: u)
            #expect(group.count == 9 && group.contains(u))
            for v in group { #expect(configuration.group(of: v).contains(u), "\(u) ↔ \(v)") }
        }
        #expect(SecAggGraph.defaultGroupSize(clientCount: 1_000) == 31)
        #expect(SecAggGraph.defaultGroupSize(clientCount: 5) == 5)
    }

    @Test("the threshold formula: t = ⌊k(1+γ)/2⌋ + 1, refused when the tolerated dropouts leave fewer than t")
    func thresholdFormula() throws {
        #expect(try SecAggGraph.threshold(groupSize: 100, dropout: 0.1, corruption: 0.1) == 56)
        #expect(try SecAggGraph.threshold(groupSize: 31, dropout: 0.1, corruption: 0.05) == 17)
        #expect(throws: SecAggError.self) { try SecAggGraph.threshold(groupSize: 10, dropout: 0.5, corruption: 0.2) }
    }
}
