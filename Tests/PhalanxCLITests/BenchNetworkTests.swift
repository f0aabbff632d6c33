import ArgumentParser
import Foundation
import PhalanxControl
import PhalanxDSL
import Testing

@testable import PhalanxCLI

/// `phalanx bench network`: its arguments, the federation it builds and how it reads the kernel's byte counters.
/// The measurement itself starts processes and is run by hand (docs/network-performance.md), not here.
@Suite("bench network")
struct BenchNetworkTests {
    @Test(
        "bad lists and out-of-range arguments are usage errors",
        arguments: [
            ["--nodes", "1"], ["--nodes", "5,x"], ["--nodes", ""], ["--nodes", "501"], ["--workloads", "sum"],
            ["--workloads", ""], ["--ep", "dp"], ["--ep", "plain,fhe"], ["--rounds", "0"], ["--rounds", "101"],
            ["--tick-ms", "9"], ["--ready-timeout", "0"],
        ])
    func refusesBadArguments(arguments: [String]) {
        #expect(throws: (any Error).self) { try PhalanxCommand.parseAsRoot(["bench", "network"] + arguments) }
    }

    @Test("the defaults are issue 8's: 5, 20 and 50 nodes, both workloads, plain and secagg, ticks of 10 ms")
    func defaults() throws {
        let command = try #require(try PhalanxCommand.parseAsRoot(["bench", "network"]) as? BenchCommand.Network)
        #expect(BenchCommand.Network.integers(command.nodes) == [5, 20, 50])
        #expect(BenchCommand.Network.workloadList(command.workloads) == [.count, .sum100k])
        #expect(BenchCommand.Network.list(command.providers) == ["plain", "secagg"])
        #expect(command.rounds == 3)
        #expect(command.tickMs == 10)
        #expect(!command.json)
    }

    @Test("beyond five nodes the demo's profiles come again under new, valid names")
    func members() throws {
        let members = NetworkBenchmark.members(12)
        #expect(
            members.map(\.id).prefix(6) == ["northbank", "medisys", "devforge", "shopline", "civicdesk", "northbank-2"])
        #expect(members[11].id == "medisys-3" && members[11].profile.id == "medisys")
        #expect(Set(members.map(\.id)).count == 12)
    }

    @Test("the benchmark's policy is the default with maxContributionL1 at the sum plug-in's L1 bound")
    func policy() throws {
        let text = try NetworkBenchmark.policyText()
        let policy = try GuardrailPolicyLoader.load(Array(text.utf8), file: "bench-guardrails.yaml")
        let original = try DefaultPolicy.load()
        #expect(policy.parameters["maxContributionL1"] == 100_000_000)
        #expect(policy.predicates.map(\.id) == original.predicates.map(\.id))
    }

    @Test("the sum plug-in sums one vector of 100,000 components bounded by 1,000")
    func sumPlugin() throws {
        let path = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "Plugins/bench-secure-sum-100k.phx")
        let plugin = try PluginCompiler.compile(text: try String(contentsOf: path, encoding: .utf8), name: "sum")
        let channels = try plugin.ir.analysis().channels
        #expect(channels.count == 1)
        #expect(channels.first?.length == NetworkBenchmark.sumLength)
        #expect(channels.first?.bounds.linf == Double(NetworkBenchmark.sumBound))
        #expect(plugin.ir.inputSchema.tables.map(\.name) == [NetworkBenchmark.sumTable])
    }

    @Test("wire bytes: both directions of the sockets whose local port is a server's, from `ss -tinH`")
    func loopbackTraffic() {
        let output = """
            ESTAB 0      0      127.0.0.1:7401  127.0.0.1:53120
            \t cubic wscale:7,7 rto:204 bytes_sent:4371 bytes_acked:4371 bytes_received:4710 segs_out:11
            ESTAB 0      0      127.0.0.1:53120 127.0.0.1:7401
            \t cubic wscale:7,7 rto:204 bytes_sent:4710 bytes_acked:4711 bytes_received:4371 segs_out:19
            ESTAB 0      0      [::1]:7402      [::1]:40000
            \t cubic bytes_sent:100 bytes_received:20
            ESTAB 0      0      127.0.0.1:9999  127.0.0.1:40001
            \t cubic bytes_sent:1000000 bytes_received:1000000

            """
        #expect(LoopbackTraffic.total(output, serverPorts: [7401, 7402]) == 4371 + 4710 + 100 + 20)
        #expect(LoopbackTraffic.total(output, serverPorts: []) == 0)
        #expect(LoopbackTraffic.total("ESTAB 0 0 127.0.0.1:1 127.0.0.1:2\n\t cubic rto:204\n", serverPorts: [1]) == nil)
    }

    @Test("CPU time of this process grows as it works")
    func cpuTime() {
        let before = CPUTime.ofThisProcess()
        var x: UInt64 = 1
        for i in 0..<20_000_000 { x = x &* 6_364_136_223_846_793_005 &+ UInt64(i) }
        #expect(x != 0)
        #expect(CPUTime.ofThisProcess() > before)
        #expect(CPUTime.ofProcesses(mentioning: "no process mentions this \(UUID().uuidString)") == 0)
    }
}
