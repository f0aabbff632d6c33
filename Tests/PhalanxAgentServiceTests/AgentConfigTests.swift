import Foundation
import PhalanxCore
import Testing

@testable import PhalanxAgentService

/// `agent.yaml`: defaults, relative paths, and refusals that name the line.
@Suite("Agent configuration")
struct AgentConfigTests {
    static func parse(_ text: String) throws(AgentConfigError) -> AgentConfig {
        try AgentConfig.parse(Array(text.utf8), file: "agent.yaml", base: "/etc/phalanx")
    }

    @Test("defaults and paths relative to the file's folder")
    func defaults() throws {
        let config = try Self.parse(
            """
            agent: org-a.agent
            state_dir: state
            policy: /srv/policy.yaml
            federation:
              policy: federation-policy.json
              control_key: keys/control.pub
            """)
        #expect(config.agent == (try ParticipantID("org-a.agent")))
        #expect(config.listen == AgentConfig.Listen(host: "127.0.0.1", port: 8088))
        #expect(config.stateDirectory == "/etc/phalanx/state")
        #expect(config.policy == "/srv/policy.yaml")
        #expect(config.federation?.controlKey == "/etc/phalanx/keys/control.pub")
        #expect(config.maxBodyBytes == 1 << 20)
        #expect(config.ledgerBatch == AgentConfig.LedgerBatch(maxReceipts: 256, maxDelayMs: 1_000))
        #expect(config.retentionDays == nil)
    }

    @Test(
        "refusals name the line and the problem",
        arguments: [
            ("agent: a\nstate_dir: s\nmax_body_byte: 10\n", 3, "unknown key \"max_body_byte\""),
            ("agent: a\nstate_dir: s\nledger_batch:\n  max_receipt: 3\n", 4, "unknown key \"max_receipt\""),
            ("agent: A\nstate_dir: s\n", 1, "invalid participant id"),
            ("agent: a\nstate_dir: s\nlisten: localhost\n", 3, "not host:port"),
            ("agent: a\nstate_dir: s\nmax_body_bytes: 12\n", 3, "from 1024"),
            ("agent: a\nstate_dir: s\nfederation:\n  policy: p.json\n", 4, "control_key"),
            ("state_dir: s\n", 1, "missing \"agent: ID\""),
            ("agent: a\nstate_dir: &s x\nlisten: *s\n", 2, "anchors and aliases"),
            ("agent: a\nagent: b\nstate_dir: s\n", nil, "duplicated key"),
        ])
    func refusals(text: String, line: Int?, message: String) {
        #expect {
            try Self.parse(text)
        } throws: { error in
            guard let error = error as? AgentConfigError else { return false }
            return error.line == line && error.message.contains(message)
        }
    }

    @Test("the agent's key is created with mode 0600 and a readable-by-others key is refused")
    func keyFile() throws {
        let directory = NSTemporaryDirectory() + "phalanx-key-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let id = try ParticipantID("agent-a")
        let created = try AgentKeyFile.loadOrCreate(directory: directory, agent: id)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/agent.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let loaded = try AgentKeyFile.loadOrCreate(directory: directory, agent: id)
        #expect(loaded.publicIdentity == created.publicIdentity)
        #expect(throws: AgentServerError.self) {
            try AgentKeyFile.loadOrCreate(directory: directory, agent: try ParticipantID("agent-b"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + "/agent.key")
        #expect(throws: AgentServerError.self) { try AgentKeyFile.loadOrCreate(directory: directory, agent: id) }
    }
}
