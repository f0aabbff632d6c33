import ArgumentParser
import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxDSL
import PhalanxFederation
import PhalanxProviders

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a plug-in in an in-process federation on each node's CSV data and print what it releases.",
        discussion: """
            Every --node NAME=PATH is one organization: PATH is a CSV file when the plug-in reads one input (its \
            header names the input's columns), or a directory holding INPUT.csv for each input. The plug-in is \
            compiled, admitted and run by the nodes, the aggregator and the control plane through the safety loop, \
            exactly as in the demo; rows never leave their node. Exit 0 when the job finalizes, 1 when it is \
            refused or aborted, 65 for a malformed plug-in or CSV file (named with its line).

            Example: phalanx run Plugins/kaplan-meier.phx --ep secagg \\
                       --node org-1=Plugins/data/waltons/org-1.csv … --node org-5=Plugins/data/waltons/org-5.csv
            """
    )

    @Argument(help: "The plug-in file (.phx).")
    var file: String

    @Option(name: .customLong("ep"), help: "Execution provider: plain, secagg, dp, dp+secagg, fhe or fhe+dp.")
    var executionProvider: String = PlainProvider.name

    @Option(
        name: .customLong("node"), help: "NAME=PATH: a node and its data (a CSV file, or a directory of INPUT.csv).")
    var nodeArguments: [String] = []

    @Option(name: .long, help: "Rounds (the node part runs once per round, with round = 0, 1, …).")
    var rounds = 1

    @OptionGroup var privacy: PrivacyOptions

    @Option(name: .long, help: "guardrails.yaml (default: the embedded policy).")
    var guardrails: String?

    @Flag(name: .long, help: "Print the released outputs as JSON.")
    var json = false

    func validate() throws {
        guard !nodeArguments.isEmpty else { throw ValidationError("give at least one --node NAME=PATH") }
        guard (1...1_000).contains(rounds) else { throw ValidationError("--rounds must be 1…1000") }
    }

    /// What `--json` prints: stable field names, outputs in release order.
    struct Output: Encodable {
        struct Released: Encodable {
            let name: String
            let round: Int
            let labels: [String]
            /// One number per label; `null` where a threshold suppressed it.
            let values: [Double?]
        }
        let plugin: String
        let provider: String
        var nodes: [String]
        let outcome: String
        let reason: String?
        let epsilon: Double?
        let delta: Double?
        let ticks: UInt64
        let outputs: [Released]
    }

    func run() async throws {
        try await reportingErrors {
            _ = try ProviderRegistry.builtIn.requireProvider(named: executionProvider)
            let plugin = try PluginCommand.compile(file)
            let nodes = try loadNodes(plugin)
            let configuration = FederationRun.Configuration(
                rounds: rounds, providerName: executionProvider, policy: try GuardrailsCommand.loadPolicy(guardrails),
                epsilon: privacy.epsilon, delta: privacy.delta, nodeEpsilonLimit: max(3, privacy.epsilon),
                workload: FederationRun.Workload(plugin: plugin.ir, nodes: nodes))
            let report: FederationRun.Report
            do {
                report = try await FederationRun(configuration).run()
            } catch let error as FederationRunError {
                throw CLIError(.checkFailed, error.description)
            }
            let output = Self.output(report, plugin: plugin, configuration: configuration)
            if json {
                print(String(decoding: try Files.encodeJSON(output), as: UTF8.self), terminator: "")
            } else {
                print(Self.text(output))
            }
            if output.outcome != "finalized" { throw ExitCode(PhalanxExit.checkFailed.rawValue) }
        }
    }

    /// Each `--node NAME=PATH` read into the plug-in's tables.
    private func loadNodes(_ plugin: CompiledPlugin) throws -> [(id: String, tables: [String: LocalTable])] {
        var seen = Set<String>()
        return try nodeArguments.map { argument in
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex,
                argument.index(after: equals) != argument.endIndex
            else {
                throw CLIError(.usage, "--node takes NAME=PATH, got \"\(argument)\"")
            }
            let name = String(argument[..<equals]), path = String(argument[argument.index(after: equals)...])
            do { _ = try ParticipantID(name) } catch { throw CLIError(.usage, "--node \(name): \(error)") }
            guard seen.insert(name).inserted else { throw CLIError(.usage, "node \(name) is given twice") }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError(.missingInput, "\(path) (node \(name)) does not exist")
            }
            let inputs = plugin.ir.inputSchema.tables
            if !isDirectory.boolValue, inputs.count != 1 {
                throw CLIError(
                    .usage,
                    "\(plugin.ir.name) reads \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); "
                        + "give node \(name) a directory holding one CSV file per input")
            }
            var tables: [String: LocalTable] = [:]
            for schema in inputs {
                let csv = isDirectory.boolValue ? (path as NSString).appendingPathComponent("\(schema.name).csv") : path
                do {
                    tables[schema.name] = try CSVTable.read(path: csv, schema: schema)
                } catch {
                    throw CLIError(.malformedInput, "node \(name): \(error)")
                }
            }
            return (name, tables)
        }
    }

    static func output(
        _ report: FederationRun.Report, plugin: CompiledPlugin, configuration: FederationRun.Configuration
    ) -> Output {
        let plan = report.manifest.privacy
        return Output(
            plugin: "\(plugin.ir.name)@\(plugin.ir.version)", provider: configuration.providerName,
            nodes: report.manifest.participants.nodes.map(\.rawValue), outcome: report.outcome.name,
            reason: report.outcome.reason, epsilon: plan?.epsilonTotal, delta: plan?.delta, ticks: report.ticks,
            outputs: report.outcome.outputs.map {
                Output.Released(name: $0.name, round: $0.round, labels: $0.labels, values: $0.numbers)
            })
    }

    static func text(_ output: Output) -> String {
        var lines = [
            "\(output.plugin) on \(output.provider) with \(output.nodes.count) nodes: \(output.outcome) after "
                + "\(output.ticks) ticks"
        ]
        if let epsilon = output.epsilon, let delta = output.delta {
            lines.append("  privacy: ε = \(epsilon), δ = \(delta)")
        }
        if let reason = output.reason { lines.append("  \(reason)") }
        for released in output.outputs {
            lines.append("  \(released.name) (round \(released.round)):")
            for (label, value) in zip(released.labels, released.values) {
                lines.append("    \(label)\t\(value.map { PluginSummary.number($0) } ?? "suppressed")")
            }
        }
        return lines.joined(separator: "\n")
    }
}
