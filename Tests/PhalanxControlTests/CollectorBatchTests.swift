import Foundation
import PhalanxCore
import Testing
import _TestSupport

@testable import PhalanxControl

/// `ingest(batch:)` verifies signatures on several threads, then runs the stateful checks in order: its results,
/// counts and sealed batches must be exactly those of ingesting the same frames one at a time.
@Suite("Telemetry collector, batches")
struct CollectorBatchTests {
    let federation = Federation(nodes: (0..<12).map { "org-\($0)" })
    let manifest: JobManifest
    /// A participant outside the roster, and one in it that is not a reporter.
    let stranger = SigningIdentity.generate(id: Fixtures.id("stranger"), role: .node)

    init() throws {
        manifest = try federation.manifest(policy: try Fixtures.policy())
    }

    func frame(
        _ name: String, seq: UInt64, tick: UInt64, metrics: [String: Double]? = nil, lagMs: Double = 10,
        timestampMs: Int64 = Fixtures.now, job: SHA256Digest? = nil
    ) -> TelemetryFrame {
        TelemetryFrame(
            nodeId: Fixtures.id(name), seq: seq, manifestHash: job ?? manifest.hash, tick: tick, state: "INF",
            metrics: metrics ?? ["contributionL1": 100, "pendingContributions": 0], lagMs: lagMs, opLatencyMs: 1,
            timestampMs: timestampMs)
    }

    func signed(_ frame: TelemetryFrame, by signer: SigningIdentity? = nil) throws -> Signed<TelemetryFrame> {
        try Signed(signing: frame, with: signer ?? federation.identity(frame.nodeId.rawValue))
    }

    /// `payload` signed by `key` and claimed by `signer`.
    func envelope(
        payload: [UInt8], signer: SigningIdentity, payloadType: String = TelemetryFrame.payloadType
    ) throws -> Signed<TelemetryFrame> {
        let message = try SignatureMessage.bytes(payloadType: payloadType, payload: payload)
        return Signed(
            payloadType: payloadType, payload: Data(payload), signer: signer.id,
            signature: try signer.signature(for: message))
    }

    /// One tick's worth of frames with every kind of refusal mixed among good ones (seq numbers start at `base`).
    func mixedTick(_ tick: UInt64, base: UInt64) throws -> [Signed<TelemetryFrame>] {
        var frames: [Signed<TelemetryFrame>] = []
        for i in 0..<8 { frames.append(try signed(frame("org-\(i)", seq: base, tick: tick))) }
        let good = try signed(frame("org-8", seq: base, tick: tick))
        var signature = good.signature
        signature[3] ^= 0x01
        let forged = Signed<TelemetryFrame>(
            payloadType: good.payloadType, payload: good.payload, signer: good.signer, signature: signature)
        frames += [
            forged,  // bad signature
            good,
            good,  // the same envelope again: a replay
            try signed(frame("org-0", seq: base + 1, tick: tick)),  // a second frame this tick
            try signed(frame("org-9", seq: base, tick: tick, job: SHA256Digest.of(Array("other".utf8)))),
            try signed(frame("org-9", seq: base + 1, tick: tick + 1)),  // wrong tick
            try signed(frame("org-10", seq: base, tick: tick, metrics: ["contributionL1": 1])),  // keys
            try signed(frame("org-10", seq: base + 1, tick: tick, lagMs: -1)),  // invalid value
            try signed(frame("org-11", seq: base, tick: tick, timestampMs: Fixtures.now + 60_000)),  // skew
            try signed(frame("org-11", seq: base + 1, tick: tick)),
            try signed(frame("stranger", seq: base, tick: tick), by: stranger),  // unknown sender
            try signed(frame("control", seq: base, tick: tick)),  // not a reporter
            try envelope(payload: [0xDE, 0xAD], signer: federation.identity("org-9")),  // malformed
            try envelope(
                payload: try CanonicalEncoding.encode(frame("org-9", seq: base + 2, tick: tick)),
                signer: federation.identity("org-9"), payloadType: ACommand.payloadType),  // wrong payload type
            try envelope(
                payload: try CanonicalEncoding.encode(frame("org-9", seq: base + 3, tick: tick)),
                signer: federation.identity("org-10")),  // signed by someone else than its author
            try signed(frame("org-7", seq: base + 5, tick: tick)),  // duplicate in tick
            try signed(frame("aggregator", seq: base, tick: tick)),
        ]
        // Replays of the previous tick's frames.
        if base > 1 { frames.append(try signed(frame("org-1", seq: base - 1, tick: tick))) }
        return frames
    }

