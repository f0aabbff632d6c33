import Dispatch
import Foundation
import Logging
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxNetwork
import PhalanxProviders
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The measurement behind `phalanx bench network`: the same jobs run by ``FederationRun`` in this process and by
/// a ``LocalDeployment`` of one process per participant over loopback with mutual TLS.
struct NetworkBenchmark {
    /// What the nodes compute.
    enum Workload: String, CaseIterable, Encodable {
        /// The demo's counting plug-in (``SafetyEventCountPlugin``) on the synthetic safety events.
        case count
        /// `Plugins/bench-secure-sum-100k.phx`: a secure sum of 100,000 components per node.
        case sum100k
    }

    /// The providers the benchmark compares (the DP ones add noise, so two runs cannot release the same outputs).
    static let providers = [PlainProvider.name, SecAggProvider.name]
    /// The components of the sum100k vector and the largest value of one (the plug-in's `length` and clip).
    static let sumLength = 100_000
    static let sumBound: Int64 = 1_000
    /// The input the sum100k plug-in reads.
    static let sumTable = "bench_vector"

    let nodeCounts: [Int]
    let workloads: [Workload]
    let providers: [String]
    let rounds: Int
    let tickMilliseconds: Int
    let seed: UInt64
    /// The sum100k plug-in, an absolute path (the node processes read its schema); `nil` without sum100k.
    let sumPluginPath: String?
    /// The `phalanx` executable the participant processes run.
    let binary: String
    /// Where the node data and each federation's directory go.
    let root: String
    let readyTimeoutSeconds: Int?

    /// Ticks of silence after which a node assumes it was cut off from the control plane: a minute's worth, or
    /// the most a configuration takes (3,600). With the default of 3, ticks of 10 ms that take longer than 30 ms
    /// (most do) would send the nodes in and out of their partition fallback all the time; the detector is not
    /// what this benchmark measures.
    var partitionAfterTicks: Int { min(3_600, max(3, 60_000 / tickMilliseconds)) }

    // MARK: - The report

    /// One job run once: in milliseconds of wall-clock time.
    struct Run: Encodable {
        /// `finalized`, `aborted`, `refused` or `error`.
        var outcome: String
        var reason: String?
        var ms: Double
        var msPerRound: Double
        var ticks: UInt64
        var msPerTick: Double
        /// In process: the signed messages' bytes through the in-process transport. Over the network: the TCP
        /// payload bytes (TLS records carrying HTTP/2 and protobuf) of the connections between participants, both
        /// directions, read from the kernel with `ss`; `nil` when `ss` is not available.
        var bytes: Int?
        /// In process only: messages sent, all kinds.
        var messages: Int?
        /// CPU time, user and system, on all cores: of this process in process; of the participants' processes
        /// over the network (the operator's side, this process, is not counted). `nil` without `/proc`.
        var cpuSeconds: Double?
    }

    struct Row: Encodable {
        var workload: Workload
        var provider: String
        var nodes: Int
        var inProcess: Run
        var network: Run?
        /// Network ms per round ÷ in-process ms per round, when both finalized.
        var overhead: Double?
        /// Whether both runs finalized and released the same outputs (sum100k: also the exact sum of the data).
        var resultsAgree: Bool
        /// Why they did not.
        var problem: String?
    }

    /// One federation of processes.
    struct Federation: Encodable {
        var nodes: Int
        /// The job measured on it.
        var workload: Workload
        var provider: String
        var processes: Int
        /// From starting the processes until the control plane reached every node and each had registered.
        var startSeconds: Double
        /// A tick with no job, over 2 s before the first job: the phase calls alone (and the control plane's own
        /// bookkeeping). `nil` when the control plane's status could not be read.
        var idleTickMs: Double?
        /// The unmeasured first job (count on plain, one round), in which the nodes open their connections to the
        /// aggregator.
        var warmupMs: Double
        var warmupTicks: UInt64
    }

    struct Report: Encodable {
        var cpus: Int
        var build: String
        var rounds: Int
        var tickMs: Int
        var rows: [Row]
        var federations: [Federation]

