import ArgumentParser
import Foundation
import PhalanxModel

/// `phalanx verify-model`: explores the synchronous product of the state machines under network and crash
/// faults and checks seed 003's safety invariant, at-most-once commands, termination and the ranking function.
struct VerifyModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-model",
        abstract: "Model-check the safety loop: k nodes, the aggregator, control, collector and ledger, with faults.",
        discussion: """
            Builds the synchronous product from the same transition tables the runtime drives, explores every \
            state reachable under the given fault budgets, and checks: the aggregator reaches FINALIZE only when \
            every node (not isolated) is in POSTF or DONE and no predicate held at the clearance; every command \
            runs at most once per participant; every run ends with every machine terminal; the ranking function \
            never rises. Prints PASS and the figures, or the shortest counterexample and exits 1. \
            --plant switches on a deliberate bug, which must produce a counterexample. \
            See docs/model-checking.md.
            """
    )

    @Option(name: .long, help: "Number of nodes (1...4).")
    var nodes = 2

    @Option(name: .long, help: "Rounds of the job (1...3).")
    var rounds = 2

    @Option(name: .long, help: "Messages the network may lose (0...3).")
    var losses = 1

    @Option(name: .long, help: "Messages the network may duplicate (0...3).")
    var duplicates = 1

    @Option(name: .long, help: "Messages the network may delay past a drain (0...3).")
    var delays = 1

    @Option(name: .long, help: "Crashes and restarts of nodes or the aggregator (0...3).")
    var crashes = 1

    @Option(name: .long, help: "Re-sends of a command with a missing ack before escalating to abort (1...3).")
    var retries = 2

    @Option(name: .long, help: "Job timeout in ticks (1...12; default rounds + 3).")
    var timeout: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A deliberate bug that must produce a counterexample.",
            valueName: PlantedFault.allCases.map(\.rawValue).joined(separator: "|")))
    var plant: PlantedFault?

    @Option(name: .long, help: "Also write the model in Promela (for spin) to this file.")
    var promela: String?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    var modelConfiguration: ModelConfiguration {
        ModelConfiguration(
            nodes: nodes, rounds: rounds, losses: losses, duplicates: duplicates, delays: delays, crashes: crashes,
            retryLimit: retries, timeout: timeout, plantedFault: plant)
    }

    func validate() throws {
        do throws(ModelConfigurationError) {
            try modelConfiguration.validate()
        } catch {
            let options = [
                "nodes": "--nodes", "rounds": "--rounds", "losses": "--losses", "duplicates": "--duplicates",
                "delays": "--delays", "crashes": "--crashes", "retryLimit": "--retries", "timeout": "--timeout",
            ]
            throw ValidationError("\(options[error.parameter] ?? error.parameter) \(error.message)")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let checker: ModelChecker
            do throws(ModelConfigurationError) {
                checker = try ModelChecker(modelConfiguration)
            } catch {
                throw CLIError(.usage, error.description)
            }
            if let promela {
                let text = PromelaExporter(checker.configuration).source
                try Files.writeAtomically(Data(text.utf8), to: promela)
            }
            let result = checker.run()
            if json {
                print(String(decoding: try Files.encodeJSON(Report(result)), as: UTF8.self), terminator: "")
            } else {
                print(Self.text(result, promela: promela), terminator: "")
            }
            if !result.passed { throw ExitCode(PhalanxExit.checkFailed.rawValue) }
        }
    }

    static func text(_ result: ModelCheckingResult, promela: String?) -> String {
        let c = result.configuration
        var lines = [
            "model: \(c.nodes) node(s), \(c.rounds) round(s), timeout \(c.timeout) ticks, retry limit \(c.retryLimit)",
            "faults: \(c.losses) loss, \(c.duplicates) duplicate, \(c.delays) delay, \(c.crashes) crash"
                + (c.plantedFault.map { "; planted: \($0.rawValue) (\($0))" } ?? ""),
            "predicates: \(c.predicates.map(\.description).joined(separator: ", "))",
            "states: \(result.states)  transitions: \(result.transitions)  depth: \(result.depth)  "
                + "seconds: \(String(format: "%.2f", result.seconds))",
            "terminal states: \(result.finalized) finalized, \(result.aborted) aborted; ranking V(initial) = "
                + "\(result.initialRank)" + (result.longestRun.map { "; longest run \($0) steps" } ?? ""),
        ]
        if let promela { lines.append("promela: \(promela)") }
        if result.truncated {
            lines.append("INCOMPLETE: the state limit (\(c.stateLimit)) was reached; no verdict")
        } else if let counterexample = result.counterexample {
            lines.append("FAIL")
            lines.append(counterexample.text)
        } else {
            lines.append(
                "PASS: release safety, at-most-once, table conformance, termination and ranking hold in every "
                    + "reachable state")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What `verify-model --json` prints.
    struct Report: Encodable {
        var verdict: String
        var nodes: Int
        var rounds: Int
        var losses: Int
        var duplicates: Int
        var delays: Int
        var crashes: Int
        var retries: Int
        var timeout: Int
        var plantedFault: String?
        var states: Int
        var transitions: Int
        var depth: Int
        var longestRun: Int?
        var initialRank: Int
        var finalized: Int
        var aborted: Int
        var seconds: Double
        var counterexample: Counterexample?

        init(_ result: ModelCheckingResult) {
            let c = result.configuration
            verdict = result.truncated ? "incomplete" : result.passed ? "pass" : "fail"
            nodes = c.nodes
            rounds = c.rounds
            losses = c.losses
            duplicates = c.duplicates
            delays = c.delays
            crashes = c.crashes
            retries = c.retryLimit
            timeout = c.timeout
            plantedFault = c.plantedFault?.rawValue
            states = result.states
            transitions = result.transitions
            depth = result.depth
            longestRun = result.longestRun
            initialRank = result.initialRank
            finalized = result.finalized
            aborted = result.aborted
            seconds = result.seconds
            counterexample = result.counterexample
        }

        enum CodingKeys: String, CodingKey {
            case verdict, nodes, rounds, losses, duplicates, delays, crashes, retries, timeout, plantedFault, states
            case transitions, depth, longestRun, initialRank, finalized, aborted, seconds, counterexample
        }

        func encode(to encoder: any Encoder) throws {
            // Explicit nulls: the object has the same keys whatever the verdict.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(verdict, forKey: .verdict)
            try container.encode(nodes, forKey: .nodes)
            try container.encode(rounds, forKey: .rounds)
            try container.encode(losses, forKey: .losses)
            try container.encode(duplicates, forKey: .duplicates)
            try container.encode(delays, forKey: .delays)
            try container.encode(crashes, forKey: .crashes)
            try container.encode(retries, forKey: .retries)
            try container.encode(timeout, forKey: .timeout)
            try container.encode(plantedFault, forKey: .plantedFault)
            try container.encode(states, forKey: .states)
            try container.encode(transitions, forKey: .transitions)
            try container.encode(depth, forKey: .depth)
            try container.encode(longestRun, forKey: .longestRun)
            try container.encode(initialRank, forKey: .initialRank)
            try container.encode(finalized, forKey: .finalized)
            try container.encode(aborted, forKey: .aborted)
            try container.encode(seconds, forKey: .seconds)
            try container.encode(counterexample, forKey: .counterexample)
        }
    }
}

extension PlantedFault: ExpressibleByArgument {}
