import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxLedger
import PhalanxProviders

/// Runs one federated job end to end in one process: five (or more) nodes, an aggregator and the control
/// plane, each with its own identity, talking only through the in-process transport.
public struct FederationRun: Sendable {
    /// A job other than the demo's safety-event count: a compiled plug-in and each node's own tables.
    public struct Workload: Sendable {
        public var plugin: PluginIR
        /// The nodes in order, each with the tables it holds (by the plug-in's input names).
        public var nodes: [(id: String, tables: [String: LocalTable])]

        public init(plugin: PluginIR, nodes: [(id: String, tables: [String: LocalTable])]) {
            self.plugin = plugin
            self.nodes = nodes
        }
    }

    /// What to run.
    public struct Configuration: Sendable {
        /// The job to run instead of the demo's (whose nodes are ``profiles``).
        public var workload: Workload?
        public var profiles: [SafetyEvents.Profile]
        /// Days of data, one round each.
        public var rounds: Int
        /// Seed of the synthetic data (not of any cryptographic material).
        public var dataSeed: UInt64
        public var providerName: String
        public var policy: GuardrailPolicy
        public var fault: Fault?
        /// Pace ticks at 1 Hz instead of running them back to back.
        public var realtime: Bool
        public var contributionBound: Int64
        /// Where to create the audit ledger (a new SQLite file). `nil`: a temporary file, removed after the run.
        public var ledgerPath: String?
        /// The checkpoint origin of the ledger.
        public var ledgerOrigin: String
        /// For `dp` and `dp+secagg`: the ε and δ of the whole job (all rounds) the noise is calibrated for.
        public var epsilon: Double
        public var delta: Double
        /// For `dp+secagg`: the fraction of nodes that may drop out or collude.
        public var dropoutFraction: Double
        /// Each organization's lifetime privacy budget in the budget ledger.
        public var nodeEpsilonLimit: Double
        public var nodeDeltaLimit: Double
        /// Where to keep the privacy budget ledger (SQLite). `nil`: a temporary file, removed after the run.
        public var budgetPath: String?
        /// Providers added to (or replacing) the built-in ones, e.g. test fixtures.
        public var extraProviders: [any ExecutionProvider]
        /// Human operators in the roster; only they can sign overrides.
        public var operators: [SigningIdentity]
        /// Overrides to deliver to the control plane at a tick (the operators sign them for the admitted manifest).
        public var overrides: (@Sendable (_ tick: UInt64, _ manifest: JobManifest) throws -> [OverrideRequest])?

        public init(
            profiles: [SafetyEvents.Profile] = SafetyEvents.demoProfiles,
            rounds: Int = 3,
            dataSeed: UInt64 = 2026,
            providerName: String = PlainProvider.name,
            policy: GuardrailPolicy,
            fault: Fault? = nil,
            realtime: Bool = false,
            contributionBound: Int64 = SafetyEventCountPlugin.defaultContributionBound,
            ledgerPath: String? = nil,
            ledgerOrigin: String = "demo.phalanx.local/audit",
            epsilon: Double = 0.9,
            delta: Double = 1e-6,
            dropoutFraction: Double = 0.2,
            nodeEpsilonLimit: Double = 3.0,
            nodeDeltaLimit: Double = 1e-5,
            budgetPath: String? = nil,
            extraProviders: [any ExecutionProvider] = [],
            operators: [SigningIdentity] = [],
            overrides: (@Sendable (_ tick: UInt64, _ manifest: JobManifest) throws -> [OverrideRequest])? = nil,
            workload: Workload? = nil
        ) {
            self.workload = workload
            self.profiles = profiles
            self.rounds = rounds
            self.dataSeed = dataSeed
            self.providerName = providerName
            self.policy = policy
            self.fault = fault
            self.realtime = realtime
            self.contributionBound = contributionBound
            self.ledgerPath = ledgerPath
            self.ledgerOrigin = ledgerOrigin
            self.epsilon = epsilon
            self.delta = delta
            self.dropoutFraction = dropoutFraction
            self.nodeEpsilonLimit = nodeEpsilonLimit
            self.nodeDeltaLimit = nodeDeltaLimit
            self.budgetPath = budgetPath
            self.extraProviders = extraProviders
            self.operators = operators
            self.overrides = overrides
        }