    @Test("batch ingest equals one-by-one ingest: results, counts and sealed batches", arguments: [1, 2, 4, 16])
    func equivalence(parallelism: Int) throws {
        var one = TelemetryCollector(manifest: manifest, roster: federation.roster)
        var batch = one
        batch.parallelism = parallelism
        one.isolate(Fixtures.id("org-5"))
        batch.isolate(Fixtures.id("org-5"))
        var rng = SplitMix64(state: UInt64(parallelism))
        for (tick, base) in [(UInt64(1), UInt64(1)), (2, 10), (3, 20)] {
            // The first tick keeps the order above (so every refusal occurs); the others are shuffled.
            let mixed = try mixedTick(tick, base: base)
            let frames = tick == 1 ? mixed : mixed.shuffled(using: &rng)
            let expected = frames.map { one.ingest($0, tick: tick, nowMs: Fixtures.now) }
            let results = batch.ingest(batch: frames, tick: tick, nowMs: Fixtures.now)
            #expect(results == expected)
            #expect(Set(expected.compactMap { try? $0.get().nodeId }).count > 5, "some frames are accepted")
            let a = try one.seal(tick: tick)
            let b = try batch.seal(tick: tick)
            #expect(a.frames == b.frames)
            #expect(a.digests == b.digests)
            #expect(a.rejected == b.rejected)
            #expect(a.missing == b.missing)
        }
        #expect(one.rejectionCounts == batch.rejectionCounts)
        #expect(one.missingCounts == batch.missingCounts)
        #expect(Set(one.rejectionCounts.keys) == Set(FrameRejection.allCases), "every refusal was exercised")
    }

    @Test("a sealed batch records the digest of each accepted envelope, and finds frames by participant")
    func digestsAndLookup() throws {
        var collector = TelemetryCollector(manifest: manifest, roster: federation.roster)
        let envelopes = try (0..<12).reversed().map { try signed(frame("org-\($0)", seq: 1, tick: 1)) }
        #expect(collector.ingest(batch: envelopes, tick: 1, nowMs: Fixtures.now).allSatisfy { (try? $0.get()) != nil })
        let sealed = try collector.seal(tick: 1)
        let byId = Dictionary(uniqueKeysWithValues: envelopes.map { ($0.signer, $0.digest) })
        #expect(sealed.digests == sealed.frames.map { byId[$0.nodeId] })
        for envelope in envelopes {
            #expect(sealed.frame(of: envelope.signer)?.nodeId == envelope.signer)
        }
        #expect(sealed.frame(of: Fixtures.id("aggregator")) == nil)
        #expect(sealed.frame(of: Fixtures.id("org-99")) == nil)
        #expect(sealed.frame(of: Fixtures.id("a")) == nil)
    }

    @Test("an empty batch changes nothing")
    func emptyBatch() throws {
        var collector = TelemetryCollector(manifest: manifest, roster: federation.roster)
        #expect(collector.ingest(batch: [], tick: 1, nowMs: Fixtures.now).isEmpty)
        #expect(collector.state == .open)
        #expect(try collector.seal(tick: 1).missing.count == 13)
    }

