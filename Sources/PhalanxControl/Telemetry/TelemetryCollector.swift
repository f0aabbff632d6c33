import PhalanxCore

/// Verifies incoming telemetry frames for one job and seals each tick's accepted frames into a batch.
///
/// A frame is accepted only if all of these hold, checked in this order: the signer is registered, is a
/// reporter of the job (a node or the aggregator) and has not been isolated from it; the Ed25519 signature verifies and the signer is the
/// frame's author; the payload decodes canonically; `manifestHash` is the job's; `seq` exceeds the last
/// accepted `seq` of that participant (replays and reordering are refused); `tick` is the tick being collected;
/// it is the participant's first frame this tick; `metrics` has exactly the manifest's keys with finite
/// values; and `timestampMs` is within ``skewWindowMs`` of the collector's clock.
public struct TelemetryCollector: Sendable {
    public let jobId: SHA256Digest
    public let metricKeys: Set<String>
    public let reporters: Set<ParticipantID>
    /// How far a frame's timestamp may be from the collector's clock, in milliseconds.
    public let skewWindowMs: Int64
    private let roster: FederationRoster
    private var lastSeq: [ParticipantID: UInt64] = [:]
    /// Participants isolated from the job: their frames are refused and they are no longer expected.
    public private(set) var isolated: Set<ParticipantID> = []
    private var pending: [ParticipantID: Verified<TelemetryFrame>] = [:]
    private var pendingRejections: [FrameRejection: Int] = [:]
    private var machine = StateMachine(Machines.collector)
    /// Rejections since the collector started, by reason (exported as a metric).
    public private(set) var rejectionCounts: [FrameRejection: Int] = [:]
    /// Ticks in which each reporter sent no accepted frame (the straggler metric).
    public private(set) var missingCounts: [ParticipantID: Int] = [:]

    public init(manifest: JobManifest, roster: FederationRoster, skewWindowMs: Int64 = 2_000) {
        self.jobId = manifest.hash
        self.metricKeys = Set(manifest.metricKeys)
        self.reporters = Set(manifest.participants.reporters)
        self.roster = roster
        self.skewWindowMs = skewWindowMs
    }

    public var state: CollectorState { machine.state }

    /// Stops accepting frames from `participant` (an `A-ISOLATE_PARTY` was issued) and stops counting it missing.
    public mutating func isolate(_ participant: ParticipantID) {
        isolated.insert(participant)
        pending[participant] = nil
    }

    /// Checks `envelope` for `tick` and buffers it when accepted.
    @discardableResult
    public mutating func ingest(
        _ envelope: Signed<TelemetryFrame>, tick: UInt64, nowMs: Int64
    ) -> Result<TelemetryFrame, FrameRejection> {
        let verdict = check(envelope, tick: tick, nowMs: nowMs)
        switch verdict {
        case .success(let verified):
            pending[verified.value.nodeId] = verified
            lastSeq[verified.value.nodeId] = verified.value.seq
            // OPEN → WRITE or WRITE → WRITE: both rows exist and `seal` always reopens, so this cannot fail.
            _ = try? machine.fire(.frameAccepted)
            return .success(verified.value)
        case .failure(let reason):
            pendingRejections[reason, default: 0] += 1
            rejectionCounts[reason, default: 0] += 1
            return .failure(reason)
        }
    }

    private func check(
        _ envelope: Signed<TelemetryFrame>, tick: UInt64, nowMs: Int64
    ) -> Result<Verified<TelemetryFrame>, FrameRejection> {
        guard let identity = roster.identity(for: envelope.signer) else { return .failure(.unknownSender) }
        guard reporters.contains(identity.id) else { return .failure(.notAReporter) }
        guard !isolated.contains(identity.id) else { return .failure(.isolated) }
        let verified: Verified<TelemetryFrame>
        do {
            verified = try envelope.verify(with: identity)
        } catch {
            switch error {
            case .malformedPayload, .wrongPayloadType: return .failure(.malformed)
            default: return .failure(.badSignature)
            }
        }
        let frame = verified.value
        guard frame.manifestHash == jobId else { return .failure(.wrongJob) }
        if let last = lastSeq[frame.nodeId], frame.seq <= last { return .failure(.replay) }
        guard frame.tick == tick else { return .failure(.wrongTick) }
        guard pending[frame.nodeId] == nil else { return .failure(.duplicateInTick) }
        guard Set(frame.metrics.keys) == metricKeys else { return .failure(.metricKeysMismatch) }
        guard frame.metrics.values.allSatisfy(\.isFinite), frame.lagMs.isFinite, frame.lagMs >= 0,
            frame.opLatencyMs.isFinite, frame.opLatencyMs >= 0
        else { return .failure(.invalidValue) }
        // A signed frame may carry any Int64 (even Int64.min): compute the distance without overflowing.
        let (difference, overflow) = frame.timestampMs.subtractingReportingOverflow(nowMs)
        guard !overflow, difference.magnitude <= UInt64(max(skewWindowMs, 0)) else { return .failure(.clockSkew) }
        return .success(verified)
    }

    /// Ends `tick`: returns the accepted frames (sorted by participant), their digests, the rejections of the
    /// tick and the reporters that sent nothing, and reopens for the next tick.
    public mutating func seal(tick: UInt64) throws(IllegalTransition) -> SealedBatch {
        // WRITE → SEAL or OPEN → SEAL (an empty tick is sealed too: missing frames are an event).
        try machine.fire(.tickEnded)
        let frames = pending.values.sorted { $0.value.nodeId < $1.value.nodeId }
        let missing = reporters.subtracting(pending.keys).subtracting(isolated).sorted()
        for id in missing { missingCounts[id, default: 0] += 1 }
        let batch = SealedBatch(
            jobId: jobId,
            tick: tick,
            frames: frames.map(\.value),
            digests: frames.map(\.envelope.digest),
            rejected: pendingRejections,
            missing: missing
        )
        pending.removeAll()
        pendingRejections.removeAll()
        try machine.fire(.batchRecorded)
        return batch
    }
}

/// One tick's verified frames.
public struct SealedBatch: Sendable {
    public let jobId: SHA256Digest
    public let tick: UInt64
    /// Accepted frames, sorted by participant.
    public let frames: [TelemetryFrame]
    /// SHA-256 of each accepted signed envelope, in the same order.
    public let digests: [SHA256Digest]
    public let rejected: [FrameRejection: Int]
    /// Reporters without an accepted frame this tick.
    public let missing: [ParticipantID]

    public func frame(of id: ParticipantID) -> TelemetryFrame? { frames.first { $0.nodeId == id } }
}
