import ArgumentParser
import Foundation
import PhalanxCore
import PhalanxSecAgg

extension BenchCommand {
    struct SecAgg: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "secagg",
            abstract: "Run secure aggregation in one process and print per-stage client and server times and bytes.",
            discussion: """
                Clients drop out after the share exchange (the costliest case for the server: it must rebuild \
                their pairwise masks). Targets (issue 4, 2 cores): n=100, d=100,000, full graph, 10% dropouts: \
                server < 1 s, client < 0.1 s; n=1,000 sparse: server < 10 s; mask expansion ≥ 50% of the raw \
                keystream rate. With --flower, the Flower 1.42 baseline (Benchmarks/flower) runs in the same \
                invocation when Python and flwr are installed.
                """
        )

        enum GraphKind: String, ExpressibleByArgument, CaseIterable { case full, sparse }

        @Option(name: .long, help: "Number of clients.")
        var clients = 100
        @Option(name: .long, help: "Vector dimension.")
        var dim = 100_000
        @Option(name: .long, help: "Fraction of clients that drop out after the share exchange.")
        var dropout = 0.1
        @Option(name: .long, help: "full (classic SecAgg) or sparse (SecAgg+ groups).")
        var graph: GraphKind = .full
        @Option(name: .long, help: "SecAgg+ group size (default: the odd number ≥ 3·log2 n, at least 7).")
        var groupSize: Int?
        @Flag(
            name: .long,
            help: "Also run Flower's SecAgg+ (Benchmarks/flower/flower_secagg_bench.py) with the same parameters.")
        var flower = false
        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func validate() throws {
            guard clients >= 3, dim >= 1, (0..<0.5).contains(dropout) else {
                throw ValidationError("need --clients ≥ 3, --dim ≥ 1 and --dropout in [0, 0.5)")
            }
        }

        struct Report: Encodable {
            struct Stage: Encodable {
                var name: String
                var clientSeconds: Double
                var serverSeconds: Double
                var clientBytes: Double
            }
            var clients: Int
            var dimension: Int
            var graph: String
            var groupSize: Int
            var threshold: Int
            var dropouts: Int
            var stages: [Stage]
            var clientSeconds: Double
            var serverSeconds: Double
            var clientBytes: Double
            var expansion: Double
            var keystreamBytesPerSecond: Double
            var maskBytesPerSecond: Double
            var correct: Bool
            var flower: [String: AnyEncodable]?
        }

        func run() async throws {
            try await reportingErrors {
                #if DEBUG
                if !json { print("warning: debug build; use: swift run -c release phalanx bench secagg …") }
                #endif
                let ids = (0..<clients).map {
                    SigningIdentity.generate(id: try! ParticipantID(String(format: "client-%05d", $0)), role: .node)
                }
                let k = groupSize ?? SecAggGraph.defaultGroupSize(clientCount: clients)
                let secaggGraph: SecAggGraph =
                    graph == .full ? .complete : .sparse(groupSize: k, seed: Array("bench".utf8))
                let configuration: SecAggConfiguration
                do {
                    configuration = try SecAggConfiguration.make(
                        instance: "bench", clients: ids.map(\.id), graph: secaggGraph, dimension: dim, bound: 1_000,
                        dropout: dropout, corruption: 0.05)
                } catch {
                    throw CLIError(.usage, "\(error)")
                }
                var simulation = try SecAggSimulation(configuration: configuration, identities: ids)
                let dropped = configuration.clients.shuffled().prefix(Int(Double(clients) * dropout))
                for id in dropped { simulation.dropouts[id] = .afterSharing }
                var rng = SystemRandomNumberGenerator()
                let inputs = (0..<clients).map { _ in
                    (0..<dim).map { _ in Int64.random(in: -1_000...1_000, using: &rng) }
                }
                let outcome = try simulation.run(inputs: inputs)
                guard let sum = outcome.sum else {
                    throw CLIError(.checkFailed, "the round aborted: \(outcome.abortReason ?? "?")")
                }
                let survivors = Set(outcome.contributors)
                var expected = [Int64](repeating: 0, count: dim)
                for (i, id) in configuration.clients.enumerated() where survivors.contains(id) {
                    for j in 0..<dim { expected[j] += inputs[i][j] }
                }
                let keystream = MaskPRG.keystreamRate(bytes: 64 << 20)
                var maskVector = [UInt32](repeating: 0, count: 4 << 20)
                let start = ContinuousClock.now
                for i in 0..<16 {
                    try MaskPRG.addMask(
                        seed: [UInt8](repeating: UInt8(i), count: 32), info: [1], into: &maskVector, sign: .plus)
                }
                let d = start.duration(to: .now).components
                let maskRate = Double(16 * maskVector.count * 4) / (Double(d.seconds) + Double(d.attoseconds) / 1e18)
                let stages = outcome.stages.map {
                    Report.Stage(
                        name: $0.name, clientSeconds: $0.clientSeconds, serverSeconds: $0.serverSeconds,
                        clientBytes: $0.clientBytes)
                }
                let clientBytes = stages.reduce(0) { $0 + $1.clientBytes }
                var report = Report(
                    clients: clients, dimension: dim, graph: graph.rawValue,
                    groupSize: configuration.graph.groupSize(clientCount: clients), threshold: configuration.threshold,
                    dropouts: dropped.count, stages: stages, clientSeconds: stages.reduce(0) { $0 + $1.clientSeconds },
                    serverSeconds: stages.reduce(0) { $0 + $1.serverSeconds }, clientBytes: clientBytes,
                    expansion: clientBytes / Double(dim * 4), keystreamBytesPerSecond: keystream,
                    maskBytesPerSecond: maskRate, correct: sum == expected, flower: nil)
                if flower { report.flower = try runFlower() }
                if json {
                    print(String(decoding: try Files.encodeJSON(report), as: UTF8.self), terminator: "")
                } else {
                    print(
                        "Phalanx secagg: n=\(clients), d=\(dim), \(graph.rawValue) graph (groups of \(report.groupSize), t=\(report.threshold)), \(dropped.count) dropped after sharing"
                    )
                    print("  stage            client mean     server      bytes/client")
                    for s in stages {
                        let name = s.name.padding(toLength: 14, withPad: " ", startingAt: 0)
                        print(
                            "  \(name)"
                                + String(
                                    format: " %9.2f ms %9.2f ms %14.0f", s.clientSeconds * 1e3, s.serverSeconds * 1e3,
                                    s.clientBytes))
                    }
                    print(
                        String(
                            format:
                                "  total          %9.2f ms %9.2f ms %14.0f  (×%.3f the %d bytes of the vector in the clear)",
                            report.clientSeconds * 1e3, report.serverSeconds * 1e3, clientBytes, report.expansion,
                            dim * 4))
                    print(
                        String(
                            format:
                                "  AES-256-CTR keystream %.0f MB/s; mask accumulation %.0f MB/s (%.0f%% of the keystream)",
                            keystream / 1e6, maskRate / 1e6, maskRate / keystream * 100))
                    print(
                        "  result \(report.correct ? "equals" : "DIFFERS FROM") the plain sum of the \(survivors.count) survivors"
                    )
                    if let totals = report.flower?["totals"]?.value as? [String: Any],
                        let client = totals["client_mean_s"] as? Double, let server = totals["server_s"] as? Double
                    {
                        let bytes = totals["client_bytes_sent_mean"] as? Double ?? 0
                        print(
                            String(
                                format:
                                    "  Flower 1.42, same parameters, same run: client %.3f s, server %.2f s, %.0f bytes/client",
                                client, server, bytes))
                        print(
                            String(
                                format: "  Phalanx is %.0f× faster per client and %.0f× faster on the server",
                                client / max(report.clientSeconds, 1e-9), server / max(report.serverSeconds, 1e-9)))
                    }
                }
                if !report.correct { throw CLIError(.checkFailed, "the unmasked sum differs from the plain sum") }
            }
        }

        /// Runs the Flower baseline script with the same parameters and returns its JSON fields.
        private func runFlower() throws -> [String: AnyEncodable] {
            let script = "Benchmarks/flower/flower_secagg_bench.py"
            guard FileManager.default.fileExists(atPath: script) else {
                throw CLIError(.missingInput, "\(script) not found; run from the repository root")
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", script, "--clients", "\(clients)", "--dim", "\(dim)", "--dropout", "\(dropout)", "--graph",
                graph.rawValue, "--neighbours", "\(groupSize ?? 15)", "--json",
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0,
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else {
                throw CLIError(
                    .checkFailed, "the Flower baseline failed (exit \(process.terminationStatus))",
                    hint: "install it as Benchmarks/flower/README.md says")
            }
            return object.mapValues { AnyEncodable($0) }
        }
    }
}

/// A JSON value passed through from the Flower script's output.
struct AnyEncodable: Encodable {
    let value: Any
    init(_ value: Any) { self.value = value }

    var text: String {
        if let d = value as? Double { return String(format: "%.3f", d) }
        return "\(value)"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case let v as Bool: try c.encode(v)
        case let v as Int: try c.encode(v)
        case let v as Double: try c.encode(v)
        case let v as String: try c.encode(v)
        default: try c.encode("\(value)")
        }
    }
}
