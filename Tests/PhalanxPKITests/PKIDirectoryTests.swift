import Foundation
import PhalanxCore
import Testing
import X509

@testable import PhalanxPKI

@Suite("PKI directory")
struct PKIDirectoryTests {
    let scratch = ScratchDirectory()
    var directory: PKIDirectory { PKIDirectory(path: scratch.path) }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    @Test("init writes the CA, an empty signed revocation list and an empty index")
    func initialize() throws {
        let ca = try directory.initialize(name: "acme", days: 365, now: Clock.caCreated)
        #expect(try mode(directory.caKeyPath) == 0o600)
        #expect(try directory.loadCA().certificate == ca.certificate)
        #expect(try directory.loadCACertificate() == ca.certificate)
        let revocations = try directory.revocations()
        #expect(revocations.version == 1 && revocations.entries.isEmpty && revocations.issuer == "acme")
        #expect(try directory.index().isEmpty)
        #expect(try directory.roster(now: Clock.now).isEmpty)
        #expect(try mode(directory.privatePath) == 0o700)
    }

    @Test("init refuses to replace an existing CA and leaves it untouched")
    func initRefusesOverwrite() throws {
        let first = try directory.initialize(name: "acme", now: Clock.caCreated)
        let error = try #require(throws: PKIError.self) { try directory.initialize(name: "other") }
        #expect(error.kind == .alreadyExists)
        #expect(error.path == directory.caCertificatePath || error.path == directory.caKeyPath)
        #expect(try directory.loadCA().certificate == first.certificate)
    }

    @Test("issue writes the participant's private directory, its public certificate and an index entry")
    func issue() async throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        let issued = try directory.issue(
            id: participant("org-a"), role: .aggregator, days: 30, dnsNames: ["org-a.example"], now: Clock.now)
        let privateDirectory = directory.privateDirectory(for: participant("org-a"))
        #expect(try mode(privateDirectory) == 0o700)
        #expect(try mode(scratch.file("private", "org-a", "tls.key")) == 0o600)
        #expect(try mode(scratch.file("private", "org-a", "signing.key")) == 0o600)
        #expect(FileManager.default.fileExists(atPath: scratch.file("certs", "org-a.crt")))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.privatePath)
        #expect(leftovers == ["org-a"])

        let credential = try ParticipantCredential.load(directory: privateDirectory)
        #expect(credential.certificate == issued.certificate)
        #expect(credential.identity.id == participant("org-a"))
        #expect(credential.identity.role == .aggregator)
        #expect(credential.signing.publicIdentity == credential.identity)
        #expect(credential.caCertificate == (try directory.loadCACertificate()))
        #expect(credential.serial == issued.serial)
        #expect(!"\(credential)".contains("BEGIN"))

        let entry = try #require(try directory.index().first)
        #expect(entry.id == participant("org-a") && entry.role == .aggregator && entry.serial == issued.serial)
        #expect(entry.signingKeyFingerprint == credential.identity.fingerprint)
        #expect(entry.notAfter == issued.certificate.notValidAfter)
        #expect(entry.status(at: Clock.now, revocations: try directory.revocations()) == .valid)

