import ArgumentParser
import Crypto
import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxProviders

extension BenchCommand {
    struct Control: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "control",
            abstract: "Run the safety loop (verify, seal, evaluate, decide) at scale against raw Ed25519 verification.",
            discussion: """
                Builds a federation of --nodes nodes, an aggregator and a control plane with real Ed25519 keys, a \
                guardrails policy of --predicates generated predicates (all enabled; one fires now and then so \
                commands are signed), and signs every participant's frame for --ticks ticks before the clock \
                starts. Two passes over the same frames: in the burst pass each tick is ingested as one batch \
                (signatures checked on every core), sealed, evaluated by the sentinel and decided by the control \
                engine, which gives the throughput; in the paced pass the frames arrive over real ticks of --tick-ms \
                (spread over the first 90% of each tick), the collector verifies them as they come and closes a tick \
                when its last frame is in, which gives sense-to-act: from that last arrival to the engine's decision. \
                The raw swift-crypto verification rate of the same frame bytes is measured in the same run, on one \
                core and on all. Targets (issue 6, 2 cores): the collector at ≥ 85% of the raw all-core rate with 50 \
                predicates, sense-to-act p99 < 50 ms at 5,000 nodes. See docs/safety-loop-performance.md.
                """
        )

        @Option(name: .long, help: "Nodes in the federation (each, and the aggregator, sends one frame per tick).")
        var nodes = 5_000
        @Option(name: .long, help: "Ticks to measure.")
        var ticks = 10
        @Option(name: .long, help: "Guard-rail predicates to enable.")
        var predicates = 50
        @Option(
            name: .long, help: "Length of a tick in the paced pass, in milliseconds (1000: the 1 Hz of a deployment).")
        var tickMs = 1_000
        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func validate() throws {
            guard (1...100_000).contains(nodes), (1...10_000).contains(ticks), (1...1_000).contains(predicates),
                nodes * ticks <= 2_000_000, (10...60_000).contains(tickMs)
            else {
                throw ValidationError(
                    "need 1 ≤ --nodes ≤ 100000, 1 ≤ --ticks ≤ 10000, 1 ≤ --predicates ≤ 1000, nodes × ticks ≤ 2000000 "
                        + "and 10 ≤ --tick-ms ≤ 60000"
                )
            }
        }

        func run() async throws {
            try await reportingErrors {
                #if DEBUG
                if !json {
                    print(
                        "warning: debug build; figures are meaningless. Use: swift run -c release phalanx bench control"
                    )
                }
                #endif
                let report = try ControlBenchmark(nodes: nodes, ticks: ticks, predicates: predicates, tickMs: tickMs)
                    .run()
                if json {
                    print(String(decoding: try Files.encodeJSON(report), as: UTF8.self), terminator: "")
                } else {
                    print(report.text)
                }
            }
        }
    }
}

/// The measurement behind `phalanx bench control`: one collector, sentinel and control engine driven tick by tick
/// over pre-signed frames, and swift-crypto's raw Ed25519 verification of the same bytes for comparison.
struct ControlBenchmark {
    let nodes: Int
    let ticks: Int
    let predicates: Int
    /// The tick of the paced pass, in milliseconds.
    var tickMs = 1_000

