import ArgumentParser
import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxProviders

struct GuardrailsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guardrails",
        abstract: "Check or create guardrails.yaml policies (format: docs/guardrails.md).",
        subcommands: [Check.self, Init.self]
    )

    /// Loads `path`, or the embedded default when `nil`, with CLI errors.
    static func loadPolicy(_ path: String?) throws -> GuardrailPolicy {
        guard let path else { return try DefaultPolicy.load() }
        let bytes = try Files.read(path, what: "guard-rail policy")
        do {
            return try GuardrailPolicyLoader.load(bytes, file: path)
        } catch {
            throw CLIError(.malformedInput, error.description, hint: "see docs/guardrails.md for the format")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse a guardrails.yaml and show which predicates a provider enables.",
            discussion: "Exit code 0 if the file is valid, 65 with FILE:LINE:COLUMN if not."
        )

        @Argument(help: "The guardrails.yaml to check.")
        var file: String

        @Option(name: .customLong("ep"), help: "Show the predicates enabled for this execution provider.")
        var executionProvider: String = PlainProvider.name

        func run() async throws {
            try await reportingErrors {
                let policy = try GuardrailsCommand.loadPolicy(file)
                print(
                    "\(file): version \(policy.version), \(policy.predicates.count) predicate(s), sha256 \(policy.digest.hex)"
                )
                let provider = try ProviderRegistry.builtIn.requireProvider(named: executionProvider)
                let selection = policy.selection(
                    availableMetricKeys: provider.descriptor.metricKeys.union(MetricKey.alwaysAvailable))
                print("  forecast  \(policy.forecast.method), keeping \(policy.forecast.history) values")
                print(
                    "  acks      resent \(policy.escalation.ackRetries) time(s), then \(policy.escalation.then.rawValue)"
                )
                let adjustable = policy.overrides.parameters.sorted { $0.key < $1.key }.map {
                    "\($0.key) in [\($0.value.minimum), \($0.value.maximum)]\($0.value.twoPerson ? " (two people)" : "")"
                }
                let twoPerson = policy.overrides.twoPerson.map(\.rawValue).sorted().joined(separator: ", ")
                print(
                    "  overrides adjustable: \(adjustable.isEmpty ? "none" : adjustable.joined(separator: ", ")); "
                        + "two people for: \(twoPerson.isEmpty ? "none" : twoPerson)")
                for rule in selection.enabled {
                    var timing = ""
                    if rule.pendingFor.ticks > 0 { timing += " for \(rule.pendingFor)" }
                    if rule.keepFiringFor.ticks > 0 { timing += " keep firing \(rule.keepFiringFor)" }
                    print(
                        "  enabled   \(rule.id) [\(rule.severity.rawValue)] \(rule.expression.source)\(timing) → \(rule.command)"
                    )
                }
                for d in selection.disabled {
                    print(
                        "  disabled  \(d.rule.id): \(executionProvider) does not emit \(d.missingKeys.joined(separator: ", "))"
                    )
                }
            }
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the embedded default policy to a file you can edit.")

        @Argument(help: "Where to write it; refuses to overwrite.")
        var file: String

        func run() async throws {
            try await reportingErrors {
                try Array(DefaultPolicy.text.utf8).withUnsafeBytes {
                    try Files.createExclusive(file, mode: 0o644, bytes: $0)
                }
                print("wrote \(file)")
            }
        }
    }
}
