import PhalanxCore
import PhalanxDSL
import PhalanxProviders

extension ProviderRegistry {
    /// The provider named `name`, or a usage error that lists this build's providers.
    func requireProvider(named name: String) throws -> any ExecutionProvider {
        guard let provider = provider(named: name) else {
            throw CLIError(
                .usage, "unknown execution provider \"\(name)\"", hint: "available: \(names.joined(separator: ", "))")
        }
        return provider
    }

    /// The provider named `name` for a job running `plugin`: for `dp`, `dp+secagg` and `fhe+dp`, built with the job's ε and δ
    /// and the mechanism the plug-in asks for (``DPProvider/mechanism(for:distributed:)``).
    func requireProvider(
        named name: String, for plugin: PluginIR, privacy: PrivacyOptions
    ) throws -> any ExecutionProvider {
        let provider = try requireProvider(named: name)
        do {
            return try DPProvider.calibrated(
                name: name, plugin: plugin, epsilon: privacy.epsilon, delta: privacy.delta) ?? provider
        } catch {
            throw CLIError(.usage, "invalid privacy parameters: \(error)")
        }
    }
}
