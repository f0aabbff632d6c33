import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxProviders

/// Fuzzes everything that reads a telemetry frame or another signed payload off the wire.
///
/// The first byte of an input chooses a form (its value modulo 5), the rest is the body:
/// - `canonical` — the body is CBOR for ``CanonicalValue/init(decoding:)``; whatever decodes must re-encode
///   to the same bytes, and is then decoded as a ``TelemetryFrame``, ``ACommand``, ``CommandAck`` and
///   `Signed<TelemetryFrame>` (accepted when one of them decodes);
/// - `envelopeJSON` — the body is a line of `frames.jsonl`, read as `phalanx frame verify` reads it, verified
///   against the roster and ingested by a ``TelemetryCollector``;
/// - `signedFrame`, `signedCommand`, `signedAck` — the body is a payload that a real participant signs, so
///   that mutated payloads get past the signature check: the frame goes to the collector, the command and
///   the acknowledgement to ``Signed/verify(with:)-(some PublicKeyDirectory)``.
///
/// Refusals must be the documented ``CanonicalEncodingError``, ``SignatureError``, ``FrameRejection`` or, for
/// JSON, the CLI's ``CLIError``. A frame the collector accepts must also pass `verify`, be refused when sent
/// again, and seal into a batch of one.
struct FrameFuzzTarget: FuzzTarget {
    enum Form: UInt8, CaseIterable {
        case canonical, envelopeJSON, signedFrame, signedCommand, signedAck
    }

    let name = "frames"
    let isTextual = false
    let maximumInputSize = 16 * 1_024
    /// The tick the collector collects and its clock, which the seed frames match.
    static let tick: UInt64 = 42
    static let nowMs: Int64 = 1_750_000_000_000

    let nodes: [SigningIdentity]
    let aggregator: SigningIdentity
    let control: SigningIdentity
    let roster: FederationRoster
    let manifest: JobManifest
    /// A fresh collector for the manifest; each input gets its own copy, so an input's outcome depends on it alone.
    let collector: TelemetryCollector
    let seeds: [[UInt8]]

    init() throws {
        // Fixed keys, so that seeds and signatures are the same in every run.
        func identity(_ name: String, _ role: Role, _ fill: UInt8) throws -> SigningIdentity {
            try SigningIdentity(
                id: try ParticipantID(name), role: role, seed: SecretBytes([UInt8](repeating: fill, count: 32)))
        }
        nodes = try [identity("org-a", .node, 1), identity("org-b", .node, 2), identity("org-c", .node, 3)]
        aggregator = try identity("aggregator", .aggregator, 4)
        control = try identity("control", .control, 5)
        roster = try FederationRoster((nodes + [aggregator, control]).map(\.publicIdentity))
        manifest = try JobAdmission.makeManifest(
            plugin: SafetyEventCountPlugin.make(), provider: PlainProvider().descriptor, policy: DefaultPolicy.load(),
            participants: ParticipantSet(nodes: nodes.map(\.id), aggregator: aggregator.id, control: control.id),
            rounds: 3, jobNonce: "0123456789abcdef0123456789abcdef"
        ).manifest
        collector = TelemetryCollector(manifest: manifest, roster: roster)
        seeds = try Self.makeSeeds(nodes: nodes, aggregator: aggregator, control: control, job: manifest.hash)
    }

    var everyone: [SigningIdentity] { nodes + [aggregator, control] }

