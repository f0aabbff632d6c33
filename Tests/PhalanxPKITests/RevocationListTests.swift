import Foundation
import PhalanxCore
import Testing
import X509

@testable import PhalanxPKI

@Suite("revocation list")
struct RevocationListTests {
    let ca: FederationCA
    let list: RevocationList

    init() throws {
        ca = try makeCA()
        list = RevocationList.empty(issuer: ca.name, at: Clock.caCreated)
            .adding(
                .init(
                    serial: "5F0C" + String(repeating: "a", count: 28), id: participant("org-b"),
                    reason: "key compromise", revokedAt: Clock.now), at: Clock.now)
    }

    @Test("a signed list verifies against the CA and keeps its contents")
    func roundTrip() throws {
        let bytes = try list.signed(by: ca)
        let loaded = try RevocationList.verified(bytes, ca: ca.certificate)
        #expect(loaded == list)
        #expect(loaded.version == 2)
        #expect(loaded.isRevoked(serial: "5f0c" + String(repeating: "A", count: 28))?.reason == "key compromise")
        #expect(loaded.isRevoked(serial: "5F:0C:" + String(repeating: "a", count: 28))?.id == participant("org-b"))
        #expect(loaded.isRevoked(serial: "01") == nil)
    }

    @Test("the file is JSON with the body fields and a base64 signature over the sorted compact body")
    func format() throws {
        let bytes = try list.signed(by: ca)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(Set(object.keys) == ["issuer", "version", "updatedAt", "entries", "signature"])
        #expect(object["updatedAt"] as? String == "2026-01-31T00:00:00Z")
        let body = try list.canonicalBody()
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.hasPrefix("{\"entries\":[{\"id\":\"org-b\",\"reason\":\"key compromise\""))
        #expect(!text.contains(" :") && !text.contains("\n"))
    }

    @Test(
        "any change to the signed file is refused as a bad signature",
        arguments: [
            ("key compromise", "superseded"),
            ("\"version\" : 2", "\"version\" : 3"),
            ("org-b", "org-c"),
            ("5f0c", "5f0d"),
        ])
    func tampered(original: String, replacement: String) throws {
        let text = String(decoding: try list.signed(by: ca), as: UTF8.self)
        #expect(text.contains(original))
        let tampered = Array(text.replacingOccurrences(of: original, with: replacement).utf8)
        let error = try #require(throws: PKIError.self) {
            try RevocationList.verified(tampered, ca: ca.certificate, path: "revocations.json")
        }
        #expect(error.kind == .badSignature)
        #expect(error.description.hasPrefix("revocations.json: "))
    }

    @Test("dropping an entry (un-revoking) is refused")
    func unrevoke() throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(try list.signed(by: ca))) as? [String: Any])
        object["entries"] = [Any]()
        let bytes = Array(try JSONSerialization.data(withJSONObject: object))
        #expect(throws: PKIError.self) { try RevocationList.verified(bytes, ca: ca.certificate) }
    }

    @Test("a list signed by another CA is refused")
    func otherCA() throws {
        let other = try makeCA()  // same name, different key
        let bytes = try list.signed(by: other)
        let error = try #require(throws: PKIError.self) { try RevocationList.verified(bytes, ca: ca.certificate) }
        #expect(error.kind == .badSignature)
        let stranger = try makeCA("stranger")
        #expect(throws: PKIError.self) { try list.signed(by: stranger) }
    }

    @Test("a file that is not a revocation list is refused as malformed, naming the file and the field")
    func malformed() throws {
        for text in ["", "[]", "{\"issuer\": \"x\"}", "{\"issuer\":\"x\",\"version\":1,\"updatedAt\":\"yesterday\"}"] {
            let error = try #require(throws: PKIError.self) {
                try RevocationList.verified(Array(text.utf8), ca: ca.certificate, path: "r.json")
            }
            #expect(error.kind == .malformedFile)
            #expect(error.description.hasPrefix("r.json: "))
        }
        var object = try #require(
            try JSONSerialization.jsonObject(with: Data(try list.signed(by: ca))) as? [String: Any])
        object["signature"] = "not base64!"
        let error = try #require(throws: PKIError.self) {
            try RevocationList.verified(Array(try JSONSerialization.data(withJSONObject: object)), ca: ca.certificate)
        }
        #expect(error.message.contains("signature"))
    }
}
