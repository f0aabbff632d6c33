import ArgumentParser
import Foundation
import PhalanxDP
import Testing

@testable import PhalanxCLI

/// `phalanx dp windows`: a seeded simulation is reproducible and spends exactly what the policy allocates; each mode
/// spends what it promises; bad options exit 64 naming the option, a bad counts file 65 naming file:line:column,
/// a missing one 66.
@Suite("phalanx dp windows")
struct DPWindowsCommandTests {
    let directory: URL = FileManager.default.temporaryDirectory.appendingPathComponent(
        "phalanx-dp-windows-\(UUID().uuidString)")

    /// The counts of the example in docs/dp-tracefed.md: jailbreak and injection counts for six windows.
    static let exampleCounts = "12,3\n9,41\n57,2\n60,44\n8,1\n11,0\n"

    /// The example's options, without --counts.
    static let example = [
        "dp", "windows", "--mode", "adaptive", "--alert-rate", "40", "--epsilon", "2", "--windows", "6",
        "--dimensions", "jailbreak:2,injection", "--threshold", "10", "--seed", "7",
    ]

    /// Writes `text` to a file in the test's directory and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Parses and runs `arguments` as `phalanx` does; returns the exit code and, for a failure the argument parser
    /// reports, its message (a ``CLIError`` is printed to stderr inside the command).
    func run(_ arguments: [String]) async -> (code: Int32, message: String) {
        await CLIRun.outcome(arguments)
    }

    func parse(_ arguments: [String]) throws -> DPWindowsCommand {
        try #require(try PhalanxCommand.parseAsRoot(arguments) as? DPWindowsCommand)
    }

    /// The ``CLIError`` that computing the report of `arguments` throws.
    func reportError(_ arguments: [String], input: String = "") throws -> CLIError? {
        do {
            _ = try parse(arguments).report { Array(input.utf8) }
            return nil
        } catch let error as CLIError {
            return error
        }
    }

    static func micros(_ epsilon: Double) -> UInt64 { EpsilonAmount(roundingDown: epsilon)!.micros }

    // MARK: - Simulation

    @Test("a seeded run is reproducible and spends exactly what the policy allocates from the released rates")
    func seededRunFollowsThePolicy() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let counts = try write("counts.csv", Self.exampleCounts)
        let command = try parse(Self.example + ["--counts", counts])
        let report = try command.report()
        #expect(try command.report() == report)
        #expect(try parse(Self.example + ["--counts", counts, "--seed", "8"]).report() != report)

        let policy = try AdaptiveBudgetPolicy(
            mode: .adaptive(alertRate: 40), totalEpsilon: 2, windows: 6,
            dimensions: [.init(name: "jailbreak", weight: 2), .init(name: "injection")])
        #expect(report.results.map(\.window) == Array(1...6))
        var spent = EpsilonAmount.zero
        var previousRate: Double?
        for window in report.results {
            let expected = try policy.epsilon(
                forWindow: window.window - 1, spent: spent, previousReleasedRate: previousRate)
            #expect(Self.micros(window.epsilon) == expected.micros)
            #expect(window.releases.map { Self.micros($0.epsilon) } == policy.split(expected).map(\.micros))
            #expect(window.afterAlert == (previousRate.map { $0 > 40 } ?? false))
            #expect(window.releases.map(\.dimension) == ["jailbreak", "injection"])
            #expect(window.releases.allSatisfy { ($0.released ?? 10) >= 10 && $0.gateEpsilon == 0 })
            #expect(window.releasedRate == Double(window.releases.reduce(0) { $0 + ($1.released ?? 0) }))
            spent = spent + expected
            #expect(Self.micros(window.spent) == spent.micros)
            previousRate = window.releasedRate
        }
        #expect(Self.micros(report.spent) == spent.micros && spent <= policy.total)
        #expect(Self.micros(report.unspent) == policy.total.micros - spent.micros)

