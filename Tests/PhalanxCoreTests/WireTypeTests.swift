import Foundation
import Testing

@testable import PhalanxCore

@Suite("Wire types: round trips, manifest validation, plug-in IR")
struct WireTypeTests {
    static func manifest() -> JobManifest {
        JobManifest(
            jobNonce: "00112233445566778899aabbccddeeff",
            plugin: PluginReference(name: "safety-event-count", version: "1.0.0", digest: Fixtures.jobId),
            opcodes: [.clipL1, .countBy, .filter, .load, .release, .secureSum],
            executionProvider: "plain", metricKeys: ["contributionL1", "pendingContributions"],
            predicates: ["contribution-bound", "straggler"],
            guardrails: PolicyReference(version: "2026.11-1", digest: Fixtures.jobId),
            parameters: ["maxContributionL1": 250, "maxLagMs": 5000],
            inputSchema: InputSchema(tables: [
                TableSchema(
                    name: "events", columns: [ColumnSchema(name: "category", kind: .category, domain: ["a", "b"])])
            ]),
            participants: ParticipantSet(
                nodes: [Fixtures.id("org-a"), Fixtures.id("org-b")], aggregator: Fixtures.id("aggregator"),
                control: Fixtures.id("control")),
            rounds: 3
        )
    }

    @Test("frames, commands, acks and manifests survive JSON and canonical round trips")
    func roundTrips() throws {
        func check<T: Codable & Equatable>(_ value: T) throws {
            #expect(try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value)) == value)
            #expect(try CanonicalEncoding.decode(T.self, from: CanonicalEncoding.encode(value)) == value)
        }
        try check(Fixtures.frame)
        try check(Fixtures.command)
        try check(Fixtures.ack)
        try check(Self.manifest())
        try check(try Signed(signing: Fixtures.frame, with: Fixtures.node))
    }

    @Test("the manifest hash is the SHA-256 of its canonical encoding and changes with every field")
    func manifestHash() throws {
        let m = Self.manifest()
        #expect(m.hash == SHA256Digest.of(try CanonicalEncoding.encode(m)))
        var variants: [JobManifest] = []
        var v = m
        v.jobNonce = "00112233445566778899aabbccddeef0"
        variants.append(v)
        v = m
        v.rounds = 4
        variants.append(v)
        v = m
        v.predicates = ["straggler"]
        variants.append(v)
        v = m
        v.parameters["maxLagMs"] = 5001
        variants.append(v)
        v = m
        v.executionProvider = "dp"
        variants.append(v)
        for variant in variants { #expect(variant.hash != m.hash) }
    }

    static let invalid: [(String, @Sendable (inout JobManifest) -> Void, String)] = [
        ("format", { $0.formatVersion = 2 }, "$.formatVersion"),
        ("nonce", { $0.jobNonce = "XYZ" }, "$.jobNonce"),
        ("plugin name", { $0.plugin.name = "Safety Count" }, "$.plugin.name"),
        ("no opcodes", { $0.opcodes = [] }, "$.opcodes"),
        ("unsorted opcodes", { $0.opcodes = [.load, .filter] }, "$.opcodes[1]"),
        ("bad metric key", { $0.metricKeys = ["9lives"] }, "$.metricKeys[0]"),
        ("frame field as metric", { $0.metricKeys = ["lagMs"] }, "$.metricKeys[0]"),
        ("bad predicate id", { $0.predicates = ["Bad_ID"] }, "$.predicates[0]"),
        ("non-finite parameter", { $0.parameters["x"] = .infinity }, "$.parameters.x"),
        ("no nodes", { $0.participants.nodes = [] }, "$.participants.nodes"),
        (
            "duplicate node", { $0.participants.nodes = [Fixtures.id("org-a"), Fixtures.id("org-a")] },
            "$.participants.nodes[1]"
        ),
        ("zero rounds", { $0.rounds = 0 }, "$.rounds"),
    ]

    @Test("manifest validation names the JSON path", arguments: invalid)
    func manifestValidation(_ c: (String, @Sendable (inout JobManifest) -> Void, String)) {
        var m = Self.manifest()
        c.1(&m)
        #expect {
            try m.validate()
        } throws: { error in
            (error as? ManifestError)?.path == c.2
        }
    }