        var text: String {
            func f(_ value: Double?, _ digits: Int = 1) -> String {
                value.map { String(format: "%.\(digits)f", $0) } ?? "—"
            }
            func megabytes(_ bytes: Int?) -> String { bytes.map { String(format: "%.2f", Double($0) / 1e6) } ?? "—" }
            func cell(_ text: String, _ width: Int, left: Bool = false) -> String {
                let pad = String(repeating: " ", count: max(0, width - text.count))
                return left ? text + pad : pad + text
            }
            var lines = [
                "Phalanx network benchmark — \(cpus) CPUs, \(build) build, \(rounds) round(s) a job, ticks of "
                    + "\(tickMs) ms over the network",
                "  in-process: one process, in-process transport; network: one process per participant on loopback, "
                    + "gRPC over mutual TLS",
                "",
                cell("workload", 9, left: true) + cell("provider", 9, left: true) + cell("nodes", 6)
                    + cell("in-proc ms/round", 17) + cell("network ms/round", 17) + cell("overhead", 9)
                    + cell("ticks in/net", 13) + cell("net ms/tick", 12) + cell("cpu s/round in/net", 19)
                    + cell("bytes in/wire (MB)", 19),
            ]
            for row in rows {
                let network = row.network
                var line =
                    cell(row.workload.rawValue, 9, left: true) + cell(row.provider, 9, left: true)
                    + cell("\(row.nodes)", 6)
                line += cell(f(row.inProcess.msPerRound), 17) + cell(f(network?.msPerRound), 17)
                line += cell(row.overhead.map { String(format: "%.1f×", $0) } ?? "—", 9)
                line += cell("\(row.inProcess.ticks)/\(network.map { "\($0.ticks)" } ?? "—")", 13)
                line += cell(f(network?.msPerTick), 12)
                line += cell(
                    "\(f(row.inProcess.cpuSeconds.map { $0 / Double(rounds) }, 2))/"
                        + f(network?.cpuSeconds.map { $0 / Double(rounds) }, 2), 19)
                line += cell("\(megabytes(row.inProcess.bytes))/\(megabytes(network?.bytes))", 19)
                if let problem = row.problem { line += "  ✗ \(problem)" }
                lines.append(line)
            }
            lines.append("")
            for federation in federations {
                lines.append(
                    "  \(federation.nodes) nodes, \(federation.workload) on \(federation.provider): "
                        + "\(federation.processes) processes up and registered in "
                        + "\(f(federation.startSeconds)) s; a tick without a job \(f(federation.idleTickMs)) ms; "
                        + "first job (count, plain, 1 round, new connections) \(f(federation.warmupMs)) ms in "
                        + "\(federation.warmupTicks) ticks")
            }
            let agree = rows.filter(\.resultsAgree).count
            lines.append(
                "  \(agree) of \(rows.count) jobs released the same outputs in one process and over the network"
                    + (rows.contains { $0.workload == .sum100k } ? " (sum100k: the exact sum of the data)" : ""))
            return lines.joined(separator: "\n")
        }
    }

    // MARK: - Running

