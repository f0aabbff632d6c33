import Foundation
import PhalanxCore
import PhalanxDP

/// The differential-privacy execution providers: every released sum carries noise calibrated so that the job, all
/// rounds composed, is (ε, δ)-differentially private for one node's whole contribution to a round.
///
/// - `dp` (central): nodes send their clipped vectors to the aggregator as `plain` does, and the aggregator adds
///   discrete Gaussian (or discrete Laplace) noise to each completed sum before anything leaves it. It protects the
///   released outputs against everyone who reads them; the aggregator itself sees the exact vectors.
/// - `dp+secagg` (distributed, Kairouz, Liu, Steinke 2021): each node adds its share N_ℤ(0, σ²/m) of the noise
///   to its vector and the vectors are summed by `secagg`, so no party — the aggregator included — ever sees an
///   un-noised sum, as long as at least m = ⌈(1 − f)·n⌉ honest nodes' shares are in it (f is
///   ``dropoutFraction``: nodes that drop out or collude with the aggregator). Nodes refuse to unmask a sum of
///   fewer than m inputs.
///
/// The noise is calibrated at manifest time (``privacyPlan(plugin:nodes:rounds:)``) for ``targetEpsilon`` over all
/// rounds by the RDP accountant and pinned in the manifest; the budget ledger reserves it at admission and spends
/// it per release. Samplers are exact (integer arithmetic, cryptographic randomness): see docs/dp.md.
public struct DPProvider: ExecutionProvider {
    public static let centralName = "dp"
    public static let distributedName = "dp+secagg"
    /// Central noise added under homomorphic encryption, before the collective decryption releases the sum.
    public static let overFHEName = "fhe+dp"
    /// The names of every DP provider this build has.
    public static let names: Set<String> = [centralName, distributedName, overFHEName]

    /// ε this node's data has incurred so far in this job (counted when a contribution leaves the node).
    public static let epsilonSpent = "epsilonSpent"
    /// ε the job's plan still allows: the plan's total minus ``epsilonSpent``.
    public static let epsilonRemaining = "epsilonRemaining"
    public static let deltaSpent = "deltaSpent"
    /// ε after the next planned release, by the accountant (equal to ``epsilonSpent`` after the last round): the
    /// guard-rail reads it to stop a job *before* a release would cross the limit.
    public static let epsilonNext = "epsilonNext"
    public static let privacyMetricKeys: Set<String> = [epsilonSpent, epsilonRemaining, deltaSpent, epsilonNext]

    /// Distributed noise shares are clamped at this many standard deviations so that the 32-bit secure sum never
    /// wraps; the probability that any share is clamped is charged to δ (see ``tailProbabilityPerRelease``).
    public static let clampDeviations = 12.0
    /// An upper bound on the probability that some node's clamped share differs from its exact share in one
    /// release, for up to ``maximumComponentsTimesNodes`` components × nodes: 2·n·d·e^{−(12σ)²/(2σ²)} ≤ 2⁻⁶⁰.
    public static let tailProbabilityPerRelease = 0x1p-60
    public static let maximumComponentsTimesNodes = 1 << 40
    /// σ² is rounded up to a multiple of 1/256 so that the samplers' exact arithmetic can use it; rounding up only
    /// adds noise.
    static let varianceGrid = 256.0

    public enum Mechanism: String, Sendable, CaseIterable {
        case gaussian = "discrete-gaussian"
        case laplace = "discrete-laplace"
    }

    /// Whether nodes add the noise in shares under secure aggregation (`dp+secagg`) or the aggregator adds it.
    public let distributed: Bool
    public let mechanism: Mechanism
    /// The ε of the whole job, all rounds composed, that the noise is calibrated for.
    public let targetEpsilon: Double
    /// The δ of the whole job (0 for the Laplace mechanism, which is pure ε-DP).
    public let delta: Double
    /// Distributed only: the fraction of nodes that may drop out or collude with the aggregator.
    public let dropoutFraction: Double
    /// Distributed only: the secure-aggregation settings (its noise room and minimum survivors are set per job).
    public let secagg: SecAggProvider
    /// `fhe+dp`: the homomorphic-encryption provider the sums run on; the aggregator encrypts the central noise
    /// under the collective key and adds it to the encrypted total, so the only sum ever decrypted is the noisy one.
    public let overFHE: FHEProvider?

