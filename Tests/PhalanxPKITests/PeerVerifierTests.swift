import Foundation
import PhalanxCore
import Synchronization
import Testing
import X509

@testable import PhalanxPKI

@Suite("peer verification")
struct PeerVerifierTests {
    @Test("a certificate issued by the CA verifies and names its participant and signing key")
    func verifies() async throws {
        let ca = try makeCA()
        let (issued, signing) = try issue(ca, "org-a", role: .node)
        let peer = try await verifier(ca).verify(chainDER: [try der(issued.certificate)]).get()
        #expect(peer.id == participant("org-a"))
        #expect(peer.role == .node)
        #expect(peer.signingKey == signing.publicIdentity)
        #expect(peer.serial == issued.serial)
        #expect(peer.notAfter == issued.certificate.notValidAfter)
        #expect(peer.certificate == issued.certificate)

        let identity = try PeerVerifier.identity(of: issued.certificate)
        #expect(identity.id == participant("org-a") && identity.role == .node)
        #expect(identity.signingKey == signing.publicIdentity)
    }

    @Test("extra certificates after the leaf are ignored")
    func extraChainCertificates() async throws {
        let ca = try makeCA()
        let other = try makeCA("elsewhere")
        let (issued, _) = try issue(ca, "org-a")
        let result = await verifier(ca).verify(
            chainDER: [try der(issued.certificate), try der(other.certificate), try der(ca.certificate)])
        _ = try result.get()
    }

    @Test("a certificate from another CA is refused as untrusted, even one with the same CA name")
    func anotherCA() async throws {
        let ca = try makeCA()
        for foreign in [try makeCA("elsewhere"), try makeCA("test-federation")] {
            let (issued, _) = try issue(foreign, "org-a")
            let result = await verifier(ca).verify(chainDER: [try der(issued.certificate)])
            guard case .failure(.untrustedIssuer(let detail)) = result else {
                Issue.record("expected untrustedIssuer, got \(result)")
                continue
            }
            #expect(!detail.isEmpty)
        }
    }

    @Test("an expired certificate is refused as expired, not as untrusted")
    func expired() async throws {
        let ca = try makeCA()
        let notAfter = Clock.now.addingTimeInterval(-Clock.days(1))
        let (issued, _) = try issue(ca, "org-a", notBefore: Clock.caCreated, notAfter: notAfter)
        let result = await verifier(ca).verify(chainDER: [try der(issued.certificate)])
        #expect(result == .failure(.expired(notAfter: issued.certificate.notValidAfter)))
        if case .failure(let refusal) = result {
            #expect(refusal.description.hasPrefix("certificate expired at 2026-01-30T00:00:00Z"))
        }
    }

    @Test("a certificate whose window has not started is refused as not yet valid")
    func notYetValid() async throws {
        let ca = try makeCA()
        let notBefore = Clock.now.addingTimeInterval(Clock.days(2))
        let (issued, _) = try issue(ca, "org-a", notBefore: notBefore)
        let result = await verifier(ca).verify(chainDER: [try der(issued.certificate)])
        #expect(result == .failure(.notYetValid(notBefore: issued.certificate.notValidBefore)))
    }

    @Test("the verifier's clock decides: the same certificate is valid now and expired later")
    func clock() async throws {
        let ca = try makeCA()
        let (issued, _) = try issue(ca, "org-a")
        let chain = [try der(issued.certificate)]
        _ = try await verifier(ca, at: Clock.now).verify(chainDER: chain).get()
        let later = Clock.now.addingTimeInterval(Clock.days(91))
        #expect(
            await verifier(ca, at: later).verify(chainDER: chain)
                == .failure(.expired(notAfter: issued.certificate.notValidAfter)))
    }

    @Test("a revoked certificate is refused with the CA's reason")
    func revoked() async throws {
        let ca = try makeCA()
        let (issued, _) = try issue(ca, "org-2")
        let (other, _) = try issue(ca, "org-3")
        let list = RevocationList.empty(issuer: ca.name, at: Clock.caCreated).adding(
            .init(
                serial: issued.serial.uppercased(), id: participant("org-2"), reason: "key compromise",
                revokedAt: Clock.now),
            at: Clock.now)
        let checker = verifier(ca, revocations: list)
        let result = await checker.verify(chainDER: [try der(issued.certificate)])
        #expect(result == .failure(.revoked(serial: issued.serial, reason: "key compromise")))
        if case .failure(let refusal) = result {
            #expect(refusal.description == "certificate (serial \(issued.serial)) was revoked: key compromise")
        }
        _ = try await checker.verify(chainDER: [try der(other.certificate)]).get()
    }

    @Test("the revocation list is asked for again on every verification")
    func revocationsAreReloaded() async throws {
        let ca = try makeCA()
        let (issued, _) = try issue(ca, "org-a")
        let current = Box(RevocationList.empty(issuer: ca.name))
        let checker = PeerVerifier(ca: ca.certificate, revocations: { current.value }, now: { Clock.now })
        let chain = [try der(issued.certificate)]
        _ = try await checker.verify(chainDER: chain).get()
        current.value = current.value.adding(
            .init(serial: issued.serial, id: participant("org-a"), reason: "left", revokedAt: Clock.now))
        #expect(await checker.verify(chainDER: chain) == .failure(.revoked(serial: issued.serial, reason: "left")))
    }

    @Test("the CA certificate itself is not a participant: it binds no identity")
    func caAsLeaf() async throws {
        let ca = try makeCA()
        #expect(await verifier(ca).verify(chainDER: [try der(ca.certificate)]) == .failure(.missingIdentity))
        #expect(throws: PeerRefusal.missingIdentity) { try PeerVerifier.identity(of: ca.certificate) }
    }

    @Test("no certificate, and bytes that are not a certificate, are refused")
    func garbage() async throws {
        let ca = try makeCA()
        #expect(await verifier(ca).verify(chainDER: []) == .failure(.noCertificate))
        #expect(await verifier(ca).verify(chainDER: [[]]) == .failure(.noCertificate))
        let result = await verifier(ca).verify(chainDER: [[0x30, 0x03, 0x02, 0x01, 0x01]])
        guard case .failure(.unparsable) = result else {
            Issue.record("expected unparsable, got \(result)")
            return
        }
    }

    @Test("every refusal reads as a sentence and never prints key material")
    func messages() {
        let refusals: [PeerRefusal] = [
            .noCertificate, .untrustedIssuer("x"), .expired(notAfter: Clock.now), .notYetValid(notBefore: Clock.now),
            .revoked(serial: "ab", reason: "key compromise"), .missingIdentity, .malformedIdentity("y"),
            .unparsable("z"),
        ]
        for refusal in refusals {
            #expect(refusal.description.hasPrefix("certificate") || refusal.description.hasPrefix("the peer"))
        }
    }
}

/// A value shared between a test and the `@Sendable` closure it gives a verifier.
final class Box<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }
}
