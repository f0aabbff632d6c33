import ArgumentParser
import Foundation
import PhalanxControl
import PhalanxCore
import Testing

@testable import PhalanxCLI

/// `phalanx control override|approve|check` on real key files and a real manifest.
/// (scripts/cli-checks.sh runs the same flow on the binary.)
@Suite("phalanx control")
struct ControlCommandTests {
    let directory: URL = FileManager.default.temporaryDirectory.appendingPathComponent(
        "phalanx-control-cli-\(UUID().uuidString)")

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func run(_ arguments: [String]) async -> Int32 {
        await CLIRun.exitCode(arguments)
    }

    /// A federation's public keys, two operators' key files, and a manifest written by `phalanx manifest create`.
    func federation() async throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let roles = [
            ("alice", "operator"), ("bob", "operator"), ("northbank", "node"), ("medisys", "node"),
            ("aggregator", "aggregator"), ("control", "control"),
        ]
        for (id, role) in roles {
            #expect(await run(["keys", "generate", "--id", id, "--role", role, "--out", path("keys")]) == 0)
        }
        #expect(
            await run([
                "manifest", "create", "--out", path("manifest.json"), "--plugin-out", path("plugin.json"), "--nodes",
                "northbank", "medisys",
            ]) == 0)
        let manifest = try JSONDecoder().decode(
            JobManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path("manifest.json"))))
        return manifest.hash.hex
    }

    @Test("override, approve by another operator, check: the two-person rule end to end")
    func twoPerson() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let job = try await federation()
        let keys = path("keys")
        let out = path("resume.json")
        #expect(
            await run([
                "control", "override", "resume", "--key", "\(keys)/alice.key", "--job", job, "--target", "northbank",
                "--reason", "on-call confirmed the agent is healthy", "--out", out,
            ]) == 0)
        let check = ["control", "check", out, "--keys", keys, "--manifest", path("manifest.json")]
        #expect(await run(check) == PhalanxExit.checkFailed.rawValue, "one operator is not enough for A-RESUME")
        #expect(
            await run(["control", "approve", out, "--key", "\(keys)/alice.key", "--reason", "me again"])
                == PhalanxExit.usage.rawValue)
        #expect(await run(["control", "approve", out, "--key", "\(keys)/bob.key", "--reason", "agreed"]) == 0)
        #expect(await run(check) == 0)
        let request = try JSONDecoder().decode(OverrideRequest.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(request.approvals.count == 1 && request.approvals[0].signer.rawValue == "bob")
        #expect(
            await run([
                "control", "override", "abort", "--key", "\(keys)/alice.key", "--job", job, "--reason", "x", "--out",
                out,
            ]) == PhalanxExit.cannotCreate.rawValue, "an override file is never overwritten")
    }

    @Test("bad input: a node key, no reason, no target, a malformed job id, a non-finite value")
    func badInput() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let job = try await federation()
        let keys = path("keys")
        let base = ["control", "override"]
        let cases: [([String], PhalanxExit)] = [
            (["abort", "--key", "\(keys)/northbank.key", "--job", job, "--reason", "r", "--out", path("a")], .usage),
            (["abort", "--key", "\(keys)/alice.key", "--job", job, "--reason", "  ", "--out", path("b")], .usage),
            (["resume", "--key", "\(keys)/alice.key", "--job", job, "--reason", "r", "--out", path("c")], .usage),
            (["abort", "--key", "\(keys)/alice.key", "--job", "abc", "--reason", "r", "--out", path("d")], .usage),
            (
                [
                    "set-param", "--key", "\(keys)/alice.key", "--job", job, "--param", "maxLagMs", "--value", "nan",
                    "--reason", "r", "--out", path("e"),
                ], .usage
            ),
            (
                ["abort", "--key", path("missing.key"), "--job", job, "--reason", "r", "--out", path("f")],
                .missingInput
            ),
        ]
        for (arguments, exit) in cases {
            #expect(await run(base + arguments) == exit.rawValue, "\(arguments)")
        }
        for name in ["a", "b", "c", "d", "e", "f"] {
            #expect(!FileManager.default.fileExists(atPath: path(name)), "nothing written for \(name)")
        }
    }
}