        /// Whether the job runs a differential-privacy provider.
        public var isPrivate: Bool { DPProvider.names.contains(providerName) }

        /// The ε the job is calibrated for: ``epsilon``, or above the policy limit under `privacy-overspend`.
        public var plannedEpsilon: Double { fault == .privacyOverspend ? Fault.overspentEpsilon : epsilon }
    }

    /// How the job ended.
    public enum Outcome: Sendable {
        case finalized(JobResult)
        case aborted(reason: String)
        case refused(AdmissionError)

        /// `finalized`, `aborted` or `refused`, as reports spell it.
        public var name: String {
            switch self {
            case .finalized: "finalized"
            case .aborted: "aborted"
            case .refused: "refused"
            }
        }

        /// Why the job did not finalize; `nil` when it did.
        public var reason: String? {
            switch self {
            case .finalized: nil
            case .aborted(let reason): reason
            case .refused(let error): error.description
            }
        }

        /// The released outputs of a finalized job; empty otherwise.
        public var outputs: [ReleasedOutput] {
            if case .finalized(let result) = self { result.outputs } else { [] }
        }
    }

    /// A message the network lost (fault injection): it was sent, and its recipient never saw it.
    public struct NetworkLoss: Sendable, Hashable {
        /// The tick in which it was lost.
        public let tick: UInt64
        public let sender: ParticipantID
        public let recipient: ParticipantID
        /// The message's kind (`FederationMessage.kind`).
        public let kind: String
    }

    /// Everything that happened, for the story, the JSON report and the artifacts.
    public struct Report: Sendable {
        public let configuration: Configuration
        public let manifest: JobManifest
        public let plugin: PluginIR
        public let roster: FederationRoster
        public let outcome: Outcome
        public let ticks: UInt64
        public let events: [(tick: UInt64?, event: JobEvent)]
        public let frameLog: [Signed<TelemetryFrame>]
        public let commandLog: [Signed<ACommand>]
        public let ackLog: [Signed<CommandAck>]
        public let rejectionCounts: [FrameRejection: Int]
        /// Every ledger entry of the run, in order.
        public let ledgerEntries: [LedgerEntry]
        /// The last signed checkpoint (C2SP signed note).
        public let checkpoint: SignedNote
        /// The independent verification of the ledger file after the run.
        public let verification: LedgerVerificationReport
        /// The ledger file, when it was kept (`Configuration.ledgerPath`); `nil` when it was temporary.
        public let ledgerPath: String?
        public let ledgerBytes: Int
        public let messageCounts: [String: Int]
        public let messageBytes: Int
        /// The messages the network lost, in order (only under a fault that loses messages, e.g. `lost-result`).
        public let networkLosses: [NetworkLoss]
        /// Per node: whether the provider session (its secrets) was released at the end.
        public let secretsWiped: [ParticipantID: Bool]
        public let finalNodeStates: [ParticipantID: NodeState]
        public let finalAggregatorState: AggregatorState
        /// Outputs the aggregator still held at the end (must be empty after an abort).
        public let aggregatorHeldOutputs: Int
        /// Each organization's privacy budget after the run (empty for providers that add no noise).
        public let budgets: [BudgetStatus]
        /// The budget ledger file, when it was kept.
        public let budgetPath: String?
        public let wallSeconds: Double
    }

