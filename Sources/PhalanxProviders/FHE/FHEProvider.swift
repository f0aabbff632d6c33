import Foundation
import PhalanxCore
import PhalanxFHE
import Synchronization

/// The `fhe` execution provider: multiparty BFV (Mouchet et al., PETS 2021). Nodes generate a collective public
/// key with no dealer, Shamir-share their key shares with each other over sealed channels (t-out-of-N), encrypt
/// their vectors under the key, the aggregator adds the ciphertexts, and any t nodes decrypt the sum together,
/// each with a smudged share. The aggregator sees ciphertexts and the released sums only; a node's vector stays
/// hidden unless t other nodes collude with the aggregator (at the default tolerance and 5 nodes, t = 4: all the
/// others, as with N-out-of-N — and n − 1 colluders learn a node's vector from the sum anyway).
///
/// Each channel keeps its job-long total encrypted at the aggregator: a round's ciphertexts are added to it, the
/// total is collectively decrypted, and the round's sum is the difference with the previous total (so the
/// release is the same as a per-round sum, and no more is revealed). That long-lived ciphertext is what consumes
/// noise budget, round after round; the nodes and the aggregator report what is left as `noiseBits` (bits of
/// budget above what a smudged decryption needs) and `levelsLeft` (ciphertext multiplications that would still
/// fit). On `A-BOOTSTRAP` the nodes run the collective refresh of every total at its next decryption, which
/// restores the budget (seed 003, scenario A).
///
/// Limits, stated plainly: the key setup (key generation and dealing) needs every node; afterwards up to
/// ⌊tolerance·n⌋ may drop out or be isolated. Parties are assumed semi-honest (a malicious aggregator could send
/// a wrong ciphertext for decryption; smudging is sized from the larger of its noise estimate and the node's own
/// count; dealt shares are not verifiable).
public struct FHEProvider: ExecutionProvider {
    public static let name = "fhe"
    /// Bits of noise budget left above what a smudged collective decryption needs (the guard-rail's `noiseBits`).
    public static let noiseBits = "noiseBits"
    /// Ciphertext–ciphertext multiplications the budget still allows (seed 003's bootstrap trigger).
    public static let levelsLeft = "levelsLeft"
    /// Collective refreshes done so far.
    public static let refreshes = "refreshes"

    public let parameters: BFVParameters
    public let smudging: SmudgingPolicy
    /// Added to each component's bound: room for what a composed provider adds (distributed noise shares).
    public let extraBound: Int64
    /// The fraction of nodes that may drop out or be isolated after the key setup while decryption goes on: the
    /// nodes Shamir-share their key shares so that any t = n − ⌊f·n⌋ of them can decrypt. 0 is N-out-of-N.
    public let dropoutTolerance: Double

    /// N = 8192, Q = three 60-bit primes (log₂ Q = 180 ≤ 218 for 128-bit security), t the largest 34-bit prime
    /// ≡ 1 mod 2N: sums up to ±2³³ per component, 8192 components per ciphertext.
    public static let defaultParameters: BFVParameters = {
        let t = NTTPrimes.generate(count: 1, bits: 34, degree: 8192)[0]
        return try! BFVParameters(
            degree: 8192, plaintextModulus: t, ciphertextPrimes: BFVParameters.n8192Deep.ciphertextPrimes,
            name: "fhe-n8192-q180-t34")
    }()

    public init(
        parameters: BFVParameters = FHEProvider.defaultParameters, smudging: SmudgingPolicy = .standard,
        extraBound: Int64 = 0, dropoutTolerance: Double = 0.2
    ) {
        precondition(dropoutTolerance >= 0 && dropoutTolerance < 1, "the dropout tolerance is a fraction in [0, 1)")
        self.parameters = parameters
        self.smudging = smudging
        self.extraBound = extraBound
        self.dropoutTolerance = dropoutTolerance
    }

    /// t: how many of `nodes` must take part in a decryption.
    public func threshold(nodes: Int) -> Int {
        max(1, nodes - Int((dropoutTolerance * Double(nodes)).rounded(.down)))
    }

    public var descriptor: ProviderDescriptor {
        ProviderDescriptor(
            name: Self.name,
            protection:
                "multiparty homomorphic encryption (BFV, collective key, t-out-of-N decryption with smudging): the aggregator sees only ciphertexts and the released sums, unless t nodes collude with it (t = n − ⌊\(dropoutTolerance)·n⌋); the released sums themselves are not protected (chain dp: fhe+dp)",
            opcodes: [.secureSum, .thresholdRelease, .release],
            metricKeys: [Self.noiseBits, Self.levelsLeft, Self.refreshes]
        )
    }

