/// One participant's 1 Hz telemetry frame (seed 003, Appendix A), signed by that participant.
///
/// Frames carry only small metadata about the computation — never data or ciphertexts. The collector accepts
/// a frame only if its signature verifies with the key of `nodeId`, `seq` is larger than any earlier frame of
/// that participant, `manifestHash` names the admitted job, `metrics` has exactly the manifest's metric keys,
/// and `timestampMs` lies within the skew window.
public struct TelemetryFrame: SignedPayload, Hashable {
    public static let payloadType = "phalanx.telemetry-frame.v1"

    /// The emitting participant (a node or the aggregator).
    public var nodeId: ParticipantID
    /// Strictly increasing per participant; detects drops and replays.
    public var seq: UInt64
    /// The job this frame reports on.
    public var manifestHash: SHA256Digest
    /// The control-plane tick the frame belongs to.
    public var tick: UInt64
    /// The participant's state-machine state, e.g. `INF`.
    public var state: String
    /// Values for exactly the manifest's metric keys.
    public var metrics: [String: Double]
    public var lagMs: Double
    public var opLatencyMs: Double
    /// Milliseconds since the Unix epoch (UTC) when the frame was made.
    public var timestampMs: Int64

    public init(
        nodeId: ParticipantID,
        seq: UInt64,
        manifestHash: SHA256Digest,
        tick: UInt64,
        state: String,
        metrics: [String: Double],
        lagMs: Double,
        opLatencyMs: Double,
        timestampMs: Int64
    ) {
        self.nodeId = nodeId
        self.seq = seq
        self.manifestHash = manifestHash
        self.tick = tick
        self.state = state
        self.metrics = metrics
        self.lagMs = lagMs
        self.opLatencyMs = opLatencyMs
        self.timestampMs = timestampMs
    }

    public var author: ParticipantID { nodeId }

    /// Every metric of the frame, the top-level `lagMs` and `opLatencyMs` included, as predicates see them.
    public var allMetrics: [String: Double] {
        var all = metrics
        all[MetricKey.lagMs] = lagMs
        all[MetricKey.opLatencyMs] = opLatencyMs
        return all
    }
}