    public let configuration: Configuration

    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// The wall clock in milliseconds since the Unix epoch.
    public static let wallClock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    public func run() async throws -> Report {
        let started = ContinuousClock.now
        let config = configuration
        let nodeNames = config.workload?.nodes.map(\.id) ?? config.profiles.map(\.id)
        let nodeIDs = try nodeNames.map { try ParticipantID($0) }
        let plugin = config.workload?.plugin ?? SafetyEventCountPlugin.make(contributionBound: config.contributionBound)
        let aggregatorID = try ParticipantID("aggregator")
        let controlID = try ParticipantID("control")
        // Fresh identities every run, from the system's cryptographic random source.
        let nodeIdentities = nodeIDs.map { SigningIdentity.generate(id: $0, role: .node) }
        let aggregatorIdentity = SigningIdentity.generate(id: aggregatorID, role: .aggregator)
        let controlIdentity = SigningIdentity.generate(id: controlID, role: .control)
        let roster = try FederationRoster(
            (nodeIdentities + [aggregatorIdentity, controlIdentity] + config.operators).map(\.publicIdentity)
        )
        var providers = ProviderRegistry.builtIn
        for provider in config.extraProviders { providers = providers.replacing(provider) }
        if config.fault == .poisonedUpdate {
            throw FederationRunError(
                "poisoned-update is a federated-training fault: phalanx demo --inject-fault poisoned-update runs it in training rounds"
            )
        }
        if config.fault == .privacyOverspend, !config.isPrivate {
            throw FederationRunError("privacy-overspend needs a differential-privacy provider: dp or dp+secagg")
        }
        providers = try Self.calibrated(
            providers, providerName: config.providerName, plugin: plugin, epsilon: config.plannedEpsilon,
            delta: config.delta, dropoutFraction: config.dropoutFraction)
        let transport = InProcessTransport(participants: nodeIDs + [aggregatorID, controlID])
        let clock = Self.wallClock

        let skipRound = config.fault == .overspend ? min(1, config.rounds - 1) : nil
        let faultyNode =
            config.workload == nil
            ? config.profiles.first { $0.attackWaveDay != nil }?.id ?? config.profiles.last?.id : nodeNames.last
        // Scenario C: one node (not the overspender) reveals corrupted shares.
        let maliciousNode = config.fault == .malformedShare ? nodeNames.dropLast().last : nil
        let silentNode = config.fault == .silentNode ? nodeNames.dropLast().last : nil
        // `lost-result`: the network loses the first result on its way to the second node.
        let resultVictim = config.fault == .lostResult ? nodeIDs[min(1, nodeIDs.count - 1)] : nil
        var networkLosses: [NetworkLoss] = []
        var nodes: [NodeRuntime] = []
        for (index, identity) in nodeIdentities.enumerated() {
            let name = nodeNames[index]
            let tables =
                try config.workload?.nodes[index].tables
                ?? [
                    SafetyEvents.table: try SafetyEvents.generate(
                        profile: config.profiles[index], days: config.rounds, seed: config.dataSeed)
                ]
            nodes.append(
                NodeRuntime(
                    identity: identity, roster: roster, providers: providers, tables: tables,
                    transport: transport, clock: clock, skipClippingInRound: name == faultyNode ? skipRound : nil,
                    providerFaults: name == maliciousNode ? [.corruptRevealedShares] : [],
                    silent: name == silentNode
                )
            )
        }
        let aggregator = AggregatorRuntime(
            identity: aggregatorIdentity, roster: roster, providers: providers, transport: transport, clock: clock)
        let temporaryDirectory =
            config.ledgerPath == nil || (config.isPrivate && config.budgetPath == nil)
            ? FileManager.default.temporaryDirectory.appendingPathComponent("phalanx-\(UUID().uuidString)") : nil
        if let temporaryDirectory {
            try FileManager.default.createDirectory(at: temporaryDirectory, withIntermediateDirectories: true)
        }
        defer { if let temporaryDirectory { try? FileManager.default.removeItem(at: temporaryDirectory) } }
        let ledgerPath = config.ledgerPath ?? temporaryDirectory!.appendingPathComponent("ledger.sqlite").path
        // The control plane operates the ledger and signs its checkpoints with its own identity.
        let ledger = try MerkleLedger.create(path: ledgerPath, origin: config.ledgerOrigin, signer: controlIdentity)
        // The organizations' privacy budgets: reserved at admission, spent per release, kept across jobs.
        var budget: PrivacyBudgetLedger?
        var budgetPath: String?
        if config.isPrivate {
            budgetPath = config.budgetPath ?? temporaryDirectory!.appendingPathComponent("budget.sqlite").path
            let opened = try PrivacyBudgetLedger(path: budgetPath)
            for node in nodeIDs {
                try opened.setLimit(participant: node, epsilon: config.nodeEpsilonLimit, delta: config.nodeDeltaLimit)
            }
            budget = opened
        }
        let control = ControlPlane(
            identity: controlIdentity, roster: roster, providers: providers, policy: config.policy,
            transport: transport, ledger: ledger, budget: budget, clock: clock
        )

        guard let provider = providers.provider(named: config.providerName) else {
            throw FederationRunError(
                "unknown execution provider \"\(config.providerName)\"; available: \(providers.names.joined(separator: ", "))"
            )
        }
        let (manifest, _) = try JobAdmission.makeManifest(
            plugin: plugin, provider: provider.descriptor, policy: config.policy,
            participants: ParticipantSet(nodes: nodeIDs, aggregator: aggregatorID, control: controlID),
            rounds: config.rounds, providerImplementation: provider
        )

        var events: [(tick: UInt64?, event: JobEvent)] = []
        func gather(_ tick: UInt64?) async {
            for node in nodes { events += await node.takeEvents().map { (tick, $0) } }
            events += await aggregator.takeEvents().map { (tick, $0) }
            events += await control.takeEvents().map { (tick, $0) }
        }

        // Each node tells the control plane what data it holds (the shape only), as it would when it registers.
        for node in nodes {
            await control.declareData(node.identity.id, schema: node.declaredData)
        }
        var outcome: Outcome?
        do {
            _ = try await control.submit(manifest: manifest, plugin: plugin)
        } catch let error as AdmissionError {
            outcome = .refused(error)
        }
        await gather(nil)

        var tick: UInt64 = 0
        // Interactive providers take several ticks per round (secagg: five stages, plus timeouts for dropouts). A
        // job not cleared by then is aborted by the control plane; the run itself stops only if even that fails.
        let deadline = UInt64(config.rounds) * 12 + 8
        await control.setDeadline(tick: deadline)
        let maxTicks = deadline + 8
        while outcome == nil {
            guard tick < maxTicks else {
                throw FederationRunError("the job made no progress for \(maxTicks) ticks (liveness violated)")
            }
            let tickStart = ContinuousClock.now
            for node in nodes { try await node.step(tick: tick, tickStart: tickStart) }
            try await injectFault(
                tick: tick, transport: transport, manifest: manifest, controlID: controlID, nodeIDs: nodeIDs)
            try await aggregator.step(tick: tick, tickStart: tickStart)
            if let resultVictim, networkLosses.isEmpty {
                let lost = await transport.lose(to: resultVictim, atMost: 1) {
                    if case .result = $0.message { true } else { false }
                }
                if lost > 0 {
                    networkLosses.append(
                        NetworkLoss(tick: tick, sender: aggregatorID, recipient: resultVictim, kind: "result"))
                }
            }
            for request in try config.overrides?(tick, manifest) ?? [] {
                try await transport.send(.override(request), from: request.command.signer, to: controlID)
            }
            try await control.collect(tick: tick)
            for node in nodes { try await node.handleCommands(tick: tick) }
            try await aggregator.handleCommands(tick: tick)
            try await control.settle(tick: tick)
            await gather(tick)

            let aggregatorState = await aggregator.state
            var allTerminal = aggregatorState == .finalize || aggregatorState == .aborted
            // An isolated node is out of the job: one that ignores its isolation is not waited for.
            let isolated = await control.isolated
            for node in nodes
            where await ![.done, .aborted].contains(node.state) && !isolated.contains(node.identity.id) {
                allTerminal = false
            }
            if allTerminal {
                if let result = await control.result {
                    outcome = .finalized(result)
                } else {
                    outcome = .aborted(reason: await control.abortReason ?? "the job aborted")
                }
            }
            tick += 1
            if config.realtime, outcome == nil {
                try await Task.sleep(until: tickStart.advanced(by: .seconds(1)), clock: .continuous)
            }
        }

        var wiped: [ParticipantID: Bool] = [:]
        var nodeStates: [ParticipantID: NodeState] = [:]
        for node in nodes {
            wiped[node.identity.id] = await !node.holdsJobSecrets
            nodeStates[node.identity.id] = await node.state
        }
        let checkpoint = try await ledger.commitBlock()
        let ledgerEntries = try await ledger.entries(from: 0, count: Int(await ledger.size))
        let verification = LedgerVerifier.verify(path: ledgerPath)
        let ledgerBytes = LedgerFile.bytes(atPath: ledgerPath)
        return Report(
            configuration: config,
            manifest: manifest,
            plugin: plugin,
            roster: roster,
            outcome: outcome!,
            ticks: tick,
            events: events,
            frameLog: await transport.frameLog,
            commandLog: await transport.commandLog,
            ackLog: await transport.ackLog,
            rejectionCounts: await control.rejectionCounts,
            ledgerEntries: ledgerEntries,
            checkpoint: checkpoint,
            verification: verification,
            ledgerPath: config.ledgerPath,
            ledgerBytes: ledgerBytes,
            messageCounts: await transport.sentCounts,
            messageBytes: await transport.sentBytes,
            networkLosses: networkLosses,
            secretsWiped: wiped,
            finalNodeStates: nodeStates,
            finalAggregatorState: await aggregator.state,
            aggregatorHeldOutputs: await aggregator.pendingOutputs.count,
            budgets: try budget.map { b in try nodeIDs.map { try b.status(participant: $0) } } ?? [],
            budgetPath: config.budgetPath,
            wallSeconds: ContinuousClock.now.millisecondsSince(started) / 1_000
        )
    }

