import PhalanxCore

/// Runs the aggregator side of a plug-in for one round on what the provider combined.
public struct AggregatorProgramInterpreter {
    public let plugin: PluginIR

    public init(plugin: PluginIR) { self.plugin = plugin }

    /// The merged vectors (by channel) and the outputs the round will release once the job is cleared.
    public struct RoundOutput: Sendable {
        public var merged: [String: [Int64]]
        public var outputs: [ReleasedOutput]
    }

    public func run(
        round: Int, contributors: [ParticipantID], session: any AggregatorProviderSession
    ) throws -> RoundOutput {
        var registers: [Register: [Int64]] = [:]
        var result = RoundOutput(merged: [:], outputs: [])
        func vector(_ r: Register) throws(InterpreterError) -> [Int64] {
            guard let v = registers[r] else { throw InterpreterError("register %\(r) is not defined") }
            return v
        }
        for instruction in plugin.aggregator {
            switch instruction {
            case .secureSum(let into, let channel):
                let sum = try session.combine(channel: channel, round: round, contributors: contributors)
                registers[into] = sum
                result.merged[channel] = sum
            case .release(let from, let output, let labels):
                let v = try vector(from)
                result.outputs.append(ReleasedOutput(name: output, round: round, labels: labels, values: v.map { $0 }))
            case .thresholdRelease(let from, let threshold, let output, let labels):
                let v = try vector(from)
                result.outputs.append(
                    ReleasedOutput(
                        name: output, round: round, labels: labels, values: v.map { $0 >= threshold ? $0 : nil })
                )
            }
        }
        return result
    }
}
