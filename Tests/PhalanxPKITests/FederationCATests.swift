import Foundation
import PhalanxCore
import Testing
import X509

@testable import PhalanxPKI

@Suite("federation CA")
struct FederationCATests {
    @Test("the CA certificate is a self-signed v3 trust anchor")
    func caCertificate() throws {
        let ca = try makeCA("acme-safety")
        let certificate = ca.certificate
        #expect(certificate.version == .v3)
        #expect(certificate.subject == certificate.issuer)
        #expect(certificate.subject.commonName == "acme-safety")
        #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
        let basic = try #require(certificate.extensions[oid: .X509ExtensionID.basicConstraints])
        #expect(basic.critical)
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
        let usage = try #require(certificate.extensions[oid: .X509ExtensionID.keyUsage])
        #expect(usage.critical)
        let keyUsage = try #require(try certificate.extensions.keyUsage)
        #expect(keyUsage.keyCertSign && keyUsage.cRLSign && !keyUsage.digitalSignature)
        #expect(try certificate.extensions.subjectKeyIdentifier != nil)
        #expect(certificate.notValidAfter.timeIntervalSince(Clock.caCreated) == Clock.days(365))
    }

    @Test("a participant certificate carries the profile the design asks for")
    func leafProfile() throws {
        let ca = try makeCA()
        let (issued, signing) = try issue(ca, "org-a", role: .aggregator)
        let leaf = issued.certificate
        #expect(leaf.subject.commonName == "org-a")
        #expect(leaf.issuer == ca.certificate.subject)
        #expect(issued.serial.count == 32)
        #expect(leaf.serialNumber.bytes.count == 16)
        #expect(leaf.serialNumber.bytes.first! & 0x80 == 0)

        let basic = try #require(leaf.extensions[oid: .X509ExtensionID.basicConstraints])
        #expect(basic.critical)
        #expect(try leaf.extensions.basicConstraints == .notCertificateAuthority)
        #expect(leaf.extensions[oid: .X509ExtensionID.keyUsage]?.critical == true)
        #expect(try leaf.extensions.keyUsage?.digitalSignature == true)
        let eku = try #require(try leaf.extensions.extendedKeyUsage)
        #expect(eku.contains(.serverAuth) && eku.contains(.clientAuth))
        #expect(
            try leaf.extensions.authorityKeyIdentifier?.keyIdentifier
                == ca.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)

        let names = try #require(try leaf.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.ipAddress(.init(contentBytes: [127, 0, 0, 1]))))
        #expect(names.contains(.uniformResourceIdentifier("phalanx://aggregator/org-a")))

        let identity = try #require(leaf.extensions[oid: PhalanxIdentityExtension.oid])
        #expect(!identity.critical)
        #expect(try PhalanxIdentityExtension(identity).identity == signing.publicIdentity)
    }

    @Test("two certificates never share a serial")
    func serialsAreRandom() throws {
        let ca = try makeCA()
        let serials = try (0..<20).map { _ in try issue(ca, "org-a").0.serial }
        #expect(Set(serials).count == serials.count)
    }

    @Test("issuing refuses a signing key of someone else, and a certificate that outlives the CA")
    func issueRefusals() throws {
        let ca = try makeCA()
        let other = SigningIdentity.generate(id: participant("org-b"), role: .node)
        #expect(throws: PKIError.self) {
            try ca.issue(
                id: participant("org-a"), role: .node, signingKey: other.publicIdentity, notBefore: Clock.now,
                notAfter: Clock.now.addingTimeInterval(60))
        }
        let error = try #require(throws: PKIError.self) {
            try issue(ca, "org-a", notAfter: Clock.caCreated.addingTimeInterval(Clock.days(400)))
        }
        #expect(error.kind == .refused)
        #expect(error.message.contains("outlive the CA"))
        #expect(throws: PKIError.self) { try issue(ca, "org-a", notBefore: Clock.now, notAfter: Clock.now) }
        #expect(throws: PKIError.self) {
            let signing = SigningIdentity.generate(id: participant("org-a"), role: .node)
            _ = try ca.issue(
                id: participant("org-a"), role: .node, signingKey: signing.publicIdentity, ipAddresses: ["localhost"],
                notBefore: Clock.now, notAfter: Clock.now.addingTimeInterval(60))
        }
    }

    @Test("IPv6 addresses become 16-byte iPAddress names")
    func ipv6() throws {
        let ca = try makeCA()
        let signing = SigningIdentity.generate(id: participant("org-a"), role: .node)
        let issued = try ca.issue(
            id: participant("org-a"), role: .node, signingKey: signing.publicIdentity, dnsNames: [],
            ipAddresses: ["::1"], notBefore: Clock.now, notAfter: Clock.now.addingTimeInterval(60))
        let names = try #require(try issued.certificate.extensions.subjectAlternativeNames)
        #expect(names.contains(.ipAddress(.init(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))))
    }

    @Test("a CA survives a round trip through its PEM files, and refuses a key that is not its own")
    func caRoundTrip() throws {
        let ca = try makeCA()
        let loaded = try FederationCA(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.privateKeyPEM())
        #expect(loaded.certificate == ca.certificate)
        #expect(loaded.name == "test-federation")
        let other = try makeCA()
        let error = try #require(throws: PKIError.self) {
            try FederationCA(
                certificatePEM: ca.certificatePEM, privateKeyPEM: other.privateKeyPEM(), keyPath: "ca.key")
        }
        #expect(error.description.hasPrefix("ca.key: "))
        #expect("\(ca)".contains("redacted"))
    }

    @Test("the private key PEM is PKCS#8 and never appears in descriptions")
    func keyHygiene() throws {
        let ca = try makeCA()
        let pem = ca.privateKeyPEM().withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let body = pem.split(separator: "\n")[1]
        #expect(!String(describing: ca).contains(body))
        #expect(!String(reflecting: ca).contains(body))
        let (issued, _) = try issue(ca, "org-a")
        #expect(!String(describing: issued).contains("BEGIN PRIVATE KEY"))
    }
}