    /// What one run measured. Rates are per second of wall-clock time; latencies in milliseconds.
    struct Report: Encodable {
        struct Percentiles: Encodable {
            var p50: Double
            var p99: Double
            var max: Double
        }
        struct Stages: Encodable {
            var ingest: Double
            var seal: Double
            var evaluate: Double
            var decide: Double
        }
        /// The paced pass, per tick after its last frame arrived.
        struct AfterClose: Encodable {
            /// Verifying the frames still waiting when the last one arrived (most were verified as they came).
            var verifyRest: Double
            var seal: Double
            var evaluate: Double
            var decide: Double
        }
        /// Single-core cost per frame, in microseconds: the best of three alternating passes over tick 0's frames.
        struct FrameCosts: Encodable {
            /// swift-crypto's Ed25519 verification alone.
            var signature: Double
            /// The collector's whole check (signature, decode, audit hash, stateful checks) on one thread.
            var collector: Double
        }
        var nodes: Int
        var ticks: Int
        var predicates: Int
        /// Frames per tick: one per node and one from the aggregator.
        var framesPerTick: Int
        var cpus: Int
        /// Threads the collector verifies a batch on.
        var verificationThreads: Int
        /// Frames through ``TelemetryCollector/ingest(batch:tick:nowMs:)`` per second of ingest time.
        var framesVerifiedPerSecond: Double
        /// Frames per second of a whole tick: ingest, seal, evaluate and decide.
        var framesEvaluatedPerSecond: Double
        /// swift-crypto `isValidSignature` over the same frame bytes, one core.
        var rawVerifyPerSecondOneCore: Double
        /// The same on every core, measured on each tick's frames next to the collector's pass.
        var rawVerifyPerSecondAllCores: Double
        /// framesVerifiedPerSecond ÷ rawVerifyPerSecondAllCores.
        var collectorToRawRatio: Double
        /// Paced pass: from the arrival of a tick's last frame to the control engine's decision (nearest-rank
        /// percentiles over the ticks).
        var senseToActMs: Percentiles
        /// Paced pass: the same, tick by tick.
        var senseToActPerTickMs: [Double]
        /// Paced pass: mean milliseconds per tick after the last arrival.
        var afterCloseMs: AfterClose
        /// Paced pass: the tick length, and the most frames that waited for the collector at once.
        var tickMs: Int
        var largestBacklog: Int
        /// Burst pass: from the start of a tick's ingest (all its frames at once) to the decision.
        var burstTickToActMs: Percentiles
        /// Burst pass: mean per tick, in milliseconds.
        var stageMs: Stages
        var frameMicros: FrameCosts
        var framesAccepted: Int
        var framesRejected: Int
        /// Ticks in which at least one predicate fired.
        var firingTicks: Int
        var commandsSigned: Int

        var text: String {
            func f(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }
            return """
                Phalanx control-loop benchmark — \(nodes) nodes + aggregator (\(framesPerTick) frames/tick), \
                \(ticks) ticks, \(predicates) predicates, \(cpus) CPUs (\(verificationThreads) verification threads)
                  Ed25519 verify, swift-crypto raw:  \(f(rawVerifyPerSecondOneCore)) /s on 1 core, \
                \(f(rawVerifyPerSecondAllCores)) /s on all cores
                  collector (verify, decode, checks): \(f(framesVerifiedPerSecond)) frames/s = \
                \(f(collectorToRawRatio * 100, 1))% of the raw all-core rate (target ≥ 85%)
                  end to end (ingest, seal, evaluate, decide): \(f(framesEvaluatedPerSecond)) frames/s
                  per frame on one core: signature \(f(frameMicros.signature, 1)) µs, whole collector check \
                \(f(frameMicros.collector, 1)) µs (\(f(frameMicros.signature / frameMicros.collector * 100, 1))%)
                  per tick, mean: ingest \(f(stageMs.ingest, 1)) ms, seal \(f(stageMs.seal, 1)) ms, \
                evaluate \(f(stageMs.evaluate, 1)) ms, decide \(f(stageMs.decide, 2)) ms
                  burst tick (ingest start → decision): p50 \(f(burstTickToActMs.p50, 1)) ms, \
                p99 \(f(burstTickToActMs.p99, 1)) ms
                paced pass: frames arrive over \(tickMs) ms ticks and are verified as they come \
                (largest backlog \(largestBacklog) frames)
                  sense-to-act (last frame of the tick → decision): p50 \(f(senseToActMs.p50, 1)) ms, \
                p99 \(f(senseToActMs.p99, 1)) ms, max \(f(senseToActMs.max, 1)) ms (target p99 < 50 ms)
                  after the last arrival, mean: verify the rest \(f(afterCloseMs.verifyRest, 1)) ms, \
                seal \(f(afterCloseMs.seal, 1)) ms, evaluate \(f(afterCloseMs.evaluate, 1)) ms, \
                decide \(f(afterCloseMs.decide, 2)) ms
                  \(framesAccepted) frames accepted, \(framesRejected) rejected; a predicate fired in \
                \(firingTicks) of \(ticks) ticks; \(commandsSigned) commands signed
                """
        }
    }

