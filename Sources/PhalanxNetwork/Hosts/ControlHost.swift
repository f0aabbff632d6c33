import Foundation
import GRPCCore
import Logging
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxLedger
import PhalanxProviders
import PhalanxWire

/// The control plane's process: it drives every participant's ticks over the network, runs admitted jobs through
/// a ``ControlPlane`` (collector, sentinel, engine, ledger), and answers registrations, submissions and status.
///
/// Ticks are driven, not free-running: each tick the control plane asks every node, then the aggregator, to run
/// the step phase; collects; asks for the command phase; settles. A phase call returns only after the
/// participant's messages of that phase were delivered, so a tick over the network ends in the same state as a
/// tick in one process. A participant that does not answer within the tick is simply absent for it — the safety
/// loop sees its missing frames, as it would see a silent node.
public actor ControlHost: PhaseRunner {
    public let context: ParticipantContext
    private let policy: GuardrailPolicy
    private let ledger: MerkleLedger
    private let ledgerPath: String
    private let budget: PrivacyBudgetLedger
    private var tick: UInt64
    private var job: RunningJob?
    /// A submission waiting for the next tick boundary.
    private var pending:
        (
            request: Phalanx_Federation_V1_JobSubmission, plugin: PluginIR,
            progress: AsyncStream<Phalanx_Federation_V1_JobProgress>.Continuation
        )?
    private var status: [ParticipantID: Phalanx_Federation_V1_ParticipantStatus] = [:]
    private var declarations: [ParticipantID: InputSchema] = [:]
    /// Participants that registered (nodes also declare their data in ``declarations``).
    private var registered: Set<ParticipantID> = []

    /// A job being run, and where its progress goes.
    struct RunningJob {
        let plane: ControlPlane
        let manifest: JobManifest
        let plugin: PluginIR
        let startTick: UInt64
        let progress: AsyncStream<Phalanx_Federation_V1_JobProgress>.Continuation
    }

    public init(context: ParticipantContext, policy: GuardrailPolicy) async throws {
        self.context = context
        self.policy = policy
        ledgerPath = context.config.state + "/ledger.sqlite"
        ledger =
            FileManager.default.fileExists(atPath: ledgerPath)
            ? try MerkleLedger.open(path: ledgerPath, signer: context.identity)
            : try MerkleLedger.create(
                path: ledgerPath, origin: "\(context.config.federation)/audit", signer: context.identity)
        budget = try PrivacyBudgetLedger(path: context.config.state + "/budget.sqlite")
        tick = UInt64(try context.store.value("tick") ?? "0") ?? 0
        // Limits are set once; a restart keeps what the organizations already spent.
        for member in context.roster.members(withRole: .node) where (try? budget.status(participant: member.id)) == nil
        {
            try budget.setLimit(
                participant: member.id, epsilon: context.config.nodeEpsilonLimit, delta: context.config.nodeDeltaLimit)
        }
        for registration in try context.store.registrations() {
            guard let id = try? ParticipantID(registration.participant) else { continue }
            registered.insert(id)
            if let schema = try? CanonicalEncoding.decode(InputSchema.self, from: [UInt8](registration.declaredData)) {
                declarations[id] = schema
            }
        }
        // A job that was running when the control plane stopped cannot be finished: its collector, sentinel and
        // pending commands were in memory. It is recorded as aborted, in the job table and in the ledger.
        for record in try context.store.jobs() where record.state == "running" {
            var aborted = record
            aborted.state = "aborted"
            aborted.reason = "the control plane restarted during the job"
            try context.store.recordJob(aborted)
            if let digest = try? SHA256Digest(hex: record.jobId) {
                // Its privacy reservations are released: nothing of it was released after the last spend.
                for member in context.roster.members(withRole: .node) {
                    try? budget.close(job: digest, participant: member.id)
                }
                try await ledger.append(
                    .jobAborted(jobId: digest, reason: aborted.reason), tick: nil,
                    timestampMs: FederationRun.wallClock())
                try await ledger.commitBlock()
            }
            context.logger.warning(
                "aborted a job the restart interrupted", metadata: ["job": "\(record.jobId.prefix(12))"])
        }
    }

    private var nodes: [ParticipantID] {
        context.roster.members(withRole: .node).map(\.id).filter { context.config.peers[$0] != nil }
    }
    private var aggregator: ParticipantID? {
        context.roster.members(withRole: .aggregator).map(\.id).first { context.config.peers[$0] != nil }
    }

    // MARK: the tick loop

    /// Drives ticks at the configured period until cancelled.
    public func driveTicks() async {
        let period = Duration.milliseconds(context.config.tickMilliseconds)
        var next = ContinuousClock.now
        while !Task.isCancelled {
            do {
                try await runTick()
            } catch {
                context.logger.error("tick \(tick) failed", metadata: ["error": "\(error)"])
            }
            next = next.advanced(by: period)
            if next < .now { next = .now }
            try? await Task.sleep(until: next, clock: .continuous)
        }
    }

    func runTick() async throws {
        if job == nil, let submission = pending {
            pending = nil
            await admit(submission.request, plugin: submission.plugin, progress: submission.progress)
        }
        if job == nil {
            // Between jobs nothing reads the mailbox: frames of a finished job, late acks. Discard them rather
            // than let them pile up and be rejected wholesale by the next job's collector.
            _ = await context.transport.drain(context.config.id)
        }
        tick += 1
        let tick = tick
        try context.store.setValue(String(tick), for: "tick")
        context.metrics.tick(tick)
        let jobHex = job?.manifest.hash.hex ?? ""
        var events: [String] = []
        let nodeReports = await phase(.step, tick: tick, jobHex: jobHex, on: nodes)
        var reports = nodeReports
        if let aggregator {
            reports.merge(await phase(.step, tick: tick, jobHex: jobHex, on: [aggregator])) { $1 }
        }
        for report in reports.values { events += report.events }
        if let job {
            if let aggregator, let report = reports[aggregator], tick > job.startTick + 1,
                report.jobID != job.manifest.hash.hex, await job.plane.result == nil
            {
                await job.plane.requestAbort(reason: "the aggregator restarted and lost the job's state")
            }
            try await job.plane.collect(tick: tick)
        }
        let commandReports = await phase(
            .commands, tick: tick, jobHex: jobHex, on: nodes + (aggregator.map { [$0] } ?? []))
        for report in commandReports.values { events += report.events }
        reports.merge(commandReports) { $1 }
        if let job {
            try await job.plane.settle(tick: tick)
            for event in await job.plane.takeEvents() {
                if let line = event.summary { events.append(line) }
                context.metrics.count(event)
            }
            try await finishIfDone(job, reports: reports, events: events)
        }
        context.metrics.ledger(size: await ledger.size, bytes: LedgerFile.bytes(atPath: ledgerPath))
    }

    /// Runs `phase` on every participant in `targets` at once; those that fail or time out are absent.
    private func phase(
        _ phase: Phalanx_Federation_V1_TickPhase, tick: UInt64, jobHex: String, on targets: [ParticipantID]
    ) async -> [ParticipantID: Phalanx_Federation_V1_PhaseReport] {
        let request = {
            var request = Phalanx_Federation_V1_PhaseRequest()
            request.tick = tick
            request.phase = phase
            request.jobID = jobHex
            return request
        }()
        let clients = context.clients
        let timeout = ParticipantContext.phaseTimeout(.milliseconds(context.config.tickMilliseconds))
        let results = await withTaskGroup(
            of: (ParticipantID, Result<Phalanx_Federation_V1_PhaseReport, any Error>).self
        ) { group in
            for target in targets {
                group.addTask {
                    do {
                        let client = try await clients.participant(target)
                        return (
                            target, .success(try await client.runPhase(request, options: .failFast(timeout: timeout)))
                        )
                    } catch {
                        return (target, .failure(error))
                    }
                }
            }
            var results: [(ParticipantID, Result<Phalanx_Federation_V1_PhaseReport, any Error>)] = []
            for await result in group { results.append(result) }
            return results
        }
        var reports: [ParticipantID: Phalanx_Federation_V1_PhaseReport] = [:]
        for (target, result) in results {
            var entry = status[target] ?? Phalanx_Federation_V1_ParticipantStatus()
            entry.participant = target.rawValue
            entry.role = context.roster.identity(for: target)?.role.rawValue ?? "?"
            entry.address = context.config.peers[target]?.description ?? ""
            switch result {
            case .success(let report):
                if !entry.reachable, entry.lastSeenTick > 0 {
                    context.logger.notice("\(target) is reachable again")
                }
                entry.reachable = true
                entry.state = report.state
                entry.lastSeenTick = tick
                entry.inFallback = report.inFallback
                if report.partitionTicks > 0 {
                    context.logger.warning(
                        "\(target) reports it was cut off for \(report.partitionTicks) ticks and ran on its conservative fallback"
                    )
                }
                reports[target] = report
            case .failure(let error):
                if entry.reachable || entry.lastSeenTick == 0 || tick % 20 == 0 {
                    context.logger.warning(
                        "\(target) did not answer the \(phase) phase",
                        metadata: ["error": "\(NetworkTransport.summary(error))"])
                }
                entry.reachable = false
            }
            status[target] = entry
        }
        return reports
    }

    private func finishIfDone(
        _ job: RunningJob, reports: [ParticipantID: Phalanx_Federation_V1_PhaseReport], events: [String]
    ) async throws {
        var update = Phalanx_Federation_V1_JobTick()
        update.tick = tick
        update.events = events
        for (id, report) in reports { update.states[id.rawValue] = report.state }
        var progress = Phalanx_Federation_V1_JobProgress()
        progress.tick = update
        job.progress.yield(progress)

        let isolated = await job.plane.isolated
        let aggregatorDone =
            aggregator.flatMap { reports[$0] }.map { ["FINALIZE", "ABORTED"].contains($0.state) } ?? false
        let result = await job.plane.result
        let abortReason = await job.plane.abortReason
        // Every node not isolated has finished (an unreachable one is waited for until the safety loop isolates
        // it or the deadline aborts the job).
        let nodesDone = job.manifest.participants.nodes.allSatisfy { node in
            isolated.contains(node) || reports[node].map { ["DONE", "ABORTED"].contains($0.state) } ?? false
        }
        // The control plane aborts a job at its deadline (12 ticks a round, plus 8); participants then leave it.
        // Eight ticks later the job is closed even if some never answered (all of them dead, say): a job ends.
        let hardStop = tick > job.startTick + UInt64(job.manifest.rounds) * 12 + 16
        guard (aggregatorDone && nodesDone) || hardStop else { return }
        context.logger.debug(
            "job ends",
            metadata: [
                "aggregatorDone": "\(aggregatorDone)", "nodesDone": "\(nodesDone)", "hardStop": "\(hardStop)",
                "tick": "\(tick)", "start": "\(job.startTick)", "states": "\(reports.mapValues(\.state))",
            ])
        var finished = Phalanx_Federation_V1_JobFinished()
        finished.ticks = tick - job.startTick
        if let result, let envelope = await job.plane.resultEnvelope {
            finished.outcome = "finalized"
            finished.result = WireCodec.signed(envelope)
            _ = result
        } else {
            finished.outcome = "aborted"
            finished.reason = abortReason ?? "the job did not conclude by its deadline"
        }
        let checkpoint = try await ledger.commitBlock()
        finished.checkpoint = checkpoint.rendered
        try context.store.recordJob(
            StateStore.JobRecord(
                jobId: job.manifest.hash.hex, plugin: "\(job.plugin.name)@\(job.plugin.version)",
                provider: job.manifest.executionProvider, state: finished.outcome, reason: finished.reason,
                startedTick: job.startTick, ticks: finished.ticks))
        context.metrics.job(outcome: finished.outcome)
        recordBudgets()
        context.logger.notice(
            "job \(job.manifest.hash.short)… \(finished.outcome) after \(finished.ticks) ticks",
            metadata: finished.reason.isEmpty ? [:] : ["reason": "\(finished.reason)"])
        var last = Phalanx_Federation_V1_JobProgress()
        last.finished = finished
        job.progress.yield(last)
        job.progress.finish()
        self.job = nil
    }

    private func recordBudgets() {
        for node in nodes {
            if let status = try? budget.status(participant: node) {
                context.metrics.budget(
                    participant: node.rawValue, epsilonSpent: status.epsilonSpent, epsilonLimit: status.epsilonLimit)
            }
        }
    }

    // MARK: the Control service's operations

    func register(
        _ request: Phalanx_Federation_V1_Registration, peer: PeerIdentity
    ) throws
        -> Phalanx_Federation_V1_RegistrationReceipt
    {
        guard request.participant == peer.id.rawValue else {
            throw RPCError(
                code: .permissionDenied, message: "\(peer.id) cannot register as \(request.participant)")
        }
        if peer.role == .node {
            do {
                declarations[peer.id] = try CanonicalEncoding.decode(
                    InputSchema.self, from: [UInt8](request.declaredData))
            } catch {
                throw RPCError(code: .invalidArgument, message: "Registration.declared_data: \(error)")
            }
        }
        try context.store.register(participant: peer.id.rawValue, declaredData: request.declaredData, tick: tick)
        registered.insert(peer.id)
        context.logger.info("\(peer.id) registered", metadata: ["role": "\(peer.role.rawValue)"])
        var receipt = Phalanx_Federation_V1_RegistrationReceipt()
        receipt.tick = tick
        return receipt
    }

    /// Queues a job for admission at the next tick boundary and returns the stream of its progress. Malformed
    /// submissions are refused at once; a refusal at admission is the stream's only element.
    func submit(_ request: Phalanx_Federation_V1_JobSubmission) throws -> AsyncStream<Phalanx_Federation_V1_JobProgress>
    {
        if let job {
            throw RPCError(
                code: .failedPrecondition,
                message: "job \(job.manifest.hash.short)… is running; submit again when it has ended")
        }
        guard pending == nil else {
            throw RPCError(
                code: .failedPrecondition, message: "another job is being admitted; submit again when it has ended")
        }
        let plugin: PluginIR
        do {
            plugin = try CanonicalEncoding.decode(PluginIR.self, from: [UInt8](request.plugin))
        } catch {
            throw RPCError(code: .invalidArgument, message: "JobSubmission.plugin is not a plug-in IR: \(error)")
        }
        guard (1...1_000).contains(request.rounds) else {
            throw RPCError(
                code: .invalidArgument, message: "JobSubmission.rounds must be 1–1000, got \(request.rounds)")
        }
        let (stream, continuation) = AsyncStream<Phalanx_Federation_V1_JobProgress>.makeStream()
        pending = (request, plugin, continuation)
        return stream
    }

    /// Admits a queued submission at a tick boundary, so that every phase of a tick sees the same job (a job
    /// admitted mid-tick would look, to the participants called before it, like a job the control plane dropped).
    private func admit(
        _ request: Phalanx_Federation_V1_JobSubmission, plugin: PluginIR,
        progress continuation: AsyncStream<Phalanx_Federation_V1_JobProgress>.Continuation
    ) async {
        func refuse(_ reason: String) {
            var finished = Phalanx_Federation_V1_JobFinished()
            finished.outcome = "refused"
            finished.reason = reason
            var progress = Phalanx_Federation_V1_JobProgress()
            progress.finished = finished
            continuation.yield(progress)
            continuation.finish()
            context.metrics.job(outcome: "refused")
            context.logger.notice("refused a job", metadata: ["reason": "\(reason)"])
        }
        guard let aggregator else { return refuse("the federation has no aggregator in this configuration") }
        // The job's nodes: those that answered the last tick and declared their data.
        let active = nodes.filter { status[$0]?.reachable == true && declarations[$0] != nil }
        guard active.count >= 2 else {
            return refuse(
                "only \(active.count) node(s) are up and registered (\(active.map(\.rawValue).joined(separator: ", "))); a job needs at least 2"
            )
        }
        let providers: ProviderRegistry
        do {
            providers = try FederationRun.calibrated(
                .builtIn, providerName: request.provider, plugin: plugin,
                epsilon: request.epsilon > 0 ? request.epsilon : 0.9, delta: request.delta > 0 ? request.delta : 1e-6,
                dropoutFraction: 0.2)
        } catch {
            return refuse("\(error)")
        }
        guard let provider = providers.provider(named: request.provider) else {
            return refuse(
                "unknown execution provider \"\(request.provider)\"; available: \(providers.names.joined(separator: ", "))"
            )
        }
        let plane = ControlPlane(
            identity: context.identity, roster: context.roster, providers: providers, policy: policy,
            transport: context.transport, ledger: ledger, budget: budget, clock: FederationRun.wallClock)
        for (node, schema) in declarations where active.contains(node) { await plane.declareData(node, schema: schema) }
        let manifest: JobManifest
        do {
            (manifest, _) = try JobAdmission.makeManifest(
                plugin: plugin, provider: provider.descriptor, policy: policy,
                participants: ParticipantSet(nodes: active, aggregator: aggregator, control: context.config.id),
                rounds: Int(request.rounds), providerImplementation: provider)
            _ = try await plane.submit(manifest: manifest, plugin: plugin)
        } catch {
            return refuse("\(error)")
        }
        await plane.setDeadline(tick: tick + UInt64(request.rounds) * 12 + 8)
        var admitted = Phalanx_Federation_V1_JobAdmitted()
        admitted.jobID = manifest.hash.hex
        admitted.plugin = "\(plugin.name)@\(plugin.version)"
        admitted.provider = manifest.executionProvider
        admitted.participants = active.map(\.rawValue)
        var progress = Phalanx_Federation_V1_JobProgress()
        progress.admitted = admitted
        continuation.yield(progress)
        job = RunningJob(plane: plane, manifest: manifest, plugin: plugin, startTick: tick, progress: continuation)
        do {
            try context.store.recordJob(
                StateStore.JobRecord(
                    jobId: manifest.hash.hex, plugin: admitted.plugin, provider: admitted.provider, state: "running",
                    reason: "", startedTick: tick, ticks: 0))
        } catch {
            context.logger.error("cannot record the job in the state store", metadata: ["error": "\(error)"])
        }
        context.logger.notice(
            "admitted job \(manifest.hash.short)…",
            metadata: ["plugin": "\(admitted.plugin)", "provider": "\(admitted.provider)"])
    }

    func statusReport() async throws -> Phalanx_Federation_V1_StatusReport {
        var report = Phalanx_Federation_V1_StatusReport()
        report.federation = context.config.federation
        report.tick = tick
        report.participants = (nodes + (aggregator.map { [$0] } ?? [])).map { id in
            var entry =
                status[id]
                ?? {
                    var entry = Phalanx_Federation_V1_ParticipantStatus()
                    entry.participant = id.rawValue
                    entry.role = context.roster.identity(for: id)?.role.rawValue ?? "?"
                    entry.address = context.config.peers[id]?.description ?? ""
                    return entry
                }()
            entry.registered = declarations[id] != nil || registered.contains(id)
            return entry
        }
        report.jobs = try context.store.jobs().map { record in
            var job = Phalanx_Federation_V1_JobStatus()
            job.jobID = record.jobId
            job.plugin = record.plugin
            job.provider = record.provider
            job.state = record.state
            job.reason = record.reason
            job.ticks = record.state == "running" ? tick - record.startedTick : record.ticks
            return job
        }
        report.ledgerSize = await ledger.size
        report.checkpoint = try await ledger.latestCheckpoint()?.rendered ?? ""
        return report
    }

    // MARK: PhaseRunner (the control plane drives itself)

    public func runPhase(
        _ request: Phalanx_Federation_V1_PhaseRequest
    ) async throws
        -> Phalanx_Federation_V1_PhaseReport
    {
        throw RPCError(
            code: .failedPrecondition, message: "the control plane drives ticks; it does not run them on request")
    }

    public func health() async -> Phalanx_Federation_V1_HealthReport {
        var report = Phalanx_Federation_V1_HealthReport()
        report.participant = context.config.id.rawValue
        report.role = "control"
        report.status = "SERVING"
        report.lastTick = tick
        report.version = PhalanxNetworkVersion.current
        return report
    }
}
