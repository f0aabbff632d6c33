/// A plug-in program that is not well formed. `location` reads like `node[3]` or `aggregator[0]`.
public struct PluginValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let location: String
    public let message: String
    public var description: String { "\(location): \(message)" }
}

extension PluginIR {
    /// Checks that registers are defined before use with the right kind, that tables, columns and domains
    /// exist in the input schema, that every `secure_sum` channel is produced and consumed, and that clip
    /// bounds are sensible. The DSL compiler produces programs that pass; hand-written IR must too.
    public func validate() throws(PluginValidationError) {
        enum Kind { case table(TableSchema), vector(Int) }
        var registers: [Register: Kind] = [:]
        var nodeChannels: [String: Int] = [:]
        guard !node.isEmpty else { throw PluginValidationError(location: "node", message: "the node side is empty") }
        for (i, instruction) in node.enumerated() {
            let at = "node[\(i)] (\(instruction))"
            func table(_ r: Register) throws(PluginValidationError) -> TableSchema {
                guard case .table(let t)? = registers[r] else {
                    throw PluginValidationError(location: at, message: "%\(r) is not a table defined earlier")
                }
                return t
            }
            func vector(_ r: Register) throws(PluginValidationError) -> Int {
                guard case .vector(let n)? = registers[r] else {
                    throw PluginValidationError(location: at, message: "%\(r) is not a vector defined earlier")
                }
                return n
            }
            func define(_ r: Register, _ kind: Kind) throws(PluginValidationError) {
                guard registers[r] == nil else {
                    throw PluginValidationError(location: at, message: "%\(r) is assigned twice")
                }
                registers[r] = kind
            }
            switch instruction {
            case .load(let into, let name):
                guard let schema = inputSchema.table(named: name) else {
                    throw PluginValidationError(
                        location: at, message: "table \(name) is not declared in the input schema")
                }
                try define(into, .table(schema))
            case .filter(let into, let from, let column, let operand):
                let t = try table(from)
                guard let c = t.column(named: column) else {
                    throw PluginValidationError(location: at, message: "table \(t.name) has no column \(column)")
                }
                switch (c.kind, operand) {
                case (.integer, .integer), (.integer, .round): break
                case (.category, .text(let value)):
                    if let domain = c.domain, !domain.contains(value) {
                        throw PluginValidationError(
                            location: at, message: "\"\(value)\" is not in the domain of \(column)")
                    }
                default:
                    throw PluginValidationError(
                        location: at,
                        message: "column \(column) holds \(c.kind.rawValue) values; cannot compare with \(operand)")
                }
                try define(into, .table(t))
            case .countBy(let into, let from, let column, let domain):
                let t = try table(from)
                guard let c = t.column(named: column), c.kind == .category else {
                    throw PluginValidationError(
                        location: at, message: "count_by needs a category column; \(t.name).\(column) is not one")
                }
                guard !domain.isEmpty, Set(domain).count == domain.count else {
                    throw PluginValidationError(
                        location: at, message: "the domain must be non-empty and without repeats")
                }
                if let declared = c.domain, let extra = domain.first(where: { !declared.contains($0) }) {
                    throw PluginValidationError(
                        location: at, message: "\"\(extra)\" is not in the declared domain of \(column)")
                }
                try define(into, .vector(domain.count))
            case .clipL1(let into, let from, let bound), .clipLinf(let into, let from, let bound):
                let n = try vector(from)
                guard bound > 0 else {
                    throw PluginValidationError(location: at, message: "the clip bound must be positive")
                }
                try define(into, .vector(n))
            case .secureSum(let from, let channel):
                let n = try vector(from)
                guard nodeChannels.updateValue(n, forKey: channel) == nil else {
                    throw PluginValidationError(location: at, message: "channel \(channel) is summed twice")
                }
            }
        }
        guard !nodeChannels.isEmpty else {
            throw PluginValidationError(
                location: "node", message: "the node side never calls secure_sum, so nothing leaves the node")
        }
        var consumed = Set<String>()
        var aggregatorRegisters: [Register: Int] = [:]
        var outputs = Set<String>()
        guard !aggregator.isEmpty else {
            throw PluginValidationError(location: "aggregator", message: "the aggregator side is empty")
        }
        func checkRelease(at: String, from: Register, output: String, labels: [String]) throws(PluginValidationError) {
            guard let n = aggregatorRegisters[from] else {
                throw PluginValidationError(location: at, message: "%\(from) is not defined earlier")
            }
            guard labels.count == n else {
                throw PluginValidationError(
                    location: at, message: "\(labels.count) labels for a vector of \(n) components")
            }
            guard outputs.insert(output).inserted else {
                throw PluginValidationError(location: at, message: "output \(output) is released twice")
            }
        }
        for (i, instruction) in aggregator.enumerated() {
            let at = "aggregator[\(i)] (\(instruction))"
            switch instruction {
            case .secureSum(let into, let channel):
                guard let n = nodeChannels[channel] else {
                    throw PluginValidationError(
                        location: at, message: "no node instruction sums into channel \(channel)")
                }
                guard aggregatorRegisters.updateValue(n, forKey: into) == nil else {
                    throw PluginValidationError(location: at, message: "%\(into) is assigned twice")
                }
                consumed.insert(channel)
            case .thresholdRelease(let from, let threshold, let output, let labels):
                guard threshold >= 0 else {
                    throw PluginValidationError(location: at, message: "the threshold must not be negative")
                }
                try checkRelease(at: at, from: from, output: output, labels: labels)
            case .release(let from, let output, let labels):
                try checkRelease(at: at, from: from, output: output, labels: labels)
            }
        }
        if let unused = nodeChannels.keys.sorted().first(where: { !consumed.contains($0) }) {
            throw PluginValidationError(
                location: "aggregator", message: "channel \(unused) is sent by nodes but never received")
        }
        guard !outputs.isEmpty else {
            throw PluginValidationError(location: "aggregator", message: "the aggregator never releases anything")
        }
    }
}

extension PluginIR {
    /// The clip bound of the vector the node side sums on `channel` (the `clip_l1`/`clip_linf` that produces
    /// it), or `nil` when that vector is not clipped. It is the sensitivity of the sum to one node.
    public func clipBound(feeding channel: String) -> Int64? {
        var clips: [Register: Int64] = [:]
        for instruction in node {
            switch instruction {
            case .clipL1(let into, _, let bound), .clipLinf(let into, _, let bound): clips[into] = bound
            case .secureSum(let from, let c) where c == channel: return clips[from]
            default: continue
            }
        }
        return nil
    }

    /// The channels the node side sums on, in program order.
    public var channels: [String] {
        node.compactMap {
            if case .secureSum(_, let channel) = $0 { return channel }
            return nil
        }
    }
}
