import Foundation
import PhalanxCore

/// Verifies incoming telemetry frames for one job and seals each tick's accepted frames into a batch.
///
/// A frame is accepted only if all of these hold, checked in this order: the signer is registered, is a
/// reporter of the job (a node or the aggregator) and has not been isolated from it; the Ed25519 signature verifies and the signer is the
/// frame's author; the payload decodes canonically; `manifestHash` is the job's; `seq` exceeds the last
/// accepted `seq` of that participant (replays and reordering are refused); `tick` is the tick being collected;
/// it is the participant's first frame this tick; `metrics` has exactly the manifest's keys with finite
/// values; and `timestampMs` is within ``skewWindowMs`` of the collector's clock.
///
/// **Batches.** ``ingest(batch:tick:nowMs:)`` checks the signatures of a batch (Ed25519, the canonical decode and
/// the audit hash: nearly all the cost) on every core first, then runs the stateful checks frame by frame in input
/// order, so its results, counts and sealed batch are exactly those of ingesting the frames one by one.
public struct TelemetryCollector: Sendable {
    public let jobId: SHA256Digest
    public let metricKeys: Set<String>
    public let reporters: Set<ParticipantID>
    /// How far a frame's timestamp may be from the collector's clock, in milliseconds.
    public let skewWindowMs: Int64
    /// How many threads verify the signatures of a batch at once (default: the active processor count).
    public var parallelism: Int = Parallel.cores
    /// The roster, with each member's key parsed once.
    private let signers: [ParticipantID: FrameSigner]
    private var lastSeq: [ParticipantID: UInt64] = [:]
    /// Participants isolated from the job: their frames are refused and they are no longer expected.
    public private(set) var isolated: Set<ParticipantID> = []
    private var isolatedReporters = 0
    /// The reporters in id order, and each one's place in it. A tick's accepted frames are kept by place, so the
    /// sealed batch comes out sorted by participant without a sort (5,000 string comparisons × log n a tick).
    private let ranked: [ParticipantID]
    private let rank: [ParticipantID: Int]
    private var pending: [VerifiedFrame?]
    private var pendingCount = 0
    private var pendingRejections: [FrameRejection: Int] = [:]
    private var machine = StateMachine(Machines.collector)
    /// Rejections since the collector started, by reason (exported as a metric).
    public private(set) var rejectionCounts: [FrameRejection: Int] = [:]
    /// Ticks in which each reporter sent no accepted frame (the straggler metric).
    public private(set) var missingCounts: [ParticipantID: Int] = [:]

    public init(manifest: JobManifest, roster: FederationRoster, skewWindowMs: Int64 = 2_000) {
        let reporters = Set(manifest.participants.reporters)
        self.jobId = manifest.hash
        self.metricKeys = Set(manifest.metricKeys)
        self.reporters = reporters
        self.ranked = reporters.sorted()
        self.rank = Dictionary(uniqueKeysWithValues: ranked.enumerated().map { ($0.element, $0.offset) })
        self.pending = Array(repeating: nil, count: reporters.count)
        self.signers = roster.members.mapValues { FrameSigner($0, isReporter: reporters.contains($0.id)) }
        self.skewWindowMs = skewWindowMs
    }

    public var state: CollectorState { machine.state }

    /// Reporters (not isolated) with no accepted frame yet in the tick being collected: when it reaches 0 the tick
    /// can be sealed at once, without waiting for its deadline.
    public var outstanding: Int {
        reporters.count - isolatedReporters - pendingCount
    }

    /// Stops accepting frames from `participant` (an `A-ISOLATE_PARTY` was issued) and stops counting it missing.
    public mutating func isolate(_ participant: ParticipantID) {
        if isolated.insert(participant).inserted, reporters.contains(participant) { isolatedReporters += 1 }
        if let place = rank[participant], pending[place] != nil {
            pending[place] = nil
            pendingCount -= 1
        }
    }

    /// Checks `envelope` for `tick` and buffers it when accepted.
    @discardableResult
    public mutating func ingest(
        _ envelope: Signed<TelemetryFrame>, tick: UInt64, nowMs: Int64
    ) -> Result<TelemetryFrame, FrameRejection> {
        ingest(PreverifiedFrame(envelope: envelope, check: nil), tick: tick, nowMs: nowMs)
    }

    /// Checks `envelopes` for `tick`, in order, and buffers the accepted ones: the same results as calling
    /// ``ingest(_:tick:nowMs:)`` on each in turn, with the signatures verified on ``parallelism`` threads.
    @discardableResult
    public mutating func ingest(
        batch envelopes: [Signed<TelemetryFrame>], tick: UInt64, nowMs: Int64
    ) -> [Result<TelemetryFrame, FrameRejection>] {
        var results: [Result<TelemetryFrame, FrameRejection>] = []
        results.reserveCapacity(envelopes.count)
        for frame in preverify(envelopes) {
            results.append(ingest(frame, tick: tick, nowMs: nowMs))
        }
        return results
    }

