import PhalanxCore
import PhalanxDP

/// The privacy metrics a DP session reports after `releases` of the job's `rounds` releases.
func privacyMetrics(
    provider: DPProvider, plan: PrivacyPlan, releases: Int, rounds: Int
) -> [String: Double] {
    let spent = provider.privacyLoss(plan: plan, releases: releases)
    let next = provider.privacyLoss(plan: plan, releases: min(releases + 1, rounds))
    return [
        DPProvider.epsilonSpent: spent.epsilon,
        DPProvider.epsilonRemaining: max(0, plan.epsilonTotal - spent.epsilon),
        DPProvider.deltaSpent: spent.delta,
        DPProvider.epsilonNext: next.epsilon,
    ]
}

/// The node half of `dp` and `dp+secagg`: the node's own accountant, and (distributed) its noise shares, over the
/// transport provider's node session (`plain` or `secagg`).
final class DPNodeSession: NodeProviderSession {
    private let provider: DPProvider
    private let plan: PrivacyPlan
    private let rounds: Int
    private let inner: any NodeProviderSession
    private let shares: NoiseShares?
    private var noise: NoiseStream?
    /// Rounds whose contribution left this node: each is one release of its data, spent when it leaves.
    private var contributed: Set<Int> = []

    init(
        provider: DPProvider, plan: PrivacyPlan, rounds: Int, inner: any NodeProviderSession, shares: NoiseShares?
    ) throws {
        self.provider = provider
        self.plan = plan
        self.rounds = rounds
        self.inner = inner
        self.shares = shares
        noise = shares == nil ? nil : try NoiseStream()
    }

    func begin(_ vector: [Int64], channel: String, round: Int) throws -> [ProviderMessage] {
        contributed.insert(round)
        guard let shares else { return try inner.begin(vector, channel: channel, round: round) }
        guard let noise else {
            throw ProviderError(provider: provider.name, message: "the noise stream was wiped; the job is over here")
        }
        let noisy = try vector.adding(shares.draw(vector.count, from: noise), provider: provider.name)
        return try inner.begin(noisy, channel: channel, round: round)
    }

    func receive(_ message: ProviderMessage) throws -> [ProviderMessage] { try inner.receive(message) }

    var isBusy: Bool { inner.isBusy }

    func metrics() -> [String: Double] {
        inner.metrics().merging(
            privacyMetrics(provider: provider, plan: plan, releases: contributed.count, rounds: rounds)
        ) { $1 }
    }

    func bootstrap() throws -> Bool { try inner.bootstrap() }

    func restingMetrics() -> [String: Double] { inner.restingMetrics() }

    func wipe() {
        inner.wipe()
        noise = nil
    }
}

/// The aggregator half: adds the central noise to each completed sum before the aggregator's program reads it
/// (`dp`), or checks that a distributed sum holds enough noise shares (`dp+secagg`).
final class DPAggregatorSession: AggregatorProviderSession {
    private let provider: DPProvider
    private let plan: PrivacyPlan
    private let rounds: Int
    private let inner: any AggregatorProviderSession
    private let noise: AggregatorNoise?
    private var stream: NoiseStream?
    private var released: Set<Int> = []

    init(
        provider: DPProvider, plan: PrivacyPlan, rounds: Int, inner: any AggregatorProviderSession,
        noise: AggregatorNoise?
    ) throws {
        self.provider = provider
        self.plan = plan
        self.rounds = rounds
        self.inner = inner
        self.noise = noise
        stream = noise == nil ? nil : try NoiseStream()
    }

    func receive(_ message: ProviderMessage, from node: ParticipantID) throws {
        try inner.receive(message, from: node)
    }

    func step(active: [ParticipantID]) throws -> ProviderStep {
        var result = try inner.step(active: active)
        var completed: [CompletedSum] = []
        for sum in result.completed {
            if plan.distributed, sum.contributors.count < plan.minimumContributors {
                result.failed.append(
                    (
                        sum.channel, sum.round,
                        "only \(sum.contributors.count) noise shares in the sum; the noise is calibrated for \(plan.minimumContributors)"
                    ))
                continue
            }
            var noisy = sum.sum
            if let noise {
                guard let stream else {
                    throw ProviderError(provider: provider.name, message: "the noise stream was wiped; the job is over")
                }
                noisy = try sum.sum.adding(noise.draw(sum.sum.count, from: stream), provider: provider.name)
            }
            released.insert(sum.round)
            completed.append(
                CompletedSum(channel: sum.channel, round: sum.round, sum: noisy, contributors: sum.contributors))
        }
        result.completed = completed
        return result
    }

    func metrics() -> [String: Double] {
        inner.metrics().merging(
            privacyMetrics(provider: provider, plan: plan, releases: released.count, rounds: rounds)
        ) { $1 }
    }

    func restingMetrics() -> [String: Double] { inner.restingMetrics() }

    func discardPending() {
        inner.discardPending()
        stream = nil
    }
}