    @Test("a check made against another roster is not trusted: the frame is verified again")
    func foreignCheck() throws {
        // Another federation reuses the names with other keys; its collector accepts its own org-0's frame.
        let other = Federation(nodes: (0..<12).map { "org-\($0)" })
        let otherCollector = TelemetryCollector(manifest: manifest, roster: other.roster)
        let envelope = try Signed(signing: frame("org-0", seq: 1, tick: 1), with: other.identity("org-0"))
        let checked = otherCollector.preverify([envelope])
        #expect((try? checked[0].result(for: other.identity("org-0").publicIdentity)?.get()) != nil)
        var collector = TelemetryCollector(manifest: manifest, roster: federation.roster)
        #expect(collector.ingest(checked[0], tick: 1, nowMs: Fixtures.now) == .failure(.badSignature))
    }

    @Test("isolating a participant between the check and the ingest still refuses its frame")
    func isolatedAfterCheck() throws {
        var collector = TelemetryCollector(manifest: manifest, roster: federation.roster)
        let checked = collector.preverify([try signed(frame("org-3", seq: 1, tick: 1))])
        collector.isolate(Fixtures.id("org-3"))
        #expect(collector.ingest(checked[0], tick: 1, nowMs: Fixtures.now) == .failure(.isolated))
    }
}

/// The collector's fast paths must agree with the general code they stand in for: the signed message with
/// `SignatureMessage.bytes`, and `TelemetryFrame(canonicalBytes:)` with the `Codable` decoder.
@Suite("Telemetry collector, fast paths")
struct CollectorFastPathTests {
    typealias Rng = SplitMix64

