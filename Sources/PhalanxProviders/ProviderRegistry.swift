import PhalanxCore

/// The execution providers this build knows, by name.
public struct ProviderRegistry: Sendable {
    private let providers: [String: any ExecutionProvider]

    public init(_ providers: [any ExecutionProvider]) {
        var byName: [String: any ExecutionProvider] = [:]
        for p in providers { byName[p.descriptor.name] = p }
        self.providers = byName
    }

    /// Every provider shipped with Phalanx.
    public static let builtIn = ProviderRegistry([
        PlainProvider(), SecAggProvider(), DPProvider.central, DPProvider.distributedOverSecAgg, FHEProvider(),
        DPProvider.centralOverFHE,
    ])

    /// This registry with `provider` in place of the one of the same name (e.g. a `dp` calibrated for another ε).
    public func replacing(_ provider: any ExecutionProvider) -> ProviderRegistry {
        var all = Array(providers.values)
        all.removeAll { $0.descriptor.name == provider.descriptor.name }
        return ProviderRegistry(all + [provider])
    }

    public func provider(named name: String) -> (any ExecutionProvider)? { providers[name] }

    public var names: [String] { providers.keys.sorted() }
}
