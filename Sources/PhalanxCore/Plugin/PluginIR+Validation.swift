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
    /// The per-component bound of the vector the node side sums on `channel`, or `nil` when the program does not
    /// validate or has no such channel. It is what one node can add to any component of the sum.
    public func clipBound(feeding channel: String) -> Int64? {
        guard let bounds = (try? analysis())?.channel(named: channel)?.bounds else { return nil }
        return Int64(exactly: bounds.linf.rounded(.up))
    }

    /// The channels the node side sums on, in program order.
    public var channels: [String] {
        node.compactMap {
            if case .secureSum(_, let channel) = $0 { return channel }
            return nil
        }
    }
}
