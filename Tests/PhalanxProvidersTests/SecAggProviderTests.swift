import Foundation
import PhalanxCore
import Testing

@testable import PhalanxProviders

@Suite("The secagg provider through its node and aggregator sessions")
struct SecAggProviderTests {
    /// A plug-in that sums a count vector of `d` categories, clipped to L∞ ≤ 50.
    static func plugin(d: Int) -> PluginIR {
        let domain = (0..<d).map { "k\($0)" }
        return PluginIR(
            name: "wide", version: "1",
            inputSchema: InputSchema(tables: [
                TableSchema(name: "t", columns: [ColumnSchema(name: "k", kind: .category, domain: domain)])
            ]),
            node: [
                .load(into: "t", table: "t"), .countBy(into: "c", from: "t", column: "k", domain: domain),
                .clipLinf(into: "b", from: "c", bound: 50), .secureSum(from: "b", channel: "x"),
            ],
            aggregator: [.secureSum(into: "s", channel: "x"), .release(from: "s", output: "out", labels: domain)]
        )
    }

    /// Drives `nodes` sessions and one aggregator session tick by tick until the sum completes (or fails).
    static func drive(d: Int, nodes n: Int, silent: Set<Int> = []) throws -> (ProviderStep, [[Int64]]) {
        let plugin = plugin(d: d)
        let ids = (0..<n).map { SigningIdentity.generate(id: try! ParticipantID("n\($0)"), role: .node) }
        let aggregatorID = SigningIdentity.generate(id: try ParticipantID("agg"), role: .aggregator)
        let roster = try FederationRoster((ids + [aggregatorID]).map(\.publicIdentity))
        let manifest = JobManifest(
            jobNonce: String(repeating: "cd", count: 16),
            plugin: PluginReference(name: "wide", version: "1", digest: try plugin.digest), opcodes: plugin.opcodes,
            executionProvider: "secagg", metricKeys: [], predicates: [],
            guardrails: PolicyReference(version: "1", digest: try plugin.digest), parameters: [:],
            inputSchema: plugin.inputSchema,
            participants: ParticipantSet(
                nodes: ids.map(\.id), aggregator: aggregatorID.id, control: try ParticipantID("ctl")),
            rounds: 1)
        let provider = SecAggProvider(graph: .complete, dropout: 0.25, corruption: 0.0)
        let aggregator = try provider.makeAggregatorSession(
            job: ProviderJobContext(manifest: manifest, plugin: plugin, identity: aggregatorID, roster: roster))
        let sessions = try ids.map {
            try provider.makeNodeSession(
                job: ProviderJobContext(manifest: manifest, plugin: plugin, identity: $0, roster: roster))
        }
        var rng = SystemRandomNumberGenerator()
        let vectors = (0..<n).map { _ in (0..<d).map { _ in Int64.random(in: -50...50, using: &rng) } }
        for (i, session) in sessions.enumerated() where !silent.contains(i) {
            for m in try session.begin(vectors[i], channel: "x", round: 0) {
                try aggregator.receive(m, from: ids[i].id)
            }
        }
        for _ in 0..<20 {
            let step = try aggregator.step(active: ids.map(\.id))
            if !step.completed.isEmpty || !step.failed.isEmpty { return (step, vectors) }
            for (to, message) in step.outgoing {
                let i = ids.firstIndex { $0.id == to }!
                guard !silent.contains(i) else { continue }
                for reply in (try? sessions[i].receive(message)) ?? [] { try aggregator.receive(reply, from: to) }
            }
        }
        Issue.record("the sum did not complete in 20 ticks")
        return (ProviderStep(), vectors)
    }

    @Test("vectors of any size sum exactly", arguments: [1, 7, 1_000, 5_003])
    func anySize(d: Int) throws {
        let (step, vectors) = try Self.drive(d: d, nodes: 4)
        let sum = try #require(step.completed.first)
        #expect(sum.sum == (0..<d).map { j in vectors.reduce(Int64(0)) { $0 + $1[j] } })
        #expect(sum.contributors.count == 4)
    }

    @Test("a node that never answers becomes a dropout after the stage timeout; the others are summed")
    func silentNode() throws {
        let (step, vectors) = try Self.drive(d: 16, nodes: 5, silent: [2])
        let sum = try #require(step.completed.first)
        #expect(sum.contributors.count == 4)
        #expect(
            sum.sum
                == (0..<16).map { j in
                    vectors.enumerated().filter { $0.offset != 2 }.reduce(Int64(0)) { $0 + $1.element[j] }
                })
    }

    @Test("the provider refuses a secure_sum of an unclipped vector")
    func unclipped() throws {
        var plugin = Self.plugin(d: 3)
        plugin.node.remove(at: 2)
        plugin.node[2] = .secureSum(from: "c", channel: "x")
        #expect(throws: ProviderError.self) { try SecAggProvider().bound(of: "x", in: plugin) }
    }
}
