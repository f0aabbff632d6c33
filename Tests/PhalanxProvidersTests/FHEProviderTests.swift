import Foundation
import PhalanxCore
import PhalanxFHE
import Testing
import _TestSupport

@testable import PhalanxProviders

/// The `fhe` provider driven by hand, session by session, the way the node runtimes and the aggregator drive it.
@Suite("The fhe provider")
struct FHEProviderTests {
    /// Small parameters for a debug build (N = 1024 is not secure at this Q; the shipped default is N = 8192).
    static let parameters = try! BFVParameters(
        degree: 1024, plaintextModulus: NTTPrimes.generate(count: 1, bits: 34, degree: 1024)[0],
        ciphertextPrimes: NTTPrimes.generate(count: 3, bits: 60, degree: 1024), name: "test-n1024")
    static let provider = FHEProvider(parameters: parameters)
    static let plugin = PlainProviderTests.plugin

    struct Federation {
        let nodes: [ParticipantID]
        let sessions: [ParticipantID: any NodeProviderSession]
        let aggregator: any AggregatorProviderSession

        init(nodes names: [String], provider: FHEProvider = FHEProviderTests.provider) throws {
            let manifest = try PlainProviderTests.manifest(nodes: names)
            nodes = try names.map { try ParticipantID($0) }
            let identities = nodes.map { SigningIdentity.generate(id: $0, role: .node) }
            let aggregatorIdentity = SigningIdentity.generate(id: try ParticipantID("agg"), role: .aggregator)
            let roster = try FederationRoster((identities + [aggregatorIdentity]).map(\.publicIdentity))
            var sessions: [ParticipantID: any NodeProviderSession] = [:]
            for identity in identities {
                sessions[identity.id] = try provider.makeNodeSession(
                    job: ProviderJobContext(
                        manifest: manifest, plugin: FHEProviderTests.plugin, identity: identity, roster: roster))
            }
            self.sessions = sessions
            aggregator = try provider.makeAggregatorSession(
                job: ProviderJobContext(
                    manifest: manifest, plugin: FHEProviderTests.plugin, identity: aggregatorIdentity, roster: roster))
        }

        /// The nodes in `active` begin `vectors[i]`; messages are delivered until the sum completes (or `steps` run
        /// out). Nodes outside `active` are gone: they neither send nor receive.
        func run(
            _ vectors: [[Int64]], round: Int, active: [ParticipantID]? = nil, steps: Int = 14
        ) throws
            -> CompletedSum?
        {
            let active = active ?? nodes
            var toAggregator: [(ParticipantID, ProviderMessage)] = []
            for (node, vector) in zip(nodes, vectors) where active.contains(node) {
                toAggregator += try sessions[node]!.begin(vector, channel: "x", round: round).map { (node, $0) }
            }
            for _ in 0..<steps {
                for (node, message) in toAggregator { try aggregator.receive(message, from: node) }
                toAggregator.removeAll()
                let step = try aggregator.step(active: active)
                #expect(step.failed.isEmpty, "\(step.failed)")
                if let sum = step.completed.first { return sum }
                for (node, message) in step.outgoing where active.contains(node) {
                    toAggregator += try sessions[node]!.receive(message).map { (node, $0) }
                }
            }
            return nil
        }
    }

    @Test("three nodes: collective key, encrypted sums over rounds, smudged decryption, exact results")
    func endToEnd() throws {
        let federation = try Federation(nodes: ["n1", "n2", "n3"])
        let rounds: [[[Int64]]] = [
            [[1, 2, 2], [0, 5, 0], [3, 0, -1]],
            [[5, 0, 0], [1, 1, 1], [0, 0, 4]],
            [[0, 0, 0], [2, 2, 1], [-5, 0, 0]],
        ]
        for (round, vectors) in rounds.enumerated() {
            let sum = try #require(try federation.run(vectors, round: round))
            #expect(sum.round == round && sum.channel == "x" && sum.contributors == federation.nodes)
            #expect(sum.sum == (0..<3).map { i in vectors.reduce(0) { $0 + $1[i] } })
            #expect(federation.sessions.values.allSatisfy { !$0.isBusy })
        }
        // Three rounds of three ciphertexts consumed budget; both sides see the same estimate.
        let nodeMetrics = federation.sessions[federation.nodes[0]]!.metrics()
        let aggregatorMetrics = federation.aggregator.metrics()
        #expect(nodeMetrics[FHEProvider.noiseBits] == aggregatorMetrics[FHEProvider.noiseBits])
        #expect((nodeMetrics[FHEProvider.noiseBits] ?? 0) > 0)
        #expect(nodeMetrics[FHEProvider.refreshes] == 0)
    }

