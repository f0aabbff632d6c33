import GRPCCore
import GRPCNIOTransportHTTP2
import PhalanxCore
import PhalanxPKI

/// Who is on the other end of an RPC, from the client certificate the TLS handshake verified.
public struct PeerIdentity: Sendable {
    public let id: ParticipantID
    public let role: Role
    /// The Ed25519 key the certificate binds to the participant: every message it sends must verify under it.
    public let signingKey: PublicIdentity

    /// Reads the identity of the verified client certificate of `context`, and checks on every call that the
    /// certificate has not been revoked since the connection's handshake: a revocation cuts off open connections
    /// at their next RPC, not only new ones.
    static func of(_ context: ServerContext, revocations: RevocationSource) throws(RPCError) -> PeerIdentity {
        guard let posix = context.transportSpecific as? HTTP2ServerTransport.Posix.Context,
            let certificate = posix.peerCertificate
        else {
            throw RPCError(code: .unauthenticated, message: "no verified client certificate on this connection")
        }
        let serial = PeerVerifier.serial(of: certificate)
        if let entry = revocations.current()?.isRevoked(serial: serial) {
            revocations.refusedRevoked()
            throw RPCError(
                code: .unauthenticated,
                message: "the certificate of \(entry.id) (serial \(serial.prefix(16))…) was revoked: \(entry.reason)")
        }
        do {
            let identity = try PeerVerifier.identity(of: certificate)
            return PeerIdentity(id: identity.id, role: identity.role, signingKey: identity.signingKey)
        } catch {
            throw RPCError(code: .unauthenticated, message: "the client certificate names no participant: \(error)")
        }
    }

    /// Refuses callers whose role is not one of `roles`.
    func require(_ roles: Set<Role>, for what: String) throws(RPCError) {
        guard roles.contains(role) else {
            throw RPCError(
                code: .permissionDenied,
                message:
                    "\(what) is for \(roles.map(\.rawValue).sorted().joined(separator: " or ")); \(id) is a \(role.rawValue)"
            )
        }
    }
}
