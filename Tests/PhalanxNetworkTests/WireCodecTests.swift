import Foundation
import PhalanxCore
import PhalanxNetwork
import PhalanxWire
import SwiftProtobuf
import Testing

/// The protobuf framing of federation messages: every kind round-trips bit for bit, and malformed framing is
/// refused with the field that is wrong.
@Suite("Wire codec")
struct WireCodecTests {
    private let node = SigningIdentity.generate(id: try! ParticipantID("org-a"), role: .node)

    private func frame() throws -> Signed<TelemetryFrame> {
        try Signed(
            signing: TelemetryFrame(
                nodeId: node.id, seq: 7, manifestHash: SHA256Digest.of(Data("job".utf8)), tick: 3, state: "INF",
                metrics: ["x": 1.5], lagMs: 2, opLatencyMs: 1, timestampMs: 1_700_000_000_000),
            with: node)
    }

    @Test("a signed frame survives protobuf serialization unchanged, and still verifies")
    func roundTrip() throws {
        let message = FederationMessage.frame(try frame())
        let bytes: [UInt8] = try WireCodec.envelope(message).serializedBytes()
        let decoded = try WireCodec.message(try Phalanx_Federation_V1_FederationEnvelope(serializedBytes: bytes))
        #expect(decoded == message)
        #expect(WireCodec.signer(of: decoded) == node.id)
        guard case .frame(let signed) = decoded else { Issue.record("not a frame"); return }
        #expect(try signed.verify(with: node.publicIdentity).value.seq == 7)
    }

    @Test("framing errors name the field")
    func refused() throws {
        var envelope = WireCodec.envelope(.frame(try frame()))
        envelope.kind = .command
        #expect(throws: WireError.self) { try WireCodec.message(envelope) }
        let wrongType = #expect(throws: WireError.self) { try WireCodec.message(envelope) }
        #expect(wrongType?.description.contains("signed.payload_type") == true)

        envelope = WireCodec.envelope(.frame(try frame()))
        envelope.signed.signature = Data(repeating: 0, count: 10)
        let short = #expect(throws: WireError.self) { try WireCodec.message(envelope) }
        #expect(short?.description.contains("an Ed25519 signature has 64 bytes, got 10") == true)

        envelope = WireCodec.envelope(.frame(try frame()))
        envelope.signed.signer = "Not An Id"
        let signer = #expect(throws: WireError.self) { try WireCodec.message(envelope) }
        #expect(signer?.description.contains("signed.signer") == true)

        envelope.kind = .unspecified
        let kind = #expect(throws: WireError.self) { try WireCodec.message(envelope) }
        #expect(kind?.description.contains("kind") == true)
    }

    @Test("random bytes never crash the decoder: they are refused by protobuf or by the framing check")
    func randomBytes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let bytes = (0..<Int.random(in: 0..<200, using: &generator)).map { _ in UInt8.random(in: 0...255) }
            if let envelope = try? Phalanx_Federation_V1_FederationEnvelope(serializedBytes: bytes) {
                _ = try? WireCodec.message(envelope)
            }
        }
    }
}