    /// - Throws: ``DPError`` for ε ≤ 0, δ outside (0, 1) (Gaussian), a fraction outside [0, 1), NaN or infinite
    ///   values, and Laplace noise in distributed mode (shares of a discrete Laplace do not add up to one).
    public init(
        distributed: Bool = false, mechanism: Mechanism = .gaussian, targetEpsilon: Double = 1.0,
        delta: Double = 1e-6, dropoutFraction: Double = 0.2, secagg: SecAggProvider = SecAggProvider(),
        overFHE: FHEProvider? = nil
    ) throws(DPError) {
        guard targetEpsilon.isFinite, targetEpsilon > 0 else {
            throw DPError(.invalidParameter, parameter: "epsilon", "ε must be finite and > 0, got \(targetEpsilon)")
        }
        if mechanism == .gaussian {
            guard delta.isFinite, delta > 0, delta < 1 else {
                throw DPError(.invalidParameter, parameter: "delta", "δ must be in (0, 1), got \(delta)")
            }
        }
        guard dropoutFraction.isFinite, dropoutFraction >= 0, dropoutFraction < 1 else {
            throw DPError(
                .invalidParameter, parameter: "dropoutFraction",
                "the dropout fraction must be in [0, 1), got \(dropoutFraction)")
        }
        if distributed, mechanism == .laplace {
            throw DPError(
                .unsupportedEvent, parameter: "mechanism",
                "dp+secagg needs noise whose shares add up to a known distribution; use discrete-gaussian")
        }
        if distributed, overFHE != nil {
            throw DPError(
                .unsupportedEvent, parameter: "distributed",
                "fhe+dp adds central noise under encryption; distributed noise shares run on dp+secagg")
        }
        self.overFHE = overFHE
        self.distributed = distributed
        self.mechanism = mechanism
        self.targetEpsilon = targetEpsilon
        self.delta = mechanism == .laplace ? 0 : delta
        self.dropoutFraction = dropoutFraction
        self.secagg = secagg
    }

    /// The built-in central provider (ε = 1 per job, δ = 10⁻⁶).
    public static let central = try! DPProvider()
    /// The built-in distributed provider (ε = 1 per job, δ = 10⁻⁶, up to 20% of nodes dropped or colluding).
    public static let distributedOverSecAgg = try! DPProvider(distributed: true)

    /// The built-in `fhe+dp` (ε = 1 per job, δ = 10⁻⁶).
    public static let centralOverFHE = try! DPProvider(overFHE: FHEProvider())

    public var name: String {
        overFHE != nil ? Self.overFHEName : distributed ? Self.distributedName : Self.centralName
    }

    /// The DP provider named `name`, calibrated for a job running `plugin` at (ε, δ) over all its rounds, with
    /// the mechanism the plug-in asks for; `nil` when `name` is not a DP provider.
    public static func calibrated(
        name: String, plugin: PluginIR, epsilon: Double, delta: Double, dropoutFraction: Double = 0.2
    ) throws(DPError) -> DPProvider? {
        guard names.contains(name) else { return nil }
        let distributed = name == distributedName
        return try DPProvider(
            distributed: distributed, mechanism: mechanism(for: plugin, distributed: distributed),
            targetEpsilon: epsilon, delta: delta, dropoutFraction: dropoutFraction,
            overFHE: name == overFHEName ? FHEProvider() : nil)
    }

    /// The mechanism a job running `plugin` gets: Laplace when the plug-in asks for Laplace noise and the noise is
    /// central; otherwise the discrete Gaussian (shares of Laplace noise do not add up to Laplace noise, so
    /// admission refuses such a plug-in on `dp+secagg`).
    public static func mechanism(for plugin: PluginIR, distributed: Bool) -> Mechanism {
        !distributed && (try? plugin.analysis())?.noise.values.contains(.laplace) == true ? .laplace : .gaussian
    }

    public var descriptor: ProviderDescriptor {
        let transport: Set<String> =
            overFHE?.descriptor.metricKeys
            ?? (distributed ? SecAggProvider().descriptor.metricKeys : PlainProvider().descriptor.metricKeys)
        return ProviderDescriptor(
            name: name,
            protection: overFHE != nil
                ? "central DP under multiparty homomorphic encryption: nodes' vectors are encrypted under a collective key, the aggregator adds exact discrete noise to the encrypted sum, and only the noisy sum is ever decrypted (by all nodes together); the released sums are (ε, δ)-DP for each node's contribution to a round; the aggregator, which draws the noise, can learn the exact sum but no node's vector"
                : distributed
                    ? "distributed DP under secure aggregation: each node adds its share of discrete Gaussian noise before the masked sum, so no party sees an un-noised sum while at least m honest nodes' shares are in it; the released sums are (ε, δ)-DP for each node's contribution to a round"
                    : "central DP: the aggregator adds exact discrete noise to every sum before release, so the released sums are (ε, δ)-DP for each node's contribution to a round; the aggregator itself sees every node's vector",
            opcodes: [.secureSum, .noise, .thresholdRelease, .release],
            metricKeys: transport.union(Self.privacyMetricKeys),
            // What this provider can add; the job's privacy plan pins which one it does.
            noiseMechanisms: distributed ? [.gaussian] : [.laplace, .gaussian]
        )
    }

