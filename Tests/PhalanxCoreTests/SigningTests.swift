import Crypto
import Foundation
import Testing

@testable import PhalanxCore

@Suite("Ed25519 identities and signed envelopes")
struct SigningTests {
    @Test("swift-crypto's Ed25519 reproduces RFC 8032 test 1 exactly (deterministic signatures)")
    func rfc8032Vector() throws {
        let identity = Fixtures.node
        #expect(Hex.encode(identity.publicIdentity.publicKey) == Fixtures.rfc8032Public)
        let signature = try identity.signature(for: [UInt8]())
        #expect(Hex.encode(signature) == Fixtures.rfc8032EmptySignature)
        #expect(identity.publicIdentity.isValidSignature(signature, for: [UInt8]()))
    }

    @Test("signing then verifying returns the same value and signer")
    func roundTrip() throws {
        let signed = try Signed(signing: Fixtures.frame, with: Fixtures.node)
        let roster = try FederationRoster([Fixtures.node.publicIdentity, Fixtures.control.publicIdentity])
        let verified = try signed.verify(with: roster)
        #expect(verified.value == Fixtures.frame)
        #expect(verified.signer.id == Fixtures.id("hospital-a"))
        #expect(signed.payloadType == TelemetryFrame.payloadType)
    }

    @Test("flipping any single bit of the payload, the signature or the type fails verification")
    func everyBitFlipIsDetected() throws {
        let signed = try Signed(signing: Fixtures.frame, with: Fixtures.node)
        let key = Fixtures.node.publicIdentity
        var detected = 0
        for i in 0..<(signed.payload.count * 8) {
            var payload = signed.payload
            payload[i / 8] ^= 1 << UInt8(i % 8)
            let forged = Signed<TelemetryFrame>(
                payloadType: signed.payloadType, payload: payload, signer: signed.signer, signature: signed.signature)
            #expect(throws: SignatureError.badSignature(signed.signer)) { try forged.verify(with: key) }
            detected += 1
        }
        for i in 0..<(signed.signature.count * 8) {
            var signature = signed.signature
            signature[i / 8] ^= 1 << UInt8(i % 8)
            let forged = Signed<TelemetryFrame>(
                payloadType: signed.payloadType, payload: signed.payload, signer: signed.signer, signature: signature)
            #expect(throws: SignatureError.badSignature(signed.signer)) { try forged.verify(with: key) }
            detected += 1
        }
        #expect(detected == (signed.payload.count + 64) * 8)
        let retyped = Signed<TelemetryFrame>(
            payloadType: "phalanx.telemetry-frame.v2", payload: signed.payload, signer: signed.signer,
            signature: signed.signature)
        #expect(throws: SignatureError.self) { try retyped.verify(with: key) }
    }

    @Test("a signature over a frame cannot be replayed as a command with the same bytes")
    func domainSeparation() throws {
        let frameMessage = try SignatureMessage.bytes(payloadType: TelemetryFrame.payloadType, payload: [1, 2, 3])
        let commandMessage = try SignatureMessage.bytes(payloadType: ACommand.payloadType, payload: [1, 2, 3])
        #expect(frameMessage != commandMessage)
    }

    @Test("the signer must be the object's author, on signing and on verification")
    func signerMustBeAuthor() throws {
        #expect(throws: SignatureError.self) { try Signed(signing: Fixtures.frame, with: Fixtures.control) }
        // A registered participant signs a frame that names another node: refused after the signature check.
        var frame = Fixtures.frame
        frame.nodeId = Fixtures.id("control")
        let signed = try Signed(signing: frame, with: Fixtures.control)
        let relabelled = Signed<TelemetryFrame>(
            payloadType: signed.payloadType, payload: signed.payload, signer: Fixtures.id("control"),
            signature: signed.signature)
        #expect(throws: Never.self) { try relabelled.verify(with: Fixtures.control.publicIdentity) }
        let impostor = Signed<TelemetryFrame>(
            payloadType: signed.payloadType, payload: signed.payload, signer: Fixtures.id("hospital-a"),
            signature: signed.signature)
        #expect(throws: SignatureError.badSignature(Fixtures.id("hospital-a"))) {
            try impostor.verify(with: Fixtures.node.publicIdentity)
        }
    }

    @Test("an unknown signer is refused before anything is decoded")
    func unknownSigner() throws {
        let signed = try Signed(signing: Fixtures.frame, with: Fixtures.node)
        let roster = try FederationRoster([Fixtures.control.publicIdentity])
        #expect(throws: SignatureError.unknownSigner(Fixtures.id("hospital-a"))) { try signed.verify(with: roster) }
    }

    @Test("a validly signed payload that is not canonical is refused as malformed")
    func malformedPayload() throws {
        let garbage: [UInt8] = [0xA1, 0x61, 0x61, 0x01, 0xFF]  // {"a": 1} followed by a stray byte
        let message = try SignatureMessage.bytes(payloadType: TelemetryFrame.payloadType, payload: garbage)
        let signature = try Fixtures.node.signature(for: message)
        let envelope = Signed<TelemetryFrame>(
            payloadType: TelemetryFrame.payloadType, payload: Data(garbage), signer: Fixtures.id("hospital-a"),
            signature: signature)
        #expect {
            try envelope.verify(with: Fixtures.node.publicIdentity)
        } throws: { error in
            guard case SignatureError.malformedPayload = error else { return false }
            return true
        }
    }

    @Test("the roster refuses duplicate participants")
    func rosterDuplicates() {
        #expect(throws: RosterError.duplicate(Fixtures.id("hospital-a"))) {
            try FederationRoster([Fixtures.node.publicIdentity, Fixtures.node.publicIdentity])
        }
    }

    @Test("identities never print their private key")
    func redaction() {
        let identity = Fixtures.node
        let printed =
            "\(identity) \(String(reflecting: identity)) \(Mirror(reflecting: identity).children.map { "\($0)" })"
        #expect(!printed.contains(Fixtures.rfc8032Seed))
        #expect(printed.contains("redacted"))
        let secret = SecretBytes([1, 2, 3])
        #expect("\(secret)" == "SecretBytes(3 bytes, redacted)")
    }
}
