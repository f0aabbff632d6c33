import Foundation
import PhalanxCore
import Testing

@testable import PhalanxProviders

@Suite("The plain provider and the IR interpreters")
struct PlainProviderTests {
    static let schema = TableSchema(
        name: "events",
        columns: [
            ColumnSchema(name: "day", kind: .integer),
            ColumnSchema(name: "category", kind: .category, domain: ["a", "b", "c"]),
        ]
    )

    static let plugin = PluginIR(
        name: "count", version: "1", inputSchema: InputSchema(tables: [schema]),
        node: [
            .load(into: "e", table: "events"), .filter(into: "d", from: "e", column: "day", equals: .round),
            .countBy(into: "c", from: "d", column: "category", domain: ["a", "b", "c"]),
            .clipL1(into: "k", from: "c", bound: 5), .secureSum(from: "k", channel: "x"),
        ],
        aggregator: [
            .secureSum(into: "s", channel: "x"), .release(from: "s", output: "raw", labels: ["a", "b", "c"]),
            .thresholdRelease(from: "s", threshold: 3, output: "k-anonymous", labels: ["a", "b", "c"]),
        ]
    )

    static func manifest(nodes: [String]) throws -> JobManifest {
        JobManifest(
            jobNonce: String(repeating: "ab", count: 16),
            plugin: PluginReference(name: "count", version: "1", digest: try plugin.digest),
            opcodes: plugin.opcodes, executionProvider: "plain",
            metricKeys: ["contributionL1", "pendingContributions"],
            predicates: [], guardrails: PolicyReference(version: "1", digest: try plugin.digest), parameters: [:],
            inputSchema: plugin.inputSchema,
            participants: ParticipantSet(
                nodes: try nodes.map { try ParticipantID($0) }, aggregator: try ParticipantID("agg"),
                control: try ParticipantID("ctl")
            ),
            rounds: 2
        )
    }

    func table(_ rows: [(Int64, String)]) throws -> LocalTable {
        try LocalTable(schema: Self.schema, rows: rows.map { [.integer($0.0), .category($0.1)] })
    }

    @Test("three nodes: the released sum equals the sum of the clipped local counts")
    func endToEndSum() throws {
        let provider = PlainProvider()
        let tables = [
            try table([(0, "a"), (0, "a"), (0, "b"), (1, "c")]),
            // 8 rows on day 0: clipped to 5.
            try table([(0, "a"), (0, "c"), (0, "c"), (0, "c"), (0, "c"), (0, "c"), (0, "c"), (0, "b")]),
            try table([(1, "a")]),
        ]
        let nodes = ["n1", "n2", "n3"]
        let manifest = try Self.manifest(nodes: nodes)
        let aggregator = try provider.makeAggregatorSession(
            job: ProviderJobContext(
                manifest: manifest, plugin: Self.plugin,
                identity: SigningIdentity.generate(id: try ParticipantID("agg"), role: .node),
                roster: try FederationRoster([])))
        var expected = [Int64](repeating: 0, count: 3)
        for (name, t) in zip(nodes, tables) {
            let id = try ParticipantID(name)
            let session = try provider.makeNodeSession(
                job: ProviderJobContext(
                    manifest: manifest, plugin: Self.plugin, identity: SigningIdentity.generate(id: id, role: .node),
                    roster: try FederationRoster([])))
            let out = try NodeProgramInterpreter(plugin: Self.plugin, tables: ["events": t]).run(
                round: 0, session: session)
            #expect(out.rowsRead == t.rows.count)
            #expect(out.messages.count == 1)
            #expect(!session.isBusy)
            try aggregator.receive(out.messages[0], from: id)
            // Independent computation of the same thing.
            var counts = [Int64](repeating: 0, count: 3)
            for row in t.rows where row[0] == .integer(0) {
                if case .category(let c) = row[1] { counts[["a", "b", "c"].firstIndex(of: c)!] += 1 }
            }
            let clipped = Clipping.clipL1(counts, bound: 5)
            #expect(session.metrics()["contributionL1"] == Double(clipped.reduce(0, +)))
            for i in 0..<3 { expected[i] += clipped[i] }
        }
        #expect(aggregator.metrics()["pendingContributions"] == 3)
        let ids = try nodes.map { try ParticipantID($0) }
        // A sum completes only when every active node contributed, and one step later (the safety loop's grace).
        #expect(try aggregator.step(active: ids + [try ParticipantID("late")]).completed.isEmpty)
        #expect(try aggregator.step(active: ids).completed.isEmpty)
        let step = try aggregator.step(active: ids)
        let sum = try #require(step.completed.first)
        #expect(sum.channel == "x" && sum.round == 0 && sum.contributors == ids)
        #expect(sum.sum == expected)
        let outputs = try AggregatorProgramInterpreter(plugin: Self.plugin).run(round: 0, sums: ["x": sum])
        #expect(outputs[0].values == expected.map { $0 })
        #expect(outputs[1].values == expected.map { $0 >= 3 ? $0 : nil })
        #expect(aggregator.metrics()["pendingContributions"] == 0)
    }

