import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOSSL
import PhalanxCore
import PhalanxPKI
import X509

/// The mutual-TLS settings of one participant: its certificate and TLS key, and how it checks peers.
///
/// Both directions verify the peer with ``PeerVerifier``: the federation CA is the only trust root, the
/// certificate must be valid now, not revoked (the revocation list is read again when it changes), and carry the
/// Phalanx identity extension binding it to a participant's Ed25519 signing key. A refusal is logged with its
/// reason and counted; the handshake then fails. A client also checks that the server is the participant it
/// meant to reach.
public struct MutualTLS: Sendable {
    /// The certificate this participant presents (PEM), and its TLS private key.
    let certificatePEM: String
    let tlsKeyPEM: SecretBytes
    /// The CA certificate peers must chain to (PEM).
    let trustRootPEM: String
    public let verifier: PeerVerifier
    let logger: Logger
    let metrics: NetworkMetrics?

    public init(credential: ParticipantCredential, verifier: PeerVerifier, logger: Logger, metrics: NetworkMetrics?) {
        self.init(
            certificatePEM: credential.certificatePEM, tlsKeyPEM: credential.tlsKeyPEM,
            trustRootPEM: credential.caCertificatePEM, verifier: verifier, logger: logger, metrics: metrics)
    }

    /// From parts that need not belong together — for tools and tests that must present, say, a certificate
    /// from another CA while trusting this federation's.
    public init(
        certificatePEM: String, tlsKeyPEM: SecretBytes, trustRootPEM: String, verifier: PeerVerifier, logger: Logger,
        metrics: NetworkMetrics?
    ) {
        self.certificatePEM = certificatePEM
        self.tlsKeyPEM = tlsKeyPEM
        self.trustRootPEM = trustRootPEM
        self.verifier = verifier
        self.logger = logger
        self.metrics = metrics
    }

    private var chain: [TLSConfig.CertificateSource] { [.bytes(Array(certificatePEM.utf8), format: .pem)] }
    private var key: TLSConfig.PrivateKeySource {
        .bytes(tlsKeyPEM.withUnsafeBytes { Array($0) }, format: .pem)
    }
    private var roots: TLSConfig.TrustRootsSource {
        .certificates([.bytes(Array(trustRootPEM.utf8), format: .pem)])
    }

    public var serverSecurity: HTTP2ServerTransport.Posix.TransportSecurity {
        .mTLS(certificateChain: chain, privateKey: key) { config in
            config.trustRoots = roots
            config.clientCertificateVerification = .noHostnameVerification
            config.customVerificationCallback = callback(expecting: nil, side: "client")
        }
    }

    /// The client side, to reach `peer` (whose certificate must name it).
    public func clientSecurity(to peer: ParticipantID) -> HTTP2ClientTransport.Posix.TransportSecurity {
        .mTLS(certificateChain: chain, privateKey: key) { config in
            config.trustRoots = roots
            // The certificate names the participant, not the host: the identity check below replaces the
            // host-name check, and is stricter (the exact participant, bound to its signing key).
            config.serverCertificateVerification = .noHostnameVerification
            config.customVerificationCallback = callback(expecting: peer, side: "server")
        }
    }

    private func callback(
        expecting peer: ParticipantID?, side: String
    )
        -> @Sendable ([NIOSSLCertificate], EventLoopPromise<NIOSSLVerificationResultWithMetadata>) -> Void
    {
        let verifier = verifier
        let logger = logger
        let metrics = metrics
        return { certificates, promise in
            let der = certificates.compactMap { try? $0.toDERBytes() }
            promise.completeWithTask {
                switch await verifier.verify(chainDER: der) {
                case .success(let verified):
                    if let peer, verified.id != peer {
                        logger.warning(
                            "refused a TLS \(side)",
                            metadata: [
                                "reason": "identity-mismatch",
                                "detail": "expected \(peer), the certificate names \(verified.id)",
                            ])
                        metrics?.refused(reason: "identity-mismatch")
                        return .failed
                    }
                    return .certificateVerified(VerificationMetadata(ValidatedCertificateChain(certificates)))
                case .failure(let refusal):
                    logger.warning(
                        "refused a TLS \(side)", metadata: ["reason": "\(refusal.code)", "detail": "\(refusal)"])
                    metrics?.refused(reason: refusal.code)
                    return .failed
                }
            }
        }
    }
}

extension PeerRefusal {
    /// A short label for logs and metrics.
    public var code: String {
        switch self {
        case .noCertificate: "no-certificate"
        case .untrustedIssuer: "untrusted-issuer"
        case .expired: "expired"
        case .notYetValid: "not-yet-valid"
        case .revoked: "revoked"
        case .missingIdentity: "missing-identity"
        case .malformedIdentity: "malformed-identity"
        case .unparsable: "unparsable"
        }
    }
}