    // MARK: - Plan

    public func privacyPlan(plugin: PluginIR, nodes: Int, rounds: Int) throws -> PrivacyPlan? {
        let bounds = try ContributionBounds(plugin: plugin, provider: name)
        guard nodes >= 1, rounds >= 1 else {
            throw ProviderError(provider: name, message: "a job needs at least one node and one round")
        }
        let m = minimumContributors(nodes: nodes)
        switch mechanism {
        case .laplace:
            // Pure ε-DP: scale b = Δ₁·rounds/ε per release, rounded up to the variance grid.
            let scale = Self.roundedUp(bounds.l1 * Double(rounds) / targetEpsilon)
            return PrivacyPlan(
                mechanism: mechanism.rawValue, noise: scale, sensitivity: bounds.l2, l1Sensitivity: bounds.l1,
                dimension: bounds.dimension, delta: 0, epsilonPerRound: bounds.l1 / scale,
                epsilonTotal: bounds.l1 / scale * Double(rounds), accountant: "pure", distributed: false,
                minimumContributors: 1)
        case .gaussian:
            let rdpDelta = try rdpDelta(delta: delta, rounds: rounds)
            let l2 = bounds.l2
            let calibration = try NoiseCalibration.smallestParameter(
                targetEpsilon: targetEpsilon, delta: rdpDelta, accountant: RDPAccountant()
            ) { z in
                .selfComposed(
                    Self.releaseEvent(
                        noise: z * l2, distributed: distributed, contributors: m, l1: bounds.l1, l2: l2,
                        dimension: bounds.dimension), count: rounds)
            }
            // σ on the 1/256 grid, so that σ² is an exact small rational; the ε below is for this σ.
            let noise = Self.roundedUp(calibration.noiseMultiplier * l2)
            var plan = PrivacyPlan(
                mechanism: mechanism.rawValue, noise: noise, sensitivity: l2, l1Sensitivity: bounds.l1,
                dimension: bounds.dimension, delta: delta, epsilonPerRound: 0, epsilonTotal: 0, accountant: "rdp",
                distributed: distributed, minimumContributors: m)
            let perRound = privacyLoss(plan: plan, releases: 1).epsilon
            let total = privacyLoss(plan: plan, releases: rounds).epsilon
            guard perRound.isFinite, total.isFinite, total <= targetEpsilon * (1 + 1e-9) else {
                throw ProviderError(provider: name, message: "the noise calibration did not meet ε = \(targetEpsilon)")
            }
            plan.epsilonPerRound = perRound
            plan.epsilonTotal = total
            if distributed { _ = try shareClamp(plan: plan, nodes: nodes, bounds: bounds) }
            return plan
        }
    }

    /// The noise shares (m) the distributed noise is calibrated for: the nodes that remain when the stated
    /// fraction has dropped out or colludes. 1 for central noise.
    public func minimumContributors(nodes: Int) -> Int {
        guard distributed else { return 1 }
        // ⌊f·n⌋ nodes may be missing; the tiny slack keeps 0.2 × 5 from rounding to 0.999….
        let tolerated = Int((Double(nodes) * dropoutFraction + 1e-9).rounded(.down))
        return max(1, nodes - tolerated)
    }

    /// The δ left for the RDP conversion once the clamping of distributed shares is charged.
    func rdpDelta(delta: Double, rounds: Int) throws(DPError) -> Double {
        guard distributed else { return delta }
        let charged = delta - Double(rounds) * Self.tailProbabilityPerRelease
        guard charged > 0 else {
            throw DPError(
                .invalidParameter, parameter: "delta",
                "δ = \(delta) is too small to cover the clamping of noise shares over \(rounds) rounds")
        }
        return charged
    }

    /// One release's privacy event: the discrete Gaussian on the sum (central; it has the Gaussian's Rényi
    /// divergence, Canonne, Kamath, Steinke 2020), or the sum of m shares (distributed).
    static func releaseEvent(
        noise: Double, distributed: Bool, contributors: Int, l1: Double, l2: Double, dimension: Int
    ) -> PrivacyEvent {
        guard distributed else { return .gaussian(noiseMultiplier: noise / l2) }
        return .distributedDiscreteGaussian(
            localSigma: noise / Double(contributors).squareRoot(), contributors: contributors, l1Sensitivity: l1,
            l2Sensitivity: l2, dimension: dimension)
    }

