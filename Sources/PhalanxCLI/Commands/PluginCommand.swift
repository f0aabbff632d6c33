import ArgumentParser
import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxDSL
import PhalanxProviders

struct PluginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Check and compile plug-ins written in the plug-in language (docs/dsl.md).",
        subcommands: [Check.self, Compile.self]
    )

    /// Reads and compiles a plug-in file; a problem in it is a malformed input with the compiler's diagnostic.
    static func compile(_ path: String) throws -> CompiledPlugin {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CLIError(.missingInput, "cannot read \(path): \(error.localizedDescription)")
        }
        do {
            return try PluginCompiler.compile(text: text, name: path)
        } catch {
            // The diagnostic reads like a compiler's ("FILE:LINE:COLUMN: error: …"), so it is printed as it is.
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            throw ExitCode(PhalanxExit.malformedInput.rawValue)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse and type-check a plug-in; print its inputs, channels and outputs.",
            discussion: "Exit 0 when it compiles, 65 with a located diagnostic when it does not."
        )

        @Argument(help: "The plug-in file (.phx).")
        var file: String

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let plugin = try PluginCommand.compile(file)
                let summary = PluginSummary(plugin)
                if json {
                    print(String(decoding: try Files.encodeJSON(summary), as: UTF8.self), terminator: "")
                } else {
                    print(summary.text(file: file))
                }
            }
        }
    }

    struct Compile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile a plug-in for an execution provider: its IR, its manifest and the manifest hash.",
            discussion: """
                The manifest names the plug-in and its IR digest, the opcodes it uses, the provider, the guard-rail \
                predicates the policy enables for it and the metric keys its frames carry, the input schema, the \
                participants and, for dp and dp+secagg, the privacy plan with the sensitivities it was calibrated \
                to. Admission is run on it as the control plane would (with a roster of the given participants); \
                a refusal exits 1 with every problem and how to fix it.
                """
        )

        @Argument(help: "The plug-in file (.phx).")
        var file: String

        @Option(name: .customLong("ep"), help: "Execution provider: plain, secagg, dp, dp+secagg, fhe or fhe+dp.")
        var executionProvider: String = PlainProvider.name

        @Option(name: .long, help: "guardrails.yaml to select predicates from (default: the embedded policy).")
        var guardrails: String?

        @Option(name: .long, parsing: .upToNextOption, help: "Node ids.")
        var nodes: [String] = ["org-1", "org-2", "org-3", "org-4", "org-5"]

        @Option(name: .long, help: "Rounds.")
        var rounds = 1

        @OptionGroup var privacy: PrivacyOptions

        @Option(name: .long, help: "Write the IR JSON here.")
        var irOut: String?

        @Option(name: .long, help: "Write the manifest JSON here.")
        var manifestOut: String?

        @Flag(name: .long, help: "Print JSON: the summary, the manifest, its hash and the admission verdict.")
        var json = false

        func validate() throws {
            guard (1...10_000).contains(rounds) else { throw ValidationError("--rounds must be 1…10000") }
            guard !nodes.isEmpty else { throw ValidationError("--nodes needs at least one node id") }
        }

        struct Output: Encodable {
            let plugin: PluginSummary
            let manifest: JobManifest
            let manifestHash: String
            let admitted: Bool
            let problems: [String]
        }

        func run() async throws {
            try await reportingErrors {
                let plugin = try PluginCommand.compile(file)
                let policy = try GuardrailsCommand.loadPolicy(guardrails)
                let provider = try ProviderRegistry.builtIn.requireProvider(
                    named: executionProvider, for: plugin.ir, privacy: privacy)
                let control = SigningIdentity.generate(id: try ParticipantID("control"), role: .control)
                let aggregator = SigningIdentity.generate(id: try ParticipantID("aggregator"), role: .aggregator)
                let nodeIdentities: [SigningIdentity]
                do {
                    nodeIdentities = try nodes.map { SigningIdentity.generate(id: try ParticipantID($0), role: .node) }
                } catch {
                    throw CLIError(.usage, "\(error)")
                }
                let participants = ParticipantSet(
                    nodes: nodeIdentities.map(\.id), aggregator: aggregator.id, control: control.id)
                let manifest: JobManifest
                do {
                    manifest = try JobAdmission.makeManifest(
                        plugin: plugin.ir, provider: provider.descriptor, policy: policy, participants: participants,
                        rounds: rounds, providerImplementation: provider
                    ).manifest
                } catch {
                    throw CLIError(.checkFailed, "\(executionProvider) cannot run \(file): \(error)")
                }
                let roster = try FederationRoster((nodeIdentities + [aggregator, control]).map(\.publicIdentity))
                var problems: [String] = []
                do {
                    _ = try JobAdmission.admit(
                        manifest: manifest, plugin: plugin.ir, providers: ProviderRegistry.builtIn.replacing(provider),
                        policy: policy, roster: roster)
                } catch let error as AdmissionError {
                    problems = error.problems.map { "at \($0.path): \($0.message)" }
                }
                if let irOut { try Files.writeAtomically(try Files.encodeJSON(plugin.ir), to: irOut) }
                if let manifestOut { try Files.writeAtomically(try Files.encodeJSON(manifest), to: manifestOut) }
                if json {
                    let output = Output(
                        plugin: PluginSummary(plugin), manifest: manifest, manifestHash: manifest.hash.hex,
                        admitted: problems.isEmpty, problems: problems)
                    print(String(decoding: try Files.encodeJSON(output), as: UTF8.self), terminator: "")
                } else {
                    print(PluginSummary(plugin).text(file: file))
                    print("manifest for \(executionProvider): job \(manifest.hash.hex)")
                    print("  opcodes: \(manifest.opcodes.map(\.rawValue).joined(separator: ", "))")
                    print("  predicates enabled: \(manifest.predicates.joined(separator: ", "))")
                    print("  metric keys: \(manifest.metricKeys.joined(separator: ", "))")
                    if let plan = manifest.privacy {
                        print(
                            "  privacy: ε \(plan.epsilonTotal), δ \(plan.delta) over \(manifest.rounds) round(s), "
                                + "noise \(plan.noise) (\(plan.mechanism)), sensitivity L2 \(plan.sensitivity), L1 \(plan.l1Sensitivity)"
                        )
                    }
                    if let irOut { print("wrote \(irOut)") }
                    if let manifestOut { print("wrote \(manifestOut)") }
                    print(problems.isEmpty ? "admission: accepted" : "admission: refused")
                    for problem in problems { print("  - \(problem)") }
                }
                if !problems.isEmpty { throw ExitCode(PhalanxExit.checkFailed.rawValue) }
            }
        }
    }
}