    /// A frame's signature check as swift-crypto sees it: the key, the signed message, the signature.
    private struct RawCheck: Sendable {
        let key: Curve25519.Signing.PublicKey
        let message: Data
        let signature: Data
    }

    /// The federation, policy and job both passes run: made once, before any clock starts.
    struct Setup {
        let reporters: [SigningIdentity]
        let control: SigningIdentity
        let roster: FederationRoster
        let policy: GuardrailPolicy
        let manifest: JobManifest
        let predicates: [PredicateRule]
    }

    /// The clock of tick 0's frames, in milliseconds since the epoch (tick t is `t` seconds later).
    static let baseMs: Int64 = 1_750_000_000_000

    func makeSetup() throws -> Setup {
        let nodeKeys = try (0..<nodes).map { index in
            SigningIdentity.generate(id: try ParticipantID(String(format: "node-%06d", index)), role: .node)
        }
        let aggregator = SigningIdentity.generate(id: try ParticipantID("aggregator"), role: .aggregator)
        let control = SigningIdentity.generate(id: try ParticipantID("control"), role: .control)
        let reporters = nodeKeys + [aggregator]
        let roster = try FederationRoster((reporters + [control]).map(\.publicIdentity))
        let policy = try GuardrailPolicyLoader.load(
            Array(Self.policyText(predicates: predicates).utf8), file: "bench-guardrails.yaml")
        let (manifest, selection) = try JobAdmission.makeManifest(
            plugin: SafetyEventCountPlugin.make(), provider: DPProvider.distributedOverSecAgg.descriptor,
            policy: policy,
            participants: ParticipantSet(nodes: nodeKeys.map(\.id), aggregator: aggregator.id, control: control.id),
            rounds: 3, jobNonce: "00000000000000000000000000000006")
        guard selection.enabled.count == predicates else {
            throw CLIError(
                .internalError,
                "only \(selection.enabled.count) of the \(predicates) generated predicates are enabled")
        }
        return Setup(
            reporters: reporters, control: control, roster: roster, policy: policy, manifest: manifest,
            predicates: selection.enabled)
    }