    public func privacyLoss(plan: PrivacyPlan, releases: Int) -> (epsilon: Double, delta: Double) {
        guard releases > 0 else { return (0, 0) }
        if plan.accountant == "pure" {
            return (plan.l1Sensitivity / plan.noise * Double(releases), 0)
        }
        // A plan the accountant cannot evaluate counts as infinitely costly: the guard-rail then stops the job.
        do {
            var accountant = RDPAccountant()
            try accountant.compose(
                Self.releaseEvent(
                    noise: plan.noise, distributed: plan.distributed, contributors: plan.minimumContributors,
                    l1: plan.l1Sensitivity, l2: plan.sensitivity, dimension: plan.dimension),
                count: releases)
            let charged =
                plan.distributed ? plan.delta - Double(releases) * Self.tailProbabilityPerRelease : plan.delta
            guard charged > 0 else { return (.infinity, 1) }
            return (try accountant.epsilon(delta: charged), plan.delta)
        } catch {
            return (.infinity, 1)
        }
    }

    public func privacyPlanProblems(_ plan: PrivacyPlan?, plugin: PluginIR, nodes: Int, rounds: Int) -> [String] {
        guard let plan else {
            return ["execution provider \(name) adds noise; the manifest must carry its privacy plan"]
        }
        let bounds: ContributionBounds
        do { bounds = try ContributionBounds(plugin: plugin, provider: name) } catch { return ["\(error)"] }
        var problems: [String] = []
        if plan.mechanism != mechanism.rawValue {
            problems.append("mechanism is \(plan.mechanism) but \(name) adds \(mechanism.rawValue)")
        }
        if plan.distributed != distributed {
            problems.append(
                "distributed is \(plan.distributed) but \(name) \(distributed ? "adds" : "does not add") noise in shares"
            )
        }
        if plan.accountant != (mechanism == .laplace ? "pure" : "rdp") {
            problems.append("accountant \(plan.accountant) does not fit \(mechanism.rawValue)")
        }
        if plan.sensitivity < bounds.l2 || plan.l1Sensitivity < bounds.l1 || plan.dimension != bounds.dimension {
            problems.append(
                "the plug-in's contribution bounds are L1 \(bounds.l1), L2 \(bounds.l2) over \(bounds.dimension) components, but the plan says L1 \(plan.l1Sensitivity), L2 \(plan.sensitivity) over \(plan.dimension)"
            )
        }
        if plan.distributed, plan.minimumContributors < 1 || plan.minimumContributors > nodes {
            problems.append("minimumContributors \(plan.minimumContributors) is not between 1 and \(nodes)")
        }
        if problems.isEmpty {
            let perRound = privacyLoss(plan: plan, releases: 1).epsilon
            let total = privacyLoss(plan: plan, releases: rounds).epsilon
            let slack = 1 + 1e-9
            if !(total <= plan.epsilonTotal * slack) || !(perRound <= plan.epsilonPerRound * slack) {
                problems.append(
                    "under-reports its cost: the accountant gives ε = \(total) over \(rounds) rounds (\(perRound) per round), the plan says \(plan.epsilonTotal) (\(plan.epsilonPerRound))"
                )
            }
            if plan.distributed {
                do { _ = try shareClamp(plan: plan, nodes: nodes, bounds: bounds) } catch {
                    problems.append("\(error)")
                }
            }
        }
        return problems
    }

    // MARK: - Noise parameters

    /// `x` rounded up to the 1/256 grid (or to an integer beyond 2²⁴, where the grid's numerator would not fit 32 bits).
    static func roundedUp(_ x: Double) -> Double {
        let scaled = (x * varianceGrid).rounded(.up)
        return scaled < 0x1p32 ? scaled / varianceGrid : x.rounded(.up)
    }

    /// An exact rational at least `x` (for σ² and Laplace scales): the samplers' parameters.
    static func rationalAtLeast(_ x: Double) throws -> Rational {
        let v = x.nextUp
        let scaled = (v * varianceGrid).rounded(.up)
        if scaled < 0x1p32 { return try Rational(UInt64(scaled), UInt64(varianceGrid)) }
        guard v < 0x1p62 else {
            throw ProviderError(provider: "dp", message: "the noise variance \(x) is too large for the exact sampler")
        }
        return Rational(UInt64(v.rounded(.up)))
    }

