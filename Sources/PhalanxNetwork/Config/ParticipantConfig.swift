import Foundation
import PhalanxCore

/// The configuration of one `serve` process (`node.yaml`, `aggregator.yaml`, `control.yaml`); the format is in
/// docs/deployment.md. Relative paths are relative to the file's directory.
public struct ParticipantConfig: Sendable {
    /// Where a node's table comes from.
    public enum TableSource: Sendable, Hashable {
        /// A CSV file with a header row, read with the table schema that the plug-in `schemaFrom` declares.
        case csv(path: String, schemaFrom: String)
        /// The demo's synthetic safety events of the named organization profile.
        case synthetic(profile: String, days: Int, seed: UInt64)
    }

    public var id: ParticipantID
    public var role: Role
    /// host:port the gRPC server listens on.
    public var listen: NetworkAddress
    /// The participant's private directory from `phalanx pki issue`: cert.pem, tls.key, signing.key, ca.crt.
    public var credentials: String
    /// The PKI directory of the federation: its certs/ are the roster, its revocations.json the revocation list.
    public var pki: String
    /// Where this participant keeps the state that survives a restart (SQLite files).
    public var state: String
    /// host:port of the Prometheus `/metrics` endpoint; `nil`: none.
    public var metrics: NetworkAddress?
    /// Where each participant it talks to listens.
    public var peers: [ParticipantID: NetworkAddress]
    /// The tick period, in milliseconds (1,000: the 1 Hz of the safety loop).
    public var tickMilliseconds: Int
    /// A node that hears nothing from the control plane for this many ticks falls back to conservative limits.
    public var partitionAfterTicks: Int
    /// A node's tables, by the name plug-ins use.
    public var tables: [String: TableSource]
    /// Control plane: the guard-rail policy file; `nil`: the built-in default policy.
    public var policy: String?
    /// Control plane: the federation's name (the ledger's checkpoint origin).
    public var federation: String
    /// Control plane: each organization's lifetime privacy budget.
    public var nodeEpsilonLimit: Double
    public var nodeDeltaLimit: Double
    /// A node's local safety agent (`phalanx agent serve`), e.g. `127.0.0.1:8088`: the node relays the control
    /// plane's signed ladder commands to it and sends it a heartbeat, signed with the node's key, every tick it hears
    /// from the control plane (docs/agent.md, "In a federation").
    public var agent: NetworkAddress?

    static let keys: Set<String> = [
        "id", "role", "listen", "credentials", "pki", "state", "metrics", "peers", "tick_ms",
        "partition_after_ticks", "data", "policy", "federation", "node_epsilon_limit", "node_delta_limit", "agent",
    ]

