import PhalanxCore

/// Builds and signs a participant's telemetry frames with a strictly increasing sequence number.
struct TelemetryEmitter: Sendable {
    let identity: SigningIdentity
    private(set) var seq: UInt64 = 0

    init(identity: SigningIdentity) { self.identity = identity }

    mutating func frame(
        jobId: SHA256Digest,
        tick: UInt64,
        state: String,
        metrics: [String: Double],
        lagMs: Double,
        opLatencyMs: Double,
        timestampMs: Int64
    ) throws -> Signed<TelemetryFrame> {
        seq += 1
        let frame = TelemetryFrame(
            nodeId: identity.id, seq: seq, manifestHash: jobId, tick: tick, state: state, metrics: metrics,
            lagMs: lagMs, opLatencyMs: opLatencyMs, timestampMs: timestampMs
        )
        return try Signed(signing: frame, with: identity)
    }
}