    func run(progress: @escaping @Sendable (String) -> Void) async throws -> Report {
        let policyPath = root + "/bench-guardrails.yaml"
        let policyText = try Self.policyText()
        try policyText.write(toFile: policyPath, atomically: true, encoding: .utf8)
        let policy = try GuardrailPolicyLoader.load(Array(policyText.utf8), file: policyPath)
        let largest = nodeCounts.max() ?? 0
        var sum: (plugin: PluginIR, vectors: [[Int64]], files: [String])?
        if workloads.contains(.sum100k), let sumPluginPath {
            let plugin = try PluginCommand.compile(sumPluginPath).ir
            progress("writing \(largest) vectors of \(Self.sumLength) components to \(root)/data")
            let (vectors, files) = try writeVectors(count: largest)
            sum = (plugin, vectors, files)
        }

        let interrupts = RunningFederation()
        let sources = interrupts.trapInterrupts()
        defer { for source in sources { source.cancel() } }

        var rows: [Row] = []
        var federations: [Federation] = []
        for count in nodeCounts {
            let members = Self.members(count)
            // 1. In one process, before any participant process exists (an idle federation still ticks).
            var inProcess: [String: (run: Run, outputs: [ReleasedOutput])] = [:]
            var expectedSums: [Int64]?
            for workload in workloads {
                let plugin: PluginIR
                let nodes: [(id: String, tables: [String: LocalTable])]
                switch workload {
                case .count:
                    plugin = SafetyEventCountPlugin.make()
                    nodes = try members.map { member in
                        (
                            member.id,
                            [
                                SafetyEvents.table: try SafetyEvents.generate(
                                    profile: member.profile, days: rounds, seed: seed)
                            ]
                        )
                    }
                case .sum100k:
                    guard let sum else { continue }
                    plugin = sum.plugin
                    let schema = sum.plugin.inputSchema.tables[0]
                    nodes = try members.indices.map { index in
                        (members[index].id, [Self.sumTable: try CSVTable.read(path: sum.files[index], schema: schema)])
                    }
                    var total = [Int64](repeating: 0, count: Self.sumLength)
                    for vector in sum.vectors.prefix(count) {
                        for (i, value) in vector.enumerated() { total[i] += value }
                    }
                    expectedSums = total
                }
                for provider in providers {
                    let measured = try await runInProcess(
                        plugin: plugin, nodes: nodes, provider: provider, policy: policy)
                    inProcess["\(workload)/\(provider)"] = measured
                    progress(
                        "\(count) nodes, \(workload) on \(provider), in process: \(measured.run.outcome), "
                            + String(format: "%.1f ms/round", measured.run.msPerRound))
                }
            }

            // 2. The same jobs over the network, each on a federation of its own.
            var network: [String: Result<(run: Run, outputs: [ReleasedOutput]), any Error>] = [:]
            for workload in workloads {
                guard let plugin = workload == .count ? SafetyEventCountPlugin.make() : sum?.plugin else { continue }
                for provider in providers {
                    let label = "\(count) nodes, \(workload) on \(provider), over the network"
                    let deployment = LocalDeployment(
                        root: root + "/federation-\(count)-\(workload)-\(provider)", binary: binary,
                        nodes: try members.indices.map { index in
                            var data: [String: ParticipantConfig.TableSource] = [
                                SafetyEvents.table: .synthetic(
                                    profile: members[index].profile.id, days: rounds, seed: seed)
                            ]
                            if workload == .sum100k, let sum, let sumPluginPath {
                                data[Self.sumTable] = .csv(path: sum.files[index], schemaFrom: sumPluginPath)
                            }
                            return (try ParticipantID(members[index].id), data)
                        },
                        tickMilliseconds: tickMilliseconds, partitionAfterTicks: partitionAfterTicks,
                        policy: policyPath)
                    do {
                        let (federation, measured) = try await onFreshFederation(
                            deployment, interrupts: interrupts, workload: workload, provider: provider
                        ) { ports in
                            try await runOverNetwork(
                                deployment, ports: ports, plugin: plugin, provider: provider, rounds: rounds)
                        }
                        federations.append(federation)
                        network["\(workload)/\(provider)"] = .success(measured)
                        progress(
                            "\(label): \(measured.run.outcome), "
                                + String(format: "%.1f ms/round", measured.run.msPerRound))
                    } catch {
                        network["\(workload)/\(provider)"] = .failure(error)
                        progress("\(label): \(error)")
                    }
                }
            }

            for workload in workloads where workload == .count || sum != nil {
                for provider in providers {
                    let key = "\(workload)/\(provider)"
                    guard let local = inProcess[key] else { continue }
                    rows.append(
                        Self.row(
                            workload: workload, provider: provider, nodes: count, local: local, remote: network[key],
                            expectedSums: workload == .sum100k ? expectedSums : nil, rounds: rounds))
                }
            }
        }
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        return Report(
            cpus: ProcessInfo.processInfo.activeProcessorCount, build: build, rounds: rounds,
            tickMs: tickMilliseconds, rows: rows, federations: federations)
    }

    /// The job in one process, timed by the run itself (``FederationRun/Report/wallSeconds``: admission, every
    /// tick, the ledger's last checkpoint and its verification).
    private func runInProcess(
        plugin: PluginIR, nodes: [(id: String, tables: [String: LocalTable])], provider: String,
        policy: GuardrailPolicy
    ) async throws -> (run: Run, outputs: [ReleasedOutput]) {
        let configuration = FederationRun.Configuration(
            rounds: rounds, dataSeed: seed, providerName: provider, policy: policy,
            workload: FederationRun.Workload(plugin: plugin, nodes: nodes))
        let report: FederationRun.Report
        let cpuBefore = CPUTime.ofThisProcess()
        do {
            report = try await FederationRun(configuration).run()
        } catch let error as FederationRunError {
            throw CLIError(.checkFailed, "in process: \(error.description)")
        }
        let ms = report.wallSeconds * 1e3
        let cpu = CPUTime.ofThisProcess() - cpuBefore
        return (
            Run(
                outcome: report.outcome.name, reason: report.outcome.reason, ms: ms, msPerRound: ms / Double(rounds),
                ticks: report.ticks, msPerTick: ms / Double(max(report.ticks, 1)), bytes: report.messageBytes,
                messages: report.messageCounts.values.reduce(0, +), cpuSeconds: cpu),
            report.outcome.outputs
        )
    }

