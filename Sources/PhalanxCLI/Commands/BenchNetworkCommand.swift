import ArgumentParser
import Foundation

extension BenchCommand {
    struct Network: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "network",
            abstract: "Round latency of the same job in one process and over loopback, one process per participant.",
            discussion: """
                For each participant count of --nodes, each workload and each provider, the job runs first as the \
                in-process federation (FederationRun: nodes, aggregator and control plane in this process, the \
                in-process transport, ticks back to back), then on a federation of separate processes on loopback \
                (LocalDeployment: a PKI made on the spot, one `phalanx node|aggregator|control serve` process per \
                participant, gRPC over mutual TLS, the control plane driving ticks of --tick-ms), submitted by an \
                operator as `phalanx job submit` does and timed from the submission to the end of the job. \
                Workloads: count, the counting plug-in on the demo's synthetic safety events (beyond five nodes the \
                demo's five profiles are reused under new names); sum100k, Plugins/bench-secure-sum-100k.phx, a \
                secure sum of a 100,000-component vector per node (generated data, one CSV file per node). Before \
                the measured jobs each federation runs one unmeasured job, so every connection is set up. Both runs \
                of a job must release the same outputs (and sum100k the exact sum of the generated vectors), or the \
                command exits 1. Issue 8; see docs/network-performance.md.
                """
        )

        @Option(name: .long, help: "Participant (node) counts, comma-separated.")
        var nodes = "5,20,50"
        @Option(name: .long, help: "Workloads, comma-separated: count, sum100k.")
        var workloads = "count,sum100k"
        @Option(name: .customLong("ep"), help: "Execution providers, comma-separated: plain, secagg.")
        var providers = "plain,secagg"
        @Option(name: .long, help: "Rounds per job.")
        var rounds = 3
        @Option(
            name: .long,
            help: "Tick period of the processes in ms (10, the least a configuration takes: ticks run back to back).")
        var tickMs = 10
        @Option(name: .long, help: "The secure-sum plug-in (relative to the working directory).")
        var sumPlugin = "Plugins/bench-secure-sum-100k.phx"
        @Option(name: .long, help: "Seed of the synthetic data.")
        var seed: UInt64 = 2026
        @Option(
            name: .long,
            help:
                "Keep the PKI, configurations, node data, state and process logs here (default: a temporary directory)."
        )
        var dir: String?
        @Option(
            name: .long, help: "Seconds to wait for a federation's processes to come up (default: 60 + 3 per node).")
        var readyTimeout: Int?
        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func validate() throws {
            guard let counts = Self.integers(nodes), !counts.isEmpty, counts.allSatisfy({ (2...500).contains($0) })
            else {
                throw ValidationError("--nodes takes participant counts from 2 to 500, comma-separated, e.g. 5,20,50")
            }
            guard let kinds = Self.workloadList(workloads), !kinds.isEmpty else {
                throw ValidationError(
                    "--workloads takes \(NetworkBenchmark.Workload.allCases.map(\.rawValue).joined(separator: ", ")), "
                        + "comma-separated")
            }
            let names = Self.list(providers)
            guard !names.isEmpty, names.allSatisfy(NetworkBenchmark.providers.contains) else {
                throw ValidationError(
                    "--ep takes \(NetworkBenchmark.providers.joined(separator: ", ")), comma-separated")
            }
            guard (1...100).contains(rounds) else { throw ValidationError("--rounds must be 1…100") }
            guard (10...60_000).contains(tickMs) else { throw ValidationError("--tick-ms must be 10…60000") }
            if let readyTimeout, readyTimeout < 1 { throw ValidationError("--ready-timeout must be positive") }
        }

        func run() async throws {
            try await reportingErrors {
                #if DEBUG
                if !json {
                    print(
                        "warning: debug build; figures are meaningless. Use: swift run -c release phalanx bench network"
                    )
                }
                #endif
                guard let binary = Bundle.main.executablePath ?? CommandLine.arguments.first else {
                    throw CLIError(.internalError, "cannot find the phalanx executable to start the participants")
                }
                let kinds = Self.workloadList(workloads) ?? []
                var sumPluginPath: String?
                if kinds.contains(.sum100k) {
                    guard FileManager.default.fileExists(atPath: sumPlugin) else {
                        throw CLIError(
                            .missingInput, "\(sumPlugin) not found",
                            hint: "run from the repository root, or give --sum-plugin PATH")
                    }
                    sumPluginPath = URL(fileURLWithPath: sumPlugin).standardizedFileURL.path
                }
                let root =
                    dir.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                    ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                        "phalanx-bench-network-\(UUID().uuidString)"
                    ).path
                try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
                defer { if dir == nil { try? FileManager.default.removeItem(atPath: root) } }
                let benchmark = NetworkBenchmark(
                    nodeCounts: Self.integers(nodes) ?? [], workloads: kinds, providers: Self.list(providers),
                    rounds: rounds, tickMilliseconds: tickMs, seed: seed, sumPluginPath: sumPluginPath,
                    binary: binary, root: root, readyTimeoutSeconds: readyTimeout)
                let report = try await benchmark.run { line in
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }
                if json {
                    print(String(decoding: try Files.encodeJSON(report), as: UTF8.self), terminator: "")
                } else {
                    print(report.text)
                }
                let wrong = report.rows.filter { !$0.resultsAgree }
                if !wrong.isEmpty {
                    throw CLIError(
                        .checkFailed,
                        "the in-process and network runs disagree or failed for "
                            + wrong.map { "\($0.workload)/\($0.provider)/\($0.nodes)" }.joined(separator: ", "),
                        hint: dir == nil ? "run again with --dir DIR to keep the process logs" : "see \(root)/*/logs")
                }
            }
        }

        static func list(_ text: String) -> [String] {
            text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        static func integers(_ text: String) -> [Int]? {
            let values = list(text).map { Int($0) }
            return values.contains(nil) ? nil : values.compactMap { $0 }
        }

        static func workloadList(_ text: String) -> [NetworkBenchmark.Workload]? {
            let values = list(text).map { NetworkBenchmark.Workload(rawValue: $0) }
            return values.contains(nil) ? nil : values.compactMap { $0 }
        }
    }
}