    /// The variance of the noise the aggregator adds (central) or each node adds (distributed), rounded up.
    static func variance(plan: PrivacyPlan) throws -> Rational {
        let total = plan.noise * plan.noise
        return try rationalAtLeast(plan.distributed ? total / Double(plan.minimumContributors) : total)
    }

    /// The bound of each distributed noise share, and the check that n·(clip + bound) stays below 2³¹, so the
    /// 32-bit secure sum of noisy vectors never wraps around.
    func shareClamp(plan: PrivacyPlan, nodes: Int, bounds: ContributionBounds) throws -> UInt32 {
        guard nodes.multipliedReportingOverflow(by: plan.dimension).partialValue <= Self.maximumComponentsTimesNodes
        else {
            throw ProviderError(provider: name, message: "too many nodes × components for the clamping bound")
        }
        let variance = try Self.variance(plan: plan).doubleValue
        let clamp = (Self.clampDeviations * variance.squareRoot()).rounded(.up) + 1
        let largest = Double(bounds.channels.values.map(\.linf).max() ?? 0)
        guard Double(nodes) * (largest + clamp) < 0x1p31 else {
            throw ProviderError(
                provider: name,
                message:
                    "\(nodes) nodes × (clip \(Int64(largest)) + noise bound \(Int64(clamp))) does not fit the 32-bit secure sum; lower the noise or the clip bound"
            )
        }
        return UInt32(clamp)
    }

    /// The secure-aggregation provider a distributed job runs on: room for the noise shares, and no unmasking of
    /// sums with fewer shares than the noise is calibrated for.
    func transport(for job: ProviderJobContext) throws -> SecAggProvider {
        guard let plan = job.manifest.privacy else {
            throw ProviderError(provider: name, message: "the job's manifest has no privacy plan")
        }
        let bounds = try ContributionBounds(plugin: job.plugin, provider: name)
        let clamp = try shareClamp(plan: plan, nodes: job.manifest.participants.nodes.count, bounds: bounds)
        return SecAggProvider(
            graph: secagg.graph, dropout: max(secagg.dropout, dropoutFraction), corruption: secagg.corruption,
            stageTimeoutTicks: secagg.stageTimeoutTicks, extraBound: clamp,
            minimumSurvivors: plan.minimumContributors)
    }

    // MARK: - Sessions

    public func makeNodeSession(job: ProviderJobContext) throws -> any NodeProviderSession {
        guard let plan = job.manifest.privacy else {
            throw ProviderError(provider: name, message: "the job's manifest has no privacy plan")
        }
        if let overFHE {
            return try DPNodeSession(
                provider: self, plan: plan, rounds: job.manifest.rounds, inner: overFHE.makeNodeSession(job: job),
                shares: nil)
        }
        if distributed {
            let transport = try transport(for: job)
            let clamp = Int64(transport.extraBound)
            return try DPNodeSession(
                provider: self, plan: plan, rounds: job.manifest.rounds,
                inner: transport.makeNodeSession(job: job),
                shares: NoiseShares(variance: try Self.variance(plan: plan), clamp: clamp))
        }
        return try DPNodeSession(
            provider: self, plan: plan, rounds: job.manifest.rounds, inner: PlainProvider().makeNodeSession(job: job),
            shares: nil)
    }

    public func makeAggregatorSession(job: ProviderJobContext) throws -> any AggregatorProviderSession {
        guard let plan = job.manifest.privacy else {
            throw ProviderError(provider: name, message: "the job's manifest has no privacy plan")
        }
        if distributed {
            return try DPAggregatorSession(
                provider: self, plan: plan, rounds: job.manifest.rounds,
                inner: try transport(for: job).makeAggregatorSession(job: job), noise: nil)
        }
        let noise: AggregatorNoise =
            mechanism == .laplace
            ? .laplace(try DiscreteLaplace(scale: try Self.rationalAtLeast(plan.noise)))
            : .gaussian(try DiscreteGaussian(sigmaSquared: try Self.variance(plan: plan)))
        if let overFHE {
            // The noise goes into the encrypted total (FHEAggregatorSession.noise), not onto the decrypted sum.
            let inner = try FHEAggregatorSession(job: job, provider: overFHE, context: try overFHE.context(for: job))
            let stream = try NoiseStream()
            inner.noise = { count in noise.draw(count, from: stream) }
            return try DPAggregatorSession(
                provider: self, plan: plan, rounds: job.manifest.rounds, inner: inner, noise: nil)
        }
        return try DPAggregatorSession(
            provider: self, plan: plan, rounds: job.manifest.rounds,
            inner: PlainProvider().makeAggregatorSession(job: job), noise: noise)
    }
}
