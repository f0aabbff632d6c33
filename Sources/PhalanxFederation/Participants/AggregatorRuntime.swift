import PhalanxControl
import PhalanxCore
import PhalanxProviders

/// The aggregator: absorbs the nodes' protected contributions, merges each round through the provider, and
/// releases the outputs only after the control plane signs a release clearance.
///
/// It drives the aggregator machine (WAIT → MERGE → WAIT … → MERGE → FINALIZE | ABORTED); FINALIZE requires the
/// `releaseCleared` guard, which only a verified clearance establishes.
public actor AggregatorRuntime {
    public let identity: SigningIdentity
    private let roster: FederationRoster
    private let providers: ProviderRegistry
    private let transport: any MessageTransport
    private let clock: @Sendable () -> Int64

    private var machine = StateMachine(Machines.aggregator)
    private var job: (manifest: JobManifest, plugin: PluginIR, jobId: SHA256Digest)?
    private var session: (any AggregatorProviderSession)?
    /// The provider's metrics once its session is gone (``AggregatorProviderSession/restingMetrics()``).
    private var restingMetrics: [String: Double] = [:]
    private var gateway: CommandGateway
    private var emitter: TelemetryEmitter
    private var inbox: [Delivery] = []
    private var round = 0
    /// Sums the provider completed, by round and channel.
    private var completedSums: [Int: [String: CompletedSum]] = [:]
    private var isolated: Set<ParticipantID> = []
    private var heldOutputs: [ReleasedOutput] = []
    private var lastOpLatencyMs = 0.0
    private var events: [JobEvent] = []

    /// Returns the events since the last call, oldest first.
    public func takeEvents() -> [JobEvent] {
        defer { events = [] }
        return events
    }
    public private(set) var published: JobResult?
    /// The signed result as first published; re-sent, byte for byte, at every step while in FINALIZE.
    private var publishedEnvelope: Signed<JobResult>?

    public init(
        identity: SigningIdentity,
        roster: FederationRoster,
        providers: ProviderRegistry,
        transport: any MessageTransport,
        clock: @escaping @Sendable () -> Int64
    ) {
        self.identity = identity
        self.roster = roster
        self.providers = providers
        self.transport = transport
        self.clock = clock
        self.gateway = CommandGateway(identity: identity, roster: roster)
        self.emitter = TelemetryEmitter(identity: identity)
    }

    public var state: AggregatorState { machine.state }
    /// Outputs merged but not released (empty after an abort: they are discarded).
    public var pendingOutputs: [ReleasedOutput] { heldOutputs }

    public func step(tick: UInt64, tickStart: ContinuousClock.Instant) async throws {
        let started = ContinuousClock.now
        let finalizedBefore = machine.state == .finalize
        inbox += await transport.drain(identity.id)
        let deliveries = inbox
        inbox = []
        for delivery in deliveries {
            switch delivery.message {
            case .announcement(let envelope): try receiveAnnouncement(envelope)
            case .contribution(let envelope): receiveContribution(envelope)
            case .clearance(let envelope): try await receiveClearance(envelope)
            case .command(let envelope): try await execute(envelope, tick: tick)
            default: refuse(delivery.message.kind, "the aggregator does not accept this message")
            }
        }
        // The step that finalizes publishes the result; every later one publishes it again.
        if finalizedBefore { try await republishResult() }
        try await stepProvider()
        try await mergeIfComplete()
        lastOpLatencyMs = ContinuousClock.now.millisecondsSince(started)
        try await emitFrame(tick: tick, tickStart: tickStart)
    }

    /// The job this aggregator runs, if any.
    public var jobId: SHA256Digest? { job?.jobId }

    /// Leaves the job without a command because the control plane no longer runs it: pending contributions and
    /// merged outputs are discarded, nothing is released.
    /// - Returns: whether the aggregator was still in the job.
    @discardableResult
    public func abandon(reason: String) throws -> Bool {
        guard machine.allows(.abort) else { return false }
        try transition(.abort)
        if let session { restingMetrics = session.restingMetrics() }
        session?.discardPending()
        session = nil
        heldOutputs = []
        refuse("job", reason)
        return true
    }

    public func handleCommands(tick: UInt64) async throws {
        for delivery in await transport.drain(identity.id) {
            if case .command(let envelope) = delivery.message {
                try await execute(envelope, tick: tick)
            } else {
                inbox.append(delivery)
            }
        }
    }

    private var expectedContributors: Set<ParticipantID> {
        Set(job?.manifest.participants.nodes ?? []).subtracting(isolated)
    }

    /// Lets the provider advance its protocols by one tick: sends its messages to nodes, keeps completed sums,
    /// and reports misbehaving nodes and failed sums to the control plane.
    private func stepProvider() async throws {
        guard let job, let session, machine.state == .wait || machine.state == .merge else { return }
        let step = try session.step(active: expectedContributors.sorted())
        for (node, message) in step.outgoing {
            let reply = ProviderReply(aggregator: identity.id, jobId: job.jobId, node: node, message: message)
            try await transport.send(
                .providerReply(try Signed(signing: reply, with: identity)), from: identity.id, to: node)
        }
        for sum in step.completed { completedSums[sum.round, default: [:]][sum.channel] = sum }
        if !step.offenders.isEmpty {
            try await report(
                .invalidShares, channel: "", round: round,
                offenders: step.offenders.mapValues { _ in 1 },
                detail: step.offenders.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(
                    separator: "; "))
        }
        for failure in step.failed {
            try await report(
                .sumFailed, channel: failure.channel, round: failure.round, offenders: [:], detail: failure.reason)
        }
    }

    private func report(
        _ kind: ProviderIncident.Kind, channel: String, round: Int, offenders: [ParticipantID: Int], detail: String
    ) async throws {
        guard let job else { return }
        let incident = ProviderIncident(
            aggregator: identity.id, jobId: job.jobId, kind: kind, channel: channel, round: round,
            offenders: Dictionary(uniqueKeysWithValues: offenders.map { ($0.key.rawValue, $0.value) }), detail: detail)
        try await transport.send(
            .incident(try Signed(signing: incident, with: identity)), from: identity.id,
            to: job.manifest.participants.control)
    }

    /// Merges the current round once the provider completed the sum of every channel the plug-in reads.
    private func mergeIfComplete() async throws {
        guard let job, machine.state == .wait, round < job.manifest.rounds else { return }
        let interpreter = AggregatorProgramInterpreter(plugin: job.plugin)
        guard let sums = completedSums[round], Set(sums.keys).isSuperset(of: interpreter.channels) else { return }
        try transition(.contributionsComplete)
        let outputs = try interpreter.run(round: round, sums: sums)
        heldOutputs += outputs
        let merging = Set(sums.values.flatMap(\.contributors)).sorted()
        let digest = try SHA256Digest.ofCanonical(sums.keys.sorted().map { sums[$0]!.sum })
        let step = AggregationStep(
            aggregator: identity.id, jobId: job.jobId, round: round, contributors: merging, mergedDigest: digest)
        try await transport.send(
            .aggregationStep(try Signed(signing: step, with: identity)), from: identity.id,
            to: job.manifest.participants.control)
        completedSums[round] = nil
        round += 1
        if round < job.manifest.rounds {
            try transition(.roundMerged, given: [.moreRounds])
        }
        // After the last round the aggregator stays in MERGE until the control plane clears the release.
    }

    private func receiveAnnouncement(_ envelope: Signed<JobAnnouncement>) throws {
        let announcement: JobAnnouncement
        do {
            announcement = try envelope.verify(with: roster).value
        } catch {
            return refuse("announcement", error.description)
        }
        guard roster.identity(for: announcement.issuer)?.role == .control,
            announcement.manifest.participants.aggregator == identity.id, job == nil,
            (try? announcement.plugin.digest) == announcement.manifest.plugin.digest
        else { return refuse("announcement", "not a job for this aggregator") }
        guard let provider = providers.provider(named: announcement.manifest.executionProvider) else {
            return refuse(
                "announcement", "execution provider \(announcement.manifest.executionProvider) is not installed here")
        }
        let manifest = announcement.manifest
        job = (manifest, announcement.plugin, manifest.hash)
        session = try provider.makeAggregatorSession(
            job: ProviderJobContext(manifest: manifest, plugin: announcement.plugin, identity: identity, roster: roster)
        )
    }

    private func receiveContribution(_ envelope: Signed<ContributionMessage>) {
        guard let job, let session, machine.state == .wait || machine.state == .merge else {
            return refuse("contribution", "no job is collecting contributions")
        }
        let message: ContributionMessage
        do {
            message = try envelope.verify(with: roster).value
        } catch {
            return refuse("contribution", error.description)
        }
        guard message.jobId == job.jobId, expectedContributors.contains(message.node) else {
            return refuse("contribution", "\(message.node) is not an active node of this job")
        }
        do {
            try session.receive(message.message, from: message.node)
        } catch {
            refuse("contribution", "\(error)")
        }
    }

    private func receiveClearance(_ envelope: Signed<ReleaseClearance>) async throws {
        guard let job, let verified = try? envelope.verify(with: roster),
            roster.identity(for: verified.value.issuer)?.role == .control, verified.value.jobId == job.jobId
        else { return refuse("clearance", "not a valid clearance for this job") }
        guard round == job.manifest.rounds else { return refuse("clearance", "rounds are still being merged") }
        // A repeated clearance (or one after an abort) is refused, not an illegal transition that stops the step.
        guard machine.state == .merge else {
            return refuse("clearance", "the job is already \(machine.state.rawValue)")
        }
        try transition(.releaseCleared, given: [.releaseCleared])
        let result = JobResult(aggregator: identity.id, jobId: job.jobId, outputs: heldOutputs)
        let signed = try Signed(signing: result, with: identity)
        published = result
        publishedEnvelope = signed
        for recipient in activeNodes(of: job.manifest) + [job.manifest.participants.control] {
            try await transport.send(.result(signed), from: identity.id, to: recipient)
        }
        if let session { restingMetrics = session.restingMetrics() }
        session?.discardPending()
        session = nil
    }

    /// Sends the result published earlier again, the same signed envelope, to every node not isolated, so that a
    /// result the network lost does not leave a node in POSTF forever (a node ignores an identical copy once it is
    /// DONE). Not to the control plane: it already holds the result and accepts only one.
    private func republishResult() async throws {
        guard let job, let publishedEnvelope, machine.state == .finalize else { return }
        for node in activeNodes(of: job.manifest) {
            try await transport.send(.result(publishedEnvelope), from: identity.id, to: node)
        }
    }

    /// The job's nodes the aggregator has not isolated, in manifest order.
    private func activeNodes(of manifest: JobManifest) -> [ParticipantID] {
        manifest.participants.nodes.filter { !isolated.contains($0) }
    }

    private func execute(_ envelope: Signed<ACommand>, tick: UInt64) async throws {
        let handling = try gateway.handle(
            envelope, jobId: job?.jobId, tick: tick, nowMs: clock(), apply: apply, state: { machine.state.rawValue }
        )
        switch handling {
        case .refused(let reason):
            refuse("command", reason)
        case .acknowledged(let command, let ack, let executed):
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
            session?.discardPending()
            session = nil
            let discarded = heldOutputs.count
            heldOutputs = []
            return (.applied, "aborted; pending contributions and \(discarded) merged output(s) discarded")
        case .isolateParty:
            guard let subject = command.subject else { return (.rejected, "no subject to isolate") }
            isolated.insert(subject)
            return (.applied, "\(subject) isolated; merging the remaining \(expectedContributors.count) node(s)")
        case .bootstrap:
            return (
                .rejected, "execution provider \(job?.manifest.executionProvider ?? "?") has no noise budget to refresh"
            )
        case .observe, .restrict, .suspend:
            return (.applied, "mode set to \(command.kind.rawValue)")
        case .resume:
            return (.applied, "back to normal service")
        case .setParameter:
            return (.rejected, "A-SET_PARAMETER is addressed to the control plane")
        }
    }

    private func emitFrame(tick: UInt64, tickStart: ContinuousClock.Instant) async throws {
        guard let job else { return }
        var metrics = session?.metrics() ?? restingMetrics
        for key in job.manifest.metricKeys where metrics[key] == nil { metrics[key] = 0 }
        let frame = try emitter.frame(
            jobId: job.jobId, tick: tick, state: machine.state.rawValue, metrics: metrics,
            lagMs: ContinuousClock.now.millisecondsSince(tickStart), opLatencyMs: lastOpLatencyMs, timestampMs: clock()
        )
        try await transport.send(.frame(frame), from: identity.id, to: job.manifest.participants.control)
    }

    private func transition(_ event: AggregatorEvent, given guards: Set<TransitionGuard> = []) throws {
        let from = machine.state
        try machine.fire(event, given: guards)
        events.append(
            .transition(
                participant: identity.id, machine: "aggregator", from: from.rawValue, event: event.rawValue,
                to: machine.state.rawValue))
    }

    private func refuse(_ kind: String, _ reason: String) {
        events.append(.messageRefused(participant: identity.id, kind: kind, reason: reason))
    }
}
