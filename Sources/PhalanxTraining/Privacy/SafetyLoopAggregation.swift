import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxProviders

/// Each round of training as a federated job through the whole safety loop: the control plane admits the round's
/// manifest under the guard-rail policy, the organizations' nodes run the averaging plug-in on `plain` or `secagg`
/// and send signed telemetry every tick, the sentinel evaluates the predicates (`update-norm` among them), the
/// control engine issues and collects signed commands — isolating an organization whose update is boosted — and
/// the aggregator releases the round's mean only with the control plane's clearance; the Merkle ledger records it
/// all and is verified after the round.
///
/// Slower than ``ProviderAggregation`` (a federation per round, in one process), and what a deployment runs.
public struct SafetyLoopAggregation: Sendable {
    public let providerName: String
    public let plugin: TrainingRoundPlugin
    public let policy: GuardrailPolicy

    /// What one round's job gave.
    public struct Round: Sendable {
        public var step: [Double]
        public var contributors: [String]
        /// Organizations the control plane isolated in this round, and the predicates that fired.
        public var isolated: [String]
        public var predicatesFired: [String]
        public var ticks: UInt64
        /// Bytes of every message of the job: contributions, protocol steps, frames, commands, acks, the result.
        public var messageBytes: Int
        public var ledgerEntries: Int
        public var ledgerVerified: Bool
    }

    public init(
        privacy: UpdatePrivacy, organizations: Int, dimension: Int, normBound: Double, policy: GuardrailPolicy
    ) throws {
        switch privacy {
        case .none: providerName = PlainProvider.name
        case .secureAggregation: providerName = SecAggProvider.name
        case .homomorphicEncryption: providerName = FHEProvider.name
        case .centralDP, .distributedDP:
            throw TrainingPlanError(
                "--safety-loop runs every round as its own job, so differential privacy would be spent per job and composed in the budget ledger; that is not done yet — train with DP without --safety-loop (one job, whose accountant composes ε over the rounds)"
            )
        }
        plugin = try TrainingRoundPlugin(
            dimension: dimension, normBound: normBound, weighted: true, organizations: organizations)
        self.policy = policy
    }

    public func aggregate(round: Int, updates: [ModelUpdate]) async throws -> Round {
        // Under fhe the organizations that remain decrypt without an isolated one while they are at least t; if an
        // isolation leaves fewer (or happens during the key setup, which needs everyone), the round's sum fails
        // and the round is run again, as a fresh job with a fresh key, without the organizations it isolated.
        var excluded: [String] = []
        var fired: [String] = []
        var ticks: UInt64 = 0
        var messageBytes = 0
        var verified = true
        while true {
            let kept = updates.filter { !excluded.contains($0.organization) }
            let nodes = try kept.map { (id: $0.organization, tables: try plugin.tables(for: $0)) }
            let report = try await FederationRun(
                FederationRun.Configuration(
                    rounds: 1, providerName: providerName, policy: policy,
                    ledgerOrigin: "training.phalanx.local/round-\(round + 1)",
                    workload: FederationRun.Workload(plugin: plugin.ir, nodes: nodes))
            ).run()
            ticks += report.ticks
            messageBytes += report.messageBytes
            verified = verified && report.verification.isValid
            var isolated: [String] = []
            var contributors: [String] = []
            for (_, event) in report.events {
                switch event {
                case .commandIssued(_, let command) where command.kind == .isolateParty:
                    if let subject = command.subject?.rawValue, !isolated.contains(subject) { isolated.append(subject) }
                case .predicateHeld(_, let predicate, _, _, _, _) where !fired.contains(predicate):
                    fired.append(predicate)
                case .roundMerged(_, let merged):
                    contributors = merged.map(\.rawValue)
                default:
                    break
                }
            }
            guard case .finalized(let result) = report.outcome else {
                if providerName == FHEProvider.name, !isolated.isEmpty, excluded.count + isolated.count < updates.count
                {
                    excluded += isolated
                    continue
                }
                throw TrainingPlanError(
                    "round \(round + 1): the job was \(report.outcome.name): \(report.outcome.reason ?? "no reason given")"
                )
            }
            guard let mean = result.outputs.first(where: { $0.name == TrainingRoundPlugin.meanOutput })?.realValues
            else {
                throw TrainingPlanError("round \(round + 1): the job released no mean update")
            }
            return Round(
                step: mean.map { $0 ?? 0 }, contributors: contributors, isolated: excluded + isolated,
                predicatesFired: fired, ticks: ticks, messageBytes: messageBytes,
                ledgerEntries: report.ledgerEntries.count, ledgerVerified: verified)
        }
    }
}
