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
    public static let builtIn = ProviderRegistry([PlainProvider(), SecAggProvider()])

    public func provider(named name: String) -> (any ExecutionProvider)? { providers[name] }

    public var names: [String] { providers.keys.sorted() }
}