    /// Verifies the signatures of `envelopes` on ``parallelism`` threads, without changing the collector: the
    /// stateless half of ingesting them. Frames the collector would refuse before their signature (unknown sender,
    /// not a reporter, isolated) are not verified.
    func preverify(_ envelopes: [Signed<TelemetryFrame>]) -> [PreverifiedFrame] {
        let signers = signers, isolated = isolated, metricKeys = metricKeys
        return Parallel.map(envelopes, workers: parallelism) { envelope in
            guard let signer = signers[envelope.signer], signer.isReporter, !isolated.contains(signer.identity.id)
            else { return PreverifiedFrame(envelope: envelope, check: nil) }
            return PreverifiedFrame(
                envelope: envelope,
                check: (signer.identity, FrameVerification.verify(envelope, by: signer, metricKeys: metricKeys)))
        }
    }

    /// Runs the stateful checks on a frame checked by ``preverify(_:)`` (verifying it now if it was not) and
    /// buffers it when accepted.
    @discardableResult
    mutating func ingest(
        _ frame: PreverifiedFrame, tick: UInt64, nowMs: Int64
    ) -> Result<TelemetryFrame, FrameRejection> {
        switch check(frame, tick: tick, nowMs: nowMs) {
        case .success(let accepted):
            // `check` accepts only a reporter's frame, so the participant has a place.
            pending[rank[accepted.frame.nodeId]!] = accepted
            pendingCount += 1
            lastSeq[accepted.frame.nodeId] = accepted.frame.seq
            // OPEN → WRITE (the row exists and `seal` always reopens, so this cannot fail). WRITE → WRITE leaves the
            // state as it is, so it is not fired: every firing is kept in the machine's history, which would grow by
            // a row per accepted frame for as long as the collector runs.
            if machine.state == .open { _ = try? machine.fire(.frameAccepted) }
            return .success(accepted.frame)
        case .failure(let reason):
            pendingRejections[reason, default: 0] += 1
            rejectionCounts[reason, default: 0] += 1
            return .failure(reason)
        }
    }

    private func check(
        _ candidate: PreverifiedFrame, tick: UInt64, nowMs: Int64
    ) -> Result<VerifiedFrame, FrameRejection> {
        let envelope = candidate.envelope
        guard let signer = signers[envelope.signer] else { return .failure(.unknownSender) }
        guard signer.isReporter else { return .failure(.notAReporter) }
        guard !isolated.contains(signer.identity.id) else { return .failure(.isolated) }
        let verified: VerifiedFrame
        switch candidate.result(for: signer.identity)
            ?? FrameVerification.verify(envelope, by: signer, metricKeys: metricKeys)
        {
        case .success(let frame): verified = frame
        case .failure(let reason): return .failure(reason)
        }
        let frame = verified.frame
        guard frame.manifestHash == jobId else { return .failure(.wrongJob) }
        if let last = lastSeq[frame.nodeId], frame.seq <= last { return .failure(.replay) }
        guard frame.tick == tick else { return .failure(.wrongTick) }
        // The author is the signer, a reporter; a missing place would be a broken roster, refused all the same.
        guard let place = rank[frame.nodeId] else { return .failure(.notAReporter) }
        guard pending[place] == nil else { return .failure(.duplicateInTick) }
        guard verified.keysMatch else { return .failure(.metricKeysMismatch) }
        guard verified.valuesValid else { return .failure(.invalidValue) }
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
        let frames = pending.compactMap { $0 }
        let missing = ranked.indices.filter { pending[$0] == nil && !isolated.contains(ranked[$0]) }.map { ranked[$0] }
        for id in missing { missingCounts[id, default: 0] += 1 }
        let batch = SealedBatch(
            jobId: jobId,
            tick: tick,
            frames: frames.map(\.frame),
            digests: frames.map(\.digest),
            rejected: pendingRejections,
            missing: missing
        )
        for place in pending.indices where pending[place] != nil { pending[place] = nil }
        pendingCount = 0
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

    public func frame(of id: ParticipantID) -> TelemetryFrame? {
        // The frames are sorted by participant (the collector seals them so): a binary search, not a scan, since
        // the control engine looks up every node of a large federation before a release.
        var low = 0
        var high = frames.count
        while low < high {
            let middle = (low + high) / 2
            if frames[middle].nodeId < id { low = middle + 1 } else { high = middle }
        }
        return low < frames.count && frames[low].nodeId == id ? frames[low] : nil
    }
}