    let dictionary: [[UInt8]] = [
        // CBOR heads: containers, long and huge lengths, floats, simple values, tags, breaks.
        [0x80], [0x81], [0x9f], [0xa0], [0xa1], [0xbf], [0xff], [0x40], [0x60], [0x5f], [0x7f], [0x18, 0x18],
        [0x19, 0x01, 0x00], [0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x3b, 0x7f, 0xff, 0xff, 0xff],
        [0x9b, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x7a, 0xff, 0xff, 0xff, 0xff],
        [0x5b, 0x80, 0, 0, 0, 0, 0, 0, 0], [0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0xf4], [0xf5],
        [0xf6], [0xf7], [0xf8, 0x20], [0xf9, 0x7c, 0x00], [0xf9, 0x7e, 0x00], [0xf9, 0x80, 0x00],
        [0xfa, 0x7f, 0x80, 0, 0], [0xfb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0],
        [0xfb, 0x7f, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        [0xc0], [0xd8, 0x18], [0x1c], [0x62, 0xc3, 0x28], [0x63, 0xed, 0xa0, 0x80], [0x61, 0x00],
        // Field names and values of the payloads, as CBOR text and as JSON.
        Array("nodeId".utf8), Array("metrics".utf8), Array("manifestHash".utf8), Array("seq".utf8),
        Array("timestampMs".utf8), Array("contributionL1".utf8), Array("org-a".utf8), Array("aggregator".utf8),
        Array("\"payload\":\"".utf8), Array("\"signature\":\"".utf8), Array("\"signer\":\"org-a\"".utf8),
        Array("\"payloadType\":\"phalanx.telemetry-frame.v1\"".utf8), Array("phalanx.command.v1".utf8),
        Array("==".utf8), Array("\\u0000".utf8), Array("\\ud800".utf8), Array("1e400".utf8), Array("null".utf8),
        Array("[".utf8), Array("{".utf8), Array("}".utf8), Array(",".utf8), Array("\"".utf8), [0xef, 0xbb, 0xbf],
    ]

    let nesting = [
        FuzzNesting(bytes: [0x81]), FuzzNesting(bytes: [0xa1, 0x61, 0x61]), FuzzNesting(bytes: [0x9f], close: [0xff]),
        FuzzNesting("[", "]"), FuzzNesting("{\"a\":", "}"),
    ]

    func run(_ input: [UInt8]) throws -> FuzzOutcome {
        guard let first = input.first else { return .rejected("empty input") }
        let body = Array(input.dropFirst())
        switch Form(rawValue: first % UInt8(Form.allCases.count))! {
        case .canonical:
            return try canonical(body)
        case .envelopeJSON:
            let envelope: Signed<TelemetryFrame>
            do {
                envelope = try JSONInput.decode(Signed<TelemetryFrame>.self, from: body, file: "frames.jsonl", line: 1)
            } catch let error as CLIError {
                return .rejected("json: " + FuzzReason.normalize(error.message))
            }
            return try ingest(envelope)
        case .signedFrame:
            return try ingest(sign(body, as: TelemetryFrame.self, by: signer(of: body, among: nodes + [aggregator])))
        case .signedCommand:
            return try verify(sign(body, as: ACommand.self, by: signer(of: body, among: [control] + nodes)))
        case .signedAck:
            return try verify(sign(body, as: CommandAck.self, by: signer(of: body, among: nodes + [aggregator])))
        }
    }

    // MARK: - Forms

    private func canonical(_ body: [UInt8]) throws -> FuzzOutcome {
        let value: CanonicalValue
        do {
            value = try CanonicalValue(decoding: body)
        } catch let error as CanonicalEncodingError {
            return .rejected("canonical: \(error.code)")
        }
        guard try value.encoded() == body else {
            throw FuzzInvariantViolation("bytes decoded as a canonical value but re-encode differently")
        }
        var decoded: [String] = []
        var reasons: Set<String> = []
        func attempt<T: Codable>(_ type: T.Type, _ label: String) throws {
            do {
                let typed = try CanonicalEncoding.decode(type, fromValue: value)
                let exact = try CanonicalEncoding.encode(typed) == body
                decoded.append(exact ? label : "\(label) (re-encodes differently)")
            } catch let error as CanonicalEncodingError {
                reasons.insert("\(error.code)")
            }
        }
        try attempt(TelemetryFrame.self, "frame")
        try attempt(ACommand.self, "command")
        try attempt(CommandAck.self, "ack")
        try attempt(Signed<TelemetryFrame>.self, "envelope")
        if decoded.isEmpty {
            return .rejected("canonical value, but no payload: \(reasons.sorted().joined(separator: ", "))")
        }
        return .accepted("decodes as \(decoded.joined(separator: ", "))")
    }

    /// Ingests `envelope` into a fresh copy of the collector and checks what acceptance promises.
    private func ingest(_ envelope: Signed<TelemetryFrame>) throws -> FuzzOutcome {
        var collector = self.collector
        switch collector.ingest(envelope, tick: Self.tick, nowMs: Self.nowMs) {
        case .failure(let rejection):
            return .rejected("collector: \(rejection)")
        case .success(let frame):
            do {
                _ = try envelope.verify(with: roster)
            } catch {
                throw FuzzInvariantViolation("the collector accepted a frame that verify refuses: \(error)")
            }
            if case .success = collector.ingest(envelope, tick: Self.tick, nowMs: Self.nowMs) {
                throw FuzzInvariantViolation("the collector accepted the same frame twice")
            }
            let batch = try collector.seal(tick: Self.tick)
            guard batch.frames == [frame], batch.digests == [envelope.digest] else {
                throw FuzzInvariantViolation("the sealed batch does not hold exactly the accepted frame")
            }
            return .accepted("collector accepted")
        }
    }

    private func verify<T: SignedPayload>(_ envelope: Signed<T>) throws -> FuzzOutcome {
        do {
            _ = try envelope.verify(with: roster)
            return .accepted("\(T.payloadType) verified")
        } catch {
            return .rejected("\(T.payloadType): \(error.reason)")
        }
    }

    // MARK: - Signing

    /// Signs `payload` as a `T` with `identity`, exactly as `Signed(signing:with:)` would for a valid value.
    private func sign<T: SignedPayload>(
        _ payload: [UInt8], as _: T.Type, by identity: SigningIdentity
    ) throws -> Signed<T> {
        let message = try SignatureMessage.bytes(payloadType: T.payloadType, payload: payload)
        return Signed(
            payloadType: T.payloadType, payload: Data(payload), signer: identity.id,
            signature: try identity.signature(for: message))
    }

    /// The first of `candidates` whose id appears in `body`, so that a payload naming its author is signed
    /// by it; the first candidate otherwise.
    private func signer(of body: [UInt8], among candidates: [SigningIdentity]) -> SigningIdentity {
        candidates.first { body.firstRange(of: Array($0.id.rawValue.utf8)) != nil } ?? candidates[0]
    }

    // MARK: - Seeds

    /// Real frames, commands and acknowledgements of the job, in every form.
    private static func makeSeeds(
        nodes: [SigningIdentity], aggregator: SigningIdentity, control: SigningIdentity, job: SHA256Digest
    ) throws -> [[UInt8]] {
        var frames: [(TelemetryFrame, SigningIdentity)] = []
        for (index, node) in nodes.enumerated() {
            let metrics: [String: Double] = ["contributionL1": [100, 250.5, 0][index], "pendingContributions": 0]
            frames.append(
                (
                    TelemetryFrame(
                        nodeId: node.id, seq: [1, 17_429, UInt64.max - 1][index], manifestHash: job, tick: tick,
                        state: "INF", metrics: metrics, lagMs: [10, 0, 4_999.75][index], opLatencyMs: 2.3,
                        timestampMs: nowMs + [0, -1_999, 2_000][index]
                    ), node
                ))
        }
        frames.append(
            (
                TelemetryFrame(
                    nodeId: aggregator.id, seq: 3, manifestHash: job, tick: tick, state: "WAIT",
                    metrics: ["contributionL1": 1e308, "pendingContributions": -0.0], lagMs: 1e-300,
                    opLatencyMs: 65_504, timestampMs: nowMs
                ), aggregator
            ))
        let command = ACommand(
            id: try CommandID("0b7c8f0e-3d53-4b6a-9a51-2f0d6c1e8a47"), kind: .isolateParty, jobId: job,
            issuer: control.id, targets: nodes.map(\.id) + [aggregator.id], subject: nodes[2].id,
            predicate: "malformed-share", reason: "any(invalidShares > 0) (org-c)", issuedAtTick: tick,
            ackBy: tick + 1, issuedAtMs: nowMs)
        let bare = ACommand(
            id: try CommandID("6f1d2c3b-4a59-4e8d-b7c6-a5f4e3d2c1b0"), kind: .suspend, jobId: nil,
            issuer: control.id, targets: [], predicate: nil, reason: "", issuedAtTick: 0, ackBy: .max,
            issuedAtMs: .min)
        // An operator's override with the optional parameter fields set.
        let setParameter = ACommand(
            id: try CommandID("3c2b1a09-8f7e-4d6c-9b5a-493827161504"), kind: .setParameter, jobId: job,
            issuer: control.id, targets: [control.id], predicate: nil, parameter: "maxLagMs", value: 9_000,
            reason: "slow link", issuedAtTick: tick, ackBy: tick + 1, issuedAtMs: nowMs)
        let acks = [
            CommandAck(
                commandId: command.id, jobId: job, participant: nodes[0].id, outcome: .applied,
                detail: "quarantined org-c", stateAfter: "INF", tick: tick, timestampMs: nowMs),
            CommandAck(
                commandId: bare.id, jobId: nil, participant: aggregator.id, outcome: .rejected, detail: nil,
                stateAfter: "ABORTED", tick: .max, timestampMs: -1),
        ]

        func form(_ form: Form, _ body: [UInt8]) -> [UInt8] { [form.rawValue] + body }
        var seeds: [[UInt8]] = []
        for (frame, author) in frames {
            let envelope = try Signed(signing: frame, with: author)
            seeds.append(form(.canonical, try CanonicalEncoding.encode(frame)))
            seeds.append(form(.canonical, try CanonicalEncoding.encode(envelope)))
            seeds.append(form(.envelopeJSON, Array(try Files.encodeJSONLines([envelope]).dropLast())))
            seeds.append(form(.signedFrame, try CanonicalEncoding.encode(frame)))
        }
        for value in [command, bare, setParameter] {
            seeds.append(form(.canonical, try CanonicalEncoding.encode(value)))
            seeds.append(form(.signedCommand, try CanonicalEncoding.encode(value)))
        }
        for ack in acks {
            seeds.append(form(.canonical, try CanonicalEncoding.encode(ack)))
            seeds.append(form(.signedAck, try CanonicalEncoding.encode(ack)))
        }
        return seeds
    }
}

extension SignatureError {
    /// The case's name, without the identifiers it carries, for the rejection histogram.
    var reason: String {
        switch self {
        case .unknownSigner: "unknown signer"
        case .badSignature: "bad signature"
        case .wrongPayloadType: "wrong payload type"
        case .signerIsNotAuthor: "signer is not the author"
        case .malformedPayload(_, let detail): "malformed payload: " + FuzzReason.normalize(Self.unplaced(detail))
        }
    }

    /// `canonical encoding: at metrics.x: problem` without the place, which varies with the input.
    private static func unplaced(_ detail: String) -> String {
        var text = detail
        if let at = text.range(of: ": at "), let end = text[at.upperBound...].range(of: ": ") {
            text.removeSubrange(at.lowerBound..<end.lowerBound)
        }
        return text
    }
}