    func run() throws -> Report {
        // Setup, not measured: identities, policy, manifest, and every frame of every tick signed in advance.
        let setup = try makeSetup()
        let reporters = setup.reporters, manifest = setup.manifest, roster = setup.roster
        let jobId = manifest.hash
        let keys = try reporters.map {
            try Curve25519.Signing.PublicKey(rawRepresentation: $0.publicIdentity.publicKey)
        }
        let frames: [[Signed<TelemetryFrame>]] = try (0..<ticks).map { tick in
            try Parallel.map(Array(reporters.indices)) { index in
                Result {
                    try Signed(
                        signing: Self.frame(
                            of: reporters[index].id, index: index, isAggregator: index == nodes, tick: tick,
                            job: jobId, nowMs: Self.baseMs + Int64(tick) * 1_000),
                        with: reporters[index])
                }
            }.map { try $0.get() }
        }
        let raw: [[RawCheck]] = try frames.map { envelopes in
            try envelopes.enumerated().map { index, envelope in
                RawCheck(
                    key: keys[index],
                    message: Data(
                        try SignatureMessage.bytes(
                            payloadType: envelope.payloadType, payload: [UInt8](envelope.payload))
                    ),
                    signature: envelope.signature)
            }
        }

        var loop = Loop(setup)
        let workers = loop.collector.parallelism

        // One core: the raw rate and the collector on one thread, alternating, the best of three each.
        var oneCoreSeconds = Double.infinity, oneThreadSeconds = Double.infinity
        for _ in 0..<3 {
            oneCoreSeconds = min(oneCoreSeconds, try Self.rawVerify(raw[0], workers: 1))
            var oneThread = TelemetryCollector(manifest: manifest, roster: roster)
            oneThread.parallelism = 1
            let start = ContinuousClock.now
            _ = oneThread.ingest(batch: frames[0], tick: 0, nowMs: Self.baseMs)
            oneThreadSeconds = min(oneThreadSeconds, Self.seconds(start, .now))
        }
        // The burst pass: each tick's frames all at once.
        var allCoresSeconds = 0.0
        var stages = [Double](repeating: 0, count: 4)
        var burstTickToAct: [Double] = []
        var accepted = 0, rejected = 0, firingTicks = 0, commands = 0
        for tick in 0..<ticks {
            // The raw rate on every core, on this tick's frames: before the collector's pass on odd ticks and after
            // it on even ones, so that neither is favoured by what the machine was doing just before.
            if tick % 2 == 1 { allCoresSeconds += try Self.rawVerify(raw[tick], workers: workers) }
            let nowMs = Self.baseMs + Int64(tick) * 1_000
            let start = ContinuousClock.now
            let results = loop.collector.ingest(batch: frames[tick], tick: UInt64(tick), nowMs: nowMs)
            let ingested = ContinuousClock.now
            let closed = try loop.close(tick: tick, nowMs: nowMs)

            stages[0] += Self.seconds(start, ingested)
            stages[1] += Self.seconds(ingested, closed.sealed)
            stages[2] += Self.seconds(closed.sealed, closed.evaluated)
            stages[3] += Self.seconds(closed.evaluated, closed.decided)
            burstTickToAct.append(Self.seconds(start, closed.decided) * 1e3)
            accepted += closed.batch.frames.count
            rejected += results.count - closed.batch.frames.count
            if closed.outcomes.contains(where: \.holds) { firingTicks += 1 }
            commands += closed.decision.commands.count
            try loop.acknowledge(closed.decision, tick: tick, nowMs: nowMs)
            if tick % 2 == 0 { allCoresSeconds += try Self.rawVerify(raw[tick], workers: workers) }
        }
        // The paced pass: the same frames arriving over real ticks, verified as they come.
        let paced = try runPaced(frames: frames, setup: setup, tickMs: tickMs)
        guard paced.framesAccepted == accepted, paced.commandsSigned == commands else {
            throw CLIError(
                .internalError,
                "the paced pass accepted \(paced.framesAccepted) frames and signed \(paced.commandsSigned) commands; "
                    + "the burst pass \(accepted) and \(commands)")
        }

        let totalFrames = Double(frames.count * reporters.count)
        let tickSeconds = stages.reduce(0, +)
        let verifiedRate = totalFrames / stages[0]
        let rawAllCores = totalFrames / allCoresSeconds
        return Report(
            nodes: nodes, ticks: ticks, predicates: predicates, framesPerTick: reporters.count,
            cpus: ProcessInfo.processInfo.activeProcessorCount, verificationThreads: workers,
            framesVerifiedPerSecond: verifiedRate, framesEvaluatedPerSecond: totalFrames / tickSeconds,
            rawVerifyPerSecondOneCore: Double(raw[0].count) / oneCoreSeconds, rawVerifyPerSecondAllCores: rawAllCores,
            collectorToRawRatio: verifiedRate / rawAllCores, senseToActMs: Self.percentiles(paced.senseToAct),
            senseToActPerTickMs: paced.senseToAct,
            afterCloseMs: Report.AfterClose(
                verifyRest: paced.afterClose[0], seal: paced.afterClose[1], evaluate: paced.afterClose[2],
                decide: paced.afterClose[3]),
            tickMs: tickMs, largestBacklog: paced.largestBacklog,
            burstTickToActMs: Self.percentiles(burstTickToAct),
            stageMs: Report.Stages(
                ingest: stages[0] / Double(ticks) * 1e3, seal: stages[1] / Double(ticks) * 1e3,
                evaluate: stages[2] / Double(ticks) * 1e3, decide: stages[3] / Double(ticks) * 1e3),
            frameMicros: Report.FrameCosts(
                signature: oneCoreSeconds / Double(raw[0].count) * 1e6,
                collector: oneThreadSeconds / Double(raw[0].count) * 1e6),
            framesAccepted: accepted, framesRejected: rejected, firingTicks: firingTicks, commandsSigned: commands)
    }

