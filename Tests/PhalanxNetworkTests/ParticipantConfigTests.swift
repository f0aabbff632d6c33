import Foundation
import PhalanxCore
import PhalanxNetwork
import Testing

/// `node.yaml`, `aggregator.yaml`, `control.yaml`: what loads, and what is refused with the file, line and key.
@Suite("Participant configuration")
struct ParticipantConfigTests {
    private func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private let valid = """
        id: medisys
        listen: 127.0.0.1:7402
        credentials: pki/private/medisys
        pki: pki
        state: state/medisys
        metrics: 127.0.0.1:9402
        tick_ms: 250
        partition_after_ticks: 4
        peers:
          control: control.example.org:7400
          aggregator: "[::1]:7401"
        data:
          safety_events: {synthetic: medisys, days: 2, seed: 7}
          waltons: {csv: data/org-1.csv, schema: kaplan-meier.phx}
        """

    @Test("a complete node configuration loads; relative paths are resolved against the file's directory")
    func loads() throws {
        let path = try write(valid)
        let base = (path as NSString).deletingLastPathComponent
        let config = try ParticipantConfig.load(path: path, expectedRole: .node)
        #expect(config.id == (try ParticipantID("medisys")))
        #expect(config.listen == NetworkAddress(host: "127.0.0.1", port: 7402))
        #expect(config.credentials == base + "/pki/private/medisys")
        #expect(config.tickMilliseconds == 250)
        #expect(config.partitionAfterTicks == 4)
        #expect(config.peers[try ParticipantID("control")] == NetworkAddress(host: "control.example.org", port: 7400))
        #expect(config.peers[try ParticipantID("aggregator")] == NetworkAddress(host: "::1", port: 7401))
        #expect(config.tables["safety_events"] == .synthetic(profile: "medisys", days: 2, seed: 7))
        #expect(
            config.tables["waltons"] == .csv(path: base + "/data/org-1.csv", schemaFrom: base + "/kaplan-meier.phx"))
        // What `demo --processes` writes loads back to the same configuration.
        let again = try ParticipantConfig.load(path: try write(config.yaml), expectedRole: .node)
        #expect(again.yaml == config.yaml)
    }

    @Test(
        "malformed configurations are refused with the line and the problem",
        arguments: [
            ("listen: 127.0.0.1:7402", "listen: localhost:7402", 2, "is a name; a server binds an IP address"),
            ("listen: 127.0.0.1:7402", "listen: 127.0.0.1", 2, "is not host:port"),
            ("tick_ms: 250", "tick_ms: 5", 7, "tick_ms must be a whole number from 10 to 60000"),
            ("tick_ms: 250", "tick_ms: fast", 7, "tick_ms must be a whole number"),
            ("id: medisys", "id: Medi Sys", 1, "id:"),
            ("tick_ms: 250", "tick: 250", 7, "unknown key \"tick\" in the top level"),
            (
                "  safety_events: {synthetic: medisys, days: 2, seed: 7}", "  safety_events: {csv: x.csv}", 13,
                "needs \"schema: PLUGIN.phx\""
            ),
            (
                "  safety_events: {synthetic: medisys, days: 2, seed: 7}", "  safety_events: {rows: 3}", 13,
                "unknown key \"rows\""
            ),
        ])
    func refused(original: String, replacement: String, line: Int, says: String) throws {
        let path = try write(valid.replacingOccurrences(of: original, with: replacement))
        let error = #expect(throws: ConfigError.self) { try ParticipantConfig.load(path: path, expectedRole: .node) }
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.description.contains(says) == true, "\(error?.description ?? "")")
        #expect(error?.description.hasPrefix(path) == true)
    }

    @Test("missing keys, the wrong role, data on an aggregator and non-YAML are refused")
    func refusedWholesale() throws {
        let noState = try write(valid.replacingOccurrences(of: "state: state/medisys\n", with: ""))
        #expect(throws: ConfigError.self) { try ParticipantConfig.load(path: noState, expectedRole: .node) }
        let error = #expect(throws: ConfigError.self) {
            try ParticipantConfig.load(path: try write("role: control\n" + valid), expectedRole: .node)
        }
        #expect(error?.description.contains("this is the configuration of the control") == true)
        #expect(throws: ConfigError.self) {
            try ParticipantConfig.load(path: try write(valid), expectedRole: .aggregator)
        }
        #expect(throws: ConfigError.self) {
            try ParticipantConfig.load(path: try write("id: [unclosed"), expectedRole: .node)
        }
        #expect(throws: ConfigError.self) {
            try ParticipantConfig.load(path: "/nonexistent/node.yaml", expectedRole: .node)
        }
    }

    @Test("addresses: IPv4, bracketed IPv6 and names parse; malformed ones do not")
    func addresses() {
        #expect(NetworkAddress("10.0.0.1:80") == NetworkAddress(host: "10.0.0.1", port: 80))
        #expect(NetworkAddress("[fe80::1]:7400") == NetworkAddress(host: "fe80::1", port: 7400))
        #expect(NetworkAddress("[fe80::1]:7400")?.description == "[fe80::1]:7400")
        #expect(NetworkAddress("node-1.internal:7400")?.host == "node-1.internal")
        for bad in ["fe80::1:7400", "host:", ":80", "host:99999", "[]:80", "[::1:80"] {
            #expect(NetworkAddress(bad) == nil, "\(bad)")
        }
    }
}