    /// The job submitted to the deployment's control plane, timed from the submission to the end of the job.
    private func runOverNetwork(
        _ deployment: LocalDeployment, ports: Set<Int>, plugin: PluginIR, provider: String, rounds: Int
    ) async throws -> (run: Run, outputs: [ReleasedOutput]) {
        var logger = Logger(label: "phalanx.bench")
        logger.logLevel = .error
        let client = try deployment.operatorClient(logger: logger)
        let marker = deployment.root + "/"
        let before = LoopbackTraffic.bytes(serverPorts: ports)
        let cpuBefore = CPUTime.ofProcesses(mentioning: marker)
        let start = ContinuousClock.now
        let finished = try await client.submit(
            plugin: plugin, provider: provider, rounds: rounds, epsilon: 0, delta: 0
        ) { _ in }
        let ms = ControlBenchmark.seconds(start, .now) * 1e3
        let cpuAfter = CPUTime.ofProcesses(mentioning: marker)
        let after = LoopbackTraffic.bytes(serverPorts: ports)
        var outputs: [ReleasedOutput] = []
        if finished.hasResult {
            outputs = try CanonicalEncoding.decode(JobResult.self, from: [UInt8](finished.result.payload)).outputs
        }
        let bytes = before.flatMap { b in after.map { $0 - b } }
        return (
            Run(
                outcome: finished.outcome, reason: finished.reason.isEmpty ? nil : finished.reason, ms: ms,
                msPerRound: ms / Double(rounds), ticks: finished.ticks,
                msPerTick: ms / Double(max(finished.ticks, 1)), bytes: bytes, messages: nil,
                cpuSeconds: cpuBefore.flatMap { b in cpuAfter.map { $0 - b } }),
            outputs
        )
    }

    /// Milliseconds per tick while no job runs, from the control plane's tick count `span` apart.
    private static func idleTick(_ deployment: LocalDeployment, over span: Duration) async throws -> Double {
        var logger = Logger(label: "phalanx.bench")
        logger.logLevel = .error
        let first = try await deployment.operatorClient(logger: logger).status().tick
        let start = ContinuousClock.now
        try await Task.sleep(for: span)
        let last = try await deployment.operatorClient(logger: logger).status().tick
        return ControlBenchmark.seconds(start, .now) * 1e3 / Double(max(last - first, 1))
    }

    private static func row(
        workload: Workload, provider: String, nodes: Int, local: (run: Run, outputs: [ReleasedOutput]),
        remote: Result<(run: Run, outputs: [ReleasedOutput]), any Error>?, expectedSums: [Int64]?, rounds: Int
    ) -> Row {
        var row = Row(
            workload: workload, provider: provider, nodes: nodes, inProcess: local.run, network: nil, overhead: nil,
            resultsAgree: false, problem: nil)
        func ordered(_ outputs: [ReleasedOutput]) -> [ReleasedOutput] {
            outputs.sorted { ($0.round, $0.name) < ($1.round, $1.name) }
        }
        switch remote {
        case nil:
            row.problem = "not run over the network"
        case .failure(let error):
            row.problem = "network: \(error)"
        case .success(let measured):
            row.network = measured.run
            if local.run.outcome == "finalized", measured.run.outcome == "finalized" {
                row.overhead = measured.run.msPerRound / max(local.run.msPerRound, 1e-9)
            }
            if local.run.outcome != "finalized" {
                row.problem = "in process: \(local.run.outcome) (\(local.run.reason ?? "?"))"
            } else if measured.run.outcome != "finalized" {
                row.problem = "network: \(measured.run.outcome) (\(measured.run.reason ?? "?"))"
            } else if ordered(local.outputs) != ordered(measured.outputs) {
                row.problem = "the released outputs differ"
            } else if let expectedSums,
                local.outputs.count != rounds
                    || local.outputs.contains(where: { $0.values != expectedSums.map(Optional.some) })
            {
                row.problem = "the released sum is not the sum of the data"
            } else {
                row.resultsAgree = true
            }
        }
        return row
    }

    // MARK: - Participants and data

