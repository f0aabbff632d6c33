import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxProviders
import Testing

/// Policies, plug-ins and federations shared by the control-plane tests, built with the real APIs.
enum Fixtures {
    static let file = "guardrails.yaml"

    static func id(_ s: String) -> ParticipantID { try! ParticipantID(s) }

    /// The policy shipped with Phalanx.
    static let defaultPolicyText = DefaultPolicy.text

    static func policy(_ text: String = defaultPolicyText) throws -> GuardrailPolicy {
        try GuardrailPolicyLoader.load(Array(text.utf8), file: file)
    }

    /// The error loading `text` throws, or `nil` when it loads.
    static func loadError(_ text: String) -> GuardrailPolicyError? {
        do {
            _ = try GuardrailPolicyLoader.load(Array(text.utf8), file: file)
            return nil
        } catch {
            return error
        }
    }

    static let categories = ["prompt_injection", "jailbreak", "secret_exfiltration", "pii_exfiltration", "toxicity"]

    /// The demo's `safety-event-count` plug-in (PhalanxFederation's `SafetyEventCountPlugin`), rebuilt here.
    static func plugin(contributionBound: Int64 = 250) -> PluginIR {
        PluginIR(
            name: "safety-event-count",
            version: "1.0.0",
            inputSchema: InputSchema(tables: [
                TableSchema(
                    name: "safety_events",
                    columns: [
                        ColumnSchema(name: "day", kind: .integer),
                        ColumnSchema(name: "category", kind: .category, domain: categories),
                        ColumnSchema(name: "action", kind: .category, domain: ["blocked", "escalated", "allowed"]),
                    ])
            ]),
            node: [
                .load(into: "events", table: "safety_events"),
                .filter(into: "today", from: "events", column: "day", equals: .round),
                .filter(into: "blocked", from: "today", column: "action", equals: .text("blocked")),
                .countBy(into: "counts", from: "blocked", column: "category", domain: categories),
                .clipL1(into: "bounded", from: "counts", bound: contributionBound),
                .secureSum(from: "bounded", channel: "blocked_by_category"),
            ],
            aggregator: [
                .secureSum(into: "total", channel: "blocked_by_category"),
                .release(from: "total", output: "blocked_by_category", labels: categories),
            ]
        )
    }

    static let plain = PlainProvider().descriptor
    static let providers = ProviderRegistry([PlainProvider()])
    static let nonce = "0123456789abcdef0123456789abcdef"
    /// The collector's clock in these tests: an arbitrary fixed instant.
    static let now: Int64 = 1_750_000_000_000
}

/// Three organizations, an aggregator and a control plane, with fresh Ed25519 keys.
struct Federation {
    let nodes: [SigningIdentity]
    let aggregator: SigningIdentity
    let control: SigningIdentity
    /// Two human operators, for overrides.
    let operators: [SigningIdentity]

    init(nodes names: [String] = ["org-a", "org-b", "org-c"]) {
        nodes = names.map { SigningIdentity.generate(id: Fixtures.id($0), role: .node) }
        aggregator = SigningIdentity.generate(id: Fixtures.id("aggregator"), role: .aggregator)
        control = SigningIdentity.generate(id: Fixtures.id("control"), role: .control)
        operators = ["alice", "bob"].map { SigningIdentity.generate(id: Fixtures.id($0), role: .operator) }
    }

    var everyone: [SigningIdentity] { nodes + [aggregator, control] + operators }
    var roster: FederationRoster { try! FederationRoster(everyone.map(\.publicIdentity)) }
    var participants: ParticipantSet {
        ParticipantSet(nodes: nodes.map(\.id), aggregator: aggregator.id, control: control.id)
    }

    func identity(_ name: String) -> SigningIdentity { everyone.first { $0.id.rawValue == name }! }

    /// The manifest `JobAdmission.makeManifest` builds for the plug-in on `plain` under `policy`.
    func manifest(
        policy: GuardrailPolicy,
        plugin: PluginIR = Fixtures.plugin(),
        provider: ProviderDescriptor = Fixtures.plain,
        rounds: Int = 3
    ) throws -> JobManifest {
        try JobAdmission.makeManifest(
            plugin: plugin, provider: provider, policy: policy, participants: participants, rounds: rounds,
            jobNonce: Fixtures.nonce
        ).manifest
    }
}

/// One participant's report for a tick.
struct Report {
    var from: String
    var state: String
    var metrics: [String: Double]
    var lagMs: Double = 10

    /// A node frame with `plain`'s metrics.
    static func node(_ name: String, state: String = "INF", l1: Double = 100, lagMs: Double = 10) -> Report {
        Report(from: name, state: state, metrics: ["contributionL1": l1, "pendingContributions": 0], lagMs: lagMs)
    }

    /// An aggregator frame with `plain`'s metrics.
    static func aggregator(state: String = "WAIT", l1: Double = 100, pending: Double = 0) -> Report {
        Report(from: "aggregator", state: state, metrics: ["contributionL1": l1, "pendingContributions": pending])
    }
}

/// Signs reports as their participants would and runs them through a real collector, tick after tick.
struct TickDriver {
    let federation: Federation
    let manifest: JobManifest
    private(set) var collector: TelemetryCollector
    private var seq: [String: UInt64] = [:]

    init(federation: Federation, manifest: JobManifest) {
        self.federation = federation
        self.manifest = manifest
        self.collector = TelemetryCollector(manifest: manifest, roster: federation.roster)
    }

    /// Signs, ingests and seals one tick; every report must be accepted.
    mutating func seal(
        tick: UInt64,
        _ reports: [Report],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> SealedBatch {
        for report in reports {
            let next = seq[report.from, default: 0] + 1
            seq[report.from] = next
            let frame = TelemetryFrame(
                nodeId: Fixtures.id(report.from), seq: next, manifestHash: manifest.hash, tick: tick,
                state: report.state, metrics: report.metrics, lagMs: report.lagMs, opLatencyMs: 1,
                timestampMs: Fixtures.now
            )
            let envelope = try Signed(signing: frame, with: federation.identity(report.from))
            let result = collector.ingest(envelope, tick: tick, nowMs: Fixtures.now)
            #expect(throws: Never.self, sourceLocation: sourceLocation) { try result.get() }
        }
        return try collector.seal(tick: tick)
    }

    /// Closes the collector to `name`, as the control plane does when it issues `A-ISOLATE_PARTY` about it.
    mutating func isolate(_ name: String) {
        collector.isolate(Fixtures.id(name))
    }
}
