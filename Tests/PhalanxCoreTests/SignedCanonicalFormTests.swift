import Foundation
import PhalanxCore
import Testing

/// A signed payload has one byte form: the canonical encoding of the value it decodes to.
@Suite("Signed payloads must be canonical")
struct SignedCanonicalFormTests {
    /// Signs `value` as the control plane would, but over bytes whose map has `extra` added.
    static func signedWith(_ extra: (key: String, value: CanonicalValue)) throws -> Signed<ACommand> {
        let command = Fixtures.command
        guard case .map(let map) = try CanonicalEncoding.value(of: command) else {
            Issue.record("a command encodes to a map")
            throw CancellationError()
        }
        let bytes = try CanonicalValue.map(try CanonicalMap(Array(map) + [extra])).encoded()
        let message = try SignatureMessage.bytes(payloadType: ACommand.payloadType, payload: bytes)
        let signature = try Fixtures.control.signature(for: message)
        return Signed(
            payloadType: ACommand.payloadType, payload: Data(bytes), signer: command.issuer, signature: signature)
    }

    @Test("an explicit null for an absent optional field is refused, though the signature is valid")
    func nullOptional() throws {
        #expect(Fixtures.command.subject == nil)
        let signed = try Self.signedWith((key: "subject", value: .null))
        #expect {
            try signed.verify(with: Fixtures.control.publicIdentity)
        } throws: { error in
            "\(error)".contains("not the canonical encoding")
        }
    }

    @Test("a key the type does not have is refused")
    func unknownKey() throws {
        let signed = try Self.signedWith((key: "zzz", value: .text("smuggled")))
        #expect(throws: SignatureError.self) { try signed.verify(with: Fixtures.control.publicIdentity) }
    }

    @Test("the canonical form itself verifies")
    func canonicalVerifies() throws {
        let signed = try Signed(signing: Fixtures.command, with: Fixtures.control)
        #expect(try signed.verify(with: Fixtures.control.publicIdentity).value == Fixtures.command)
    }
}