    @Test("A-BOOTSTRAP: the next decryption carries refresh shares, and the budget is restored on both sides")
    func bootstrap() throws {
        let federation = try Federation(nodes: ["n1", "n2", "n3"])
        let vectors: [[Int64]] = [[1, 1, 1], [2, 2, 2], [3, 3, 3]]
        for round in 0..<3 { _ = try #require(try federation.run(vectors, round: round)) }
        let before = try #require(federation.aggregator.metrics()[FHEProvider.noiseBits])
        for session in federation.sessions.values { #expect(try session.bootstrap()) }
        let sum = try #require(try federation.run(vectors, round: 3))
        #expect(sum.sum == [6, 6, 6])
        let after = federation.aggregator.metrics()
        #expect(after[FHEProvider.refreshes] == 1)
        #expect((after[FHEProvider.noiseBits] ?? 0) > before + 3, "\(before) → \(after)")
        for session in federation.sessions.values {
            #expect(session.metrics()[FHEProvider.refreshes] == 1)
            #expect(session.metrics()[FHEProvider.noiseBits] == after[FHEProvider.noiseBits])
        }
        // The refreshed total keeps adding up.
        #expect(try federation.run(vectors, round: 4)?.sum == [6, 6, 6])
    }

    @Test("t-out-of-N: after the key setup a node may leave, and the others go on decrypting without it")
    func thresholdDropout() throws {
        // 4 nodes, tolerance 0.25: any 3 decrypt.
        let federation = try Federation(
            nodes: ["n1", "n2", "n3", "n4"], provider: FHEProvider(parameters: Self.parameters, dropoutTolerance: 0.25))
        let vectors: [[Int64]] = [[1, 0, 0], [0, 2, 0], [0, 0, 3], [4, 4, 4]]
        #expect(try federation.run(vectors, round: 0)?.sum == [5, 6, 7])
        let three = Array(federation.nodes.prefix(3))
        let sum = try #require(try federation.run(vectors, round: 1, active: three))
        #expect(sum.sum == [1, 2, 3] && sum.contributors == three)
        // A refresh by the three remaining nodes, and the totals keep adding up.
        for node in three { #expect(try federation.sessions[node]!.bootstrap()) }
        #expect(try federation.run(vectors, round: 2, active: three)?.sum == [1, 2, 3])
        #expect(federation.aggregator.metrics()[FHEProvider.refreshes] == 1)
        #expect(try federation.run(vectors, round: 3, active: three)?.sum == [1, 2, 3])
        // Two are too few.
        for node in federation.nodes.prefix(2) {
            for message in try federation.sessions[node]!.begin([1, 1, 1], channel: "x", round: 4) {
                try federation.aggregator.receive(message, from: node)
            }
        }
        let failure = try #require(
            try federation.aggregator.step(active: Array(federation.nodes.prefix(2))).failed.first)
        #expect(failure.reason.contains("needs 3 of the job's 4 nodes"), "\(failure.reason)")
    }

    @Test("N-out-of-N (tolerance 0): a node that leaves ends the sums, with the reason")
    func nOutOfN() throws {
        let federation = try Federation(
            nodes: ["n1", "n2", "n3"], provider: FHEProvider(parameters: Self.parameters, dropoutTolerance: 0))
        _ = try #require(try federation.run([[1, 0, 0], [1, 0, 0], [1, 0, 0]], round: 0))
        for node in federation.nodes {
            for message in try federation.sessions[node]!.begin([1, 0, 0], channel: "x", round: 1) {
                try federation.aggregator.receive(message, from: node)
            }
        }
        let step = try federation.aggregator.step(active: Array(federation.nodes.prefix(2)))
        let failure = try #require(step.failed.first)
        #expect(
            failure.reason.contains("needs 3 of the job's 3 nodes") && failure.reason.contains("n3"),
            "\(failure.reason)")
    }

    @Test("a job whose sums could wrap modulo t is refused before any key exists")
    func boundsRefused() throws {
        let wide = FHEProvider(parameters: Self.parameters, extraBound: 1 << 33)
        #expect {
            _ = try Federation(nodes: ["n1", "n2"], provider: wide)
        } throws: { error in
            "\(error)".contains("could reach t/2")
        }
    }

    @Test("malformed, foreign, duplicate and unrequested messages are refused with what is wrong")
    func refusals() throws {
        let federation = try Federation(nodes: ["n1", "n2"])
        let n1 = federation.nodes[0]
        let keyShare = try #require(try federation.sessions[n1]!.begin([1, 2, 3], channel: "x", round: 0).first)
        func refusal(_ message: ProviderMessage, from node: ParticipantID) -> String {
            do {
                try federation.aggregator.receive(message, from: node)
                return "accepted"
            } catch { return "\(error)" }
        }
        func variant(step: String? = nil, body: Data? = nil, provider: String = FHEProvider.name) -> ProviderMessage {
            ProviderMessage(
                provider: provider, channel: "x", round: 0, step: step ?? keyShare.step, body: body ?? keyShare.body)
        }
        #expect(refusal(variant(body: Data([1, 2])), from: n1).contains("truncated"))
        #expect(refusal(variant(body: keyShare.body + Data([0])), from: n1).contains("trailing bytes"))
        #expect(refusal(variant(provider: "secagg"), from: n1).contains("sent a secagg"))
        #expect(refusal(variant(step: "unmask"), from: n1).contains("unmask"))
        #expect(refusal(keyShare, from: try ParticipantID("stranger")).contains("not a node of this job"))
        var corrupted = [UInt8](keyShare.body)
        corrupted[12] ^= 0xFF  // inside the key share's header: its magic
        #expect(refusal(variant(body: Data(corrupted)), from: n1).contains("magic"))
        #expect(refusal(keyShare, from: n1) == "accepted")
        #expect(refusal(keyShare, from: n1).contains("second"))
        #expect(refusal(variant(step: "decryption-shares"), from: n1).contains("nobody asked for"))
    }

    @Test("message bodies: random truncations and byte flips are refused or decoded, never a crash")
    func bodyFuzz() throws {
        let body = FHEMessageBody(header: [7], objects: [[1, 2, 3], [], Array(repeating: 9, count: 100)]).encoded()
        #expect(
            try FHEMessageBody(decoding: body)
                == FHEMessageBody(header: [7], objects: [[1, 2, 3], [], Array(repeating: 9, count: 100)]))
        var random = SplitMix64(seed: 11)
        for _ in 0..<3000 {
            var bytes = [UInt8](body)
            switch random.next() % 3 {
            case 0: bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
            case 1: bytes[Int(random.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            default:
                bytes.append(
                    contentsOf: (0..<Int(random.next() % 8)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
            }
            _ = try? FHEMessageBody(decoding: Data(bytes))
        }
    }
}