        let text = report.text
        #expect(text.contains("policy:     adaptive mode (alert rate 40), ε 2 over 6 windows"))
        #expect(text.contains("window  jailbreak ε"))
        #expect(text.contains("after alert"))
        #expect(text.contains("spent \(String(format: "%.6f", report.spent)) of ε 2;"))
        #expect(text.contains("guarantee: ε 2.000000 per event (adaptive: the pre-fixed total"))
        #expect(report.guaranteedEpsilon == 2)
        #expect(text.split(separator: "\n").count == 14)  // 4 header lines, the table's 7, 3 summary lines
        #expect(await run(Self.example + ["--counts", counts]).code == 0)
        #expect(await run(Self.example + ["--counts", counts, "--json"]).code == 0)
    }

    @Test("high-accuracy spends T, high-privacy T/2; adaptive spends the floor when quiet and more when loud")
    func modesSpendWhatTheyPromise() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let quiet = try write("quiet.csv", "1\n2\n0\n1\n")
        let loud = try write("loud.csv", "1\n900\n900\n1\n")
        func spent(_ mode: [String], _ counts: String) throws -> Double {
            try parse(
                ["dp", "windows", "--epsilon", "1", "--threshold", "5", "--seed", "1", "--counts", counts] + mode
            )
            .report().spent
        }
        #expect(try spent(["--mode", "high-accuracy"], quiet) == 1)
        #expect(try spent(["--mode", "high-accuracy"], loud) == 1)
        #expect(try spent(["--mode", "high-privacy"], loud) == 0.5)
        #expect(try spent(["--mode", "adaptive", "--alert-rate", "100"], quiet) == 0.5)
        // After each loud window the next spends 2T/N = 0.5, as far as the reserve for later windows allows.
        let loudSpent = try spent(["--mode", "adaptive", "--alert-rate", "100"], loud)
        #expect(loudSpent == 1)
        let report = try parse(
            ["dp", "windows", "--mode", "adaptive", "--alert-rate", "100", "--epsilon", "1", "--threshold", "5"]
                + ["--counts", loud, "--seed", "1"]
        ).report()
        #expect(report.results.map { Self.micros($0.epsilon) } == [125_000, 125_000, 500_000, 250_000])
        #expect(report.results.map(\.afterAlert) == [false, false, true, true])
    }

    @Test("--json has the documented keys with explicit nulls")
    func jsonShape() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let counts = try write("counts.csv", Self.exampleCounts)
        let report = try parse(
            ["dp", "windows", "--mode", "high-privacy", "--epsilon", "1", "--dimensions", "jailbreak:2,injection"]
                + ["--threshold", "10", "--counts", counts]
        ).report()
        let object = try #require(
            try JSONSerialization.jsonObject(with: try Files.encodeJSON(report)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "mode", "alertRate", "totalEpsilon", "windows", "dimensions", "threshold", "gate", "gateEpsilon",
                "seeded", "results", "spent", "unspent", "guaranteedEpsilon",
            ])
        #expect(object["guaranteedEpsilon"] as? Double == report.spent && report.spent == 0.5)
        #expect(object["alertRate"] is NSNull && object["gateEpsilon"] is NSNull)
        #expect(object["mode"] as? String == "high-privacy" && object["gate"] as? String == "post-processing")
        #expect(object["seeded"] as? Bool == false && object["windows"] as? Int == 6)
        let window = try #require((object["results"] as? [[String: Any]])?.first)
        #expect(Set(window.keys) == ["window", "afterAlert", "releases", "epsilon", "spent", "releasedRate"])
        let release = try #require((window["releases"] as? [[String: Any]])?.first)
        #expect(Set(release.keys) == ["dimension", "epsilon", "valueEpsilon", "gateEpsilon", "released"])
    }

    @Test("a separate gate takes its ε out of every share; one too large for the smallest share is refused")
    func separateGate() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let counts = try write("counts.csv", Self.exampleCounts)
        let options = [
            "dp", "windows", "--mode", "high-accuracy", "--epsilon", "2", "--dimensions", "jailbreak:2,injection",
            "--threshold", "10", "--counts", counts, "--gate", "separate",
        ]
        let report = try parse(options + ["--gate-epsilon", "0.05", "--seed", "7"]).report()
        #expect(report.gateEpsilon == 0.05 && report.spent == 2)
        for release in report.results.flatMap(\.releases) {
            #expect(Self.micros(release.gateEpsilon) == 50_000)
            #expect(Self.micros(release.valueEpsilon) + 50_000 == Self.micros(release.epsilon))
        }
        #expect(report.text.contains("separate gate, ε 0.05 of each share decides (charged even when suppressed)"))
        // The injection share is ⌊(2/6)·(1/3)⌋ ≈ 0.111111: a gate of 0.2 would leave the value nothing.
        let error = try #require(try reportError(options + ["--gate-epsilon", "0.2"]))
        #expect(error.exit == .usage && error.message.hasPrefix("--gate-epsilon:"), "\(error.message)")
        #expect(error.hint?.contains("lower --gate-epsilon") == true)
    }

    @Test("--counts - reads standard input; fewer lines than --windows simulate only those windows")
    func standardInputAndPartialRuns() throws {
        let options = ["dp", "windows", "--mode", "high-accuracy", "--epsilon", "1", "--threshold", "0"]
        let report = try parse(options + ["--windows", "6", "--counts", "-", "--seed", "ab"]).report {
            Array("4\r\n5\r\n6\r\n".utf8)
        }
        #expect(report.windows == 6 && report.results.count == 3 && report.seeded)
        #expect(Self.micros(report.spent) == 500_000 && Self.micros(report.unspent) == 500_000)
        #expect(report.text.contains("(3 of 6 windows simulated)"))
        // Without --windows, the budget covers the lines given.
        let all = try parse(options + ["--counts", "-"]).report { Array(" 4 \n5\n6".utf8) }
        #expect(all.windows == 3 && all.spent == 1 && !all.seeded)
    }

    // MARK: - Errors

    static let badOptions: [(arguments: [String], names: String)] = [
        (["--epsilon", "1", "--threshold", "1"], "--mode"),
        (["--mode", "fast", "--epsilon", "1", "--threshold", "1"], "--mode"),
        (["--mode", "adaptive", "--epsilon", "1", "--threshold", "1"], "--alert-rate"),
        (["--mode", "adaptive", "--alert-rate", "nan", "--epsilon", "1", "--threshold", "1"], "--alert-rate"),
        (["--mode", "high-accuracy", "--alert-rate", "5", "--epsilon", "1", "--threshold", "1"], "--alert-rate"),
        (["--mode", "high-accuracy", "--epsilon", "0", "--threshold", "1"], "--epsilon"),
        (["--mode", "high-accuracy", "--epsilon", "-1", "--threshold", "1"], "--epsilon"),
        (["--mode", "high-accuracy", "--epsilon", "nan", "--threshold", "1"], "--epsilon"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "inf"], "--threshold"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--windows", "0"], "--windows"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--dimensions", ""], "--dimensions"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--dimensions", "a,,b"], "--dimensions"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--dimensions", "a,a"], "--dimensions"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--dimensions", "a:0"], "--dimensions"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--dimensions", "a:x"], "--dimensions"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--dimensions", ":2"], "--dimensions"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--gate", "separate"], "--gate-epsilon"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--gate-epsilon", "0.1"], "--gate-epsilon"),
        (
            [
                "--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--gate", "separate", "--gate-epsilon",
                "0",
            ],
            "--gate-epsilon"
        ),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--gate", "open"], "--gate"),
        (["--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--seed", "xyz"], "--seed"),
        (
            [
                "--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1", "--seed",
                String(repeating: "f", count: 65),
            ],
            "--seed"
        ),
    ]

    @Test("a bad option exits 64 with a message naming it", arguments: badOptions.indices)
    func badOption(index: Int) async {
        let bad = Self.badOptions[index]
        let (code, message) = await run(["dp", "windows", "--counts", "counts.csv"] + bad.arguments)
        #expect(code == PhalanxExit.usage.rawValue, "\(bad.arguments)")
        #expect(message.contains(bad.names), "\(bad.arguments): \(message)")
    }

    @Test("a budget too small for the windows and dimensions is a usage error naming --epsilon")
    func budgetTooSmall() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let counts = try write("counts.csv", "1\n2\n")
        let arguments =
            ["dp", "windows", "--mode", "adaptive", "--alert-rate", "5", "--epsilon", "0.000003"]
            + ["--threshold", "1", "--counts", counts]
        let error = try #require(try reportError(arguments))
        #expect(error.exit == .usage && error.message.hasPrefix("--epsilon:"), "\(error.message)")
        #expect(await run(arguments).code == PhalanxExit.usage.rawValue)
    }

    /// Counts files that are refused, for two dimensions `a,b`, and what the message must say.
    static let badCounts: [(text: String, message: String)] = [
        ("1,2\n3,-4\n", ":2:3: -4 is negative"),
        ("1,2\r\n3,x\r\n", ":2:3: \"x\" is not a whole number"),
        ("1,2\n3, x\n", ":2:4: \"x\" is not a whole number"),
        ("1,2\n3\n", ":2:2: expected 2 counts (one per dimension: a, b), found 1"),
        ("1,2,3\n", ":1:5: expected 2 counts (one per dimension: a, b), found 3"),
        ("1,2\n\n3,4\n", ":2:1: empty line"),
        ("1,\n", ":1:3: missing count"),
        ("1,99999999999999999999\n", ":1:3: 99999999999999999999 is out of range"),
        ("1,2.5\n", ":1:3: \"2.5\" is not a whole number"),
        ("1,-\n", ":1:3: \"-\" is not a whole number"),
        ("", ": no windows"),
        ("\n", ":1:1: empty line"),
        ("1,2\n1,2\n1,2\n", ":3:1: window 3 is past the policy's 2 windows"),
    ]

    @Test("a malformed counts file exits 65 naming file:line:column and the problem", arguments: badCounts.indices)
    func badCountsFile(index: Int) async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = Self.badCounts[index]
        let file = try write("bad.csv", bad.text)
        let arguments = [
            "dp", "windows", "--mode", "high-accuracy", "--epsilon", "1", "--windows", "2", "--dimensions", "a,b",
            "--threshold", "1", "--counts", file,
        ]
        let error = try #require(try reportError(arguments))
        #expect(error.exit == .malformedInput)
        #expect(error.message.hasPrefix(file + bad.message), "\(error.message)")
        #expect(await run(arguments).code == PhalanxExit.malformedInput.rawValue)
    }

    @Test("counts that are not UTF-8 exit 65; a missing counts file exits 66")
    func unreadableCounts() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let binary = directory.appendingPathComponent("binary.csv")
        try Data([0x31, 0xFF, 0x0A]).write(to: binary)
        let options = ["dp", "windows", "--mode", "high-accuracy", "--epsilon", "1", "--threshold", "1"]
        #expect(await run(options + ["--counts", binary.path]).code == PhalanxExit.malformedInput.rawValue)
        let missing = directory.appendingPathComponent("none.csv").path
        #expect(await run(options + ["--counts", missing]).code == PhalanxExit.missingInput.rawValue)
        #expect(try reportError(options + ["--counts", missing])?.message.contains(missing) == true)
    }

    @Test("--seed is a big-endian number of up to 256 bits")
    func seeds() throws {
        #expect(try DPWindowsCommand.parseSeed("7") == Array(repeating: 0, count: 31) + [7])
        #expect(try DPWindowsCommand.parseSeed("0x0102") == Array(repeating: 0, count: 30) + [1, 2])
        let full = String(repeating: "aB", count: 32)
        #expect(try DPWindowsCommand.parseSeed(full) == Array(repeating: 0xAB, count: 32))
        for bad in ["", "0x", "g", "12 34", String(repeating: "1", count: 65)] {
            #expect(throws: ValidationError.self) { try DPWindowsCommand.parseSeed(bad) }
        }
    }
}