        let checker = PeerVerifier(
            ca: credential.caCertificate, revocations: { nil }, now: { Clock.now.addingTimeInterval(60) })
        let peer = try await checker.verify(certificate: credential.certificate).get()
        #expect(peer.signingKey == credential.signing.publicIdentity)
    }

    @Test("a participant has one live certificate: a second is refused until the first is revoked")
    func duplicateLiveRefused() throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        let first = try directory.issue(id: participant("org-a"), role: .node, now: Clock.now)
        let error = try #require(throws: PKIError.self) {
            try directory.issue(id: participant("org-a"), role: .node, now: Clock.now)
        }
        #expect(error.kind == .alreadyExists)
        #expect(error.message.contains(first.serial))
        #expect(try directory.index().count == 1)
        #expect(try ParticipantCredential.load(directory: scratch.file("private", "org-a")).serial == first.serial)

        let revoked = try directory.revoke(id: participant("org-a"), reason: "key compromise", now: Clock.now)
        #expect(revoked.serial == first.serial)
        let second = try directory.issue(id: participant("org-a"), role: .node, now: Clock.now)
        #expect(second.serial != first.serial)
        #expect(try ParticipantCredential.load(directory: scratch.file("private", "org-a")).serial == second.serial)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.privatePath) == ["org-a"])
        let statuses = try directory.index().map { $0.status(at: Clock.now, revocations: try directory.revocations()) }
        #expect(statuses == [.revoked(reason: "key compromise"), .valid])
    }

    @Test("an expired certificate can be replaced without revoking it")
    func renewAfterExpiry() throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        try directory.issue(id: participant("org-a"), role: .node, days: 1, now: Clock.caCreated)
        let renewed = try directory.issue(id: participant("org-a"), role: .node, days: 30, now: Clock.now)
        #expect(try directory.roster(now: Clock.now).map(\.id) == [participant("org-a")])
        #expect(try ParticipantCredential.load(directory: scratch.file("private", "org-a")).serial == renewed.serial)
    }

    @Test("a given signing key is certified as it is")
    func givenSigningKey() throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        let signing = SigningIdentity.generate(id: participant("org-a"), role: .operator)
        try directory.issue(id: participant("org-a"), role: .operator, signingKey: signing, now: Clock.now)
        let credential = try ParticipantCredential.load(directory: scratch.file("private", "org-a"))
        #expect(credential.signing.publicIdentity == signing.publicIdentity)
        #expect(throws: PKIError.self) {
            try directory.issue(id: participant("org-b"), role: .operator, signingKey: signing, now: Clock.now)
        }
    }

    @Test("revocation by serial, bumping the list version; unknown and repeated revocations are refused")
    func revokeBySerial() throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        let issued = try directory.issue(id: participant("org-a"), role: .node, now: Clock.now)
        let entry = try directory.revoke(
            serial: issued.serial.uppercased(), reason: "  left the federation ", now: Clock.now)
        #expect(entry.reason == "left the federation")
        #expect(try directory.revocations().version == 2)
        #expect(throws: PKIError.self) { try directory.revoke(serial: issued.serial, reason: "again", now: Clock.now) }
        #expect(throws: PKIError.self) { try directory.revoke(serial: "abcd", reason: "unknown", now: Clock.now) }
        #expect(throws: PKIError.self) { try directory.revoke(serial: "xyz", reason: "not hex", now: Clock.now) }
        #expect(throws: PKIError.self) { try directory.revoke(id: participant("org-a"), reason: "none live") }
        #expect(throws: PKIError.self) { try directory.revoke(id: participant("org-z"), reason: "   ") }
        let other = try directory.issue(id: participant("org-b"), role: .node, now: Clock.now)
        for reason in ["   ", "line\nbreak", String(repeating: "x", count: 201)] {
            let error = try #require(throws: PKIError.self) {
                try directory.revoke(serial: other.serial, reason: reason, now: Clock.now)
            }
            #expect(error.kind == .invalidArgument)
        }
    }

    @Test("the roster lists current members only: revoked and expired ones are left out")
    func roster() throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        try directory.issue(id: participant("org-a"), role: .node, now: Clock.now)
        try directory.issue(id: participant("org-b"), role: .node, now: Clock.now)
        try directory.issue(id: participant("agg"), role: .aggregator, now: Clock.now)
        try directory.issue(id: participant("old"), role: .node, days: 1, now: Clock.caCreated)
        try directory.revoke(id: participant("org-b"), reason: "key compromise", now: Clock.now)

        let roster = try directory.roster(now: Clock.now)
        #expect(roster.map(\.id) == [participant("agg"), participant("org-a")])
        let a = try ParticipantCredential.load(directory: scratch.file("private", "org-a"))
        #expect(roster.contains(a.identity))
        #expect(try FederationRoster(roster).members.count == 2)

        // A certificate from another federation dropped into certs/ is not a member either.
        let stranger = PKIDirectory(path: scratch.file("stranger"))
        try stranger.initialize(name: "acme", now: Clock.caCreated)
        try stranger.issue(id: participant("mallory"), role: .node, now: Clock.now)
        try FileManager.default.copyItem(
            atPath: stranger.certificatePath(for: participant("mallory")), toPath: scratch.file("certs", "mallory.crt"))
        #expect(try directory.roster(now: Clock.now).count == 2)
    }

    @Test("a malformed PEM file is an error that names the file")
    func malformedPEM() throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        try directory.issue(id: participant("org-a"), role: .node, now: Clock.now)

        let certificate = scratch.file("private", "org-a", "cert.pem")
        try Data("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".utf8)
            .write(to: URL(fileURLWithPath: certificate))
        var error = try #require(throws: PKIError.self) {
            try ParticipantCredential.load(directory: scratch.file("private", "org-a"))
        }
        #expect(error.path == certificate && error.kind == .malformedFile)
        #expect(error.description.hasPrefix(certificate + ": "))

        try Data("garbage".utf8).write(to: URL(fileURLWithPath: scratch.file("certs", "org-a.crt")))
        error = try #require(throws: PKIError.self) { try directory.roster(now: Clock.now) }
        #expect(error.path == scratch.file("certs", "org-a.crt"))

        try Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8)
            .write(to: URL(fileURLWithPath: directory.caKeyPath))
        error = try #require(throws: PKIError.self) { try directory.loadCA() }
        #expect(error.path == directory.caKeyPath)
        #expect(!error.message.contains("AAAA"))

        error = try #require(throws: PKIError.self) { try PKIDirectory(path: scratch.file("nowhere")).loadCA() }
        #expect(error.kind == .missingFile)
    }

    @Test("a credential directory with files from two participants is refused, naming the file")
    func mixedCredentials() throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        try directory.issue(id: participant("org-a"), role: .node, now: Clock.now)
        try directory.issue(id: participant("org-b"), role: .node, now: Clock.now)
        for (file, problem) in [("signing.key", "not the one bound"), ("tls.key", "does not belong")] {
            let mixed = scratch.file("mixed-\(file)")
            try FileManager.default.copyItem(atPath: scratch.file("private", "org-a"), toPath: mixed)
            try FileManager.default.removeItem(atPath: (mixed as NSString).appendingPathComponent(file))
            try FileManager.default.copyItem(
                atPath: scratch.file("private", "org-b", file), toPath: (mixed as NSString).appendingPathComponent(file)
            )
            let error = try #require(throws: PKIError.self) { try ParticipantCredential.load(directory: mixed) }
            #expect(error.path == (mixed as NSString).appendingPathComponent(file))
            #expect(error.message.contains(problem), "\(error)")
        }
        let foreign = PKIDirectory(path: scratch.file("foreign"))
        try foreign.initialize(name: "acme", now: Clock.caCreated)
        try FileManager.default.removeItem(atPath: scratch.file("private", "org-a", "ca.crt"))
        try FileManager.default.copyItem(
            atPath: foreign.caCertificatePath, toPath: scratch.file("private", "org-a", "ca.crt"))
        let error = try #require(throws: PKIError.self) {
            try ParticipantCredential.load(directory: scratch.file("private", "org-a"))
        }
        #expect(error.kind == .badSignature)
    }

    @Test("a tampered revocations.json stops every operation that relies on it")
    func tamperedRevocations() throws {
        try directory.initialize(name: "acme", now: Clock.caCreated)
        let issued = try directory.issue(id: participant("org-a"), role: .node, now: Clock.now)
        try directory.revoke(id: participant("org-a"), reason: "key compromise", now: Clock.now)
        let path = directory.revocationsPath
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try Data(text.replacingOccurrences(of: issued.serial, with: String(repeating: "0", count: 32)).utf8)
            .write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: PKIError.self) { try directory.roster(now: Clock.now) }
        #expect(error.kind == .badSignature && error.path == path)
        #expect(throws: PKIError.self) { try RevocationList.load(path: path, ca: try directory.loadCACertificate()) }
        #expect(throws: PKIError.self) { try directory.issue(id: participant("org-a"), role: .node, now: Clock.now) }
    }
}