    /// One job's collector, sentinel and control engine, as the control plane holds them; each pass has its own.
    struct Loop {
        var collector: TelemetryCollector
        var sentinel: Sentinel
        var engine: ControlEngine
        let control: SigningIdentity

        init(_ setup: Setup) {
            let manifest = setup.manifest
            collector = TelemetryCollector(manifest: manifest, roster: setup.roster)
            sentinel = Sentinel(
                predicates: setup.predicates, parameters: manifest.parameters, forecast: setup.policy.forecast,
                reporters: manifest.participants.reporters,
                metricKeys: manifest.metricKeys + MetricKey.frameFields.sorted())
            engine = ControlEngine(
                identity: setup.control, manifest: manifest, escalation: setup.policy.escalation,
                overrides: setup.policy.overrides)
            control = setup.control
        }

        /// What closing a tick produced, and when each step of it ended.
        struct Closed {
            let batch: SealedBatch
            let outcomes: [PredicateOutcome]
            let decision: ControlEngine.Decision
            let sealed: ContinuousClock.Instant
            let evaluated: ContinuousClock.Instant
            let decided: ContinuousClock.Instant
        }

        /// Seals `tick`, evaluates the predicates on it and decides: the part of a tick measured after its frames.
        mutating func close(tick: Int, nowMs: Int64) throws -> Closed {
            let batch = try collector.seal(tick: UInt64(tick))
            let sealed = ContinuousClock.now
            let outcomes = sentinel.evaluate(batch)
            let evaluated = ContinuousClock.now
            let decision = try engine.decide(batch: batch, outcomes: outcomes, nowMs: nowMs)
            return Closed(
                batch: batch, outcomes: outcomes, decision: decision, sealed: sealed, evaluated: evaluated,
                decided: .now)
        }

        /// The participants acknowledge every command at once, so none is resent or escalated; then the tick
        /// settles.
        mutating func acknowledge(_ decision: ControlEngine.Decision, tick: Int, nowMs: Int64) throws {
            for envelope in decision.commands {
                let command = try envelope.verify(with: control.publicIdentity).value
                for target in command.targets {
                    _ = engine.record(
                        CommandAck(
                            commandId: command.id, jobId: command.jobId, participant: target, outcome: .applied,
                            detail: nil, stateAfter: NodeState.inflight.rawValue, tick: UInt64(tick),
                            timestampMs: nowMs))
                }
            }
            _ = try engine.settle(tick: UInt64(tick), nowMs: nowMs)
        }
    }

    // MARK: - The workload

    /// The participant whose lag spikes every fourth tick (from tick 1), so `straggler` fires and the engine signs
    /// an `A-OBSERVE`, then an `A-RESUME` the tick after.
    static let stragglerIndex = 7

    /// A frame with the `dp+secagg` provider's metrics: plausible, varying values that no generated predicate flags.
    static func frame(
        of id: ParticipantID, index: Int, isAggregator: Bool, tick: Int, job: PhalanxCore.SHA256Digest, nowMs: Int64
    ) -> TelemetryFrame {
        let spent = 0.05 * Double(tick + 1) / 1_000
        let metrics: [String: Double] = [
            "sharesReceived": Double(95 + (index + tick) % 10),
            "invalidShares": 0,
            "dropouts": Double((index * 7 + tick) % 3),
            "quorumMargin": Double(20 + index % 5),
            "epsilonSpent": spent,
            "epsilonRemaining": 1 - spent,
            "deltaSpent": 1e-9 * Double(tick + 1),
            "epsilonNext": spent + 0.01,
        ]
        let straggling = index == stragglerIndex && tick % 4 == 1
        return TelemetryFrame(
            nodeId: id, seq: UInt64(tick + 1), manifestHash: job, tick: UInt64(tick),
            state: isAggregator ? AggregatorState.wait.rawValue : NodeState.inflight.rawValue, metrics: metrics,
            lagMs: straggling ? 9_000 : Double(10 + (index * 13 + tick) % 40),
            opLatencyMs: Double(1 + (index + tick) % 5), timestampMs: nowMs)
    }

