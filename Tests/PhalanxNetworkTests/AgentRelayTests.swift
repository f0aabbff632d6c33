import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxNetwork
import PhalanxPKI
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The federation reaches an organization's local safety agent through its node: a real `phalanx agent serve`
/// process beside a node process, the control plane's signed ladder command relayed unchanged and applied by the
/// agent (which checks the control plane's signature itself), and the node's heartbeats accepted.
@Suite("Node to agent relay", .serialized)
struct AgentRelayTests {
    /// The agent's `phalanx_agent_…` metric line value for `prefix`, if present.
    private func agentMetric(_ prefix: String, port: Int) -> Double? {
        guard let url = URL(string: "http://127.0.0.1:\(port)/metrics"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test("a ladder command the control plane signs reaches the node's agent, which applies it; heartbeats are taken")
    func relayToAgent() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("phalanx-relay-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // A policy whose straggler predicate holds on every tick (lag ≥ 0 ms): every node gets A-OBSERVE.
        let policy = root + "/guardrails.yaml"
        try DefaultPolicy.text.replacingOccurrences(of: "maxLagMs: 5000", with: "maxLagMs: 0")
            .replacingOccurrences(of: "any(lagMs > params.maxLagMs)", with: "any(lagMs >= params.maxLagMs)")
            .write(toFile: policy, atomically: true, encoding: .utf8)
        let deployment = LocalDeployment(
            root: root + "/federation", binary: try phalanxBinary(),
            nodes: Array(LocalDeployment.demoNodes(days: 2).prefix(2)), tickMilliseconds: 100, policy: policy)
        let node = deployment.nodes[0].id
        let agentPort = try FreePorts.allocate(1)[0]
        deployment.agents[node] = NetworkAddress(host: "127.0.0.1", port: agentPort)
        defer { deployment.stopAll() }
        try deployment.prepare()

        // The agent trusts the control plane's signing key for commands and the node's for heartbeats.
        let pki = deployment.pki
        let control = try ParticipantCredential.load(directory: pki.privateDirectory(for: deployment.controlID))
        let nodeCredential = try ParticipantCredential.load(directory: pki.privateDirectory(for: node))
        try KeyFile.publicKeyFile(for: control.identity).write(
            toFile: root + "/control.pub", atomically: true, encoding: .utf8)
        try KeyFile.publicKeyFile(for: nodeCredential.identity).write(
            toFile: root + "/node.pub", atomically: true, encoding: .utf8)
        try """
        agent: \(node)
        listen: 127.0.0.1:\(agentPort)
        state_dir: agent-state
        federation:
          control_key: control.pub
          node_key: node.pub
        """.write(toFile: root + "/agent.yaml", atomically: true, encoding: .utf8)
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: try phalanxBinary())
        agent.arguments = ["agent", "serve", "--config", root + "/agent.yaml"]
        let agentLog =
            FileHandle(forWritingAtPath: root + "/agent.log")
            ?? {
                FileManager.default.createFile(atPath: root + "/agent.log", contents: nil)
                return FileHandle(forWritingAtPath: root + "/agent.log")!
            }()
        agent.standardOutput = agentLog
        agent.standardError = agentLog
        try agent.run()
        defer {
            agent.terminate()
            agent.waitUntilExit()
        }
        #expect(try await eventually { agentMetric("phalanx_agent_mode{mode=\"normal\"}", port: agentPort) == 1 })

        try deployment.startAll()
        try await deployment.waitUntilReady()
        let finished = try await deployment.operatorClient().submit(
            plugin: countingPlugin, provider: "plain", rounds: 2, epsilon: 1, delta: 1e-6
        ) { _ in }
        // The predicate never resolves, so the ladder escalates until the job is stopped; how it ends is not what
        // this test is about.
        #expect(["finalized", "aborted"].contains(finished.outcome), "\(finished.reason)")
        // The agent left normal service on the control plane's command (A-OBSERVE first; the escalation may have
        // moved it further up the ladder since).
        let observed = try await eventually {
            agentMetric("phalanx_agent_mode{mode=\"normal\"}", port: agentPort) == 0
        }
        let agentText = (try? String(contentsOfFile: root + "/agent.log", encoding: .utf8)) ?? ""
        #expect(observed, "agent log:\n\(agentText)\nnode log:\n\(log(of: node, in: deployment))")
        #expect((agentMetric("phalanx_agent_directives_total{outcome=\"applied\"}", port: agentPort) ?? 0) >= 1)
        #expect(log(of: node, in: deployment).contains("relayed a ladder command to the local agent"))
        #expect(!log(of: node, in: deployment).contains("did not take a heartbeat"))
    }
}
