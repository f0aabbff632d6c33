import Foundation
import Testing

@testable import PhalanxCore

@Suite("PEM key files")
struct KeyFileTests {
    func text(_ secret: SecretBytes) -> String { secret.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }

    @Test("a private key file round-trips to the same identity and signatures")
    func privateRoundTrip() throws {
        let identity = Fixtures.node
        let file = KeyFile.privateKeyFile(for: identity)
        let parsed = try KeyFile.parsePrivateKey(file)
        #expect(parsed.id == identity.id)
        #expect(parsed.role == identity.role)
        #expect(parsed.publicIdentity == identity.publicIdentity)
        let message: [UInt8] = [1, 2, 3]
        let theirs = try parsed.signature(for: message)
        let ours = try identity.signature(for: message)
        #expect(Hex.encode(theirs) == Hex.encode(ours))
        let lines = text(file).split(separator: "\n")
        #expect(lines[0] == "Phalanx-Id: hospital-a")
        #expect(lines[1] == "Phalanx-Role: node")
        #expect(lines[2] == "-----BEGIN PRIVATE KEY-----")
        // RFC 8410 PKCS#8 for the RFC 8032 seed: fixed 16-byte prefix, then the seed.
        #expect(lines[3] == "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g")
    }

    @Test("a public key file round-trips and is SubjectPublicKeyInfo")
    func publicRoundTrip() throws {
        let identity = Fixtures.control.publicIdentity
        let file = KeyFile.publicKeyFile(for: identity)
        #expect(try KeyFile.parsePublicKey(Array(file.utf8)) == identity)
        #expect(file.contains("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA"))
    }

    static let malformed: [(name: String, text: String, line: Int?, fragment: String)] = [
        ("empty", "", nil, "no \"-----BEGIN PRIVATE KEY-----\" line"),
        (
            "no id", "Phalanx-Role: node\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 1,
            "missing \"Phalanx-Id"
        ),
        (
            "bad id", "Phalanx-Id: Bad Name\nPhalanx-Role: node\n-----BEGIN PRIVATE KEY-----\n", 1,
            "invalid participant id"
        ),
        ("bad role", "Phalanx-Id: a\nPhalanx-Role: admin\n-----BEGIN PRIVATE KEY-----\n", 2, "unknown role \"admin\""),
        (
            "public given", "Phalanx-Id: a\nPhalanx-Role: node\n-----BEGIN PUBLIC KEY-----\n", 3,
            "expected \"-----BEGIN PRIVATE KEY-----\""
        ),
        (
            "no end", "Phalanx-Id: a\nPhalanx-Role: node\n-----BEGIN PRIVATE KEY-----\nAAAA\n", 5,
            "missing \"-----END PRIVATE KEY-----\""
        ),
        (
            "bad base64",
            "Phalanx-Id: a\nPhalanx-Role: node\n-----BEGIN PRIVATE KEY-----\nA*AA\n-----END PRIVATE KEY-----\n", 4,
            "not valid base64"
        ),
        (
            "not ed25519",
            "Phalanx-Id: a\nPhalanx-Role: node\n-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 4,
            "not an Ed25519 PKCS#8"
        ),
    ]

    @Test("malformed private key files give one error naming the line", arguments: malformed)
    func malformedFiles(_ c: (name: String, text: String, line: Int?, fragment: String)) {
        #expect {
            _ = try KeyFile.parsePrivateKey(SecretBytes(Array(c.text.utf8)))
        } throws: { error in
            guard let e = error as? KeyFileError else { return false }
            return e.line == c.line && e.message.contains(c.fragment)
        }
    }

    @Test("errors never contain key material")
    func errorsHideSecrets() throws {
        let file = text(KeyFile.privateKeyFile(for: Fixtures.node))
        let body = file.split(separator: "\n")[3]
        let truncated = file.replacingOccurrences(of: String(body), with: String(body.dropLast(4)) + "AAAA")
        do {
            _ = try KeyFile.parsePrivateKey(SecretBytes(Array(truncated.utf8)))
        } catch {
            #expect(!"\(error)".contains(String(body.prefix(20))))
            #expect(!"\(error)".contains(Fixtures.rfc8032Seed))
        }
    }

    @Test("strict base64: padding, alphabet and zero trailing bits")
    func base64() {
        #expect(Base64.decode(Array("AQID".utf8)) == [1, 2, 3])
        #expect(Base64.decode(Array("AQI=".utf8)) == [1, 2])
        #expect(Base64.decode(Array("AQ==".utf8)) == [1])
        #expect(Base64.decode(Array("AR==".utf8)) == nil)  // non-zero trailing bits
        #expect(Base64.decode(Array("AQ=".utf8)) == nil)
        #expect(Base64.decode(Array("A=QI".utf8)) == nil)
        #expect(Base64.decode(Array("AQ-_".utf8)) == nil)
    }
}