    /// Reads and checks `path`; errors name the file, the line and the key.
    public static func load(path: String, expectedRole: Role) throws(ConfigError) -> ParticipantConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: nil, message: "cannot read the file")
        }
        let reader = try YAMLReader(bytes: Array(data), file: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base + "/" + p }

        let top = try reader.topMapping()
        try reader.rejectUnknown(top, allowed: keys, what: "the top level")
        let id = try reader.participantID(top.required("id"), what: "id")
        let role = try top.optional("role").map { n throws(ConfigError) in try reader.role(n) } ?? expectedRole
        guard role == expectedRole else {
            throw reader.error(
                top.optional("role") ?? reader.root,
                "this is the configuration of the \(role.rawValue); the command serves the \(expectedRole.rawValue)")
        }
        var peers: [ParticipantID: NetworkAddress] = [:]
        if let node = top.optional("peers") {
            for (key, value) in try reader.mapping(node, what: "peers").pairs {
                peers[try reader.participantID(key, what: "a peer id")] = try reader.address(value, what: "peers")
            }
        }
        var tables: [String: TableSource] = [:]
        if let node = top.optional("data") {
            guard role == .node else { throw reader.error(node, "only a node holds data") }
            for (key, value) in try reader.mapping(node, what: "data").pairs {
                let name = try reader.string(key, what: "a table name")
                tables[name] = try reader.tableSource(value, table: name, resolve: resolve)
            }
        }
        let tick = try top.optional("tick_ms").map { n throws(ConfigError) in
            try reader.integer(n, what: "tick_ms", in: 10...60_000)
        }
        var agent: NetworkAddress?
        if let node = top.optional("agent") {
            guard role == .node else { throw reader.error(node, "only a node has a local safety agent") }
            agent = try reader.address(node, what: "agent")
        }
        var config = ParticipantConfig(
            id: id, role: role,
            listen: try reader.bindAddress(top.required("listen"), what: "listen"),
            credentials: resolve(try reader.string(top.required("credentials"), what: "credentials")),
            pki: resolve(try reader.string(top.required("pki"), what: "pki")),
            state: resolve(try reader.string(top.required("state"), what: "state")),
            metrics: try top.optional("metrics").map { n throws(ConfigError) in
                try reader.bindAddress(n, what: "metrics")
            },
            peers: peers,
            tickMilliseconds: tick ?? 1_000,
            partitionAfterTicks: try top.optional("partition_after_ticks").map { n throws(ConfigError) in
                try reader.integer(n, what: "partition_after_ticks", in: 1...3_600)
            } ?? 3,
            tables: tables,
            policy: try top.optional("policy").map { n throws(ConfigError) in
                resolve(try reader.string(n, what: "policy"))
            },
            federation: try top.optional("federation").map { n throws(ConfigError) in
                try reader.string(n, what: "federation")
            } ?? "phalanx.local",
            nodeEpsilonLimit: try top.optional("node_epsilon_limit").map { n throws(ConfigError) in
                try reader.number(n, what: "node_epsilon_limit")
            } ?? 3.0,
            nodeDeltaLimit: try top.optional("node_delta_limit").map { n throws(ConfigError) in
                try reader.number(n, what: "node_delta_limit")
            } ?? 1e-5
        )
        config.agent = agent
        return config
    }

    public init(
        id: ParticipantID, role: Role, listen: NetworkAddress, credentials: String, pki: String, state: String,
        metrics: NetworkAddress? = nil, peers: [ParticipantID: NetworkAddress], tickMilliseconds: Int = 1_000,
        partitionAfterTicks: Int = 3, tables: [String: TableSource] = [:], policy: String? = nil,
        federation: String = "phalanx.local", nodeEpsilonLimit: Double = 3.0, nodeDeltaLimit: Double = 1e-5
    ) {
        self.id = id
        self.role = role
        self.listen = listen
        self.credentials = credentials
        self.pki = pki
        self.state = state
        self.metrics = metrics
        self.peers = peers
        self.tickMilliseconds = tickMilliseconds
        self.partitionAfterTicks = partitionAfterTicks
        self.tables = tables
        self.policy = policy
        self.federation = federation
        self.nodeEpsilonLimit = nodeEpsilonLimit
        self.nodeDeltaLimit = nodeDeltaLimit
    }

    /// The YAML text of this configuration (what `demo --processes` writes).
    public var yaml: String {
        // Every string is double-quoted: an IPv6 address ("[::1]:7400") or a path with a colon would otherwise
        // read as YAML syntax.
        func q(_ text: some CustomStringConvertible) -> String {
            "\""
                + text.description.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines = [
            "id: \(q(id))", "role: \(role.rawValue)", "listen: \(q(listen))", "credentials: \(q(credentials))",
            "pki: \(q(pki))", "state: \(q(state))", "tick_ms: \(tickMilliseconds)",
            "partition_after_ticks: \(partitionAfterTicks)",
        ]
        if let metrics { lines.append("metrics: \(q(metrics))") }
        if let agent { lines.append("agent: \(q(agent))") }
        if let policy { lines.append("policy: \(q(policy))") }
        if role == .control {
            lines += [
                "federation: \(q(federation))", "node_epsilon_limit: \(nodeEpsilonLimit)",
                "node_delta_limit: \(nodeDeltaLimit)",
            ]
        }
        lines.append("peers:")
        for (peer, address) in peers.sorted(by: { $0.key < $1.key }) { lines.append("  \(peer): \(q(address))") }
        if !tables.isEmpty {
            lines.append("data:")
            for (name, source) in tables.sorted(by: { $0.key < $1.key }) {
                switch source {
                case .csv(let path, let schema): lines.append("  \(q(name)): {csv: \(q(path)), schema: \(q(schema))}")
                case .synthetic(let profile, let days, let seed):
                    lines.append("  \(q(name)): {synthetic: \(q(profile)), days: \(days), seed: \(seed)}")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