    @Test("malformed manifest JSON is refused with the path")
    func malformedJSON() throws {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.manifest())) as! [String: Any]
        object["opcodes"] = ["load", "teleport"]
        let data = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JobManifest.self, from: data) }
        object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.manifest())) as! [String: Any]
        object["participants"] = ["nodes": ["ORG A"], "aggregator": "aggregator", "control": "control"]
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(JobManifest.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }

    @Test("participant ids and command ids are validated")
    func identifiers() {
        #expect(throws: IdentifierError.self) { try ParticipantID("") }
        #expect(throws: IdentifierError.self) { try ParticipantID("-lead") }
        #expect(throws: IdentifierError.self) { try ParticipantID(String(repeating: "a", count: 65)) }
        #expect(throws: IdentifierError.self) { try ParticipantID("Upper") }
        #expect(throws: Never.self) { try ParticipantID("org-a.eu_1") }
        #expect(throws: IdentifierError.self) { try CommandID("0B7C8F0E-3D53-4B6A-9A51-2F0D6C1E8A47") }
        #expect(CommandID() != CommandID())
    }

    static func plugin() -> PluginIR {
        PluginIR(
            name: "count", version: "1",
            inputSchema: InputSchema(tables: [
                TableSchema(
                    name: "t",
                    columns: [
                        ColumnSchema(name: "day", kind: .integer),
                        ColumnSchema(name: "cat", kind: .category, domain: ["a", "b"]),
                    ])
            ]),
            node: [
                .load(into: "t", table: "t"), .filter(into: "d", from: "t", column: "day", equals: .round),
                .countBy(into: "c", from: "d", column: "cat", domain: ["a", "b"]),
                .clipL1(into: "k", from: "c", bound: 10),
                .secureSum(from: "k", channel: "x"),
            ],
            aggregator: [.secureSum(into: "s", channel: "x"), .release(from: "s", output: "out", labels: ["a", "b"])]
        )
    }

    static let badPrograms: [(String, @Sendable (inout PluginIR) -> Void, String)] = [
        ("unknown table", { $0.node[0] = .load(into: "t", table: "nope") }, "not declared"),
        (
            "unknown column", { $0.node[1] = .filter(into: "d", from: "t", column: "hour", equals: .round) },
            "no column hour"
        ),
        (
            "type mismatch", { $0.node[1] = .filter(into: "d", from: "t", column: "cat", equals: .integer(1)) },
            "cannot compare"
        ),
        (
            "undefined register", { $0.node[2] = .countBy(into: "c", from: "zz", column: "cat", domain: ["a"]) },
            "%zz is not a table"
        ),
        (
            "out of domain", { $0.node[2] = .countBy(into: "c", from: "d", column: "cat", domain: ["a", "z"]) },
            "not in the declared domain"
        ),
        ("reassigned", { $0.node[3] = .clipL1(into: "c", from: "c", bound: 10) }, "assigned twice"),
        ("zero bound", { $0.node[3] = .clipL1(into: "k", from: "c", bound: 0) }, "must be positive"),
        ("nothing leaves", { $0.node.removeLast() }, "never calls secure_sum"),
        ("unknown channel", { $0.aggregator[0] = .secureSum(into: "s", channel: "y") }, "no node instruction"),
        (
            "label count", { $0.aggregator[1] = .release(from: "s", output: "out", labels: ["a"]) },
            "1 labels for a vector of 2"
        ),
        ("no release", { $0.aggregator.removeLast() }, "never releases"),
    ]

    @Test("plug-in validation finds each mistake", arguments: badPrograms)
    func pluginValidation(_ c: (String, @Sendable (inout PluginIR) -> Void, String)) {
        var p = Self.plugin()
        #expect(throws: Never.self) { try p.validate() }
        c.1(&p)
        #expect {
            try p.validate()
        } throws: { error in
            "\(error)".contains(c.2)
        }
    }

    @Test("the IR digest pins the program")
    func pluginDigest() throws {
        var p = Self.plugin()
        let d = try p.digest
        p.node[3] = .clipL1(into: "k", from: "c", bound: 11)
        #expect(try p.digest != d)
        #expect(Self.plugin().opcodes == [.clipL1, .countBy, .filter, .load, .release, .secureSum])
    }
}