    /// `providers` with the differential-privacy provider calibrated for this job, when `providerName` is one:
    /// the noise is sized for the job's (ε, δ) over all its rounds. Nodes and the aggregator take the noise from
    /// the manifest's privacy plan, so only the control plane, which writes the manifest, needs this.
    public static func calibrated(
        _ providers: ProviderRegistry, providerName: String, plugin: PluginIR, epsilon: Double, delta: Double,
        dropoutFraction: Double
    ) throws -> ProviderRegistry {
        do {
            guard
                let provider = try DPProvider.calibrated(
                    name: providerName, plugin: plugin, epsilon: epsilon, delta: delta, dropoutFraction: dropoutFraction
                )
            else { return providers }
            return providers.replacing(provider)
        } catch {
            throw FederationRunError("invalid privacy parameters: \(error)")
        }
    }

    /// Plays the attacker for the network faults: it can send to the control plane but holds no roster key.
    private func injectFault(
        tick: UInt64,
        transport: InProcessTransport,
        manifest: JobManifest,
        controlID: ParticipantID,
        nodeIDs: [ParticipantID]
    ) async throws {
        switch configuration.fault {
        case .forgedFrame where tick == 2:
            let victim = nodeIDs[min(1, nodeIDs.count - 1)]
            let impostor = SigningIdentity.generate(id: victim, role: .node)
            let metrics = Dictionary(uniqueKeysWithValues: manifest.metricKeys.map { ($0, 0.0) })
            let forged = TelemetryFrame(
                nodeId: victim, seq: 1_000_000, manifestHash: manifest.hash, tick: tick,
                state: NodeState.postflight.rawValue,
                metrics: metrics, lagMs: 0, opLatencyMs: 0, timestampMs: Self.wallClock()
            )
            try await transport.send(.frame(try Signed(signing: forged, with: impostor)), from: victim, to: controlID)
            let stranger = SigningIdentity.generate(id: try ParticipantID("mallory"), role: .node)
            var unknown = forged
            unknown.nodeId = stranger.id
            try await transport.send(
                .frame(try Signed(signing: unknown, with: stranger)), from: stranger.id, to: controlID)
        case .replay where tick == 2:
            if let captured = await transport.frameLog.first(where: { $0.signer == nodeIDs[0] }) {
                try await transport.send(.frame(captured), from: nodeIDs[0], to: controlID)
            }
        default:
            return
        }
    }
}

/// The in-process federation could not run.
public struct FederationRunError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
