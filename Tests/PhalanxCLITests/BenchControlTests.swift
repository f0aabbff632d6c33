import ArgumentParser
import Foundation
import Testing

@testable import PhalanxCLI

/// `phalanx bench control`: its arguments, and a tiny run whose report must be coherent (no timing assertions).
@Suite("bench control")
struct BenchControlTests {
    @Test(
        "out-of-range arguments are usage errors",
        arguments: [
            ["--nodes", "0"], ["--ticks", "0"], ["--predicates", "0"], ["--predicates", "1001"],
            ["--nodes", "100001"], ["--nodes", "100000", "--ticks", "21"], ["--nodes", "many"], ["--tick-ms", "9"],
            ["--tick-ms", "60001"],
        ])
    func refusesBadArguments(arguments: [String]) {
        #expect(throws: (any Error).self) { try PhalanxCommand.parseAsRoot(["bench", "control"] + arguments) }
    }

    @Test("the defaults are 5,000 nodes, 10 ticks and 50 predicates")
    func defaults() throws {
        let command = try #require(try PhalanxCommand.parseAsRoot(["bench", "control"]) as? BenchCommand.Control)
        #expect(command.nodes == 5_000)
        #expect(command.ticks == 10)
        #expect(command.predicates == 50)
        #expect(command.tickMs == 1_000)
        #expect(!command.json)
    }

    @Test("a tiny run (20 nodes, 2 ticks, 5 predicates) reports sane figures and exercises the act path")
    func tinyRun() throws {
        let report = try ControlBenchmark(nodes: 20, ticks: 2, predicates: 5, tickMs: 40).run()
        #expect(report.framesPerTick == 21)
        #expect(report.framesAccepted == 42)
        #expect(report.framesRejected == 0)
        #expect(report.firingTicks == 1, "the straggler fires in tick 1")
        #expect(report.commandsSigned == 1, "one A-OBSERVE")
        #expect(report.cpus >= 1)
        #expect(report.verificationThreads >= 1)
        for rate in [
            report.framesVerifiedPerSecond, report.framesEvaluatedPerSecond, report.rawVerifyPerSecondOneCore,
            report.rawVerifyPerSecondAllCores, report.collectorToRawRatio,
        ] {
            #expect(rate.isFinite && rate > 0)
        }
        #expect(report.framesEvaluatedPerSecond <= report.framesVerifiedPerSecond)
        for latency in [report.senseToActMs, report.burstTickToActMs] {
            #expect(latency.p50 > 0 && latency.p50 <= latency.p99 && latency.p99 <= latency.max)
        }
        let stages = report.stageMs
        #expect([stages.ingest, stages.seal, stages.evaluate, stages.decide].allSatisfy { $0 >= 0 })
        let after = report.afterCloseMs
        #expect([after.verifyRest, after.seal, after.evaluate, after.decide].allSatisfy { $0 >= 0 })
        // The paced pass received every frame of both ticks, in at least one take per tick.
        #expect(report.largestBacklog >= 1 && report.largestBacklog <= 42)
        #expect(report.tickMs == 40)
        #expect(report.text.contains("21 frames/tick"))
        let json = try JSONSerialization.jsonObject(with: try Files.encodeJSON(report)) as? [String: Any]
        #expect(json?["collectorToRawRatio"] is Double)
    }

    @Test("every generated policy loads with all its predicates enabled", arguments: [1, 2, 10, 50, 200])
    func generatedPolicy(predicates: Int) throws {
        let report = try ControlBenchmark(nodes: 3, ticks: 1, predicates: predicates, tickMs: 20).run()
        #expect(report.predicates == predicates)
        #expect(report.framesRejected == 0)
        #expect(report.firingTicks == 0)
    }

    @Test("nearest-rank percentiles")
    func percentiles() {
        let samples = (1...200).map(Double.init).shuffled()
        let p = ControlBenchmark.percentiles(samples)
        #expect(p.p50 == 100 && p.p99 == 198 && p.max == 200)
        #expect(ControlBenchmark.percentiles([3, 1, 2]).p99 == 3)
    }

    @Test("the command runs and prints JSON")
    func command() async throws {
        let parsed = try PhalanxCommand.parseAsRoot([
            "bench", "control", "--nodes", "5", "--ticks", "2", "--predicates", "3", "--tick-ms", "20", "--json",
        ])
        let command = try #require(parsed as? BenchCommand.Control)
        try await command.run()
    }
}