    /// The nodes of a federation of `count`: the demo's five organizations, then the same profiles again under
    /// new names (`northbank-2`, …), which hold the same synthetic events as the profile they reuse.
    static func members(_ count: Int) -> [(id: String, profile: SafetyEvents.Profile)] {
        let profiles = SafetyEvents.demoProfiles
        return (0..<count).map { index in
            let profile = profiles[index % profiles.count]
            return (index < profiles.count ? profile.id : "\(profile.id)-\(index / profiles.count + 1)", profile)
        }
    }

    /// Writes `count` random vectors (uniform in 0…``sumBound``) as CSV files of one `value` column.
    private func writeVectors(count: Int) throws -> (vectors: [[Int64]], files: [String]) {
        let directory = root + "/data"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var generator = SplitMix64(seed: seed)
        var vectors: [[Int64]] = []
        var files: [String] = []
        for index in 0..<count {
            let vector = (0..<Self.sumLength).map { _ in Int64.random(in: 0...Self.sumBound, using: &generator) }
            var text = "value\n"
            text.reserveCapacity(Self.sumLength * 5)
            for value in vector {
                text += String(value)
                text += "\n"
            }
            let path = directory + "/node-\(index).csv"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            vectors.append(vector)
            files.append(path)
        }
        return (vectors, files)
    }

    /// The embedded guard-rail policy with `maxContributionL1` raised to the sum100k plug-in's L1 bound
    /// (100,000 × 1,000): under `plain` a node's contribution is checked against it, and the default (250, the
    /// counting plug-in's bound) would abort the job.
    static func policyText() throws -> String {
        let original = "maxContributionL1: 250 "
        guard DefaultPolicy.text.contains(original) else {
            throw CLIError(.internalError, "the embedded guard-rail policy no longer sets maxContributionL1: 250")
        }
        return DefaultPolicy.text.replacingOccurrences(
            of: original, with: "maxContributionL1: \(Int64(sumLength) * sumBound) ")
    }

    /// Prepares and starts `deployment`, waits until every node registered, measures an idle tick, runs the
    /// unmeasured warm-up job, then `body` (given the servers' ports); the processes are stopped afterwards,
    /// whether `body` returns or throws, and on SIGINT or SIGTERM.
    ///
    /// Each measured job gets a federation of its own: a job leaves work behind it (the aggregator republishes a
    /// finalized job's result to every node each tick until the next job starts), and the next job would pay for it.
    private func onFreshFederation<T>(
        _ deployment: LocalDeployment, interrupts: RunningFederation, workload: Workload, provider: String,
        _ body: (Set<Int>) async throws -> T
    ) async throws -> (Federation, T) {
        try deployment.prepare()
        interrupts.set(deployment)
        defer {
            deployment.stopAll()
            interrupts.set(nil)
        }
        let started = ContinuousClock.now
        try deployment.startAll()
        let count = deployment.nodes.count
        try await deployment.waitUntilReady(timeout: .seconds(readyTimeoutSeconds ?? 60 + 3 * count))
        let startSeconds = ControlBenchmark.seconds(started, .now)
        let ports = Set(deployment.addresses.values.map(\.port))
        let idleTickMs = try? await Self.idleTick(deployment, over: .seconds(2))
        let warmup = try await runOverNetwork(
            deployment, ports: ports, plugin: SafetyEventCountPlugin.make(), provider: PlainProvider.name, rounds: 1)
        let federation = Federation(
            nodes: count, workload: workload, provider: provider, processes: deployment.participants.count,
            startSeconds: startSeconds, idleTickMs: idleTickMs, warmupMs: warmup.run.ms,
            warmupTicks: warmup.run.ticks)
        return (federation, try await body(ports))
    }
}

/// The federation whose processes run now, stopped if the benchmark is interrupted.
final class RunningFederation: Sendable {
    private let current = Mutex<LocalDeployment?>(nil)

    func set(_ deployment: LocalDeployment?) { current.withLock { $0 = deployment } }

    /// Stops the running federation on SIGINT or SIGTERM, then exits with 128 + the signal, as a shell reports a
    /// process the signal ended. Cancel the sources to stop trapping.
    func trapInterrupts() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            #if canImport(Darwin)
            // Dispatch sees a signal through kqueue only when its default action is off; on Linux it installs
            // its own handler, and an ignored signal would never reach it.
            signal(number, SIG_IGN)
            #endif
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                self.current.withLock { $0 }?.stopAll(grace: 2)
                FileHandle.standardError.write(Data("interrupted; the federation's processes are stopped\n".utf8))
                // At once: the benchmark's other threads are still running and must not carry on.
                _exit(128 + number)
            }
            source.resume()
            return source
        }
    }
}
