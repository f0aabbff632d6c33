import Foundation
import PhalanxCore
import X509

@testable import PhalanxPKI

/// A scratch directory under the system temporary directory, removed when the fixture is released.
final class ScratchDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("phalanx-pki-\(UUID().uuidString)").path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ components: String...) -> String {
        components.reduce(path) { ($0 as NSString).appendingPathComponent($1) }
    }
}

/// Fixed points in time so that validity tests do not depend on the wall clock.
enum Clock {
    /// When the test CAs are created.
    static let caCreated = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    /// A moment well inside every test CA's lifetime.
    static let now = caCreated.addingTimeInterval(30 * 86_400)
    static func days(_ n: Double) -> TimeInterval { n * 86_400 }
}

func participant(_ name: String) -> ParticipantID { try! ParticipantID(name) }

/// A CA created at ``Clock/caCreated``, valid for a year.
func makeCA(_ name: String = "test-federation") throws -> FederationCA {
    try FederationCA.create(name: name, days: 365, now: Clock.caCreated)
}

/// Issues `id` a certificate from `ca`, valid from `notBefore` to `notAfter` (defaults: around ``Clock/now``).
func issue(
    _ ca: FederationCA, _ id: String, role: Role = .node,
    notBefore: Date = Clock.now.addingTimeInterval(-Clock.days(1)),
    notAfter: Date = Clock.now.addingTimeInterval(Clock.days(90))
) throws -> (IssuedCertificate, SigningIdentity) {
    let signing = SigningIdentity.generate(id: participant(id), role: role)
    let issued = try ca.issue(
        id: participant(id), role: role, signingKey: signing.publicIdentity, notBefore: notBefore, notAfter: notAfter)
    return (issued, signing)
}

func der(_ certificate: Certificate) throws -> [UInt8] {
    try certificate.serializeAsPEM().derBytes
}

/// A verifier trusting `ca` at ``Clock/now`` with `revocations`.
func verifier(_ ca: FederationCA, revocations: RevocationList? = nil, at time: Date = Clock.now) -> PeerVerifier {
    PeerVerifier(ca: ca.certificate, revocations: { revocations }, now: { time })
}
