import ArgumentParser
import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxProviders

struct ManifestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Create and check job manifests.",
        subcommands: [Create.self, Check.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the manifest (and plug-in IR) of the built-in safety-event-count plug-in for a provider."
        )

        @Option(name: .long, help: "Where to write the manifest JSON.")
        var out: String

        @Option(name: .long, help: "Where to write the plug-in IR JSON (default: next to the manifest, plugin.json).")
        var pluginOut: String?

        @Option(name: .customLong("ep"), help: "Execution provider.")
        var executionProvider: String = PlainProvider.name

        @Option(name: .long, help: "guardrails.yaml to select predicates from (default: the embedded policy).")
        var guardrails: String?

        @Option(name: .long, parsing: .upToNextOption, help: "Node ids.")
        var nodes: [String] = SafetyEvents.demoProfiles.map(\.id)

        @Option(name: .long, help: "Aggregator id.")
        var aggregator = "aggregator"

        @Option(name: .long, help: "Control-plane id.")
        var control = "control"

        @Option(name: .long, help: "Rounds (days).")
        var rounds = 3

        func run() async throws {
            try await reportingErrors {
                let policy = try GuardrailsCommand.loadPolicy(guardrails)
                let provider = try ProviderRegistry.builtIn.requireProvider(named: executionProvider)
                let participants: ParticipantSet
                do {
                    participants = ParticipantSet(
                        nodes: try nodes.map { try ParticipantID($0) }, aggregator: try ParticipantID(aggregator),
                        control: try ParticipantID(control)
                    )
                } catch {
                    throw CLIError(.usage, "\(error)")
                }
                let plugin = SafetyEventCountPlugin.make()
                let (manifest, selection) = try JobAdmission.makeManifest(
                    plugin: plugin, provider: provider.descriptor, policy: policy, participants: participants,
                    rounds: rounds, providerImplementation: provider
                )
                do { try manifest.validate() } catch {
                    throw CLIError(.usage, "the manifest would be invalid: \(error)")
                }
                let pluginPath =
                    pluginOut
                    ?? ((out as NSString).deletingLastPathComponent as NSString).appendingPathComponent("plugin.json")
                try Files.writeAtomically(try Files.encodeJSON(manifest), to: out)
                try Files.writeAtomically(try Files.encodeJSON(plugin), to: pluginPath)
                print("wrote \(out) (job \(manifest.hash.hex))")
                print("wrote \(pluginPath) (IR digest \(manifest.plugin.digest.hex))")
                print("enabled predicates: \(selection.enabled.map(\.id).joined(separator: ", "))")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a manifest and print its hash; with --plugin and --keys, run full admission.",
            discussion: "Exit code 0 if valid (and admitted), 1 if admission refuses it, 65 if it is malformed."
        )

        @Argument(help: "A manifest JSON file.")
        var file: String

        @Option(name: .long, help: "The plug-in IR JSON the manifest names (enables full admission).")
        var plugin: String?

        @Option(
            name: .long,
            help: "A directory of participants' .pub files: the federation roster (enables full admission).")
        var keys: String?

        @Option(name: .long, help: "guardrails.yaml the manifest was made with (default: the embedded policy).")
        var guardrails: String?

        func run() async throws {
            try await reportingErrors {
                let manifest = try JSONInput.decode(
                    JobManifest.self, from: try Files.read(file, what: "manifest"), file: file)
                do { try manifest.validate() } catch { throw CLIError(.malformedInput, "\(file): \(error)") }
                print("\(file): well-formed; job \(manifest.hash.hex)")
                guard let provider = ProviderRegistry.builtIn.provider(named: manifest.executionProvider) else {
                    throw CLIError(
                        .checkFailed,
                        "\(file): execution provider \"\(manifest.executionProvider)\" is not in this build",
                        hint: "available: \(ProviderRegistry.builtIn.names.joined(separator: ", "))")
                }
                let unsupported = provider.descriptor.unsupportedOpcodes(in: manifest.opcodes)
                guard unsupported.isEmpty else {
                    throw CLIError(
                        .checkFailed,
                        "\(file): at $.opcodes: \(manifest.executionProvider) does not implement \(unsupported.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                guard let plugin, let keys else {
                    print(
                        "provider \(manifest.executionProvider) implements every opcode; pass --plugin and --keys for full admission"
                    )
                    return
                }
                let ir = try JSONInput.decode(
                    PluginIR.self, from: try Files.read(plugin, what: "plug-in IR"), file: plugin)
                let roster = try KeyFiles.loadRoster(directory: keys)
                let policy = try GuardrailsCommand.loadPolicy(guardrails)
                do {
                    let job = try JobAdmission.admit(
                        manifest: manifest, plugin: ir, providers: .builtIn, policy: policy, roster: roster)
                    print(
                        "admitted: \(job.predicates.count) predicate(s) enabled (\(job.predicates.map(\.id).joined(separator: ", ")))"
                    )
                } catch {
                    throw CLIError(.checkFailed, "\(file): \(error)")
                }
            }
        }
    }
}