    @Test("skipping clipping (the overspend fault) sends the unclipped vector")
    func skipClipping() throws {
        let session = try PlainProvider().makeNodeSession(
            job: ProviderJobContext(
                manifest: try Self.manifest(nodes: ["n1"]), plugin: Self.plugin,
                identity: SigningIdentity.generate(id: try ParticipantID("n1"), role: .node),
                roster: try FederationRoster([]))
        )
        let rows = (0..<9).map { _ in (Int64(0), "a") }
        let out = try NodeProgramInterpreter(plugin: Self.plugin, tables: ["events": try table(rows)]).run(
            round: 0, session: session, skipClipping: true
        )
        #expect(try CanonicalEncoding.decode([Int64].self, from: out.messages[0].body) == [9, 0, 0])
        #expect(session.metrics()["contributionL1"] == 9)
    }

    @Test("malformed, mismatched, duplicate and missing contributions are refused")
    func aggregatorRefusals() throws {
        let manifest = try Self.manifest(nodes: ["n1", "n2"])
        let agg = try PlainProvider().makeAggregatorSession(
            job: ProviderJobContext(
                manifest: manifest, plugin: Self.plugin,
                identity: SigningIdentity.generate(id: try ParticipantID("agg"), role: .node),
                roster: try FederationRoster([])))
        let n1 = try ParticipantID("n1")
        let n2 = try ParticipantID("n2")
        func contribution(_ v: [Int64], provider: String = "plain") throws -> ProviderMessage {
            ProviderMessage(
                provider: provider, channel: "x", round: 0, step: "contribution",
                body: Data(try CanonicalEncoding.encode(v)))
        }
        #expect(throws: ProviderError.self) {
            try agg.receive(
                ProviderMessage(provider: "plain", channel: "x", round: 0, step: "contribution", body: Data([0xFF])),
                from: n1)
        }
        #expect(throws: ProviderError.self) { try agg.receive(try contribution([1], provider: "secagg"), from: n1) }
        try agg.receive(try contribution([1, 2, 3]), from: n1)
        #expect(throws: ProviderError.self) { try agg.receive(try contribution([1, 2]), from: n2) }
        #expect(throws: ProviderError.self) { try agg.receive(try contribution([1, 2, 3]), from: n1) }
        #expect(try agg.step(active: [n1, n2]).completed.isEmpty, "n2 is missing")
        agg.discardPending()
        #expect(agg.metrics()["pendingContributions"] == 0)
    }

    @Test("a sum that would overflow Int64 is an error, not a wrapped value")
    func overflow() throws {
        let manifest = try Self.manifest(nodes: ["n1", "n2"])
        let agg = try PlainProvider().makeAggregatorSession(
            job: ProviderJobContext(
                manifest: manifest, plugin: Self.plugin,
                identity: SigningIdentity.generate(id: try ParticipantID("agg"), role: .node),
                roster: try FederationRoster([])))
        for name in ["n1", "n2"] {
            let body = Data(try CanonicalEncoding.encode([Int64.max - 1]))
            try agg.receive(
                ProviderMessage(provider: "plain", channel: "x", round: 0, step: "contribution", body: body),
                from: try ParticipantID(name))
        }
        let both = [try ParticipantID("n1"), try ParticipantID("n2")]
        #expect(try agg.step(active: both).completed.isEmpty)  // the step of grace
        #expect(throws: ProviderError.self) { try agg.step(active: both) }
    }

    @Test("tables refuse rows that break their schema")
    func tableSchema() {
        #expect(throws: InterpreterError.self) { try LocalTable(schema: Self.schema, rows: [[.integer(0)]]) }
        #expect(throws: InterpreterError.self) {
            try LocalTable(schema: Self.schema, rows: [[.integer(0), .category("z")]])
        }
        #expect(throws: InterpreterError.self) {
            try LocalTable(schema: Self.schema, rows: [[.category("a"), .category("a")]])
        }
    }

    @Test("the provider declares what it implements and that it protects nothing")
    func descriptor() {
        let d = PlainProvider().descriptor
        #expect(d.opcodes == [.secureSum, .thresholdRelease, .release])
        #expect(d.unsupportedOpcodes(in: [.load, .noise, .secureSum]) == [.noise])
        #expect(d.protection.hasPrefix("NONE"))
        #expect(ProviderRegistry.builtIn.names == ["dp", "dp+secagg", "fhe", "fhe+dp", "plain", "secagg"])
    }
}

extension PlainProviderTests {
    @Test("a node isolated during the step of grace is left out of the sum it contributed to")
    func isolatedDuringGrace() throws {
        let nodes = try ["n1", "n2", "n3"].map { try ParticipantID($0) }
        let aggregator = try PlainProvider().makeAggregatorSession(
            job: ProviderJobContext(
                manifest: try Self.manifest(nodes: nodes.map(\.rawValue)), plugin: Self.plugin,
                identity: SigningIdentity.generate(id: try ParticipantID("agg"), role: .node),
                roster: try FederationRoster([])))
        for (node, value) in zip(nodes, [Int64(1), 2, 1_000]) {
            let body = Data(try CanonicalEncoding.encode([value, 0, 0]))
            try aggregator.receive(
                ProviderMessage(provider: "plain", channel: "x", round: 0, step: "contribution", body: body), from: node
            )
        }
        #expect(try aggregator.step(active: nodes).completed.isEmpty)
        let sum = try #require(try aggregator.step(active: Array(nodes.prefix(2))).completed.first)
        #expect(sum.sum == [3, 0, 0] && sum.contributors == Array(nodes.prefix(2)))
    }
}
