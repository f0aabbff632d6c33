import PhalanxControl
import PhalanxCore
import PhalanxProviders

/// One organization's node: it holds the private tables, runs the node side of admitted plug-ins through the
/// job's execution provider, emits a signed frame every tick and obeys signed A-commands.
///
/// Everything the node does is a transition of the node machine (IDLE → PREF → INF → POSTF → DONE | ABORTED).
/// Raw rows never leave this actor: only the provider's protected contributions and telemetry do.
public actor NodeRuntime {
    public let identity: SigningIdentity
    private let roster: FederationRoster
    private let providers: ProviderRegistry
    private let tables: [String: LocalTable]

    /// The shape of the data this node holds (table names, columns, kinds, domains, ranges — never rows): what it
    /// declares to the control plane, which admission checks every plug-in against.
    public nonisolated var declaredData: InputSchema {
        InputSchema(tables: tables.values.map(\.schema).sorted { $0.name < $1.name })
    }
    private let transport: any MessageTransport
    private let clock: @Sendable () -> Int64
    /// Fault injection for demos and tests: the round in which this node skips clipping.
    private let skipClippingInRound: Int?
    /// Fault injection (`silent-node`): the node reports a lag far beyond the tick and drops every command unread.
    private let silent: Bool
    /// The lag a silent node reports, in milliseconds.
    static let silentLagMs = 60_000.0
    /// Fault injection for demos and tests: misbehaviour of this node's provider session.
    private let providerFaults: ProviderFaults

    private var machine = StateMachine(Machines.node)
    private var job: (manifest: JobManifest, plugin: PluginIR, jobId: SHA256Digest)?
    private var session: (any NodeProviderSession)?
    private var gateway: CommandGateway
    private var emitter: TelemetryEmitter
    private var inbox: [Delivery] = []
    private var round = 0
    /// Whether the current round's secure sum was started (its provider protocol may still be running).
    private var roundStarted = false
    /// Set when the job was announced in the current step: the node then spends the tick in PREF, binding the
    /// provider, so the control plane sees that state before computation starts.
    private var announcedThisStep = false
    private var lastOpLatencyMs = 0.0
    /// ``MetricKey/clipRatioL2`` of the last round the node ran.
    private var lastClipRatioL2 = 0.0
    /// The provider's metrics once its session is gone (``NodeProviderSession/restingMetrics()``).
    private var restingMetrics: [String: Double] = [:]
    private var events: [JobEvent] = []

    /// Returns the events since the last call, oldest first.
    public func takeEvents() -> [JobEvent] {
        defer { events = [] }
        return events
    }
    /// The released outputs this node received, once the job finalized.
    public private(set) var result: [ReleasedOutput]?
    /// The signed result this node accepted, to recognize the copies the aggregator publishes again.
    private var acceptedResult: Signed<JobResult>?

    public init(
        identity: SigningIdentity,
        roster: FederationRoster,
        providers: ProviderRegistry,
        tables: [String: LocalTable],
        transport: any MessageTransport,
        clock: @escaping @Sendable () -> Int64,
        skipClippingInRound: Int? = nil,
        providerFaults: ProviderFaults = [],
        silent: Bool = false
    ) {
        self.identity = identity
        self.roster = roster
        self.providers = providers
        self.tables = tables
        self.transport = transport
        self.clock = clock
        self.skipClippingInRound = skipClippingInRound
        self.providerFaults = providerFaults
        self.silent = silent
        self.gateway = CommandGateway(identity: identity, roster: roster)
        self.emitter = TelemetryEmitter(identity: identity)
    }

    public var state: NodeState { machine.state }
    /// Whether the provider session (and its secrets) still exists.
    public var holdsJobSecrets: Bool { session != nil }
    /// The local agent's rung on the ladder (`A-OBSERVE`, `A-RESTRICT`, `A-SUSPEND`), `nil` for normal service.
    public private(set) var agentMode: CommandKind?

    /// The tick's work: handle messages, advance the job by one step, emit a frame.
    public func step(tick: UInt64, tickStart: ContinuousClock.Instant) async throws {
        let started = ContinuousClock.now
        inbox += await transport.drain(identity.id)
        let deliveries = inbox
        inbox = []
        for delivery in deliveries {
            switch delivery.message {
            case .announcement(let envelope): try receiveAnnouncement(envelope)
            case .result(let envelope): try receiveResult(envelope)
            case .providerReply(let envelope): try await receiveProviderReply(envelope)
            case .command(let envelope): try await execute(envelope, tick: tick)
            default: refuse(delivery.message.kind, "a node does not accept this message")
            }
        }
        if announcedThisStep {
            announcedThisStep = false
        } else {
            try await advance()
        }
        lastOpLatencyMs = ContinuousClock.now.millisecondsSince(started)
        try await emitFrame(tick: tick, tickStart: tickStart)
    }

    /// Ladder commands applied since the last ``takeLadderCommands()``, as the control plane signed them: a node
    /// process relays them to the organization's agent (`agent_url`), which checks the control plane's signature
    /// itself.
    private var ladderCommands: [Signed<ACommand>] = []

    public func takeLadderCommands() -> [Signed<ACommand>] {
        defer { ladderCommands.removeAll() }
        return ladderCommands
    }

    /// Whether the local agent runs on the conservative fallback because the node lost the control plane.
    public private(set) var inFallback = false
    /// The rung the agent was on before the fallback, restored when the control plane is back.
    private var modeBeforeFallback: CommandKind?

    /// Seed 001's partition rule: a node cut off from the control plane cannot receive directives, so it falls
    /// back to the most conservative rung its signed policy allows short of stopping (`A-RESTRICT`: stricter
    /// thresholds, more categories blocked) and keeps it until the control plane is back. A rung already stricter
    /// (`A-SUSPEND`) is kept. It makes no progress in a job meanwhile: only the control plane drives ticks.
    public func fallBack(_ active: Bool) {
        guard active != inFallback else { return }
        inFallback = active
        if active {
            modeBeforeFallback = agentMode
            if agentMode != .suspend { agentMode = .restrict }
        } else {
            agentMode = modeBeforeFallback
            modeBeforeFallback = nil
        }
    }

    /// The job this node is in, if any.
    public var jobId: SHA256Digest? { job?.jobId }

    /// Leaves the job without a command: the control plane no longer runs it (it restarted, or this node was
    /// restarted and lost the job's state). The node aborts and wipes its provider secrets; nothing is sent.
    /// - Returns: whether the node was still in the job.
    @discardableResult
    public func abandon(reason: String) throws -> Bool {
        guard machine.allows(.abort) else { return false }
        try transition(.abort)
        wipeSecrets()
        refuse("job", reason)
        return true
    }

    /// The command phase of a tick: execute and acknowledge commands; keep other messages for the next step.
    public func handleCommands(tick: UInt64) async throws {
        for delivery in await transport.drain(identity.id) {
            if case .command(let envelope) = delivery.message {
                try await execute(envelope, tick: tick)
            } else {
                inbox.append(delivery)
            }
        }
    }

    /// One step of the job per tick: bind the provider (PREF → INF), then for each round start the secure sum
    /// and, once the provider has finished it (a step after the last contribution for `plain`, after several exchanges for `secagg`), move
    /// to the next round.
    private func advance() async throws {
        guard let job else { return }
        switch machine.state {
        case .preflight:
            try transition(.resourcesReady)
            fallthrough
        case .inflight:
            guard let session else { return }
            if !roundStarted {
                let interpreter = NodeProgramInterpreter(plugin: job.plugin, tables: tables)
                let output = try interpreter.run(
                    round: round, session: session, skipClipping: skipClippingInRound == round)
                lastClipRatioL2 = output.clipRatioL2
                try await send(output.messages, job: job)
                roundStarted = true
            }
            guard !session.isBusy else { return }
            round += 1
            roundStarted = false
            try transition(round < job.manifest.rounds ? .roundCompleted : .computationFinished)
        default:
            return
        }
    }

    /// Signs and sends provider messages to the aggregator.
    private func send(
        _ messages: [ProviderMessage], job: (manifest: JobManifest, plugin: PluginIR, jobId: SHA256Digest)
    ) async throws {
        for message in messages {
            let contribution = ContributionMessage(node: identity.id, jobId: job.jobId, message: message)
            try await transport.send(
                .contribution(try Signed(signing: contribution, with: identity)), from: identity.id,
                to: job.manifest.participants.aggregator)
            events.append(
                .contributionSent(
                    node: identity.id, round: message.round, provider: message.provider, step: message.step,
                    bytes: message.body.count))
        }
    }

    /// A step of the provider's protocol from the aggregator: hand it to the session and send its replies.
    private func receiveProviderReply(_ envelope: Signed<ProviderReply>) async throws {
        guard let job, let session, envelope.signer == job.manifest.participants.aggregator,
            let reply = try? envelope.verify(with: roster).value, reply.jobId == job.jobId, reply.node == identity.id
        else { return refuse("provider-reply", "not a valid provider message of this node's job") }
        do {
            try await send(try session.receive(reply.message), job: job)
        } catch let error as ProviderError {
            refuse("provider-reply", error.description)
        }
    }

    private func receiveAnnouncement(_ envelope: Signed<JobAnnouncement>) throws {
        let announcement: JobAnnouncement
        do {
            announcement = try envelope.verify(with: roster).value
        } catch {
            return refuse("announcement", error.description)
        }
        guard roster.identity(for: announcement.issuer)?.role == .control else {
            return refuse("announcement", "\(announcement.issuer) is not the control plane")
        }
        let manifest = announcement.manifest
        guard manifest.participants.nodes.contains(identity.id) else {
            return refuse("announcement", "this node is not a participant of the job")
        }
        guard (try? announcement.plugin.digest) == manifest.plugin.digest else {
            return refuse("announcement", "the plug-in does not match the manifest's digest")
        }
        guard job == nil, machine.allows(.jobAnnounced) else {
            return refuse("announcement", "this node is already running a job")
        }
        guard let provider = providers.provider(named: manifest.executionProvider) else {
            return refuse("announcement", "execution provider \(manifest.executionProvider) is not installed here")
        }
        for table in announcement.plugin.inputSchema.tables where tables[table.name]?.schema != table {
            return refuse("announcement", "this node has no table \(table.name) with the declared schema")
        }
        try transition(.jobAnnounced)
        announcedThisStep = true
        job = (manifest, announcement.plugin, manifest.hash)
        // PREF: bind the provider; the tables are already loaded and checked against the schema.
        session = try provider.makeNodeSession(
            job: ProviderJobContext(
                manifest: manifest, plugin: announcement.plugin, identity: identity, roster: roster,
                faults: providerFaults))
    }

    private func receiveResult(_ envelope: Signed<JobResult>) throws {
        // The aggregator publishes its result again at every step while it is in FINALIZE, in case the network
        // lost it: the same envelope again is a harmless duplicate once this node is DONE.
        if machine.state == .done, envelope == acceptedResult { return }
        guard let job, envelope.signer == job.manifest.participants.aggregator,
            let verified = try? envelope.verify(with: roster), verified.value.jobId == job.jobId
        else { return refuse("result", "not a valid result of this node's job") }
        if machine.state == .done, verified.value.outputs == result { return }
        guard machine.allows(.resultPublished) else {
            return refuse("result", "a result in state \(machine.state.rawValue)")
        }
        result = verified.value.outputs
        acceptedResult = envelope
        try transition(.resultPublished)
        wipeSecrets()
    }

    private func execute(_ envelope: Signed<ACommand>, tick: UInt64) async throws {
        if silent { return }  // fault injection: the command is dropped unread, and never acknowledged
        let handling = try gateway.handle(
            envelope, jobId: job?.jobId, tick: tick, nowMs: clock(), apply: apply, state: { machine.state.rawValue }
        )
        switch handling {
        case .refused(let reason):
            refuse("command", reason)
        case .acknowledged(let command, let ack, let executed):
            if executed == .applied, command.kind.ladderRung != nil { ladderCommands.append(envelope) }
            if let executed {
                events.append(
                    .commandExecuted(
                        participant: identity.id, command: command.id, kind: command.kind, outcome: executed,
                        stateAfter: machine.state.rawValue))
            }
            try await transport.send(.ack(ack), from: identity.id, to: command.issuer)
        }
    }

    private func apply(_ command: ACommand) throws -> (CommandAck.Outcome, String?) {
        switch command.kind {
        case .abortJob:
            guard machine.allows(.abort) else { return (.rejected, "the job is already \(machine.state.rawValue)") }
            try transition(.abort)
            wipeSecrets()
            return (.applied, "aborted; provider secrets wiped")
        case .isolateParty:
            guard command.subject == identity.id else {
                return (.applied, "noted: \(command.subject?.rawValue ?? "?") is isolated")
            }
            guard machine.allows(.abort) else { return (.rejected, "the job is already \(machine.state.rawValue)") }
            try transition(.abort)
            wipeSecrets()
            return (.applied, "this node is isolated; it stops and wipes its provider secrets")
        case .bootstrap:
            guard let session, try session.bootstrap() else {
                return (
                    .rejected,
                    "execution provider \(job?.manifest.executionProvider ?? "?") has no noise budget to refresh"
                )
            }
            return (.applied, "noise budget refreshed")
        case .observe, .restrict, .suspend:
            agentMode = command.kind
            return (.applied, "local agent mode set to \(command.kind.rawValue)")
        case .resume:
            agentMode = nil
            return (.applied, "local agent back to normal service")
        case .setParameter:
            return (.rejected, "A-SET_PARAMETER is addressed to the control plane")
        }
    }

    private func emitFrame(tick: UInt64, tickStart: ContinuousClock.Instant) async throws {
        guard let job else { return }
        var metrics = session?.metrics() ?? restingMetrics
        if job.manifest.metricKeys.contains(MetricKey.clipRatioL2) { metrics[MetricKey.clipRatioL2] = lastClipRatioL2 }
        for key in job.manifest.metricKeys where metrics[key] == nil { metrics[key] = 0 }
        let frame = try emitter.frame(
            jobId: job.jobId, tick: tick, state: machine.state.rawValue, metrics: metrics,
            lagMs: silent ? Self.silentLagMs : ContinuousClock.now.millisecondsSince(tickStart),
            opLatencyMs: lastOpLatencyMs, timestampMs: clock()
        )
        try await transport.send(.frame(frame), from: identity.id, to: job.manifest.participants.control)
    }

    private func transition(_ event: NodeEvent) throws {
        let from = machine.state
        try machine.fire(event)
        events.append(
            .transition(
                participant: identity.id, machine: "node", from: from.rawValue, event: event.rawValue,
                to: machine.state.rawValue))
    }

    private func wipeSecrets() {
        if let session { restingMetrics = session.restingMetrics() }
        session?.wipe()
        session = nil
    }

    private func refuse(_ kind: String, _ reason: String) {
        events.append(.messageRefused(participant: identity.id, kind: kind, reason: reason))
    }
}

extension ContinuousClock.Instant {
    /// Milliseconds from `earlier` to this instant, as a Double.
    func millisecondsSince(_ earlier: ContinuousClock.Instant) -> Double {
        let d = earlier.duration(to: self).components
        return Double(d.seconds) * 1_000 + Double(d.attoseconds) / 1e15
    }
}
