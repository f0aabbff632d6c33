import ArgumentParser
import Foundation
import Testing

@testable import PhalanxCLI

/// Runs commands in process, as `phalanx` would, and checks files and exit codes.
/// (scripts/cli-checks.sh runs the real binary with the same expectations.)
@Suite("phalanx commands")
struct CLITests {
    let directory: URL = FileManager.default.temporaryDirectory.appendingPathComponent(
        "phalanx-cli-\(UUID().uuidString)")

    /// Runs `arguments`; returns the exit code (0 when the command returns normally).
    func run(_ arguments: [String]) async throws -> Int32 {
        var command = try PhalanxCommand.parseAsRoot(arguments)
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let exit as ExitCode {
            return exit.rawValue
        }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    @Test("keys generate writes a 0600 private key, then refuses to overwrite (73) and writes nothing")
    func keys() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await run(["keys", "generate", "--id", "org-a", "--out", directory.path]) == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: path("org-a.key"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: path("org-a.key")))
        #expect(
            try await run(["keys", "generate", "--id", "org-a", "--out", directory.path])
                == PhalanxExit.cannotCreate.rawValue)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("org-a.key"))) == before)
        // Only the public half exists: still refused, and no private key appears.
        try FileManager.default.createDirectory(atPath: path("half"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path("half/org-b.pub"), contents: Data("x".utf8))
        #expect(try await run(["keys", "generate", "--id", "org-b", "--out", path("half")]) == 73)
        #expect(!FileManager.default.fileExists(atPath: path("half/org-b.key")))
        #expect(try await run(["keys", "show", path("org-a.pub")]) == 0)
    }

    @Test("malformed and missing inputs exit 65 and 66")
    func badInput() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path("m.json"), contents: Data("{\"formatVersion\": 1".utf8))
        #expect(try await run(["manifest", "check", path("m.json")]) == PhalanxExit.malformedInput.rawValue)
        #expect(try await run(["manifest", "check", path("none.json")]) == PhalanxExit.missingInput.rawValue)
        _ = FileManager.default.createFile(atPath: path("g.yaml"), contents: Data("version: 1\npredicates: {}\n".utf8))
        #expect(try await run(["guardrails", "check", path("g.yaml")]) == 65)
        _ = FileManager.default.createFile(atPath: path("k.key"), contents: Data("hello".utf8))
        #expect(try await run(["keys", "show", path("k.key")]) == 65)
        _ = FileManager.default.createFile(atPath: path("ledger.sqlite"), contents: Data("not a database".utf8))
        #expect(try await run(["ledger", "verify", path("ledger.sqlite")]) == PhalanxExit.checkFailed.rawValue)
        #expect(try await run(["ledger", "show", path("ledger.sqlite")]) == PhalanxExit.malformedInput.rawValue)
        #expect(try await run(["ledger", "verify", path("none.sqlite")]) == PhalanxExit.missingInput.rawValue)
    }

    @Test("demo writes a JSON report and artifacts; the overspend scenario also exits 0 (expected abort)")
    func demo() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try await run(["demo", "--quiet", "--json", path("report.json"), "--out", path("run")]) == 0)
        let report =
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("report.json"))))
            as? [String: Any]
        #expect(report?["outcome"] as? String == "finalized")
        for file in [
            "manifest.json", "plugin.json", "guardrails.yaml", "frames.jsonl", "ledger.sqlite", "checkpoint.txt",
            "keys/northbank.pub",
        ] {
            #expect(FileManager.default.fileExists(atPath: path("run/\(file)")), "missing \(file)")
        }
        #expect(try await run(["ledger", "verify", path("run/ledger.sqlite")]) == 0)
        #expect(try await run(["demo", "--quiet", "--inject-fault", "overspend"]) == 0)
    }

    @Test("docs/cli.md documents every exit code")
    func exitCodesDocumented() throws {
        let doc = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../docs/cli.md"),
            encoding: .utf8
        )
        for code in PhalanxExit.allCases {
            #expect(doc.contains("| \(code.rawValue) |"), "exit code \(code.rawValue) is not documented")
        }
    }
}
