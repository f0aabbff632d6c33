/// Everything participants send each other. Every message travels signed by its sender.
public enum FederationMessage: Hashable, Sendable {
    case announcement(Signed<JobAnnouncement>)
    case contribution(Signed<ContributionMessage>)
    case providerReply(Signed<ProviderReply>)
    case incident(Signed<ProviderIncident>)
    case frame(Signed<TelemetryFrame>)
    case command(Signed<ACommand>)
    case ack(Signed<CommandAck>)
    case aggregationStep(Signed<AggregationStep>)
    case clearance(Signed<ReleaseClearance>)
    case result(Signed<JobResult>)
    /// A human override for the control plane (an operator's signed command and its approvals).
    case override(OverrideRequest)

    /// A short name for logs.
    public var kind: String {
        switch self {
        case .announcement: "announcement"
        case .contribution: "contribution"
        case .providerReply: "provider-reply"
        case .incident: "incident"
        case .frame: "frame"
        case .command: "command"
        case .ack: "ack"
        case .aggregationStep: "aggregation-step"
        case .clearance: "clearance"
        case .result: "result"
        case .override: "override"
        }
    }
}

/// The control plane announces an admitted job: the manifest and the plug-in it pins.
public struct JobAnnouncement: SignedPayload, Hashable {
    public static let payloadType = "phalanx.job-announcement.v1"
    public var issuer: ParticipantID
    public var manifest: JobManifest
    public var plugin: PluginIR

    public init(issuer: ParticipantID, manifest: JobManifest, plugin: PluginIR) {
        self.issuer = issuer
        self.manifest = manifest
        self.plugin = plugin
    }

    public var author: ParticipantID { issuer }
}

/// A node's provider message for the aggregator (a protected contribution, or a step of an interactive protocol).
public struct ContributionMessage: SignedPayload, Hashable {
    public static let payloadType = "phalanx.contribution.v1"
    public var node: ParticipantID
    public var jobId: SHA256Digest
    public var message: ProviderMessage

    public init(node: ParticipantID, jobId: SHA256Digest, message: ProviderMessage) {
        self.node = node
        self.jobId = jobId
        self.message = message
    }

    public var author: ParticipantID { node }
}

/// The aggregator's provider message for one node (a step of an interactive protocol such as `secagg`).
public struct ProviderReply: SignedPayload, Hashable {
    public static let payloadType = "phalanx.provider-reply.v1"
    public var aggregator: ParticipantID
    public var jobId: SHA256Digest
    public var node: ParticipantID
    public var message: ProviderMessage

    public init(aggregator: ParticipantID, jobId: SHA256Digest, node: ParticipantID, message: ProviderMessage) {
        self.aggregator = aggregator
        self.jobId = jobId
        self.node = node
        self.message = message
    }

    public var author: ParticipantID { aggregator }
}

/// The aggregator's report of what its provider caught or could not do, for the control plane: nodes proven to
/// have misbehaved (e.g. revealed shares that do not open their commitments), or a secure sum that failed.
///
/// Attribution comes from the aggregator: the control plane counts these against the accused nodes in the
/// tick's telemetry (metric `invalidShares`), so predicates and `A-ISOLATE_PARTY` can target them.
public struct ProviderIncident: SignedPayload, Hashable {
    public static let payloadType = "phalanx.provider-incident.v1"

    public enum Kind: String, Hashable, Sendable, Codable {
        /// Nodes sent malformed or inconsistent shares.
        case invalidShares = "invalid-shares"
        /// A secure sum could not be completed (too few participants or shares); the job cannot go on.
        case sumFailed = "sum-failed"
    }

    public var aggregator: ParticipantID
    public var jobId: SHA256Digest
    public var kind: Kind
    public var channel: String
    public var round: Int
    /// Accused nodes and how many of their messages were bad.
    public var offenders: [String: Int]
    public var detail: String

    public init(
        aggregator: ParticipantID, jobId: SHA256Digest, kind: Kind, channel: String, round: Int,
        offenders: [String: Int],
        detail: String
    ) {
        self.aggregator = aggregator
        self.jobId = jobId
        self.kind = kind
        self.channel = channel
        self.round = round
        self.offenders = offenders
        self.detail = detail
    }

    public var author: ParticipantID { aggregator }
}

/// The aggregator's report that it merged a round, for the audit record. It names the contributors and the
/// digest of the merged vector, never the vector itself.
public struct AggregationStep: SignedPayload, Hashable {
    public static let payloadType = "phalanx.aggregation-step.v1"
    public var aggregator: ParticipantID
    public var jobId: SHA256Digest
    public var round: Int
    public var contributors: [ParticipantID]
    public var mergedDigest: SHA256Digest

    public init(
        aggregator: ParticipantID, jobId: SHA256Digest, round: Int, contributors: [ParticipantID],
        mergedDigest: SHA256Digest
    ) {
        self.aggregator = aggregator
        self.jobId = jobId
        self.round = round
        self.contributors = contributors
        self.mergedDigest = mergedDigest
    }

    public var author: ParticipantID { aggregator }
}

/// The control plane's signed permission for the aggregator to finalize and release.
///
/// It is issued only when every node reported a safe state (POSTF or later) and no enabled predicate held
/// in the same sealed tick — the `releaseCleared` guard of the aggregator's table.
public struct ReleaseClearance: SignedPayload, Hashable {
    public static let payloadType = "phalanx.release-clearance.v1"
    public var issuer: ParticipantID
    public var jobId: SHA256Digest
    public var tick: UInt64
    /// The node states the decision was based on.
    public var nodeStates: [String: String]
    /// The predicates evaluated (none of which held).
    public var predicatesEvaluated: [String]

    public init(
        issuer: ParticipantID, jobId: SHA256Digest, tick: UInt64, nodeStates: [String: String],
        predicatesEvaluated: [String]
    ) {
        self.issuer = issuer
        self.jobId = jobId
        self.tick = tick
        self.nodeStates = nodeStates
        self.predicatesEvaluated = predicatesEvaluated
    }

    public var author: ParticipantID { issuer }
}

/// The released outputs of a finalized job, published by the aggregator.
public struct JobResult: SignedPayload, Hashable {
    public static let payloadType = "phalanx.job-result.v1"
    public var aggregator: ParticipantID
    public var jobId: SHA256Digest
    public var outputs: [ReleasedOutput]

    public init(aggregator: ParticipantID, jobId: SHA256Digest, outputs: [ReleasedOutput]) {
        self.aggregator = aggregator
        self.jobId = jobId
        self.outputs = outputs
    }

    public var author: ParticipantID { aggregator }
}

/// One released vector: a round's output with its labels. Suppressed components are `nil`.
public struct ReleasedOutput: Hashable, Sendable, Codable {
    public var name: String
    public var round: Int
    public var labels: [String]
    /// An integer output (counts): one value per label, `nil` where a threshold suppressed it. Empty for a real
    /// output.
    public var values: [Int64?]
    /// A real output (an estimate such as a survival curve or a mean update): one value per label, `nil` where
    /// suppressed. Absent for an integer output.
    public var realValues: [Double?]?

    public init(name: String, round: Int, labels: [String], values: [Int64?]) {
        self.name = name
        self.round = round
        self.labels = labels
        self.values = values
        self.realValues = nil
    }

    public init(name: String, round: Int, labels: [String], realValues: [Double?]) {
        self.name = name
        self.round = round
        self.labels = labels
        self.values = []
        self.realValues = realValues
    }

    /// Every value as a real number, integer or real output alike.
    public var numbers: [Double?] {
        realValues ?? values.map { $0.map(Double.init) }
    }
}
