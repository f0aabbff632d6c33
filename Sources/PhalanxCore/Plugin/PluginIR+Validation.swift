/// A plug-in program that is not well formed. `location` reads like `node[3]` or `aggregator[0]`.
public struct PluginValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let location: String
    public let message: String
    public var description: String { "\(location): \(message)" }
}

extension PluginIR {
    /// Checks that registers are defined before use with the right kind and length, that tables, columns and
    /// domains exist in the input schema, that every `secure_sum` sums a bounded integer vector on a channel the
    /// aggregator reads, and that the aggregator releases something. The DSL compiler produces programs that
    /// pass; hand-written IR must too. See ``analysis()``.
    public func validate() throws(PluginValidationError) {
        _ = try analysis()
    }
}

extension PluginIR {
    /// The channels the node side sums on, in program order.
    public var channels: [String] {
        node.compactMap {
            if case .secureSum(_, let channel) = $0 { return channel }
            return nil
        }
    }
}
