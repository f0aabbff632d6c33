import Foundation
import PhalanxControl
import PhalanxCore
import Testing

@Suite("Telemetry collector")
struct TelemetryCollectorTests {
    let federation = Federation()
    let manifest: JobManifest
    var collector: TelemetryCollector

    init() throws {
        manifest = try federation.manifest(policy: try Fixtures.policy())
        collector = TelemetryCollector(manifest: manifest, roster: federation.roster)
    }

    /// A frame of this job that passes every check at tick 1 and ``Fixtures/now``.
    func frame(
        _ name: String = "org-a",
        seq: UInt64 = 1,
        tick: UInt64 = 1,
        metrics: [String: Double] = ["contributionL1": 120, "pendingContributions": 0],
        lagMs: Double = 15,
        opLatencyMs: Double = 2,
        timestampMs: Int64 = Fixtures.now
    ) -> TelemetryFrame {
        TelemetryFrame(
            nodeId: Fixtures.id(name), seq: seq, manifestHash: manifest.hash, tick: tick, state: "INF",
            metrics: metrics, lagMs: lagMs, opLatencyMs: opLatencyMs, timestampMs: timestampMs)
    }

    /// `frame` signed by its own participant.
    func signed(_ frame: TelemetryFrame) throws -> Signed<TelemetryFrame> {
        try Signed(signing: frame, with: federation.identity(frame.nodeId.rawValue))
    }

    /// An envelope claiming `signer`, with `payload` signed correctly by `key` under `payloadType`.
    func envelope(
        payload: [UInt8],
        signer: ParticipantID,
        key: SigningIdentity,
        payloadType: String = TelemetryFrame.payloadType
    ) throws -> Signed<TelemetryFrame> {
        let message = try SignatureMessage.bytes(payloadType: payloadType, payload: payload)
        return Signed(
            payloadType: payloadType, payload: Data(payload), signer: signer, signature: try key.signature(for: message)
        )
    }

    mutating func ingest(
        _ envelope: Signed<TelemetryFrame>, tick: UInt64 = 1, nowMs: Int64 = Fixtures.now
    )
        -> Result<TelemetryFrame, FrameRejection>
    {
        collector.ingest(envelope, tick: tick, nowMs: nowMs)
    }

    // MARK: - Accepting

    @Test("a correct frame is accepted and the collector starts writing")
    mutating func accepted() throws {
        #expect(collector.state == .open)
        #expect(collector.jobId == manifest.hash)
        #expect(collector.reporters == Set(["org-a", "org-b", "org-c", "aggregator"].map(Fixtures.id)))
        #expect(collector.metricKeys == ["contributionL1", "pendingContributions"])
        #expect(collector.skewWindowMs == 2_000)
        let frame = frame()
        #expect(try ingest(signed(frame)).get() == frame)
        #expect(collector.state == .write)
        #expect(try ingest(signed(self.frame("aggregator"))).get().nodeId == Fixtures.id("aggregator"))
        #expect(collector.state == .write)
        #expect(collector.rejectionCounts.isEmpty)
    }

    // MARK: - Who signed

    @Test("a signer that is not in the roster is an unknown sender")
    mutating func unknownSender() throws {
        let stranger = SigningIdentity.generate(id: Fixtures.id("org-z"), role: .node)
        let envelope = try Signed(signing: frame("org-z"), with: stranger)
        #expect(ingest(envelope) == .failure(.unknownSender))
        #expect(collector.state == .open)
    }

    @Test("the control plane is registered but does not report")
    mutating func notAReporter() throws {
        #expect(try ingest(signed(frame("control"))) == .failure(.notAReporter))
    }

    @Test("a registered node that is not a participant of this job does not report to it")
    func registeredOutsider() throws {
        let outsider = SigningIdentity.generate(id: Fixtures.id("org-d"), role: .node)
        let roster = try FederationRoster((federation.everyone + [outsider]).map(\.publicIdentity))
        var collector = TelemetryCollector(manifest: manifest, roster: roster)
        let envelope = try Signed(signing: frame("org-d"), with: outsider)
        #expect(collector.ingest(envelope, tick: 1, nowMs: Fixtures.now) == .failure(.notAReporter))
        #expect(collector.rejectionCounts == [.notAReporter: 1])
    }

    @Test("a frame signed by an impostor key under the victim's id has a bad signature")
    mutating func impostor() throws {
        let impostor = SigningIdentity.generate(id: Fixtures.id("org-a"), role: .node)
        #expect(ingest(try Signed(signing: frame(), with: impostor)) == .failure(.badSignature))
    }

