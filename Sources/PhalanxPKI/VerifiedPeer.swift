import Foundation
import PhalanxCore
import X509

/// A peer whose certificate chained to the federation CA, was in its validity window, was not revoked, and
/// named its Ed25519 signing key. Only ``PeerVerifier`` creates one.
public struct VerifiedPeer: Sendable, Hashable, CustomStringConvertible {
    /// The participant on the other end of the connection.
    public let id: ParticipantID
    public let role: Role
    /// The key that must have signed every frame and message this peer sends on the connection.
    public let signingKey: PublicIdentity
    /// The certificate's serial number, lowercase hex.
    public let serial: String
    /// When the certificate expires; a long-lived connection should be re-checked before then.
    public let notAfter: Date
    public let certificate: Certificate

    init(identity: PublicIdentity, certificate: Certificate) {
        self.id = identity.id
        self.role = identity.role
        self.signingKey = identity
        self.serial = CertificateSerial.hex(certificate.serialNumber)
        self.notAfter = certificate.notValidAfter
        self.certificate = certificate
    }

    public var description: String { "\(id) (\(role), serial \(serial), ed25519 \(signingKey.fingerprint.short))" }
}
