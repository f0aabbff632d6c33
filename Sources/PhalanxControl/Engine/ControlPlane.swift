import PhalanxCore
import PhalanxLedger
import PhalanxProviders

/// The control plane of one federation: admission, the telemetry collector, the sentinel, the control engine
/// and the audit ledger, talking to participants only through a ``MessageTransport``.
///
/// Each tick has two phases, driven from outside: ``collect(tick:)`` seals the tick's frames, evaluates the
/// predicates and dispatches commands or the release clearance; after participants handled their commands,
/// ``settle(tick:)`` gathers the acks (a missing ack is itself recorded) and commits the audit block.
public actor ControlPlane {
    public let identity: SigningIdentity
    public let roster: FederationRoster
    public let providers: ProviderRegistry
    public let policy: GuardrailPolicy
    private let transport: any MessageTransport
    private let clock: @Sendable () -> Int64
    /// The audit ledger every record goes to; a checkpoint is signed at the end of each tick.
    public let ledger: any AuditLedger
    private var abortRecorded = false
    private var events: [JobEvent] = []

    /// Returns the events since the last call, oldest first.
    public func takeEvents() -> [JobEvent] {
        defer { events = [] }
        return events
    }

    private var job: AdmittedJob?
    /// Messages that arrived during the command phase, kept for the next collection.
    private var carriedOver: [Delivery] = []
    /// Metrics the aggregator attributed to participants since the last sealed tick.
    private var attributed: [ParticipantID: [String: Double]] = [:]
    /// A failed secure sum reported by the aggregator, or a passed deadline: the job must abort.
    private var providerFailure: String?
    /// The tick by which the job must have concluded; the control plane aborts it then (liveness: every job ends).
    public private(set) var deadlineTick: UInt64?

    /// Asks for the job to be aborted at the next collection (every participant gets `A-ABORT_JOB`), e.g. because
    /// the aggregator restarted and lost the job's state. The first reason given is the one recorded.
    public func requestAbort(reason: String) {
        providerFailure = providerFailure ?? reason
    }

    /// Sets the tick by which the admitted job must have been cleared; at that tick it is aborted instead.
    public func setDeadline(tick: UInt64) { deadlineTick = tick }
    /// Nodes' privacy budgets: reserved at admission, spent per release, closed at the end.
    private let budget: PrivacyBudgetLedger?
    /// Releases counted per node so far (privacy is spent per release of a round the node contributed to).
    private var releases: [ParticipantID: Int] = [:]
    private var budgetClosed = false
    private var collector: TelemetryCollector?
    private var sentinel: Sentinel?
    private var engine: ControlEngine?
    /// The aggregator's published result, once verified.
    public private(set) var result: JobResult?
    /// The aggregator's signed result as received, so anyone can check it without trusting the control plane.
    public private(set) var resultEnvelope: Signed<JobResult>?
    public private(set) var abortReason: String?

    public init(
        identity: SigningIdentity,
        roster: FederationRoster,
        providers: ProviderRegistry,
        policy: GuardrailPolicy,
        transport: any MessageTransport,
        ledger: any AuditLedger,
        budget: PrivacyBudgetLedger? = nil,
        clock: @escaping @Sendable () -> Int64
    ) {
        self.identity = identity
        self.roster = roster
        self.providers = providers
        self.policy = policy
        self.transport = transport
        self.ledger = ledger
        self.budget = budget
        self.clock = clock
    }

    public var admittedJob: AdmittedJob? { job }

    /// What each node said it holds: its tables' names, columns, kinds, domains and ranges — never rows.
    private var declarations: [ParticipantID: InputSchema] = [:]

    /// Records the data `node` holds, which admission checks every plug-in's input schema against before any data
    /// moves.
    public func declareData(_ node: ParticipantID, schema: InputSchema) {
        declarations[node] = schema
    }
    public var rejectionCounts: [FrameRejection: Int] { collector?.rejectionCounts ?? [:] }
    public var missingCounts: [ParticipantID: Int] { collector?.missingCounts ?? [:] }
    /// Participants isolated from the job; the job no longer waits for them.
    public var isolated: Set<ParticipantID> { engine?.isolated ?? [] }

    /// Admits the job, records it, and announces it to every participant. Refusals are recorded too.
    public func submit(manifest: JobManifest, plugin: PluginIR) async throws -> AdmittedJob {
        let admitted: AdmittedJob
        do {
            admitted = try JobAdmission.admit(
                manifest: manifest, plugin: plugin, providers: providers, policy: policy, roster: roster,
                declarations: declarations.isEmpty ? nil : declarations)
        } catch {
            events.append(.refused(error))
            try await ledger.append(
                .jobRejected(jobId: manifest.hash, reason: error.description), tick: nil, timestampMs: clock())
            throw error
        }
        if let plan = manifest.privacy {
            try await reserveBudget(plan, manifest: manifest, plugin: plugin)
        }
        job = admitted
        collector = TelemetryCollector(manifest: manifest, roster: roster)
        let parameters = manifest.parameters
        sentinel = Sentinel(
            predicates: admitted.predicates, parameters: parameters, forecast: policy.forecast,
            reporters: manifest.participants.reporters,
            metricKeys: manifest.metricKeys + MetricKey.frameFields.sorted(),
            absenceTracked: manifest.participants.nodes
        )
        engine = ControlEngine(
            identity: identity, manifest: manifest, escalation: policy.escalation, overrides: policy.overrides)
        let selection = policy.selection(availableMetricKeys: Set(manifest.metricKeys).union(MetricKey.alwaysAvailable))
        events.append(
            .admitted(
                jobId: admitted.jobId, plugin: "\(plugin.name)@\(plugin.version)",
                provider: admitted.provider.descriptor,
                enabled: admitted.predicates.map(\.id),
                disabled: selection.disabled.map { ($0.rule.id, $0.missingKeys) }
            )
        )
        try await ledger.append(
            .jobAdmitted(
                jobId: admitted.jobId, plugin: "\(plugin.name)@\(plugin.version)", provider: manifest.executionProvider,
                predicates: manifest.predicates),
            tick: nil, timestampMs: clock()
        )
        let announcement = try Signed(
            signing: JobAnnouncement(issuer: identity.id, manifest: manifest, plugin: plugin), with: identity)
        for participant in manifest.participants.reporters {
            try await transport.send(.announcement(announcement), from: identity.id, to: participant)
        }
        events.append(.announced(jobId: admitted.jobId, participants: manifest.participants.reporters.count))
        try await ledger.commitBlock()
        return admitted
    }

    /// Phase 1 of a tick: verify and seal frames, evaluate predicates, dispatch commands or the clearance.
    public func collect(tick: UInt64) async throws {
        guard let job, var collector, var sentinel, var engine else { return }
        let deliveries = carriedOver + (await transport.drain(identity.id))
        carriedOver = []
        // The signatures of the tick's frames are checked up front on every core; the stateful checks still run
        // below, in delivery order, so the results and events are those of checking one frame at a time.
        var frames = collector.preverify(
            deliveries.compactMap { delivery in
                if case .frame(let envelope) = delivery.message { envelope } else { nil }
            }
        )[...]
        for delivery in deliveries {
            switch delivery.message {
            case .frame(let envelope):
                let frame = frames.popFirst() ?? PreverifiedFrame(envelope: envelope, check: nil)
                if case .failure(let reason) = collector.ingest(frame, tick: tick, nowMs: clock()) {
                    events.append(.frameRejected(tick: tick, signer: envelope.signer, reason: reason))
                }
            case .ack(let envelope):
                try await receiveAck(envelope, tick: tick, engine: &engine)
            case .result(let envelope):
                try await receiveResult(envelope, job: job, tick: tick)
            case .aggregationStep(let envelope):
                try await receiveAggregationStep(envelope, job: job, tick: tick)
            case .incident(let envelope):
                try await receiveIncident(envelope, job: job, tick: tick)
            case .override(let request):
                try await receiveOverride(request, tick: tick, engine: &engine)
            default:
                events.append(
                    .messageRefused(
                        participant: identity.id, kind: delivery.message.kind,
                        reason: "the control plane does not accept this message"))
            }
        }
        let batch = try collector.seal(tick: tick)
        events.append(
            .tickSealed(
                tick: tick, accepted: batch.frames.count, rejected: batch.rejected.values.reduce(0, +),
                missing: batch.missing))
        try await ledger.append(
            .framesSealed(
                jobId: job.jobId, tick: tick, frames: batch.digests,
                rejected: Dictionary(uniqueKeysWithValues: batch.rejected.map { ($0.key.rawValue, $0.value) }),
                missing: batch.missing),
            tick: tick, timestampMs: clock()
        )
        let outcomes = batch.frames.isEmpty ? [] : sentinel.evaluate(batch, attributed: attributed)
        attributed.removeAll()
        for outcome in outcomes {
            guard case .pending(let held) = outcome.status else { continue }
            events.append(
                .predicatePending(
                    tick: tick, predicate: outcome.rule.id, heldTicks: held, needed: outcome.rule.pendingFor.ticks + 1))
        }
        for outcome in outcomes where outcome.holds {
            let offenders = outcome.evaluation?.offenders ?? []
            events.append(
                .predicateHeld(
                    tick: tick, predicate: outcome.rule.id, severity: outcome.rule.severity.rawValue,
                    command: outcome.rule.command,
                    trace: (outcome.evaluation?.trace ?? []) + [outcome.failure].compactMap { $0 }, offenders: offenders
                )
            )
            try await ledger.append(
                .predicateFired(
                    jobId: job.jobId, tick: tick, predicate: outcome.rule.id,
                    offenders: offenders.compactMap { try? ParticipantID($0) }),
                tick: tick, timestampMs: clock()
            )
        }
        var decision = try engine.decide(batch: batch, outcomes: outcomes, nowMs: clock())
        if providerFailure == nil, let deadline = deadlineTick, tick >= deadline {
            providerFailure =
                "the job made no progress by its deadline (tick \(deadline)); aborting rather than waiting forever"
        }
        if let failure = providerFailure, let abort = try engine.abortJob(reason: failure, tick: tick, nowMs: clock()) {
            decision.commands.append(abort)
            decision.clearance = nil
        }
        for applied in decision.overrides {
            if applied.command.kind == .setParameter, let name = applied.command.parameter,
                let value = applied.command.value
            {
                sentinel.setParameter(name, to: value)
            }
            events.append(
                .overrideApplied(tick: tick, command: applied.command, approvers: applied.approvals.keys.sorted()))
        }
        try await dispatch(decision.commands, tick: tick, collector: &collector)
        if let clearance = decision.clearance {
            if !decision.clearanceIsResend {
                try await ledger.append(
                    .releaseCleared(jobId: job.jobId, tick: tick, digest: clearance.digest), tick: tick,
                    timestampMs: clock())
                events.append(.clearanceIssued(tick: tick))
            }
            try await transport.send(.clearance(clearance), from: identity.id, to: job.manifest.participants.aggregator)
        }
        self.collector = collector
        self.sentinel = sentinel
        self.engine = engine
    }

    /// Records and sends signed commands to their targets; an isolation also closes the collector to its subject.
    private func dispatch(
        _ commands: [Signed<ACommand>], tick: UInt64, collector: inout TelemetryCollector
    )
        async throws
    {
        for envelope in commands {
            let command = try envelope.verify(with: identity.publicIdentity).value
            if command.kind == .isolateParty, let subject = command.subject { collector.isolate(subject) }
            try await ledger.append(
                .commandIssued(
                    jobId: command.jobId, command: command.id, kind: command.kind, predicate: command.predicate,
                    targets: command.targets, digest: envelope.digest),
                tick: tick, timestampMs: clock()
            )
            events.append(.commandIssued(tick: tick, command: command))
            for target in command.targets {
                try await transport.send(.command(envelope), from: identity.id, to: target)
            }
            if command.kind == .abortJob, abortReason == nil {
                abortReason =
                    command.predicate.map { "guard-rail \($0) fired: \(command.reason)" }
                    ?? "aborted: \(command.reason)"
            }
        }
    }

    /// Phase 2 of a tick: gather acks, record missing ones, commit the tick's audit block.
    public func settle(tick: UInt64) async throws {
        guard let job, var engine else { return }
        for delivery in await transport.drain(identity.id) {
            switch delivery.message {
            case .ack(let envelope): try await receiveAck(envelope, tick: tick, engine: &engine)
            case .result(let envelope): try await receiveResult(envelope, job: job, tick: tick)
            case .aggregationStep(let envelope): try await receiveAggregationStep(envelope, job: job, tick: tick)
            // Frames that arrive during the command phase belong to the next tick's collection.
            default: carriedOver.append(delivery)
            }
        }
        let settlement = try engine.settle(tick: tick, nowMs: clock())
        for (command, participant) in settlement.missing {
            events.append(.ackMissing(tick: tick, participant: participant, command: command.id))
            try await ledger.append(
                .ackMissing(command: command.id, participant: participant), tick: tick, timestampMs: clock())
        }
        for (envelope, participant, attempt) in settlement.resend {
            let id = try envelope.verify(with: identity.publicIdentity).value.id
            events.append(.commandResent(tick: tick, participant: participant, command: id, attempt: attempt))
            try await ledger.append(
                .commandResent(command: id, participant: participant, attempt: attempt), tick: tick,
                timestampMs: clock())
            try await transport.send(.command(envelope), from: identity.id, to: participant)
        }
        if !settlement.escalations.isEmpty, var collector {
            try await dispatch(settlement.escalations, tick: tick, collector: &collector)
            self.collector = collector
        }
        if case .aborting = engine.concluded, let abortReason,
            !abortRecorded
        {
            try await ledger.append(
                .jobAborted(jobId: job.jobId, reason: abortReason), tick: tick, timestampMs: clock())
            abortRecorded = true
            events.append(.aborted(reason: abortReason))
            closeBudget(job)
        }
        try await ledger.commitBlock()
        self.engine = engine
    }

    private func receiveOverride(_ request: OverrideRequest, tick: UInt64, engine: inout ControlEngine) async throws {
        switch engine.receiveOverride(request, roster: roster) {
        case .success(let verified):
            let command = verified.command
            try await ledger.append(
                .override(
                    operator: command.issuer, command: command.id, kind: command.kind, reason: command.reason,
                    digest: verified.envelope.digest), tick: tick, timestampMs: clock())
            for (approver, digest) in verified.approvals.sorted(by: { $0.key < $1.key }) {
                try await ledger.append(
                    .overrideApproved(operator: approver, command: command.id, digest: digest), tick: tick,
                    timestampMs: clock())
            }
        case .failure(let refusal):
            events.append(.overrideRefused(tick: tick, operatorID: refusal.operatorID, reason: refusal.message))
            try await ledger.append(
                .overrideRefused(
                    operator: refusal.operatorID,
                    command: refusal.command, reason: refusal.message), tick: tick,
                timestampMs: clock())
        }
    }

    private func receiveAck(_ envelope: Signed<CommandAck>, tick: UInt64, engine: inout ControlEngine) async throws {
        let ack: CommandAck
        do {
            ack = try envelope.verify(with: roster).value
        } catch {
            events.append(.messageRefused(participant: identity.id, kind: "ack", reason: error.description))
            return
        }
        guard engine.record(ack) else {
            events.append(
                .messageRefused(
                    participant: identity.id, kind: "ack",
                    reason: "unexpected ack from \(ack.participant) for \(ack.commandId)"))
            return
        }
        events.append(
            .ackReceived(tick: tick, participant: ack.participant, command: ack.commandId, outcome: ack.outcome))
        try await ledger.append(
            .ackReceived(
                command: ack.commandId, participant: ack.participant, outcome: ack.outcome, digest: envelope.digest),
            tick: tick, timestampMs: clock())
    }

    private func receiveAggregationStep(
        _ envelope: Signed<AggregationStep>, job: AdmittedJob, tick: UInt64
    ) async throws {
        guard envelope.signer == job.manifest.participants.aggregator,
            let verified = try? envelope.verify(with: roster),
            verified.value.jobId == job.jobId
        else {
            events.append(
                .messageRefused(
                    participant: identity.id, kind: "aggregation-step",
                    reason: "not a valid aggregation step of this job"))
            return
        }
        let step = verified.value
        events.append(.roundMerged(round: step.round, contributors: step.contributors))
        try await spendBudget(for: step, job: job, tick: tick)
        try await ledger.append(
            .aggregationStep(
                jobId: job.jobId, round: step.round, contributors: step.contributors, mergedDigest: step.mergedDigest),
            tick: tick, timestampMs: clock()
        )
    }

    /// Reserves the job's worst case for every node, all or nothing; a refusal is an admission refusal.
    private func reserveBudget(_ plan: PrivacyPlan, manifest: JobManifest, plugin: PluginIR) async throws {
        guard let budget else {
            let error = AdmissionError(problems: [
                .init(
                    path: "$.privacy",
                    message: "this control plane has no privacy budget ledger; it cannot admit DP jobs")
            ])
            events.append(.refused(error))
            throw error
        }
        var reserved: [ParticipantID] = []
        do {
            for node in manifest.participants.nodes {
                try budget.reserve(job: manifest.hash, participant: node, epsilon: plan.epsilonTotal, delta: plan.delta)
                reserved.append(node)
            }
        } catch {
            for node in reserved { try? budget.close(job: manifest.hash, participant: node) }
            let refusal = AdmissionError(problems: [.init(path: "$.privacy.epsilonTotal", message: "\(error)")])
            events.append(.refused(refusal))
            try await ledger.append(
                .jobRejected(jobId: manifest.hash, reason: refusal.description), tick: nil, timestampMs: clock())
            throw refusal
        }
        for node in reserved {
            try await ledger.append(
                .privacyReserved(
                    jobId: manifest.hash, participant: node, epsilon: plan.epsilonTotal, delta: plan.delta),
                tick: nil, timestampMs: clock())
        }
    }

    /// Spends, for each contributor of a merged round, the increase of its privacy loss by the accountant.
    private func spendBudget(for step: AggregationStep, job: AdmittedJob, tick: UInt64) async throws {
        guard let plan = job.manifest.privacy, let budget else { return }
        for node in step.contributors {
            let before = job.provider.privacyLoss(plan: plan, releases: releases[node, default: 0])
            releases[node, default: 0] += 1
            let after = job.provider.privacyLoss(plan: plan, releases: releases[node]!)
            let epsilon = max(0, after.epsilon - before.epsilon), delta = max(0, after.delta - before.delta)
            try budget.spend(
                job: job.jobId, participant: node, round: step.round, cumulativeEpsilon: after.epsilon,
                cumulativeDelta: after.delta, atMs: clock())
            try await ledger.append(
                .privacySpent(jobId: job.jobId, participant: node, round: step.round, epsilon: epsilon, delta: delta),
                tick: tick, timestampMs: clock())
        }
    }

    /// Closes the job's reservations when it ends (finalized or aborted): unspent budget returns to the nodes.
    private func closeBudget(_ job: AdmittedJob) {
        guard job.manifest.privacy != nil, let budget, !budgetClosed else { return }
        budgetClosed = true
        for node in job.manifest.participants.nodes { try? budget.close(job: job.jobId, participant: node) }
    }

    private func receiveIncident(_ envelope: Signed<ProviderIncident>, job: AdmittedJob, tick: UInt64) async throws {
        guard envelope.signer == job.manifest.participants.aggregator,
            let verified = try? envelope.verify(with: roster),
            verified.value.jobId == job.jobId
        else {
            events.append(
                .messageRefused(participant: identity.id, kind: "incident", reason: "not a valid incident of this job"))
            return
        }
        let incident = verified.value
        let offenders = incident.offenders.keys.compactMap { try? ParticipantID($0) }.sorted()
        events.append(
            .incident(
                kind: incident.kind.rawValue, round: incident.round, offenders: incident.offenders,
                detail: incident.detail))
        try await ledger.append(
            .providerIncident(
                jobId: job.jobId, kind: incident.kind.rawValue, round: incident.round, offenders: offenders,
                digest: envelope.digest),
            tick: tick, timestampMs: clock())
        switch incident.kind {
        case .invalidShares:
            for (node, count) in incident.offenders {
                guard let id = try? ParticipantID(node) else { continue }
                attributed[id, default: [:]]["invalidShares", default: 0] += Double(count)
            }
        case .sumFailed:
            providerFailure = providerFailure ?? "secure sum of round \(incident.round) failed: \(incident.detail)"
        }
    }

    private func receiveResult(_ envelope: Signed<JobResult>, job: AdmittedJob, tick: UInt64) async throws {
        guard envelope.signer == job.manifest.participants.aggregator,
            let verified = try? envelope.verify(with: roster),
            verified.value.jobId == job.jobId, result == nil
        else {
            events.append(
                .messageRefused(participant: identity.id, kind: "result", reason: "not a valid result of this job"))
            return
        }
        result = verified.value
        resultEnvelope = envelope
        try await ledger.append(
            .jobFinalized(jobId: job.jobId, resultDigest: envelope.digest), tick: tick, timestampMs: clock())
        closeBudget(job)
        events.append(.finalized(outputs: verified.value.outputs))
    }
}