    @Test("flipping one bit of the payload or the signature breaks the signature")
    mutating func bitFlips() throws {
        let good = try signed(frame())
        for bit in [0, 7, good.payload.count * 4, good.payload.count * 8 - 1] {
            var payload = good.payload
            payload[bit / 8] ^= 1 << UInt8(bit % 8)
            let forged = Signed<TelemetryFrame>(
                payloadType: good.payloadType, payload: payload, signer: good.signer, signature: good.signature)
            #expect(ingest(forged) == .failure(.badSignature), "bit \(bit)")
        }
        var signature = good.signature
        signature[10] ^= 0x40
        let forged = Signed<TelemetryFrame>(
            payloadType: good.payloadType, payload: good.payload, signer: good.signer, signature: signature)
        #expect(ingest(forged) == .failure(.badSignature))
        #expect(collector.rejectionCounts == [.badSignature: 5])
        #expect(try ingest(good).get() == frame(), "the untouched envelope still passes")
    }

    @Test("a reporter signing another participant's frame is refused: the signer must be the author")
    mutating func signerIsNotAuthor() throws {
        let payload = try CanonicalEncoding.encode(frame("org-a"))
        let envelope = try envelope(payload: payload, signer: Fixtures.id("org-b"), key: federation.identity("org-b"))
        #expect(ingest(envelope) == .failure(.badSignature))
    }

    // MARK: - What was signed

    @Test("a validly signed payload that is not a canonical frame is malformed")
    mutating func malformed() throws {
        let org = federation.identity("org-a")
        let garbage: [[UInt8]] = [
            [0xDE, 0xAD, 0xBE, 0xEF],
            try CanonicalEncoding.encode("not a frame"),
            try CanonicalEncoding.encode(frame()) + [0x00],  // trailing byte
            [],
        ]
        for payload in garbage {
            #expect(ingest(try envelope(payload: payload, signer: org.id, key: org)) == .failure(.malformed))
        }
        let command = try envelope(
            payload: try CanonicalEncoding.encode(frame()), signer: org.id, key: org, payloadType: ACommand.payloadType)
        #expect(ingest(command) == .failure(.malformed), "a frame's bytes signed as a command are not a frame")
        #expect(collector.rejectionCounts == [.malformed: 5])
    }

    @Test("a NaN cannot be signed into a frame, and one smuggled into the bytes is malformed")
    mutating func nonFiniteValues() throws {
        #expect(throws: CanonicalEncodingError.self) {
            try signed(frame(metrics: ["contributionL1": .nan, "pendingContributions": 0]))
        }
        #expect(throws: CanonicalEncodingError.self) { try signed(frame(lagMs: .infinity)) }

