import ArgumentParser
import Foundation
import PhalanxCore
import PhalanxLedger
import Testing

@testable import PhalanxCLI

/// `phalanx dp`: reference values, JSON shapes, usage errors and the budget ledger listing.
/// (scripts/cli-checks.sh runs the real binary on a ledger written by `phalanx demo --ep dp`.)
@Suite("phalanx dp")
struct DPCommandTests {
    let directory: URL = FileManager.default.temporaryDirectory.appendingPathComponent(
        "phalanx-dp-cli-\(UUID().uuidString)")

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Parses and runs `arguments` as `phalanx` does; returns the exit code and, for a failure, the message
    /// argument-parser prints (CLIError messages go to stderr inside the command).
    func run(_ arguments: [String]) async -> (code: Int32, message: String) {
        await CLIRun.outcome(arguments)
    }

    func parse<Command: ParsableCommand>(_ arguments: [String], as type: Command.Type) throws -> Command {
        try #require(try PhalanxCommand.parseAsRoot(arguments) as? Command)
    }

    /// The JSON object `report` prints with --json.
    func jsonObject(_ report: some Encodable) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: try Files.encodeJSON(report)) as? [String: Any])
    }

    static func close(_ value: Double?, _ expected: Double, relative: Double = 5e-7) -> Bool {
        guard let value else { return false }
        return abs(value - expected) <= relative * abs(expected)
    }

    // MARK: - dp epsilon

    /// The issue's reference values (dp-accounting 0.6.0; docs/dp-accounting.md).
    static let references: [(arguments: [String], epsilon: Double, order: Double?)] = [
        (
            [
                "--accountant", "rdp", "--mechanism", "subsampled-gaussian", "--noise-multiplier", "1.1",
                "--sampling-rate", "0.01", "--steps", "1000", "--delta", "1e-5",
            ], 1.711770, 9.6
        ),
        (
            [
                "--accountant", "rdp", "--mechanism", "gaussian", "--noise-multiplier", "10", "--steps", "100",
                "--delta", "1e-6",
            ],
            5.221540, 5.9
        ),
        (
            [
                "--accountant", "pld", "--mechanism", "gaussian", "--noise-multiplier", "10", "--steps", "100",
                "--delta", "1e-6",
            ],
            4.886554124, nil
        ),
        (
            [
                "--accountant", "pld", "--mechanism", "subsampled-gaussian", "--noise-multiplier", "1.1",
                "--sampling-rate", "0.01", "--steps", "1000", "--delta", "1e-5",
            ], 1.515370, nil
        ),
    ]

    @Test("dp epsilon reproduces the reference values", arguments: references.indices)
    func referenceValues(index: Int) async throws {
        let reference = Self.references[index]
        let command = try parse(["dp", "epsilon"] + reference.arguments, as: DPEpsilonCommand.self)
        let report = try command.report()
        #expect(
            Self.close(report.epsilon, reference.epsilon, relative: 1e-6), "ε = \(String(describing: report.epsilon))")
        if let order = reference.order {
            let reported = try #require(report.order)
            #expect(abs(reported - order) < 1e-9)
        } else {
            #expect(report.order == nil)
        }
        #expect(report.text.hasPrefix("epsilon:          \(String(format: "%.6f", reference.epsilon))\n"))
        #expect(await run(["dp", "epsilon"] + reference.arguments).code == 0)
    }

    @Test("the default accountant is RDP and the default is one step; gaussian below rate 1 is Poisson-sampled")
    func defaultsAndSampling() throws {
        let single = try parse(
            ["dp", "epsilon", "--mechanism", "gaussian", "--noise-multiplier", "10", "--delta", "1e-6"],
            as: DPEpsilonCommand.self
        ).report()
        #expect(single.accountant == .rdp && single.steps == 1 && single.samplingRate == 1)
        #expect(single.mechanism == "gaussian")
        let sampled = [
            "--noise-multiplier", "1.1", "--sampling-rate", "0.01", "--steps", "1000", "--delta", "1e-5",
        ]
        let viaGaussian = try parse(
            ["dp", "epsilon", "--mechanism", "gaussian"] + sampled, as: DPEpsilonCommand.self
        ).report()
        let viaSubsampled = try parse(
            ["dp", "epsilon", "--mechanism", "subsampled-gaussian"] + sampled, as: DPEpsilonCommand.self
        ).report()
        #expect(viaGaussian == viaSubsampled)
        #expect(viaGaussian.mechanism == "subsampled-gaussian")
        // Poisson-sampled Laplace noise: PLD only.
        let laplace = try parse(
            [
                "dp", "epsilon", "--accountant", "pld", "--mechanism", "laplace", "--noise-multiplier", "2",
                "--sampling-rate", "0.1", "--steps", "10", "--delta", "1e-5",
            ], as: DPEpsilonCommand.self
        ).report()
        #expect(laplace.mechanism == "subsampled-laplace")
        #expect(laplace.epsilon.map { $0 > 0 && $0 < 10 * 0.5 } == true)
    }

    @Test("dp epsilon --json has the documented fields, with explicit nulls")
    func epsilonJSON() throws {
        let base = ["dp", "epsilon", "--mechanism", "gaussian", "--noise-multiplier", "10", "--steps", "100"]
        let rdp = try jsonObject(try parse(base + ["--delta", "1e-6"], as: DPEpsilonCommand.self).report())
        let keys: Set = [
            "accountant", "mechanism", "noiseMultiplier", "samplingRate", "steps", "delta", "epsilon", "order",
        ]
        #expect(Set(rdp.keys) == keys)
        #expect(rdp["accountant"] as? String == "rdp" && rdp["mechanism"] as? String == "gaussian")
        #expect(rdp["steps"] as? Int == 100 && rdp["samplingRate"] as? Double == 1)
        #expect(Self.close(rdp["epsilon"] as? Double, 5.221540, relative: 1e-6))
        let pld = try jsonObject(
            try parse(base + ["--accountant", "pld", "--delta", "1e-6"], as: DPEpsilonCommand.self).report())
        #expect(Set(pld.keys) == keys)
        #expect(pld["order"] is NSNull)
    }

    // MARK: - dp calibrate

    @Test("dp calibrate finds the least multiplier, which dp epsilon confirms")
    func calibrate() async throws {
        let options = [
            "--mechanism", "subsampled-gaussian", "--sampling-rate", "0.01", "--steps", "1000", "--delta", "1e-5",
        ]
        let report = try parse(["dp", "calibrate", "--epsilon", "1"] + options, as: DPCalibrateCommand.self).report()
        #expect(abs(report.noiseMultiplier - 1.513122) < 2e-6, "z = \(report.noiseMultiplier)")
        #expect(report.epsilon <= 1 && report.epsilon > 0.999)
        let check = try parse(
            ["dp", "epsilon", "--noise-multiplier", "\(report.noiseMultiplier)"] + options, as: DPEpsilonCommand.self
        ).report()
        #expect(check.epsilon == report.epsilon)
        let below = try parse(
            ["dp", "epsilon", "--noise-multiplier", "\(report.noiseMultiplier - 2e-6)"] + options,
            as: DPEpsilonCommand.self
        ).report()
        #expect(try #require(below.epsilon) > 1)
        let json = try jsonObject(report)
        #expect(
            Set(json.keys) == [
                "accountant", "mechanism", "samplingRate", "steps", "delta", "targetEpsilon", "noiseMultiplier",
                "epsilon", "tolerance", "evaluations",
            ])
        #expect(json["targetEpsilon"] as? Double == 1 && json["mechanism"] as? String == "subsampled-gaussian")
        #expect(await run(["dp", "calibrate", "--epsilon", "1", "--json"] + options).code == 0)
    }

    // MARK: - usage errors

    /// Each bad input: the arguments after `dp`, and what the message must name.
    static let badInputs: [(arguments: [String], names: String)] = [
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--delta", "0"], "--delta"),
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--delta", "1"], "--delta"),
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--delta", "-1e-5"], "--delta"),
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--delta", "nan"], "--delta"),
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--delta", "inf"], "--delta"),
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "0", "--delta", "1e-5"], "--noise-multiplier"),
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "-2", "--delta", "1e-5"], "--noise-multiplier"),
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "nan", "--delta", "1e-5"], "--noise-multiplier"),
        (["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "inf", "--delta", "1e-5"], "--noise-multiplier"),
        (["epsilon", "--mechanism", "cauchy", "--noise-multiplier", "1", "--delta", "1e-5"], "--mechanism"),
        (
            [
                "epsilon", "--accountant", "prv", "--mechanism", "gaussian", "--noise-multiplier", "1", "--delta",
                "1e-5",
            ],
            "--accountant"
        ),
        (
            ["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--steps", "0", "--delta", "1e-5"],
            "--steps"
        ),
        (
            ["epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--steps", "-3", "--delta", "1e-5"],
            "--steps"
        ),
        (
            [
                "epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--sampling-rate", "0", "--delta",
                "1e-5",
            ],
            "--sampling-rate"
        ),
        (
            [
                "epsilon", "--mechanism", "gaussian", "--noise-multiplier", "1", "--sampling-rate", "1.5", "--delta",
                "1e-5",
            ],
            "--sampling-rate"
        ),
        (
            [
                "epsilon", "--mechanism", "subsampled-gaussian", "--noise-multiplier", "1", "--sampling-rate", "nan",
                "--delta", "1e-5",
            ], "--sampling-rate"
        ),
        (
            ["epsilon", "--mechanism", "subsampled-gaussian", "--noise-multiplier", "1", "--delta", "1e-5"],
            "--sampling-rate"
        ),
        (
            [
                "epsilon", "--mechanism", "laplace", "--noise-multiplier", "1", "--sampling-rate", "0.5", "--delta",
                "1e-5",
            ],
            "--accountant pld"
        ),
        (["calibrate", "--epsilon", "0", "--mechanism", "gaussian", "--delta", "1e-5"], "--epsilon"),
        (["calibrate", "--epsilon", "-1", "--mechanism", "gaussian", "--delta", "1e-5"], "--epsilon"),
        (["calibrate", "--epsilon", "nan", "--mechanism", "gaussian", "--delta", "1e-5"], "--epsilon"),
        (["calibrate", "--epsilon", "inf", "--mechanism", "gaussian", "--delta", "1e-5"], "--epsilon"),
        (["calibrate", "--epsilon", "1", "--mechanism", "gaussian", "--delta", "1.5"], "--delta"),
        (["calibrate", "--epsilon", "1", "--mechanism", "gaussian", "--steps", "0", "--delta", "1e-5"], "--steps"),
        (
            ["calibrate", "--epsilon", "1", "--mechanism", "laplace", "--sampling-rate", "0.5", "--delta", "1e-5"],
            "--accountant pld"
        ),
        (["budget", "show", "--db", "budget.sqlite", "--node", "Not An Id"], "--node"),
    ]

    @Test("bad input exits 64 with a message naming the option", arguments: badInputs.indices)
    func badInput(index: Int) async {
        let bad = Self.badInputs[index]
        let (code, message) = await run(["dp"] + bad.arguments)
        #expect(code == PhalanxExit.usage.rawValue, "\(bad.arguments)")
        #expect(message.contains(bad.names), "\(bad.arguments): \(message)")
    }

    @Test("an error from the accountant is a usage error naming the option, not a crash")
    func accountantErrors() throws {
        // 2³⁰ sampled steps: the PLD would need more points than the accountant allows.
        let command = try parse(
            [
                "dp", "epsilon", "--accountant", "pld", "--mechanism", "subsampled-gaussian", "--noise-multiplier",
                "0.5", "--sampling-rate", "0.5", "--steps", "1073741824", "--delta", "1e-5",
            ], as: DPEpsilonCommand.self)
        #expect {
            _ = try command.report()
        } throws: { error in
            guard let error = error as? CLIError else { return false }
            return error.exit == .usage && error.hint?.contains("--accountant rdp") == true
        }
    }

    // MARK: - dp budget show

    static let alice = try! ParticipantID("alice")
    static let bob = try! ParticipantID("bob")
    static func job(_ n: Int) -> SHA256Digest { SHA256Digest.of(Array("dp-cli-job-\(n)".utf8)) }

    /// alice: limit (2, 1e-5); job 1 reserved (1, 1e-6), spent 0.25 + 0.5 in rounds 0 and 1, closed;
    /// job 2 reserved (0.5, 1e-6), open. bob: limit (1, 1e-6), nothing else.
    func makeLedger() throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = path("budget.sqlite")
        let ledger = try PrivacyBudgetLedger(path: file)
        try ledger.setLimit(participant: Self.alice, epsilon: 2, delta: 1e-5)
        try ledger.setLimit(participant: Self.bob, epsilon: 1, delta: 1e-6)
        try ledger.reserve(job: Self.job(1), participant: Self.alice, epsilon: 1, delta: 1e-6)
        try ledger.spend(job: Self.job(1), participant: Self.alice, round: 0, epsilon: 0.25, delta: 0, atMs: 1_000)
        try ledger.spend(job: Self.job(1), participant: Self.alice, round: 1, epsilon: 0.5, delta: 5e-7, atMs: 2_000)
        try ledger.close(job: Self.job(1), participant: Self.alice)
        try ledger.reserve(job: Self.job(2), participant: Self.alice, epsilon: 0.5, delta: 1e-6)
        return file
    }

    @Test("budget show lists limit, committed, spent, remaining and open jobs; --node adds reservations and spends")
    func budgetShow() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try makeLedger()
        let all = try parse(["dp", "budget", "show", "--db", file], as: DPBudgetCommand.Show.self)
        let report = try all.report()
        #expect(report.participants.map(\.participant) == ["alice", "bob"])
        let alice = report.participants[0]
        #expect(alice.epsilonLimit == 2 && alice.epsilonSpent == 0.75 && alice.openJobs == 1)
        #expect(alice.epsilonCommitted == 1.25 && alice.epsilonRemaining == 0.75)  // closed job 1 counts 0.75
        #expect(alice.deltaCommitted == 1.5e-6 && alice.deltaRemaining == 8.5e-6 && alice.deltaSpent == 5e-7)
        #expect(report.participants[1].epsilonRemaining == 1 && report.participants[1].openJobs == 0)
        let text = all.text(report)
        #expect(text.contains("2 participants with a budget"))
        #expect(!text.contains("spends ("))

        let one = try parse(["dp", "budget", "show", "--db", file, "--node", "alice"], as: DPBudgetCommand.Show.self)
        let aliceOnly = try one.report()
        #expect(aliceOnly.participants.count == 1)
        let p = aliceOnly.participants[0]
        #expect(p.spends.map(\.round) == [0, 1] && p.spends.map(\.epsilon) == [0.25, 0.5])
        #expect(p.spends.allSatisfy { $0.job == Self.job(1).hex })
        #expect(Set(p.reservations.map(\.closed)) == [true, false])
        let details = one.text(aliceOnly)
        #expect(details.contains("spends (2):") && details.contains("\(Self.job(1).short)…"))
        #expect(details.contains("reservations (2):"))

        let json = try jsonObject(aliceOnly)
        #expect(Set(json.keys) == ["file", "participants"])
        let entry = try #require((json["participants"] as? [[String: Any]])?.first)
        #expect(
            Set(entry.keys) == [
                "participant", "epsilonLimit", "epsilonCommitted", "epsilonSpent", "epsilonRemaining", "deltaLimit",
                "deltaCommitted", "deltaSpent", "deltaRemaining", "openJobs", "reservations", "spends",
            ])
        let spend = try #require((entry["spends"] as? [[String: Any]])?.first)
        #expect(Set(spend.keys) == ["job", "round", "epsilon", "delta", "atMs"])
        let reservation = try #require((entry["reservations"] as? [[String: Any]])?.first)
        #expect(Set(reservation.keys) == ["job", "epsilon", "delta", "spentEpsilon", "spentDelta", "closed"])

        #expect(await run(["dp", "budget", "show", "--db", file]).code == 0)
        #expect(await run(["dp", "budget", "show", "--db", file, "--node", "alice", "--json"]).code == 0)
        #expect(
            await run(["dp", "budget", "show", "--db", file, "--node", "carol"]).code == PhalanxExit.usage.rawValue)
    }

    @Test("budget show: a missing file exits 66 and is not created; a file that is not a budget ledger exits 65")
    func budgetShowFiles() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let missing = path("none.sqlite")
        #expect(await run(["dp", "budget", "show", "--db", missing]).code == PhalanxExit.missingInput.rawValue)
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(throws: CLIError.self) {
            try parse(["dp", "budget", "show", "--db", missing], as: DPBudgetCommand.Show.self).report()
        }

        _ = FileManager.default.createFile(atPath: path("junk.sqlite"), contents: Data("not a database".utf8))
        #expect(
            await run(["dp", "budget", "show", "--db", path("junk.sqlite")]).code
                == PhalanxExit.malformedInput.rawValue)

        // An audit ledger is SQLite but not a budget ledger: refused, and left exactly as it was.
        let identity = SigningIdentity.generate(id: try ParticipantID("auditor"), role: .control)
        _ = try MerkleLedger.create(path: path("ledger.sqlite"), origin: "test.phalanx.local/audit", signer: identity)
        let before = try Data(contentsOf: URL(fileURLWithPath: path("ledger.sqlite")))
        // SQLite may add the -wal/-shm companions of a WAL database when it opens one, even read-only.
        func listing() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }.sorted()
        }
        let listingBefore = try listing()
        do {
            _ = try parse(["dp", "budget", "show", "--db", path("ledger.sqlite")], as: DPBudgetCommand.Show.self)
                .report()
            Issue.record("an audit ledger was read as a budget ledger")
        } catch let error as CLIError {
            #expect(error.exit == .malformedInput)
            #expect(error.message.contains("is not a privacy budget ledger"), "\(error.message)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path("ledger.sqlite"))) == before)
        #expect(try listing() == listingBefore)
    }

    @Test("budget show on an empty budget ledger says so and exits 0")
    func emptyLedger() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = try PrivacyBudgetLedger(path: path("empty.sqlite"))
        let command = try parse(["dp", "budget", "show", "--db", path("empty.sqlite")], as: DPBudgetCommand.Show.self)
        let report = try command.report()
        #expect(report.participants.isEmpty)
        #expect(command.text(report).contains("0 participants with a budget"))
        let (code, _) = await run(["dp", "budget", "show", "--db", path("empty.sqlite"), "--node", "alice"])
        #expect(code == PhalanxExit.usage.rawValue)
    }
}
