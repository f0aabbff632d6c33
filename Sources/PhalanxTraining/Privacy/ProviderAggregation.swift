import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxProviders

/// Which protection the updates get on their way to the aggregator.
public enum UpdatePrivacy: Hashable, Sendable, Codable {
    /// The aggregator receives every update (what robust aggregation needs).
    case none
    /// `secagg`: the aggregator learns only the sum of the updates.
    case secureAggregation
    /// `dp`: the aggregator sees the clipped updates and releases their sum with discrete Gaussian noise, so the
    /// global model is (ε, δ)-DP for each organization's whole data over all rounds.
    case centralDP(epsilon: Double, delta: Double)
    /// `dp+secagg`: each organization adds its share of the noise under secure aggregation, so no one — the
    /// aggregator included — sees an un-noised sum.
    case distributedDP(epsilon: Double, delta: Double)
    /// `fhe`: each organization encrypts its update under the organizations' collective key; the aggregator adds
    /// ciphertexts and all organizations together decrypt only the sum.
    case homomorphicEncryption

    /// The execution provider that implements it, or `nil` for `none`.
    public var providerName: String? {
        switch self {
        case .none: nil
        case .secureAggregation: SecAggProvider.name
        case .centralDP: DPProvider.centralName
        case .distributedDP: DPProvider.distributedName
        case .homomorphicEncryption: FHEProvider.name
        }
    }

    public var isDifferentiallyPrivate: Bool {
        switch self {
        case .centralDP, .distributedDP: true
        case .none, .secureAggregation, .homomorphicEncryption: false
        }
    }

    /// Whether the aggregator sees only a sum.
    public var hidesIndividualUpdates: Bool {
        switch self {
        case .secureAggregation, .distributedDP, .homomorphicEncryption: true
        case .none, .centralDP: false
        }
    }

    public var summary: String {
        switch self {
        case .none: "none (the aggregator sees each update)"
        case .secureAggregation: "secure aggregation (secagg)"
        case .centralDP(let e, let d): "central DP (dp), ε = \(e), δ = \(d)"
        case .distributedDP(let e, let d): "distributed DP under secure aggregation (dp+secagg), ε = \(e), δ = \(d)"
        case .homomorphicEncryption: "multiparty homomorphic encryption (fhe)"
        }
    }
}

/// The updates of a round summed by an execution provider running ``TrainingRoundPlugin`` — the same sessions,
/// plug-in interpreters and privacy plans a federated job uses, driven here tick by tick in one process.
///
/// One instance is one job: its manifest pins the plug-in and, for DP, the privacy plan for all rounds, and the
/// accountant reports ε after each round's release.
public final class ProviderAggregation {
    public let privacy: UpdatePrivacy
    public let plugin: TrainingRoundPlugin
    public let manifest: JobManifest
    /// The DP plan (noise σ in fixed-point units, ε per round and in total), `nil` without DP.
    public let plan: PrivacyPlan?
    private let provider: any ExecutionProvider
    private let ids: [ParticipantID]
    private let nodes: [any NodeProviderSession]
    private let aggregator: any AggregatorProviderSession

    /// What one round's sum gave.
    public struct Round: Sendable {
        /// The mean update of the contributors (noisy under DP).
        public var step: [Double]
        public var contributors: [String]
        /// Bytes of the provider's messages, nodes → aggregator and back (encoded bodies).
        public var bytesUp: Int
        public var bytesDown: Int
        /// (ε, δ) each organization has spent after this round, by the provider's accountant; 0 without DP.
        public var epsilon: Double
        public var delta: Double
        public var ticks: Int
    }