    @Test("the signed message equals SignatureMessage.bytes", arguments: [0, 1, 23, 24, 255, 256, 65_535, 65_536])
    func message(length: Int) throws {
        let payload = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        #expect(
            FrameVerification.message(for: Data(payload))
                == (try SignatureMessage.bytes(payloadType: TelemetryFrame.payloadType, payload: payload)))
    }

    @Test("the audit hash written directly equals Signed.digest", arguments: [0, 1, 23, 24, 300, 70_000])
    func digest(payloadLength: Int) throws {
        #expect(FrameVerification.directDigestAgrees, "otherwise the collector silently falls back to Signed.digest")
        for (signer, signatureLength) in [("a", 64), ("node-000001", 0), (String(repeating: "x", count: 64), 65)] {
            let envelope = Signed<TelemetryFrame>(
                payloadType: TelemetryFrame.payloadType,
                payload: Data((0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 7) }),
                signer: Fixtures.id(signer), signature: Data(repeating: 1, count: signatureLength))
            #expect(FrameVerification.digest(of: envelope) == envelope.digest)
        }
    }

    static func randomFrame(_ rng: inout Rng) -> TelemetryFrame {
        let keys = [
            "contributionL1", "pendingContributions", "é", "e\u{301}x", "noise_bits", "k", "a_very_long_metric_key",
        ]
        var metrics: [String: Double] = [:]
        for key in keys.shuffled(using: &rng).prefix(Int.random(in: 0...keys.count, using: &rng)) {
            metrics[key] =
                [
                    0, -0.0, 1.5, -3, 1e300, -1e-300, .greatestFiniteMagnitude,
                    Double(Int.random(in: -9...9, using: &rng)),
                ]
                .randomElement(using: &rng)!
        }
        return TelemetryFrame(
            nodeId: try! ParticipantID(
                ["org-a", "0", "node_1.x", String(repeating: "z", count: 64)].randomElement(using: &rng)!),
            seq: [0, 1, UInt64(Int64.max), .max].randomElement(using: &rng)!,
            manifestHash: SHA256Digest.of([UInt8(truncatingIfNeeded: rng.next())]),
            tick: rng.next() >> Int.random(in: 0...63, using: &rng),
            state: ["INF", "", "É", "WAIT"].randomElement(using: &rng)!,
            metrics: metrics,
            lagMs: [0, 12.25, -1, 1e10].randomElement(using: &rng)!,
            opLatencyMs: [0, 0.1, 3].randomElement(using: &rng)!,
            timestampMs: [0, -1, .min, .max, 1_750_000_000_000].randomElement(using: &rng)!)
    }

    /// The frame both ways: the fast path (`nil` when it declines) and the decoder.
    static func decodeBothWays(_ bytes: [UInt8]) -> (fast: TelemetryFrame?, slow: TelemetryFrame?) {
        (TelemetryFrame(canonicalBytes: bytes), try? CanonicalEncoding.decode(TelemetryFrame.self, from: bytes))
    }

    @Test("random frames decode to the same value both ways", arguments: 0..<8)
    func randomFrames(seed: Int) throws {
        var rng = Rng(state: UInt64(seed))
        for _ in 0..<200 {
            let frame = Self.randomFrame(&rng)
            let (fast, slow) = Self.decodeBothWays(try CanonicalEncoding.encode(frame))
            #expect(fast == frame)
            #expect(slow == frame)
        }
    }

    @Test("mutated payloads: where the fast path decodes, it agrees with the decoder", arguments: 0..<4)
    func mutations(seed: Int) throws {
        var rng = Rng(state: 1_000 + UInt64(seed))
        var fastDecoded = 0
        for _ in 0..<300 {
            var bytes = try CanonicalEncoding.encode(Self.randomFrame(&rng))
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let index = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
                case 1: bytes[index] = UInt8.random(in: 0...255, using: &rng)
                default: bytes.remove(at: index)
                }
                if bytes.isEmpty { break }
            }
            let (fast, slow) = Self.decodeBothWays(bytes)
            if let fast {
                fastDecoded += 1
                #expect(fast == slow, "bytes \(Hex.encode(bytes))")
            }
        }
        #expect(fastDecoded > 0, "some mutations still decode (e.g. a changed digit of a value)")
    }

    /// The canonical tree of a frame with `edit` applied to its top-level map, encoded.
    func edited(_ edit: (inout CanonicalMap) throws -> Void) throws -> [UInt8] {
        let frame = TelemetryFrame(
            nodeId: Fixtures.id("org-a"), seq: 1, manifestHash: SHA256Digest.of([1]), tick: 1, state: "INF",
            metrics: ["contributionL1": 1], lagMs: 1, opLatencyMs: 1, timestampMs: 1)
        guard case .map(var map) = try CanonicalEncoding.value(of: frame) else { throw CancellationError() }
        try edit(&map)
        return try CanonicalValue.map(map).encoded()
    }

    @Test("shapes the fast path declines are left to the decoder, which decides")
    func declined() throws {
        // An extra field: the decoder ignores it.
        var (fast, slow) = Self.decodeBothWays(try edited { $0["extra"] = .unsigned(1) })
        #expect(fast == nil && slow?.seq == 1)
        // Metric keys equal as Swift strings but not as bytes: the decoder keeps one.
        (fast, slow) = Self.decodeBothWays(
            try edited { $0["metrics"] = .map(try CanonicalMap([("\u{e9}", .float(1)), ("e\u{301}", .float(2))])) })
        #expect(fast == nil && slow?.metrics.count == 1)
        // Kinds the decoder refuses too: an integer for a double, a float for an integer, a bad identifier.
        for edit: (inout CanonicalMap) -> Void in [
            { $0["lagMs"] = .unsigned(1) }, { $0["seq"] = .float(1) }, { $0["nodeId"] = .text("Org A") },
            { $0["manifestHash"] = .text("00") }, { $0["seq"] = .negative(0) }, { $0["timestampMs"] = .unsigned(.max) },
            { $0["tick"] = nil },
        ] {
            (fast, slow) = Self.decodeBothWays(try edited(edit))
            #expect(fast == nil && slow == nil)
        }
    }
}
