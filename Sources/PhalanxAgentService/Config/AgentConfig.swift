import Foundation
import PhalanxAgent
import PhalanxCore
import Yams

/// The configuration of `phalanx agent serve` (`agent.yaml`); the keys are in `docs/agent-api.md`.
///
/// Parsing is strict: an unknown or repeated key, a value of the wrong type or outside its range is refused with the
/// file and line, because a misspelt `max_body_bytes` silently falling back to its default is a misconfiguration
/// nobody notices. Relative paths are relative to the configuration file's folder. Loading reads only this file; the
/// files it points at are read by ``AgentServer``.
public struct AgentConfig: Sendable, Hashable {
    /// Where the HTTP API listens: `host:port`, an IPv6 host in brackets (`[::1]:8088`).
    public typealias Listen = NetworkAddress

    /// The federation's signed bounds and the keys whose commands the agent accepts.
    public struct Federation: Sendable, Hashable {
        /// A JSON `Signed<FederationAgentPolicy>` envelope, signed by the control plane's key.
        public var policy: String?
        /// The control plane's public key file (`phalanx keys`); its A-commands and heartbeats are accepted.
        public var controlKey: String?
        /// Operators' public key files: their commands are accepted, and only they may lift a suspension.
        public var operatorKeys: [String]

        /// The public key of the organization's node, whose heartbeats (relayed each tick it hears from the
        /// control plane) count as contact; it cannot sign commands.
        public var nodeKey: String?

        public init(policy: String? = nil, controlKey: String? = nil, operatorKeys: [String] = []) {
            self.policy = policy
            self.controlKey = controlKey
            self.operatorKeys = operatorKeys
        }
    }

    /// How receipts are batched into the audit ledger.
    public struct LedgerBatch: Sendable, Hashable {
        /// The most receipt hashes in one `agent-receipts` ledger entry.
        public var maxReceipts: Int
        /// The longest a receipt waits before its batch is written, in milliseconds.
        public var maxDelayMs: Int

        public init(maxReceipts: Int = 256, maxDelayMs: Int = 1_000) {
            self.maxReceipts = maxReceipts
            self.maxDelayMs = maxDelayMs
        }
    }

    /// The agent's participant id: its receipts' `agent`, its key's id, the ledger's entries.
    public var agent: ParticipantID
    public var listen: Listen
    /// The agent policy (YAML); `nil`: ``DefaultAgentPolicy``.
    public var policy: String?
    /// The attack classifier (`.phxm`); `nil`: detectors only.
    public var model: String?
    /// Where the agent keeps `events.sqlite`, `ledger.sqlite` and `agent.key`; created on first start.
    public var stateDirectory: String
    public var federation: Federation?
    /// The largest request body the API reads; a larger one is refused with 413 before it is read.
    public var maxBodyBytes: Int
    /// Overrides the policy's `retention_days` for the events store.
    public var retentionDays: Int?
    public var ledgerBatch: LedgerBatch

    public static let defaultMaxBodyBytes = 1 << 20
    static let keys: Set<String> = [
        "agent", "listen", "policy", "model", "state_dir", "federation", "max_body_bytes", "retention_days",
        "ledger_batch",
    ]

    public init(
        agent: ParticipantID, listen: Listen = Listen(host: "127.0.0.1", port: 8088), policy: String? = nil,
        model: String? = nil, stateDirectory: String, federation: Federation? = nil,
        maxBodyBytes: Int = AgentConfig.defaultMaxBodyBytes, retentionDays: Int? = nil,
        ledgerBatch: LedgerBatch = LedgerBatch()
    ) {
        self.agent = agent
        self.listen = listen
        self.policy = policy
        self.model = model
        self.stateDirectory = stateDirectory
        self.federation = federation
        self.maxBodyBytes = maxBodyBytes
        self.retentionDays = retentionDays
        self.ledgerBatch = ledgerBatch
    }

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(AgentConfigError) -> AgentConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentConfigError(file: path, line: nil, message: "cannot read the file")
        }
        return try parse(Array(data), file: path, base: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Parses `bytes` (named `file` in messages); relative paths are resolved against the folder `base`.
    public static func parse(_ bytes: [UInt8], file: String, base: String) throws(AgentConfigError) -> AgentConfig {
        let reader = try YAMLFileReader(bytes: bytes, file: file, emptyMessage: "expected \"agent: ID\"")
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : base + "/" + path }
        func path(_ node: Node?, what: String) throws(AgentConfigError) -> String? {
            guard let node else { return nil }
            return resolve(try reader.string(node, what: what))
        }

        let top = try reader.mapping(reader.root, what: "the top level", allowed: keys)
        guard let agentNode = top["agent"] else {
            throw reader.error(reader.root, "missing \"agent: ID\", the agent's participant id")
        }
        let agentText = try reader.string(agentNode, what: "agent")
        let agent: ParticipantID
        do { agent = try ParticipantID(agentText) } catch { throw reader.error(agentNode, "agent: \(error)") }
        var listen = Listen(host: "127.0.0.1", port: 8088)
        if let node = top["listen"] {
            let text = try reader.string(node, what: "listen")
            guard let parsed = Listen(text) else {
                throw reader.error(node, "listen: \"\(text)\" is not host:port (an IPv6 host in brackets: [::1]:8088)")
            }
            listen = parsed
        }
        guard let stateNode = top["state_dir"] else {
            throw reader.error(reader.root, "missing \"state_dir: DIR\", where the agent keeps its events and ledger")
        }
        var federation: Federation?
        if let node = top["federation"] {
            let map = try reader.mapping(
                node, what: "federation", allowed: ["policy", "control_key", "operator_keys", "node_key"])
            var value = Federation(
                policy: try path(map["policy"], what: "federation.policy"),
                controlKey: try path(map["control_key"], what: "federation.control_key"))
            if let keys = map["operator_keys"] {
                value.operatorKeys = try reader.strings(keys, what: "federation.operator_keys").map(resolve)
            }
            value.nodeKey = try path(map["node_key"], what: "federation.node_key")
            if value.policy != nil, value.controlKey == nil {
                throw reader.error(
                    node, "federation.policy is signed by the control plane: add \"control_key: FILE.pub\" to check it")
            }
            federation = value
        }
        var batch = LedgerBatch()
        if let node = top["ledger_batch"] {
            let map = try reader.mapping(node, what: "ledger_batch", allowed: ["max_receipts", "max_delay_ms"])
            if let n = map["max_receipts"] {
                batch.maxReceipts = try reader.integer(n, what: "ledger_batch.max_receipts", in: 1...8_192)
            }
            if let n = map["max_delay_ms"] {
                batch.maxDelayMs = try reader.integer(n, what: "ledger_batch.max_delay_ms", in: 10...600_000)
            }
        }
        return AgentConfig(
            agent: agent, listen: listen,
            policy: try path(top["policy"], what: "policy"),
            model: try path(top["model"], what: "model"),
            stateDirectory: resolve(try reader.string(stateNode, what: "state_dir")),
            federation: federation,
            maxBodyBytes: try top["max_body_bytes"].map { n throws(AgentConfigError) in
                try reader.integer(n, what: "max_body_bytes", in: 1_024...(64 << 20))
            } ?? defaultMaxBodyBytes,
            retentionDays: try top["retention_days"].map { n throws(AgentConfigError) in
                try reader.integer(n, what: "retention_days", in: 1...3_650)
            },
            ledgerBatch: batch)
    }
}