    public init(
        privacy: UpdatePrivacy, organizations: [String], dimension: Int, normBound: Double, rounds: Int,
        dropoutFraction: Double = 0.2
    ) throws {
        // Without protection the updates go through the `plain` provider: the same plug-in and messages, in the
        // clear (the baseline `phalanx bench train` compares the protected sums with).
        let providerName = privacy.providerName ?? PlainProvider.name
        guard rounds >= 1 else { throw TrainingPlanError("--rounds must be at least 1") }
        let n = organizations.count
        let weighted = !privacy.isDifferentiallyPrivate
        var provider: any ExecutionProvider =
            switch privacy {
            case .none: PlainProvider()
            case .homomorphicEncryption: FHEProvider()
            default: SecAggProvider()
            }
        var plugin = try TrainingRoundPlugin(
            dimension: dimension, normBound: normBound, weighted: weighted, organizations: n)
        var plan: PrivacyPlan?
        switch privacy {
        case .none, .secureAggregation, .homomorphicEncryption:
            break
        case .centralDP(let epsilon, let delta), .distributedDP(let epsilon, let delta):
            let distributed = privacy.hidesIndividualUpdates
            let dp: DPProvider
            do {
                dp = try DPProvider(
                    distributed: distributed, mechanism: .gaussian, targetEpsilon: epsilon, delta: delta,
                    dropoutFraction: dropoutFraction)
            } catch {
                throw TrainingPlanError("--dp-epsilon: \(error)")
            }
            provider = dp
            if distributed {
                // Room in the 32-bit sum for each node's clamped noise share: 12σ/√m, σ = z·bound. The noise
                // multiplier z depends only on ε, δ, the rounds and m, so a plan for a coarse plug-in (with room
                // for any z below 800) tells it.
                let coarse = try TrainingRoundPlugin(
                    dimension: dimension, normBound: normBound, weighted: false, organizations: n, headroom: 1e4)
                let provisional = try dp.privacyPlan(plugin: coarse.ir, nodes: n, rounds: rounds)
                let z = (provisional?.noise ?? 0) / max(provisional?.sensitivity ?? 1, 1e-300)
                let m = Double(max(1, provisional?.minimumContributors ?? n))
                plugin = try TrainingRoundPlugin(
                    dimension: dimension, normBound: normBound, weighted: false, organizations: n,
                    headroom: 1 + DPProvider.clampDeviations * z / m.squareRoot())
            }
            plan = try dp.privacyPlan(plugin: plugin.ir, nodes: n, rounds: rounds)
        }
        self.privacy = privacy
        self.plugin = plugin
        self.plan = plan
        self.provider = provider
        let identities = try organizations.map {
            SigningIdentity.generate(id: try ParticipantID($0), role: .node)
        }
        let aggregatorIdentity = SigningIdentity.generate(id: try ParticipantID("aggregator"), role: .aggregator)
        let roster = try FederationRoster((identities + [aggregatorIdentity]).map(\.publicIdentity))
        let digest = try plugin.ir.digest
        let manifest = JobManifest(
            jobNonce: JobAdmission.freshNonce(),
            plugin: PluginReference(name: TrainingRoundPlugin.name, version: "1.0.0", digest: digest),
            opcodes: plugin.ir.opcodes, executionProvider: providerName,
            metricKeys: provider.descriptor.metricKeys.sorted(), predicates: [],
            guardrails: PolicyReference(version: "training", digest: digest), parameters: [:],
            inputSchema: plugin.ir.inputSchema,
            participants: ParticipantSet(
                nodes: identities.map(\.id), aggregator: aggregatorIdentity.id, control: try ParticipantID("control")),
            rounds: rounds, privacy: plan)
        let problems = provider.privacyPlanProblems(plan, plugin: plugin.ir, nodes: n, rounds: rounds)
        guard problems.isEmpty else {
            throw TrainingPlanError("the privacy plan is refused: \(problems.joined(separator: "; "))")
        }
        self.manifest = manifest
        ids = identities.map(\.id)
        nodes = try identities.map {
            try provider.makeNodeSession(
                job: ProviderJobContext(manifest: manifest, plugin: plugin.ir, identity: $0, roster: roster))
        }
        aggregator = try provider.makeAggregatorSession(
            job: ProviderJobContext(manifest: manifest, plugin: plugin.ir, identity: aggregatorIdentity, roster: roster)
        )
    }

    /// Sums `updates` (one per organization, in the order given at init; a missing organization counts as dropped).
    public func aggregate(round: Int, updates: [ModelUpdate]) throws -> Round {
        var bytesUp = 0
        var bytesDown = 0
        var active: [ParticipantID] = []
        for update in updates {
            guard let index = ids.firstIndex(where: { $0.rawValue == update.organization }) else {
                throw TrainingPlanError("\(update.organization) is not a participant of this training job")
            }
            let output = try NodeProgramInterpreter(plugin: plugin.ir, tables: try plugin.tables(for: update)).run(
                round: round, session: nodes[index])
            for message in output.messages {
                bytesUp += message.body.count
                try aggregator.receive(message, from: ids[index])
            }
            active.append(ids[index])
        }
        let channels = AggregatorProgramInterpreter(plugin: plugin.ir).channels
        var completed: [String: CompletedSum] = [:]
        var ticks = 0
        while completed.count < channels.count {
            ticks += 1
            guard ticks <= 64 else {
                throw TrainingPlanError("round \(round): the secure sum did not finish in 64 ticks")
            }
            let step = try aggregator.step(active: active)
            if let failure = step.failed.first {
                throw TrainingPlanError("round \(round): the \(failure.channel) sum failed: \(failure.reason)")
            }
            for sum in step.completed { completed[sum.channel] = sum }
            for (to, message) in step.outgoing {
                guard let index = ids.firstIndex(of: to) else { continue }
                bytesDown += message.body.count
                for reply in try nodes[index].receive(message) {
                    bytesUp += reply.body.count
                    try aggregator.receive(reply, from: to)
                }
            }
        }
        let outputs = try AggregatorProgramInterpreter(plugin: plugin.ir).run(round: round, sums: completed)
        let contributors = completed.values.first?.contributors.map(\.rawValue) ?? []
        var step: [Double]
        if plugin.weighted {
            guard let mean = outputs.first(where: { $0.name == TrainingRoundPlugin.meanOutput })?.realValues else {
                throw TrainingPlanError("round \(round): the plug-in released no mean update")
            }
            step = mean.map { $0 ?? 0 }
        } else {
            guard let sum = outputs.first(where: { $0.name == TrainingRoundPlugin.sumOutput })?.realValues else {
                throw TrainingPlanError("round \(round): the plug-in released no update sum")
            }
            let count = Double(max(1, contributors.count))
            step = sum.map { ($0 ?? 0) / count }
        }
        let loss = plan.map { provider.privacyLoss(plan: $0, releases: round + 1) } ?? (epsilon: 0, delta: 0)
        return Round(
            step: step, contributors: contributors, bytesUp: bytesUp, bytesDown: bytesDown, epsilon: loss.epsilon,
            delta: loss.delta, ticks: ticks)
    }

    /// Forgets every secret of the job (masks, noise seeds, pending shares).
    public func wipe() {
        for node in nodes { node.wipe() }
        aggregator.discardPending()
    }
}