        // 1.5 is written as the half float f9 3e 00; f9 7e 00 is a half NaN.
        var bytes = try CanonicalEncoding.encode(frame(metrics: ["contributionL1": 1.5, "pendingContributions": 0]))
        let pattern: [UInt8] = [0xF9, 0x3E, 0x00]
        let starts = bytes.indices.dropLast(2).filter { Array(bytes[$0..<$0 + 3]) == pattern }
        #expect(starts.count == 1)
        let start = try #require(starts.first)
        bytes[start + 1] = 0x7E
        let org = federation.identity("org-a")
        #expect(ingest(try envelope(payload: bytes, signer: org.id, key: org)) == .failure(.malformed))
    }

    @Test("a frame of another job is refused")
    mutating func wrongJob() throws {
        var other = frame()
        other.manifestHash = SHA256Digest.of(Array("another job".utf8))
        #expect(ingest(try signed(other)) == .failure(.wrongJob))
    }

    // MARK: - Sequence and tick

    @Test("the same frame twice is a replay")
    mutating func replaySameFrame() throws {
        let envelope = try signed(frame(seq: 5))
        #expect(ingest(envelope).map(\.seq) == .success(5))
        #expect(ingest(envelope) == .failure(.replay))
    }

    @Test("a lower or equal seq in a later tick is a replay; a higher one is accepted")
    mutating func replayLowerSeqLater() throws {
        _ = try ingest(signed(frame(seq: 5, tick: 1))).get()
        _ = try collector.seal(tick: 1)
        #expect(ingest(try signed(frame(seq: 4, tick: 2)), tick: 2) == .failure(.replay))
        #expect(ingest(try signed(frame(seq: 5, tick: 2)), tick: 2) == .failure(.replay))
        #expect(try ingest(signed(frame(seq: 6, tick: 2)), tick: 2).get().seq == 6)
    }

    @Test("a frame for another tick is refused and does not advance the participant's seq")
    mutating func wrongTick() throws {
        #expect(ingest(try signed(frame(seq: 9, tick: 2)), tick: 1) == .failure(.wrongTick))
        #expect(ingest(try signed(frame(seq: 9, tick: 0)), tick: 1) == .failure(.wrongTick))
        #expect(try ingest(signed(frame(seq: 3, tick: 1))).get().seq == 3)
    }

    @Test("a second frame from the same participant in one tick is a duplicate")
    mutating func duplicateInTick() throws {
        _ = try ingest(signed(frame(seq: 1))).get()
        #expect(ingest(try signed(frame(seq: 2))) == .failure(.duplicateInTick))
        let batch = try collector.seal(tick: 1)
        #expect(batch.frames.map(\.seq) == [1], "the first frame is the one kept")
    }

    // MARK: - Content

    @Test(
        "metrics must have exactly the manifest's keys",
        arguments: [
            ["contributionL1": 1.0],
            ["contributionL1": 1, "pendingContributions": 0, "noiseBits": 30],
            ["contributionL1": 1, "pendingContributions": 0, "lagMs": 3],
            [:],
        ] as [[String: Double]]
    )
    mutating func metricKeysMismatch(metrics: [String: Double]) throws {
        #expect(ingest(try signed(frame(metrics: metrics))) == .failure(.metricKeysMismatch))
    }

    @Test(
        "negative latencies are invalid values",
        arguments: [(-1.0, 2.0), (15.0, -0.5), (-0.001, -0.001)]
    )
    mutating func invalidValue(lagMs: Double, opLatencyMs: Double) throws {
        #expect(ingest(try signed(frame(lagMs: lagMs, opLatencyMs: opLatencyMs))) == .failure(.invalidValue))
    }

    @Test("zero latency and negative provider metrics are valid")
    mutating func zeroIsValid() throws {
        let frame = frame(metrics: ["contributionL1": -3, "pendingContributions": 0], lagMs: 0, opLatencyMs: 0)
        #expect(try ingest(signed(frame)).get() == frame)
    }

    @Test(
        "the timestamp must lie within the skew window, both ends included",
        arguments: [(-2_001, false), (-2_000, true), (0, true), (1_999, true), (2_000, true), (2_001, false)]
            as [(Int64, Bool)]
    )
    mutating func clockSkew(offset: Int64, accepted: Bool) throws {
        let result = ingest(try signed(frame(timestampMs: Fixtures.now + offset)))
        if accepted {
            #expect(try result.get().timestampMs == Fixtures.now + offset)
        } else {
            #expect(result == .failure(.clockSkew))
        }
    }

    @Test("a smaller window is honoured")
    func customWindow() throws {
        var collector = TelemetryCollector(manifest: manifest, roster: federation.roster, skewWindowMs: 10)
        let late = try signed(frame(timestampMs: Fixtures.now - 11))
        #expect(collector.ingest(late, tick: 1, nowMs: Fixtures.now) == .failure(.clockSkew))
        let onTime = try signed(frame(seq: 2, timestampMs: Fixtures.now - 10))
        #expect(collector.ingest(onTime, tick: 1, nowMs: Fixtures.now).map(\.seq) == .success(2))
    }

    @Test(
        "a timestamp at the edge of Int64 is clock skew, not a crash",
        arguments: [Int64.min, Int64.min + 1, Int64.max]
    )
    mutating func extremeTimestamp(timestampMs: Int64) throws {
        #expect(ingest(try signed(frame(timestampMs: timestampMs))) == .failure(.clockSkew))
    }

    @Test("checks run in the documented order: the earliest failing check names the rejection")
    mutating func checkOrder() throws {
        // Wrong job and far in the past: the job is checked first.
        var both = frame(timestampMs: 0)
        both.manifestHash = SHA256Digest.of(Array("x".utf8))
        #expect(ingest(try signed(both)) == .failure(.wrongJob))
        // Wrong tick and wrong keys: the tick is checked first.
        #expect(ingest(try signed(frame(tick: 5, metrics: [:]))) == .failure(.wrongTick))
        // Wrong keys and negative lag: the keys are checked first.
        #expect(ingest(try signed(frame(metrics: [:], lagMs: -1))) == .failure(.metricKeysMismatch))
        // Negative lag and skewed clock: values are checked first.
        #expect(ingest(try signed(frame(lagMs: -1, timestampMs: 0))) == .failure(.invalidValue))
    }

    // MARK: - Sealing

    @Test("seal returns the accepted frames sorted by participant, with their envelope digests")
    mutating func sealSortsAndDigests() throws {
        let envelopes = try ["org-c", "aggregator", "org-a"].map { try signed(frame($0)) }
        for envelope in envelopes { _ = try ingest(envelope).get() }
        let batch = try collector.seal(tick: 1)
        #expect(batch.jobId == manifest.hash)
        #expect(batch.tick == 1)
        #expect(batch.frames.map(\.nodeId.rawValue) == ["aggregator", "org-a", "org-c"])
        #expect(batch.digests == [envelopes[1].digest, envelopes[2].digest, envelopes[0].digest])
        #expect(batch.missing == [Fixtures.id("org-b")])
        #expect(batch.frame(of: Fixtures.id("org-c"))?.nodeId == Fixtures.id("org-c"))
        #expect(batch.frame(of: Fixtures.id("org-b")) == nil)
        #expect(collector.state == .open)
    }

    @Test("rejections are counted per tick in the batch and cumulatively on the collector")
    mutating func rejectionCounts() throws {
        _ = try ingest(signed(frame("org-a", seq: 1))).get()
        _ = ingest(try signed(frame("org-a", seq: 1)))  // replay
        _ = ingest(try signed(frame("org-b", timestampMs: 0)))  // clock skew
        _ = ingest(try signed(frame("control")))  // not a reporter
        let first = try collector.seal(tick: 1)
        #expect(first.rejected == [.replay: 1, .clockSkew: 1, .notAReporter: 1])

        _ = ingest(try signed(frame("org-a", seq: 1, tick: 2)), tick: 2)  // replay
        let second = try collector.seal(tick: 2)
        #expect(second.rejected == [.replay: 1])
        #expect(second.frames.isEmpty)
        #expect(collector.rejectionCounts == [.replay: 2, .clockSkew: 1, .notAReporter: 1])

        #expect(try collector.seal(tick: 3).rejected.isEmpty)
    }

    @Test("reporters without an accepted frame are missing, tick by tick and in total")
    mutating func missing() throws {
        _ = try ingest(signed(frame("org-a", seq: 1))).get()
        _ = ingest(try signed(frame("org-b", lagMs: -5)))  // rejected frames do not count as present
        let first = try collector.seal(tick: 1)
        #expect(first.missing.map(\.rawValue) == ["aggregator", "org-b", "org-c"])

        _ = try ingest(signed(frame("org-b", seq: 2, tick: 2)), tick: 2).get()
        let second = try collector.seal(tick: 2)
        #expect(second.missing.map(\.rawValue) == ["aggregator", "org-a", "org-c"])

        #expect(
            collector.missingCounts == [
                Fixtures.id("aggregator"): 2, Fixtures.id("org-a"): 1, Fixtures.id("org-b"): 1,
                Fixtures.id("org-c"): 2,
            ])
    }

    @Test("the collector machine goes OPEN → WRITE → SEAL → OPEN, and an empty tick is sealed too")
    mutating func stateMachine() throws {
        #expect(collector.state == .open)
        _ = ingest(try signed(frame(lagMs: -1)))
        #expect(collector.state == .open, "a rejection does not change the state")
        let empty = try collector.seal(tick: 1)
        #expect(empty.frames.isEmpty && empty.digests.isEmpty)
        #expect(empty.missing.count == 4)
        #expect(collector.state == .open)

        _ = try ingest(signed(frame(seq: 2, tick: 2)), tick: 2).get()
        #expect(collector.state == .write)
        _ = try collector.seal(tick: 2)
        #expect(collector.state == .open)
        // A participant may report again in the next tick: the pending frames were cleared.
        _ = try ingest(signed(frame(seq: 3, tick: 3)), tick: 3).get()
        #expect(try collector.seal(tick: 3).frames.count == 1)

        // The table the collector drives has exactly these rows.
        var machine = StateMachine(Machines.collector)
        try machine.fire(.frameAccepted)
        try machine.fire(.frameAccepted)
        try machine.fire(.tickEnded)
        #expect(machine.state == .seal)
        #expect(!machine.allows(.frameAccepted), "nothing is accepted while sealing")
        try machine.fire(.batchRecorded)
        #expect(machine.state == .open)
    }
}
