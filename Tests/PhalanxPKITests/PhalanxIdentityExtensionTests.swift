import Foundation
import PhalanxCore
import SwiftASN1
import Testing
import X509

@testable import PhalanxPKI

@Suite("Phalanx identity extension")
struct PhalanxIdentityExtensionTests {
    let identity = SigningIdentity.generate(id: participant("org-a.eu"), role: .control).publicIdentity

    @Test("encodes as DER SEQUENCE { UTF8String, UTF8String, OCTET STRING } and decodes back")
    func roundTrip() throws {
        let ext = PhalanxIdentityExtension(identity: identity)
        let der = ext.derEncoded()
        // SEQUENCE of 53 bytes: UTF8String(8) "org-a.eu", UTF8String(7) "control", OCTET STRING(32) key.
        let id: [UInt8] = [0x0C, 8] + Array("org-a.eu".utf8)
        let role: [UInt8] = [0x0C, 7] + Array("control".utf8)
        let key: [UInt8] = [0x04, 32] + Array(identity.publicKey)
        let expected: [UInt8] = [0x30, 53] + id + role + key
        #expect(der == expected)
        #expect(try PhalanxIdentityExtension(derEncoded: der) == ext)

        let certificateExtension = ext.makeCertificateExtension()
        #expect(certificateExtension.oid == PhalanxIdentityExtension.oid)
        #expect(!certificateExtension.critical)
        #expect(try PhalanxIdentityExtension(certificateExtension).identity == identity)
    }

    @Test("the OID is 2.25.<63-bit arc>.1 and parses with swift-asn1")
    func oid() throws {
        #expect(PhalanxIdentityExtension.oid.description == "2.25.5116934520755278235.1")
        var serializer = DER.Serializer()
        try serializer.serialize(PhalanxIdentityExtension.oid)
        #expect(try ASN1ObjectIdentifier(derEncoded: serializer.serializedBytes) == PhalanxIdentityExtension.oid)
    }

    @Test("a full 128-bit UUID arc is refused by swift-asn1, which is why the Phalanx arc has 63 bits")
    func fullUUIDArcIsUnparsable() {
        // 2.25.<0x470300d6008d519b470300d6008d519b>: the DER of an OID with a 128-bit second arc.
        var arc: [UInt8] = []
        var value = (UInt128(0x4703_00d6_008d_519b) << 64) | 0x4703_00d6_008d_519b
        arc.insert(UInt8(value & 0x7F), at: 0)
        value >>= 7
        while value > 0 {
            arc.insert(UInt8(value & 0x7F) | 0x80, at: 0)
            value >>= 7
        }
        let content: [UInt8] = [2 * 40 + 25] + arc
        let der: [UInt8] = [0x06, UInt8(content.count)] + content
        #expect(throws: (any Error).self) { try ASN1ObjectIdentifier(derEncoded: der) }
    }

    @Test(
        "malformed values are refused with a message naming the problem",
        arguments: [
            ([0x04, 0x00], "not DER SEQUENCE"),
            ([0x30, 0x00], "not DER SEQUENCE"),
            ([0x30, 0x05, 0x0C, 0x01, 0x61, 0x0C, 0x00], "not DER SEQUENCE"),  // two fields
            ([0x30, 0x0B, 0x0C, 0x01, 0x41, 0x0C, 0x04] + Array("node".utf8) + [0x04, 0x00], "invalid id"),
            ([0x30, 0x0B, 0x0C, 0x01, 0x61, 0x0C, 0x04] + Array("king".utf8) + [0x04, 0x00], "unknown role"),
            (
                [0x30, 0x0D, 0x0C, 0x01, 0x61, 0x0C, 0x04] + Array("node".utf8) + [0x04, 0x02, 0x01, 0x02],
                "signing key"
            ),
            ([0x30, 0x0B, 0x0C, 0x01, 0xFF, 0x0C, 0x04] + Array("node".utf8) + [0x04, 0x00], "not UTF-8"),
        ] as [([UInt8], String)]
    )
    func malformed(bytes: [UInt8], problem: String) throws {
        let error = try #require(throws: PKIError.self) { try PhalanxIdentityExtension(derEncoded: bytes) }
        #expect(error.message.contains(problem), "\(error)")
    }

    @Test("trailing bytes after the SEQUENCE are refused")
    func trailingBytes() {
        let der = PhalanxIdentityExtension(identity: identity).derEncoded() + [0x00]
        #expect(throws: PKIError.self) { try PhalanxIdentityExtension(derEncoded: der) }
    }

    @Test("random byte strings never crash the decoder")
    func randomInput() {
        var generator = SystemRandomNumberGenerator()
        let valid = PhalanxIdentityExtension(identity: identity).derEncoded()
        for _ in 0..<2_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &generator)) }
            _ = try? PhalanxIdentityExtension(derEncoded: bytes)
        }
    }
}