    /// A metric and an open interval that holds every value of it (and its forecast) that ``frame(of:index:isAggregator:tick:job:nowMs:)`` produces.
    private static let ranges: [(key: String, low: Double, high: Double)] = [
        ("sharesReceived", 50, 200), ("invalidShares", -1, 1), ("dropouts", -10, 10), ("quorumMargin", 5, 100),
        ("epsilonSpent", -1, 1), ("epsilonRemaining", 0, 2), ("deltaSpent", -0.001, 0.001), ("epsilonNext", -1, 1),
        ("opLatencyMs", -20, 50),
    ]

    /// `guardrails.yaml` with `predicates` predicates: `straggler`, then generated ones cycling through the
    /// aggregates (any, all, count, max, min, mean), forecasts and parameters over the frame's metrics.
    static func policyText(predicates: Int) -> String {
        var parameters = ["maxLagMs: 5000", "maxOffenders: 0"]
        var rules = [
            Self.rule(
                id: "straggler", expr: "any(lagMs > params.maxLagMs)", severity: "warning", command: "A-OBSERVE")
        ]
        let commands = ["A-OBSERVE", "A-RESTRICT", "A-ABORT_JOB", "A-ISOLATE_PARTY", "A-SUSPEND"]
        let severities = ["info", "warning", "critical"]
        for i in 1..<max(predicates, 1) {
            let (key, low, high) = ranges[i % ranges.count]
            let limit = "limit\(i)"
            let template: (expr: String, value: Double)
            switch (i / ranges.count + i) % 10 {
            case 0: template = ("max(\(key)) > params.\(limit)", high)
            case 1: template = ("min(\(key)) < params.\(limit)", low)
            case 2: template = ("any(\(key) > params.\(limit))", high)
            case 3: template = ("not all(\(key) < params.\(limit))", high)
            case 4: template = ("count(\(key) > params.\(limit)) > params.maxOffenders", high)
            case 5: template = ("mean(\(key)) > params.\(limit)", high)
            case 6: template = ("max(forecast.\(key)) > params.\(limit)", high)
            case 7: template = ("min(forecast.\(key)) < params.\(limit)", low)
            case 8: template = ("any(\(key) - forecast.\(key) > params.\(limit))", high - low)
            default: template = ("mean(\(key)) + max(forecast.\(key)) > params.\(limit)", 2 * high)
            }
            parameters.append("\(limit): \(template.value)")
            rules.append(
                Self.rule(
                    id: "bench-\(i)-\(key.lowercased())", expr: template.expr, severity: severities[i % 3],
                    command: commands[i % commands.count]))
        }
        return """
            version: "bench-control"
            parameters:
            \(parameters.map { "  " + $0 }.joined(separator: "\n"))
            predicates:
            \(rules.joined(separator: "\n"))

            """
    }

    private static func rule(id: String, expr: String, severity: String, command: String) -> String {
        """
          - id: \(id)
            expr: \(expr)
            severity: \(severity)
            command: \(command)
        """
    }

    // MARK: - Measuring

    /// Seconds to check every signature of `checks` with swift-crypto on `workers` threads; all must verify.
    private static func rawVerify(_ checks: [RawCheck], workers: Int) throws -> Double {
        let start = ContinuousClock.now
        let valid = Parallel.map(checks, workers: workers) { $0.key.isValidSignature($0.signature, for: $0.message) }
        let elapsed = seconds(start, .now)
        guard valid.allSatisfy({ $0 }) else {
            throw CLIError(.internalError, "a pre-signed frame's signature did not verify")
        }
        return elapsed
    }

    static func seconds(_ from: ContinuousClock.Instant, _ to: ContinuousClock.Instant) -> Double {
        let d = from.duration(to: to).components
        return Double(d.seconds) + Double(d.attoseconds) / 1e18
    }

    /// Nearest-rank percentiles: with fewer than 100 samples, p99 is the largest.
    static func percentiles(_ samples: [Double]) -> Report.Percentiles {
        let summary = LatencySummary(samples)
        return Report.Percentiles(p50: summary.p50, p99: summary.p99, max: summary.max)
    }
}