/// What a compiled plug-in reads, sends and releases, as `plugin check` prints it.
struct PluginSummary: Encodable {
    struct Input: Encodable {
        let name: String
        let columns: [String]
    }
    struct Channel: Encodable {
        let name: String
        let length: Int
        /// What one node can add: per component, in L1 and in L2 (the sensitivities DP calibrates to).
        let boundLinf: Double
        let boundL1: Double
        let boundL2: Double
        let noise: String?
    }
    struct Output: Encodable {
        let name: String
        let length: Int
        let element: String
        let thresholded: Bool
    }

    let name: String
    let version: String
    let irDigest: String
    let inputs: [Input]
    let channels: [Channel]
    let outputs: [Output]
    let opcodes: [String]

    init(_ plugin: CompiledPlugin) {
        name = plugin.ir.name
        version = plugin.ir.version
        irDigest = (try? plugin.ir.digest.hex) ?? ""
        inputs = plugin.ir.inputSchema.tables.map { table in
            Input(
                name: table.name,
                columns: table.columns.map { column in
                    switch column.kind {
                    case .category: "\(column.name): category (\(column.domain?.count ?? 0) values)"
                    case .integer, .real:
                        "\(column.name): \(column.kind.rawValue)"
                            + (column.minimum.map { low in
                                column.maximum.map { " in \(Self.number(low))…\(Self.number($0))" } ?? ""
                            } ?? "")
                    }
                })
        }
        channels = plugin.analysis.channels.map { channel in
            Channel(
                name: channel.name, length: channel.length, boundLinf: channel.bounds.linf, boundL1: channel.bounds.l1,
                boundL2: channel.bounds.l2, noise: plugin.analysis.noise[channel.name]?.rawValue)
        }
        outputs = plugin.analysis.outputs.map {
            Output(name: $0.name, length: $0.length, element: $0.element.rawValue, thresholded: $0.thresholded)
        }
        opcodes = plugin.ir.opcodes.map(\.rawValue)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && value.magnitude < 1e15 ? String(Int64(value)) : String(value)
    }

    func text(file: String) -> String {
        var lines = ["\(file): ok — plug-in \(name) \(version), IR \(irDigest.prefix(16))…"]
        for input in inputs { lines.append("  input \(input.name): \(input.columns.joined(separator: ", "))") }
        for channel in channels {
            lines.append(
                "  secure_sum \(channel.name): \(channel.length) value\(channel.length == 1 ? "" : "s"); one node adds at most "
                    + "\(Self.number(channel.boundLinf)) per value, L1 \(Self.number(channel.boundL1)), "
                    + "L2 \(Self.number(channel.boundL2))" + (channel.noise.map { "; \($0) noise" } ?? ""))
        }
        for output in outputs {
            lines.append(
                "  \(output.thresholded ? "threshold_release" : "release") \"\(output.name)\": \(output.length) "
                    + "\(output.element) values")
        }
        lines.append("  opcodes: \(opcodes.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }
}
