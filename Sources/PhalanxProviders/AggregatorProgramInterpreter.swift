import PhalanxCore

/// Runs the aggregator side of a plug-in for one round, on the sums the provider completed for it.
public struct AggregatorProgramInterpreter {
    public let plugin: PluginIR

    public init(plugin: PluginIR) { self.plugin = plugin }

    /// The channels whose secure sums the aggregator side reads.
    public var channels: Set<String> {
        Set(
            plugin.aggregator.compactMap {
                switch $0 {
                case .secureSum(_, let channel), .noise(_, let channel, _), .contributors(_, let channel): channel
                default: nil
                }
            })
    }

    /// The outputs the round will release once the job is cleared.
    ///
    /// - Throws: ``InterpreterError`` when a sum is missing or the program fails on these sums (a division by zero,
    ///   an overflow, a non-finite value): nothing of the round is released then.
    public func run(round: Int, sums: [String: CompletedSum]) throws -> [ReleasedOutput] {
        var registers: [Register: ProgramVector] = [:]
        var outputs: [ReleasedOutput] = []
        func vector(_ r: Register) throws(InterpreterError) -> ProgramVector {
            guard let v = registers[r] else { throw InterpreterError("register %\(r) is not defined") }
            return v
        }
        func sum(_ channel: String) throws(InterpreterError) -> CompletedSum {
            guard let sum = sums[channel] else { throw InterpreterError("no completed sum on channel \(channel)") }
            return sum
        }
        for instruction in plugin.aggregator {
            switch instruction {
            case .secureSum(let into, let channel):
                registers[into] = .integers(try sum(channel).sum)
            case .noise(let into, let channel, _):
                // A provider that implements `noise` delivers the sum with the noise in it (admission refuses the
                // job on any other): here it is read like any sum.
                registers[into] = .integers(try sum(channel).sum)
            case .contributors(let into, let channel):
                registers[into] = .integers([Int64(try sum(channel).contributors.count)])
            case .constant(let into, let element, let values):
                registers[into] = ProgramVector(constant: values, element: element)
            case .arithmetic(let into, let op, let lhs, let rhs):
                registers[into] = try ProgramVector.arithmetic(op, try vector(lhs), try vector(rhs))
            case .cumulative(let into, let from, let kind):
                registers[into] = try vector(from).cumulative(kind)
            case .dequantize(let into, let from, let scale):
                registers[into] = .reals(try vector(from).reals.map { $0 / scale })
            case .element(let into, let from, let position):
                switch try vector(from) {
                case .integers(let v): registers[into] = .integers([v[position]])
                case .reals(let v): registers[into] = .reals([v[position]])
                }
            case .release(let from, let output, let labels):
                outputs.append(
                    Self.output(try vector(from), name: output, round: round, labels: labels, threshold: nil))
            case .thresholdRelease(let from, let threshold, let output, let labels):
                outputs.append(
                    Self.output(try vector(from), name: output, round: round, labels: labels, threshold: threshold))
            }
        }
        return outputs
    }

    private static func output(
        _ v: ProgramVector, name: String, round: Int, labels: [String], threshold: Int64?
    ) -> ReleasedOutput {
        switch v {
        case .integers(let values):
            ReleasedOutput(
                name: name, round: round, labels: labels,
                values: values.map { value in threshold.map { value >= $0 ? value : nil } ?? value })
        case .reals(let values):
            ReleasedOutput(
                name: name, round: round, labels: labels,
                realValues: values.map { value in threshold.map { value >= Double($0) ? value : nil } ?? value })
        }
    }
}
