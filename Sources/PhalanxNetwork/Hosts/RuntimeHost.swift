import Foundation
import Logging
import PhalanxControl
import PhalanxCore
import PhalanxWire

/// Hosts a node's or the aggregator's runtime in its own process: runs the tick phases the control plane asks
/// for, starts a fresh runtime for each announced job, records the job's state for restarts, and (for a node)
/// watches for a lost control plane.
public actor RuntimeHost<Runtime: HostedRuntime>: PhaseRunner {
    private let context: ParticipantContext
    private let makeRuntime: @Sendable () -> Runtime
    private var runtime: Runtime
    private var lastTick: UInt64 = 0
    private var lastContact = ContinuousClock.now
    private var fallbackSince: ContinuousClock.Instant?
    /// Ticks spent cut off, reported once to the control plane after reconnecting.
    private var partitionTicksToReport: UInt64 = 0

    /// The node's local safety agent, when its configuration names one.
    private let agentRelay: AgentRelay?

    public init(context: ParticipantContext, makeRuntime: @escaping @Sendable () -> Runtime) throws {
        self.context = context
        self.agentRelay = context.config.agent.map {
            AgentRelay(address: $0, identity: context.identity, logger: context.logger)
        }
        self.makeRuntime = makeRuntime
        self.runtime = makeRuntime()
        // A job this participant was in when it stopped cannot be resumed: its provider secrets were only in
        // memory. Record it as aborted so it is never mistaken for a live one.
        let terminal: Set<String> = ["DONE", "ABORTED", "FINALIZE", "IDLE"]
        for (jobId, state) in try context.store.unfinishedParticipantJobs(terminal: terminal) {
            context.logger.warning(
                "restarted mid-job: the job's secrets are gone, so it is abandoned (the control plane aborts it)",
                metadata: ["job": "\(jobId.prefix(12))", "state": "\(state)"])
            try context.store.recordParticipantJob(jobId: jobId, state: "ABORTED", tick: 0)
        }
    }

    public func runPhase(
        _ request: Phalanx_Federation_V1_PhaseRequest
    ) async throws
        -> Phalanx_Federation_V1_PhaseReport
    {
        await reconnected()
        lastTick = request.tick
        context.metrics.tick(request.tick)
        var events: [String] = []
        if let jobId = await runtime.jobId, jobId.hex != request.jobID, !(await runtime.isTerminal) {
            let reason = "the control plane no longer runs job \(jobId.short)… (it restarted); aborted, secrets wiped"
            if try await runtime.abandon(reason: reason) {
                context.logger.warning("abandoned a job", metadata: ["job": "\(jobId.short)", "reason": "\(reason)"])
            }
        }
        // A finished job needs nothing more once the control plane has moved on (no job, or another one): stepping
        // it would only send its frames and, for the aggregator, its result again, every tick, until the next job.
        let terminal = await runtime.isTerminal
        let finishedJob = await runtime.jobId
        let announced = await context.transport.hasAnnouncement
        let finishedAndDropped = terminal && finishedJob.map { $0.hex != request.jobID } == true && !announced
        switch request.phase {
        case _ where finishedAndDropped:
            _ = await context.transport.drain(context.config.id)
        case .step:
            // A new job needs a fresh runtime (each job's machines start in their initial state).
            if await runtime.isTerminal, await context.transport.hasAnnouncement { runtime = makeRuntime() }
            try await runtime.step(tick: request.tick, tickStart: .now)
        case .commands:
            try await runtime.handleCommands(tick: request.tick)
        case .unspecified, .UNRECOGNIZED:
            throw ConfigError(file: "PhaseRequest", line: nil, message: "phase \(request.phase) is not a tick phase")
        }
        for event in await runtime.takeEvents() {
            if case .transition(_, _, _, AggregatorEvent.contributionsComplete.rawValue, _) = event {
                context.metrics.round()
            }
            if let line = event.summary {
                events.append(line)
                context.logger.info("\(line)")
            }
        }
        if let agentRelay {
            // After the commands phase: the ladder commands just applied, and this tick's heartbeat.
            let commands = await runtime.takeLadderCommands()
            if request.phase == .commands || !commands.isEmpty {
                let tick = request.tick
                Task { await agentRelay.relay(commands, tick: tick) }
            }
        }
        var report = Phalanx_Federation_V1_PhaseReport()
        report.participant = context.config.id.rawValue
        report.tick = request.tick
        report.state = await runtime.stateName
        report.holdsJobSecrets = await runtime.holdsJobSecrets
        report.events = events
        report.inFallback = partitionTicksToReport > 0
        report.partitionTicks = partitionTicksToReport
        partitionTicksToReport = 0
        if let jobId = await runtime.jobId {
            report.jobID = jobId.hex
            try context.store.recordParticipantJob(jobId: jobId.hex, state: report.state, tick: request.tick)
        }
        return report
    }

    public func health() async -> Phalanx_Federation_V1_HealthReport {
        var report = Phalanx_Federation_V1_HealthReport()
        report.participant = context.config.id.rawValue
        report.role = context.config.role.rawValue
        report.status = "SERVING"
        report.lastTick = lastTick
        report.version = PhalanxNetworkVersion.current
        return report
    }

    /// Checks, once a tick, whether the control plane has been silent for the configured number of ticks; if so
    /// the node enters its fallback (seed 001) until the next phase call arrives.
    public func watchPartition() async {
        let tick = Duration.milliseconds(context.config.tickMilliseconds)
        // A live control plane reaches every node once a tick, but a tick lasts longer than its period when a
        // participant is slow to answer — up to the phase timeout. Silence shorter than that is not a partition.
        let limit = max(tick * context.config.partitionAfterTicks, ParticipantContext.phaseTimeout(tick))
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            guard fallbackSince == nil, ContinuousClock.now - lastContact > limit else { continue }
            fallbackSince = lastContact
            await runtime.setFallback(true)
            context.metrics.fallback(true)
            context.logger.warning(
                "lost the control plane: no tick for \(context.config.partitionAfterTicks) ticks; running on the conservative fallback (agent restricted, no job progress)"
            )
        }
    }

    private func reconnected() async {
        lastContact = .now
        guard let since = fallbackSince else { return }
        let elapsed = ContinuousClock.now - since
        let ticks = UInt64(max(1, elapsed / .milliseconds(context.config.tickMilliseconds)))
        partitionTicksToReport = ticks
        fallbackSince = nil
        context.metrics.fallback(false)
        context.logger.notice("the control plane is back after \(ticks) ticks; fallback lifted")
        await runtime.setFallback(false)
    }

    /// Whether the node is on its fallback now.
    public var inFallback: Bool { fallbackSince != nil }
}

/// The version the `Health` RPC reports.
public enum PhalanxNetworkVersion {
    public static let current = "phalanx 0.8 (federation protocol v1)"
}
