import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxDSL
import PhalanxFederation
import PhalanxProviders

/// The repository's files, found from this file's path.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    static func text(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// A shipped plug-in, compiled.
    static func plugin(_ name: String) throws -> CompiledPlugin {
        try PluginCompiler.compile(text: try text("Plugins/\(name).phx"), name: "Plugins/\(name).phx")
    }
}

/// Runs a compiled plug-in in the in-process federation on the given nodes' tables.
enum PluginRun {
    static func run(
        _ plugin: CompiledPlugin, provider: String, nodes: [(id: String, tables: [String: LocalTable])],
        rounds: Int = 1, epsilon: Double = 1.0, policy: GuardrailPolicy? = nil
    ) async throws -> FederationRun.Report {
        let configuration = FederationRun.Configuration(
            rounds: rounds, providerName: provider, policy: try policy ?? DefaultPolicy.load(), epsilon: epsilon,
            nodeEpsilonLimit: 100,
            workload: FederationRun.Workload(plugin: plugin.ir, nodes: nodes))
        return try await FederationRun(configuration).run()
    }

    /// The released outputs of a finalized run, or a description of why it did not finalize.
    static func outputs(_ report: FederationRun.Report) throws -> [ReleasedOutput] {
        switch report.outcome {
        case .finalized(let result): return result.outputs
        case .aborted(let reason): throw PluginTestError("the job aborted: \(reason)")
        case .refused(let error): throw PluginTestError("the job was refused: \(error)")
        }
    }
}

/// The default policy with `maxContributionL1` set to `bound`: the contribution-bound guard-rail compares every
/// node's contribution with one policy-wide bound (the counting plug-in's 250), so a deployment that runs a plug-in
/// with another bound sets it.
func policy(maxContributionL1 bound: Double) throws -> GuardrailPolicy {
    let text = DefaultPolicy.text.replacingOccurrences(
        of: "maxContributionL1: 250", with: "maxContributionL1: \(bound)")
    return try GuardrailPolicyLoader.load(Array(text.utf8), file: "guardrails.yaml")
}

struct PluginTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
