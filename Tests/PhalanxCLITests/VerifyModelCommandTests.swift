import ArgumentParser
import Foundation
import PhalanxModel
import Testing

@testable import PhalanxCLI

/// `phalanx verify-model`: verdicts and exit codes, usage errors, the Promela file and the JSON report.
/// (scripts/spin-check.sh runs the real binary and spin on the exported models.)
@Suite("phalanx verify-model")
struct VerifyModelCommandTests {
    let directory: URL = FileManager.default.temporaryDirectory.appendingPathComponent(
        "phalanx-verify-model-\(UUID().uuidString)")

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Parses and runs `arguments` as `phalanx` does; returns the exit code.
    func run(_ arguments: [String]) async -> Int32 {
        await CLIRun.exitCode(arguments)
    }

    /// A small model: one node, one round, few faults.
    static let small = ["verify-model", "--nodes", "1", "--rounds", "1", "--delays", "0"]

    @Test("the correct model passes (exit 0); a planted fault fails with a counterexample (exit 1)")
    func verdicts() async {
        #expect(await run(Self.small) == 0)
        #expect(await run(Self.small + ["--plant", "no-ack-dedup"]) == PhalanxExit.checkFailed.rawValue)
        #expect(await run(Self.small + ["--plant", "no-ack-retry", "--json"]) == PhalanxExit.checkFailed.rawValue)
    }

    @Test(
        "out-of-range options and unknown faults are usage errors (64)",
        arguments: [
            ["--nodes", "5"], ["--nodes", "0"], ["--rounds", "4"], ["--losses", "9"], ["--retries", "0"],
            ["--timeout", "40"], ["--plant", "no-such-fault"],
        ])
    func usage(arguments: [String]) async {
        #expect(await run(["verify-model"] + arguments) == PhalanxExit.usage.rawValue)
    }

    @Test("--promela writes the Promela model, with the same parameters, next to the verdict")
    func promela() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(await run(Self.small + ["--promela", path("model/loop.pml")]) == 0)
        let source = try String(contentsOfFile: path("model/loop.pml"), encoding: .utf8)
        #expect(source.contains("#define K 1"))
        #expect(source.contains("ltl terminates"))
        #expect(!FileManager.default.fileExists(atPath: path("model/loop.pml.tmp")))
    }

    @Test("an unwritable --promela path exits 74")
    func unwritable() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path("file"), contents: Data())
        #expect(await run(Self.small + ["--promela", path("file/sub/model.pml")]) == PhalanxExit.ioError.rawValue)
    }

    @Test("the JSON report has the documented keys, a null counterexample on PASS and a trace on FAIL")
    func json() throws {
        let pass = try ModelChecker(ModelConfiguration(nodes: 1, rounds: 1, delays: 0)).run()
        let passObject = try #require(
            try JSONSerialization.jsonObject(with: Files.encodeJSON(VerifyModelCommand.Report(pass)))
                as? [String: Any])
        #expect(passObject["verdict"] as? String == "pass")
        #expect(passObject["counterexample"] is NSNull)
        for key in [
            "nodes", "rounds", "losses", "duplicates", "delays", "crashes", "retries", "timeout", "plantedFault",
            "states", "transitions", "depth", "longestRun", "initialRank", "finalized", "aborted", "seconds",
        ] {
            #expect(passObject[key] != nil, "missing \(key)")
        }
        let fail = try ModelChecker(ModelConfiguration(nodes: 1, rounds: 1, plantedFault: .noAckDeduplication)).run()
        let failObject = try #require(
            try JSONSerialization.jsonObject(with: Files.encodeJSON(VerifyModelCommand.Report(fail)))
                as? [String: Any])
        #expect(failObject["verdict"] as? String == "fail")
        let counterexample = try #require(failObject["counterexample"] as? [String: Any])
        #expect(counterexample["property"] as? String == "at-most-once")
        #expect((counterexample["entries"] as? [Any])?.isEmpty == false)
    }

    @Test("the text report names the figures and the verdict")
    func text() throws {
        let result = try ModelChecker(ModelConfiguration(nodes: 1, rounds: 1, plantedFault: .noJobTimeout)).run()
        let text = VerifyModelCommand.text(result, promela: nil)
        #expect(text.contains("states: "))
        #expect(text.contains("FAIL"))
        #expect(text.contains("loop: the steps below repeat forever"))
    }
}
