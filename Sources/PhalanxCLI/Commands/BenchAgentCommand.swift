import ArgumentParser
import Foundation
import PhalanxAgent

extension BenchCommand {
    /// `phalanx bench agent`: scan latency per 1 KB message, next to a Python detector on the same messages.
    struct Agent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scan latency (p50/p90/p99) and accuracy on ~1 KB messages, beside a Python detector from PyPI.",
            discussion: """
                Target (issue 9): p99 < 100 µs per 1 KB message on one core. The messages file is built by \
                `python3 Benchmarks/agent-scan/python_detector.py --make-1kb corpus/messages-1kb.jsonl --from \
                corpus/test.jsonl` (1000–1100 UTF-8 bytes each, labelled). The same file is then scanned by \
                last_layer (Benchmarks/agent-scan/python_detector.py, from PyPI, offline heuristics) in one run, \
                so both sides measure the same messages on the same machine. Scans run one after another on one \
                thread; each message is scanned --repeat times and every scan is timed.
                """
        )

        @Option(name: .long, help: "Labelled JSON Lines messages.")
        var messages = "corpus/messages-1kb.jsonl"

        @Option(name: .customLong("repeat"), help: "Times each message is scanned.")
        var repeats = 5

        @Option(name: .long, help: "The Python detector script (run with python3).")
        var python = "Benchmarks/agent-scan/python_detector.py"

        @Flag(name: .long, help: "Skip the Python detector.")
        var noPython = false

        @OptionGroup var agentOptions: AgentModelOptions

        @Flag(name: .long, help: "Print the figures as JSON.")
        var json = false

        @Option(name: .long, help: "Also list the N slowest messages (their index, size and median scan time).")
        var slowest = 0

        @Flag(name: .long, help: "Also time each stage of the scan (normalization, each detector, the model).")
        var stages = false

        struct Side: Codable {
            let detector: String
            let precision: Double
            let recall: Double
            let f1: Double
            let falsePositiveRate: Double
            let latencyMicroseconds: LatencySummary
        }

        struct Report: Codable {
            let messages: String
            let count: Int
            let meanBytes: Double
            let phalanx: Side
            let python: Side?
            let pythonError: String?
        }

        func run() async throws {
            try await reportingErrors {
                #if DEBUG
                print(
                    "warning: this is a debug build; figures are meaningless. Use: swift run -c release phalanx bench agent"
                )
                #endif
                guard FileManager.default.fileExists(atPath: messages) else {
                    throw CLIError(
                        .missingInput, "\(messages) does not exist",
                        hint:
                            "scripts/build-corpus, then python3 \(python) --make-1kb \(messages) --from corpus/test.jsonl"
                    )
                }
                let examples: [LabeledText]
                do { examples = try LabeledText.loadJSONLines(path: messages) } catch {
                    throw CLIError(.malformedInput, "\(error)")
                }
                let scanner = try agentOptions.agent().scanner
                let requests = examples.map { ScanRequest(text: $0.text) }
                for request in requests.prefix(50) { _ = scanner.scan(request) }  // warm caches and lazy statics
                var times: [Double] = []
                var perMessage = [[Double]](repeating: [], count: requests.count)
                var scores = [Double](repeating: 0, count: requests.count)
                let clock = ContinuousClock()
                for _ in 0..<max(1, repeats) {
                    for (index, request) in requests.enumerated() {
                        let start = clock.now
                        let result = scanner.scan(request)
                        let elapsed = AgentEvalCommand.microseconds(clock.now - start)
                        times.append(elapsed)
                        perMessage[index].append(elapsed)
                        scores[index] = result.attackScore
                    }
                }
                let threshold = agentOptions.noModel ? 0.5 : try agentOptions.loadPolicy().threshold(.promptInjection)
                let metrics = ClassificationMetrics(
                    scores: scores, labels: examples.map(\.isAttack), threshold: threshold)
                let phalanx = Side(
                    detector: "phalanx scanner (\(scanner.model?.modelVersion ?? "phrases and formats only"))",
                    precision: metrics.precision, recall: metrics.recall, f1: metrics.f1,
                    falsePositiveRate: metrics.falsePositiveRate, latencyMicroseconds: LatencySummary(times))
                var pythonSide: Side?
                var pythonError: String?
                if !noPython {
                    do { pythonSide = try runPython() } catch { pythonError = "\(error)" }
                }
                let report = Report(
                    messages: messages, count: examples.count,
                    meanBytes: Double(examples.reduce(0) { $0 + $1.text.utf8.count }) / Double(max(1, examples.count)),
                    phalanx: phalanx, python: pythonSide, pythonError: pythonError)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                    print(String(decoding: try encoder.encode(report), as: UTF8.self))
                } else {
                    print(Self.render(report))
                }
                if stages {
                    var perStage: [String: [Double]] = [:]
                    var order: [String] = []
                    for _ in 0..<max(1, repeats) {
                        for request in requests {
                            for (stage, duration) in scanner.stageTimes(request) {
                                if perStage[stage] == nil { order.append(stage) }
                                perStage[stage, default: []].append(AgentEvalCommand.microseconds(duration))
                            }
                        }
                    }
                    print("\nstage                      p50 µs   p90 µs   p99 µs  mean µs")
                    for stage in order {
                        let l = LatencySummary(perStage[stage] ?? [])
                        print(
                            stage.padding(toLength: 24, withPad: " ", startingAt: 0)
                                + [l.p50, l.p90, l.p99, l.mean].map { String(format: "%9.1f", $0) }.joined())
                    }
                }
                if slowest > 0 {
                    let medians = perMessage.map { LatencySummary($0).p50 }
                    for index in medians.indices.sorted(by: { medians[$0] > medians[$1] }).prefix(slowest) {
                        let text = examples[index].text
                        let ascii = text.utf8.allSatisfy { $0 < 0x80 }
                        print(
                            "slow: message \(index), \(text.utf8.count) bytes\(ascii ? "" : " (non-ASCII)"), "
                                + "median \(Int(medians[index])) µs")
                    }
                }
            }
        }

        /// Runs the Python detector on the same file; its JSON has precision, recall, f1, fpr and latency in µs.
        func runPython() throws -> Side {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", python, "--data", messages, "--json"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.standardError
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CLIError(.checkFailed, "\(python) exited with status \(process.terminationStatus)")
            }
            struct PythonReport: Decodable {
                struct Latency: Decodable {
                    let p50_us: Double
                    let p90_us: Double
                    let p99_us: Double
                    let max_us: Double
                    let mean_us: Double?
                }
                let detector: String
                let precision: Double
                let recall: Double
                let f1: Double
                let fpr: Double
                let latency: Latency
            }
            let report = try JSONDecoder().decode(PythonReport.self, from: data)
            return Side(
                detector: report.detector, precision: report.precision, recall: report.recall, f1: report.f1,
                falsePositiveRate: report.fpr,
                latencyMicroseconds: LatencySummary(
                    p50: report.latency.p50_us, p90: report.latency.p90_us, p99: report.latency.p99_us,
                    max: report.latency.max_us, mean: report.latency.mean_us ?? 0))
        }

        static func render(_ report: Report) -> String {
            var lines = [
                "\(report.messages): \(report.count) messages, mean \(Int(report.meanBytes)) bytes",
                "",
                "detector                                   p50 µs   p90 µs   p99 µs   max µs  precision recall    F1    FPR",
            ]
            for side in [report.phalanx] + (report.python.map { [$0] } ?? []) {
                let l = side.latencyMicroseconds
                lines.append(
                    side.detector.prefix(40).padding(toLength: 41, withPad: " ", startingAt: 0)
                        + [l.p50, l.p90, l.p99, l.max].map { String(format: "%9.1f", $0) }.joined()
                        + [side.precision, side.recall, side.f1, side.falsePositiveRate].map {
                            String(format: "%8.3f", $0)
                        }.joined())
            }
            if let error = report.pythonError { lines.append("python detector not run: \(error)") }
            let p99 = report.phalanx.latencyMicroseconds.p99
            lines.append("")
            lines.append(
                "target p99 < 100 µs per 1 KB message: \(p99 < 100 ? "met" : "NOT met") (\(String(format: "%.1f", p99)) µs)"
            )
            return lines.joined(separator: "\n")
        }
    }
}
