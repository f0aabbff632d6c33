import ArgumentParser
import Foundation

/// `phalanx fuzz`: runs the guardrails.yaml loader, the expression language, the frame decoders or the plug-in
/// parser on random and mutated inputs (see `docs/fuzzing.md`).
struct FuzzCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Fuzz the guardrails.yaml loader, the expression language, the frame decoders or the plug-in parser.",
        discussion: """
            Runs --inputs random and mutated inputs drawn from --seed (the same seed gives the same inputs) and \
            prints how many were accepted and rejected, the commonest rejection reasons and the rate. A crash \
            kills the process and prints the input as base64; an undocumented error type or a broken promise \
            is a finding, printed the same way, and the exit code is 1. --replay runs one such input again. \
            Build with -c release for figures: swift run -c release phalanx fuzz frames.
            """
    )

    enum Target: String, ExpressibleByArgument, CaseIterable {
        case guardrails, expressions, frames, plugins
    }

    @Argument(help: "What to fuzz: guardrails (the whole file), expressions, frames or plugins (the plug-in parser).")
    var target: Target

    @Option(name: .long, help: "How many inputs to run.")
    var inputs = 1_000_000

    @Option(name: .long, help: "Seed of the input generator.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Longest input in bytes (default and upper bound: the target's own limit).")
    var maxSize: Int?

    @Option(name: .long, help: "Run only this input, given as base64 as a finding or a crash prints it.")
    var replay: String?

    @Flag(name: .long, help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard inputs >= 0 else { throw ValidationError("--inputs must be 0 or more, got \(inputs)") }
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size must be at least 1, got \(maxSize)") }
    }

    static func makeTarget(_ target: Target) throws -> any FuzzTarget {
        switch target {
        case .guardrails: return GuardrailsFuzzTarget()
        case .expressions: return ExpressionFuzzTarget()
        case .plugins: return PluginFuzzTarget()
        case .frames:
            do {
                return try FrameFuzzTarget()
            } catch {
                throw CLIError(.internalError, "cannot build the frames fuzz target's seeds: \(error)")
            }
        }
    }

    func run() async throws {
        try await reportingErrors {
            let engine = FuzzEngine(target: try Self.makeTarget(target), maximumInputSize: maxSize)
            if let replay {
                try Self.replay(replay, engine: engine)
                return
            }
            // The loop below runs without suspending, so it stays on this thread and its alternate stack.
            FuzzCrashReporter.install(target: target.rawValue, maximumInputSize: engine.maximumInputSize)
            let report = engine.run(inputs: inputs, seed: seed, observe: FuzzCrashReporter.record)
            if json {
                print(String(decoding: try Files.encodeJSON(report), as: UTF8.self), terminator: "")
            } else {
                print(Self.describe(report))
            }
            if report.findingCount > 0 {
                throw CLIError(
                    .checkFailed, "\(report.findingCount) finding(s) in \(report.inputs) inputs",
                    hint: "reproduce one with: phalanx fuzz \(target.rawValue) --replay BASE64")
            }
        }
    }

    private static func replay(_ base64: String, engine: FuzzEngine) throws {
        guard let input = Data(base64Encoded: base64) else {
            throw CLIError(.usage, "--replay takes standard base64, as a finding or a crash prints it")
        }
        do {
            switch try engine.replay(Array(input)) {
            case .accepted(let kind): print("accepted: \(kind)")
            case .rejected(let reason): print("rejected: \(reason)")
            }
        } catch {
            throw CLIError(.checkFailed, "finding: \(String(reflecting: type(of: error))): \(error)")
        }
    }

    /// The report as people read it.
    static func describe(_ report: FuzzReport) -> String {
        func percent(_ part: Int, of whole: Int) -> String {
            String(format: "%.1f %%", whole == 0 ? 0 : 100 * Double(part) / Double(whole))
        }
        func column(_ value: Int) -> String {
            let text = String(value)
            return String(repeating: " ", count: max(0, 9 - text.count)) + text
        }
        let strategies = FuzzEngine.Strategy.allCases
        var lines = [
            "phalanx fuzz \(report.target): \(report.inputs) inputs from seed \(report.seed) (\(report.build) build)",
            "  inputs    \(column(report.inputs))  ("
                + strategies.map { "\($0.rawValue) \(report.inputsByStrategy[$0.rawValue] ?? 0)" }
                .joined(separator: ", ") + ")",
            "  accepted  \(column(report.accepted))  (\(percent(report.accepted, of: report.inputs)); "
                + strategies.map { "\($0.rawValue) \(report.acceptedByStrategy[$0.rawValue] ?? 0)" }
                .joined(separator: ", ") + ")",
            "  rejected  \(column(report.rejected))  (\(report.distinctRejections) distinct reasons)",
            "  findings  \(column(report.findingCount))",
            String(
                format: "  time      %9.1f s  (%.0f inputs/s; inputs of %.0f bytes on average, at most %d)",
                report.seconds, report.inputsPerSecond, report.averageInputSize, report.largestInput),
        ]
        if !report.topRejections.isEmpty {
            lines.append("  top rejection reasons:")
            lines += report.topRejections.map { "    \(column($0.count))  \($0.reason)" }
        }
        if !report.topAcceptances.isEmpty {
            lines.append("  accepted as:")
            lines += report.topAcceptances.map { "    \(column($0.count))  \($0.reason)" }
        }
        for finding in report.findings {
            lines.append("  finding on input #\(finding.input) (\(finding.strategy.rawValue)): \(finding.errorType)")
            lines.append("    \(finding.message.replacingOccurrences(of: "\n", with: "\n    "))")
            lines.append("    replay: phalanx fuzz \(report.target) --replay \(finding.base64)")
        }
        return lines.joined(separator: "\n")
    }
}
