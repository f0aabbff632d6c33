import PhalanxCore

/// Runs the aggregator side of a plug-in for one round, on the sums the provider completed for it.
public struct AggregatorProgramInterpreter {
    public let plugin: PluginIR

    public init(plugin: PluginIR) { self.plugin = plugin }

    /// The channels whose secure sums the aggregator side reads.
    public var channels: Set<String> {
        Set(
            plugin.aggregator.compactMap {
                if case .secureSum(_, let channel) = $0 { return channel }
                return nil
            })
    }

    /// The outputs the round will release once the job is cleared.
    public func run(round: Int, sums: [String: [Int64]]) throws -> [ReleasedOutput] {
        var registers: [Register: [Int64]] = [:]
        var outputs: [ReleasedOutput] = []
        func vector(_ r: Register) throws(InterpreterError) -> [Int64] {
            guard let v = registers[r] else { throw InterpreterError("register %\(r) is not defined") }
            return v
        }
        for instruction in plugin.aggregator {
            switch instruction {
            case .secureSum(let into, let channel):
                guard let sum = sums[channel] else { throw InterpreterError("no completed sum on channel \(channel)") }
                registers[into] = sum
            case .release(let from, let output, let labels):
                outputs.append(
                    ReleasedOutput(name: output, round: round, labels: labels, values: try vector(from).map { $0 }))
            case .thresholdRelease(let from, let threshold, let output, let labels):
                let v = try vector(from)
                outputs.append(
                    ReleasedOutput(
                        name: output, round: round, labels: labels, values: v.map { $0 >= threshold ? $0 : nil }))
            }
        }
        return outputs
    }
}
