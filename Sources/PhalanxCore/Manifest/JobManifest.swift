/// The contract of one federated job, produced when a plug-in is compiled for an execution provider.
///
/// Every participant and the control plane consume the same manifest; its SHA-256 over the canonical
/// encoding (``hash``) is the job's identifier everywhere — in frames, commands, acks and the audit record.
/// The manifest names the plug-in, the opcodes it uses, the execution provider, the guard-rail predicates
/// enabled for the job and the metric keys every telemetry frame must carry. It never contains data.
public struct JobManifest: Hashable, Sendable, Codable {
    /// The version of this format; 1.
    public var formatVersion: Int
    /// 32 random hex characters, so that two runs of the same plug-in are different jobs with different hashes.
    public var jobNonce: String
    public var plugin: PluginReference
    /// Every IR opcode the plug-in uses, sorted, without repeats.
    public var opcodes: [Opcode]
    /// The execution provider that implements the privacy-relevant opcodes, e.g. `plain`.
    public var executionProvider: String
    /// The provider metric keys each frame carries in `metrics`, sorted. `lagMs` and `opLatencyMs` are
    /// top-level frame fields and always present.
    public var metricKeys: [String]
    /// Identifiers of the guard-rail predicates enabled for this job, sorted.
    public var predicates: [String]
    /// The guard-rail policy the predicates come from.
    public var guardrails: PolicyReference
    /// The policy parameters the enabled predicates reference, frozen for the job.
    public var parameters: [String: Double]
    public var inputSchema: InputSchema
    public var participants: ParticipantSet
    /// How many rounds the node side runs.
    public var rounds: Int
    /// The differential-privacy plan, for providers that add noise (`dp`, `dp+secagg`); absent otherwise.
    public var privacy: PrivacyPlan?

    public init(
        formatVersion: Int = 1,
        jobNonce: String,
        plugin: PluginReference,
        opcodes: [Opcode],
        executionProvider: String,
        metricKeys: [String],
        predicates: [String],
        guardrails: PolicyReference,
        parameters: [String: Double],
        inputSchema: InputSchema,
        participants: ParticipantSet,
        rounds: Int,
        privacy: PrivacyPlan? = nil
    ) {
        self.formatVersion = formatVersion
        self.jobNonce = jobNonce
        self.plugin = plugin
        self.opcodes = opcodes
        self.executionProvider = executionProvider
        self.metricKeys = metricKeys
        self.predicates = predicates
        self.guardrails = guardrails
        self.parameters = parameters
        self.inputSchema = inputSchema
        self.participants = participants
        self.rounds = rounds
        self.privacy = privacy
    }

    /// SHA-256 of the canonical encoding: the job's identifier.
    public var hash: SHA256Digest {
        // A manifest holds strings, integers, arrays and doubles; only a non-finite double cannot be encoded.
        // JSON input cannot carry one (JSONDecoder refuses NaN and infinities), so reaching this is a
        // programming error — never a silent fallback that could give two jobs the same id.
        guard let digest = try? SHA256Digest.ofCanonical(self) else {
            preconditionFailure("a job manifest with a non-finite parameter has no canonical encoding")
        }
        return digest
    }
}

/// Which plug-in a job runs, pinned by the digest of its IR.
public struct PluginReference: Hashable, Sendable, Codable {
    public var name: String
    public var version: String
    public var digest: SHA256Digest

    public init(name: String, version: String, digest: SHA256Digest) {
        self.name = name
        self.version = version
        self.digest = digest
    }
}

/// Which guard-rail policy a job was admitted under.
public struct PolicyReference: Hashable, Sendable, Codable {
    /// The `version` string of `guardrails.yaml`.
    public var version: String
    /// SHA-256 of the file's bytes.
    public var digest: SHA256Digest

    public init(version: String, digest: SHA256Digest) {
        self.version = version
        self.digest = digest
    }
}

/// Who takes part in a job.
public struct ParticipantSet: Hashable, Sendable, Codable {
    public var nodes: [ParticipantID]
    public var aggregator: ParticipantID
    public var control: ParticipantID

    public init(nodes: [ParticipantID], aggregator: ParticipantID, control: ParticipantID) {
        self.nodes = nodes
        self.aggregator = aggregator
        self.control = control
    }

    /// Everyone who emits telemetry: the nodes and the aggregator.
    public var reporters: [ParticipantID] { nodes + [aggregator] }
}