    public func makeNodeSession(job: ProviderJobContext) throws -> any NodeProviderSession {
        try FHENodeSession(job: job, provider: self, context: try context(for: job))
    }

    public func makeAggregatorSession(job: ProviderJobContext) throws -> any AggregatorProviderSession {
        try FHEAggregatorSession(job: job, provider: self, context: try context(for: job))
    }

    /// The BFV context of a job, after checking that every channel's sum fits the plaintext space.
    func context(for job: ProviderJobContext) throws -> BFVContext {
        let nodes = Int64(job.manifest.participants.nodes.count)
        let half = Int64(parameters.plaintextModulus / 2)
        let bounds = try ContributionBounds(plugin: job.plugin, provider: Self.name)
        for (name, channel) in bounds.channels.sorted(by: { $0.key < $1.key }) {
            let (perNode, overflow1) = channel.linf.addingReportingOverflow(extraBound)
            let (total, overflow2) = perNode.multipliedReportingOverflow(by: nodes)
            guard !overflow1, !overflow2, total < half else {
                throw ProviderError(
                    provider: Self.name,
                    message:
                        "\(nodes) nodes × bound \(perNode) on \(name) could reach t/2 = \(half); the sums would wrap modulo the plaintext modulus"
                )
            }
        }
        return FHEContexts.shared.context(for: parameters)
    }

    /// The common-reference-string seed of a job: its manifest hash, so every party derives the same polynomials.
    static func seed(_ job: ProviderJobContext) -> [UInt8] { job.jobId.bytes }

    static func refreshLabel(channel: String, epoch: Int) -> String { "phalanx.fhe.refresh|\(channel)|\(epoch)" }
    static let keyLabel = "phalanx.fhe.ckg"

    /// Collective key generation for a job: every party derives the same common random polynomial from the job.
    static func keyGeneration(context: BFVContext, job: ProviderJobContext) -> CollectivePublicKeyGeneration {
        CollectivePublicKeyGeneration(
            context: context, crp: CommonRandomPolynomial.derive(context: context, seed: seed(job), label: keyLabel))
    }

    /// The collective refresh of a channel's total, the `epoch`-th of the job, by `parties` parties.
    func refresh(
        context: BFVContext, job: ProviderJobContext, channel: String, epoch: Int, parties: Int
    ) -> CollectiveRefresh {
        CollectiveRefresh(
            context: context,
            crp: CommonRandomPolynomial.derive(
                context: context, seed: Self.seed(job), label: Self.refreshLabel(channel: channel, epoch: epoch)),
            parties: parties, smudging: smudging)
    }

    /// The telemetry of a participant whose ciphertexts carry `noiseBits`: the budget left above `reserve` (the
    /// room a smudged decryption needs, ``SmudgingPolicy/requiredBudget(parties:context:)``, computed once per
    /// session), the products that would still fit, and the refreshes done.
    static func metrics(
        noiseBits: Double, parties: Int, reserve: Double, context: BFVContext, refreshes: Int
    ) -> [String: Double] {
        [
            Self.noiseBits: context.noiseBudget(noiseBits: noiseBits) - reserve,
            levelsLeft: Double(
                NoiseModel.levelsLeft(noiseBits: noiseBits, context: context, parties: parties, reserve: reserve)),
            Self.refreshes: Double(refreshes),
        ]
    }
}

/// Runs an FHE operation inside a provider session, reporting its failure as a ``ProviderError`` of `fhe`.
func fheOperation<T>(_ body: () throws(FHEError) -> T) throws -> T {
    do { return try body() } catch { throw ProviderError(provider: FHEProvider.name, message: "\(error)") }
}

/// BFV contexts (NTT tables, conversions) are costly to build and immutable: one per parameter set per process.
final class FHEContexts: Sendable {
    static let shared = FHEContexts()
    private let cache = Mutex<[BFVParameters: BFVContext]>([:])

    func context(for parameters: BFVParameters) -> BFVContext {
        cache.withLock { cache in
            if let context = cache[parameters] { return context }
            let context = BFVContext(parameters)
            cache[parameters] = context
            return context
        }
    }
}
