import Foundation

/// What an execution provider offers: the privacy-relevant opcodes it implements and the metrics it emits.
///
/// Admission compares a manifest against this descriptor before any data moves.
public struct ProviderDescriptor: Hashable, Sendable, Codable {
    /// The name manifests use, e.g. `plain`.
    public let name: String
    /// One sentence on what the provider protects against, and what it does not.
    public let protection: String
    /// The privacy-relevant opcodes it implements.
    public let opcodes: Set<Opcode>
    /// The provider metric keys each frame of a job on this provider carries.
    public let metricKeys: Set<String>

    public init(name: String, protection: String, opcodes: Set<Opcode>, metricKeys: Set<String>) {
        self.name = name
        self.protection = protection
        self.opcodes = opcodes
        self.metricKeys = metricKeys
    }

    /// The opcodes of `plugin` that neither the provider nor the local runtime implements, sorted.
    public func unsupportedOpcodes(in opcodes: some Sequence<Opcode>) -> [Opcode] {
        Set(opcodes).filter { $0.isPrivacyRelevant && !self.opcodes.contains($0) }.sorted()
    }
}

/// A privacy back-end that implements the IR's privacy-relevant opcodes for one job.
///
/// The same plug-in runs on any provider that implements its opcodes. A provider creates one session per
/// participant and job; sessions hold the job's secrets (seeds, keys, pending shares) and wipe them on abort.
public protocol ExecutionProvider: Sendable {
    var descriptor: ProviderDescriptor { get }
    func makeNodeSession(job: ProviderJobContext) throws -> any NodeProviderSession
    func makeAggregatorSession(job: ProviderJobContext) throws -> any AggregatorProviderSession
}

/// What a provider session knows about its job.
public struct ProviderJobContext: Sendable {
    public let manifest: JobManifest
    public let jobId: SHA256Digest
    /// The participant the session runs for.
    public let participant: ParticipantID

    public init(manifest: JobManifest, participant: ParticipantID) {
        self.manifest = manifest
        self.jobId = manifest.hash
        self.participant = participant
    }
}

/// A node's contribution after the provider protected it, as sent to the aggregator.
public struct ProtectedContribution: Hashable, Sendable, Codable {
    public let provider: String
    public let channel: String
    public let round: Int
    /// Provider-specific bytes: masked, encrypted or (for `plain`) clear.
    public let body: Data

    public init(provider: String, channel: String, round: Int, body: Data) {
        self.provider = provider
        self.channel = channel
        self.round = round
        self.body = body
    }
}

/// The node side of a provider for one job. Owned by one node runtime; not shared across tasks.
public protocol NodeProviderSession: AnyObject {
    /// Protects a node's vector for `secure_sum` on `channel` in `round`.
    func protect(_ vector: [Int64], channel: String, round: Int) throws -> ProtectedContribution
    /// The current values of the provider's metric keys.
    func metrics() -> [String: Double]
    /// Forgets every secret of the job (noise seeds, masks, keys) — on abort or completion.
    func wipe()
}

/// The aggregator side of a provider for one job.
public protocol AggregatorProviderSession: AnyObject {
    /// Accepts one node's protected contribution; throws if it is malformed.
    func absorb(_ contribution: ProtectedContribution, from node: ParticipantID) throws
    /// Combines the absorbed contributions of `round` on `channel` into the sum over `contributors`.
    func combine(channel: String, round: Int, contributors: [ParticipantID]) throws -> [Int64]
    func metrics() -> [String: Double]
    /// Discards pending contributions and secrets — on abort.
    func discardPending()
}

/// A provider refused an operation.
public struct ProviderError: Error, Hashable, Sendable, CustomStringConvertible {
    public let provider: String
    public let message: String
    public init(provider: String, message: String) {
        self.provider = provider
        self.message = message
    }
    public var description: String { "execution provider \(provider): \(message)" }
}
