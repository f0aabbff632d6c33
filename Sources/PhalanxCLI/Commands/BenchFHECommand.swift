import ArgumentParser
import Foundation
import PhalanxFHE

extension BenchCommand {
    /// `phalanx bench fhe`: BFV and multiparty operations beside OpenFHE 1.6.1 on the same parameters, same run.
    struct FHE: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "BFV and multiparty BFV timings beside OpenFHE 1.6.1 (PyPI wheel) at the same parameters.",
            discussion: """
                Target (issue 11): every operation within 1.5× of OpenFHE's time in the same run, ciphertexts no \
                larger. Depth 1 is N = 8192, t = 65537, Q = two 60-bit primes (the primes OpenFHE picks); depth 2 \
                adds a third. OpenFHE runs through Benchmarks/openfhe/run.sh (pyenv's Python 3.10, one thread); \
                both sides take the median of --iterations runs after two warm-ups and check their results.
                """
        )

        @Option(name: .long, help: "Runs per operation (the median is reported; OpenFHE runs at least 5).")
        var iterations = 50

        @Option(name: .long, help: "Multiplicative depth: 1 (Q = 2 × 60 bits) or 2 (Q = 3 × 60 bits).")
        var depth = 1

        @Option(name: .long, help: "The OpenFHE benchmark script.")
        var openfhe = "Benchmarks/openfhe/run.sh"

        @Flag(name: .long, help: "Skip OpenFHE.")
        var noOpenfhe = false

        @Flag(name: .long, help: "Print the figures as JSON.")
        var json = false

        struct OpenFHEReport: Codable {
            let version: String
            let operations: [String: Double]
            let ciphertextBytes: Int
        }

        struct Report: Codable {
            let phalanx: FHEBenchmark.Report
            let openfhe: OpenFHEReport?
            let openfheError: String?
            /// phalanx ÷ openfhe per operation (below 1: Phalanx is faster).
            let ratios: [String: Double]
        }

        func run() async throws {
            try await reportingErrors {
                #if DEBUG
                // On stderr, so that --json output stays one JSON document.
                FileHandle.standardError.write(
                    Data(
                        "warning: this is a debug build; figures are meaningless. Use: swift run -c release phalanx bench fhe\n"
                            .utf8))
                #endif
                let parameters: BFVParameters
                switch depth {
                case 1: parameters = .n8192
                case 2: parameters = .n8192Deep
                default: throw CLIError(.usage, "--depth must be 1 or 2, not \(depth)")
                }
                guard iterations > 0 else { throw CLIError(.usage, "--iterations must be positive") }
                var openfheReport: OpenFHEReport?
                var openfheError: String?
                if !noOpenfhe {
                    do { openfheReport = try runOpenFHE() } catch { openfheError = "\(error)" }
                }
                let phalanx: FHEBenchmark.Report
                do { phalanx = try FHEBenchmark(parameters: parameters, iterations: iterations).run() } catch {
                    throw CLIError(.checkFailed, "\(error)")
                }
                var ratios: [String: Double] = [:]
                if let openfheReport {
                    for (key, value) in phalanx.operations {
                        if let theirs = openfheReport.operations[key], theirs > 0 { ratios[key] = value / theirs }
                    }
                    ratios["ciphertextBytes"] = Double(phalanx.ciphertextBytes) / Double(openfheReport.ciphertextBytes)
                }
                let report = Report(
                    phalanx: phalanx, openfhe: openfheReport, openfheError: openfheError, ratios: ratios)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    print(String(decoding: try encoder.encode(report), as: UTF8.self))
                } else {
                    print(text(report, parameters: parameters))
                }
            }
        }

        private func runOpenFHE() throws -> OpenFHEReport {
            guard FileManager.default.isExecutableFile(atPath: openfhe) else {
                throw CLIError(.missingInput, "\(openfhe) is missing or not executable")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            // The OpenFHE script takes at least 5 runs per operation.
            process.arguments = [openfhe, "--json", "--depth", "\(depth)", "--iterations", "\(max(iterations, 5))"]
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CLIError(
                    .checkFailed,
                    "OpenFHE benchmark exited with \(process.terminationStatus): \(errorText.suffix(400))")
            }
            return try JSONDecoder().decode(OpenFHEReport.self, from: data)
        }

        private func text(_ report: Report, parameters: BFVParameters) -> String {
            var lines = [
                "BFV \(parameters.description), one thread, median of \(iterations) runs",
                "",
                "operation".padding(toLength: 40, withPad: " ", startingAt: 0) + "   Phalanx ms    OpenFHE ms    ratio",
            ]
            func cell(_ value: Double?, width: Int = 13) -> String {
                guard let value else { return String(repeating: " ", count: width - 1) + "–" }
                let text = String(format: "%.3f", value)
                return String(repeating: " ", count: max(0, width - text.count)) + text
            }
            for (key, label) in FHEBenchmark.operations {
                let ours = report.phalanx.operations[key]
                let theirs = report.openfhe?.operations[key]
                let ratio = report.ratios[key].map { String(format: "%.2f×", $0) } ?? "–"
                lines.append(
                    label.padding(toLength: 40, withPad: " ", startingAt: 0) + cell(ours) + " " + cell(theirs) + "    "
                        + ratio)
            }
            let theirBytes = report.openfhe.map { "\($0.ciphertextBytes)" } ?? "–"
            lines.append(
                "ciphertext bytes".padding(toLength: 40, withPad: " ", startingAt: 0)
                    + "\(report.phalanx.ciphertextBytes)".leftPadded(13) + " " + theirBytes.leftPadded(13) + "    "
                    + (report.ratios["ciphertextBytes"].map { String(format: "%.2f×", $0) } ?? "–"))
            lines.append("")
            lines.append("Phalanx only (no OpenFHE counterpart measured):")
            for (key, value) in report.phalanx.multiparty.sorted(by: { $0.key < $1.key }) {
                lines.append("  " + key.padding(toLength: 38, withPad: " ", startingAt: 0) + cell(value))
            }
            if let version = report.openfhe?.version { lines.append("OpenFHE \(version) via \(openfhe)") }
            if let error = report.openfheError { lines.append("OpenFHE not measured: \(error)") }
            if !report.ratios.isEmpty {
                let worst = report.ratios.filter { $0.key != "ciphertextBytes" }.max { $0.value < $1.value }
                if let worst {
                    lines.append(
                        String(
                            format: "slowest relative to OpenFHE: %@ at %.2f× (target ≤ 1.5×)", worst.key, worst.value))
                }
            }
            return lines.joined(separator: "\n")
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
