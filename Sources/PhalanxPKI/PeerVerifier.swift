import Foundation
import PhalanxCore
@_spi(FixedExpiryValidationTime) import X509

/// Decides whether a TLS peer is a current member of the federation, and who it is.
///
/// The TLS handshake (swift-nio-ssl) proves that the peer holds the private key of the certificate it sent.
/// This type then answers the questions TLS does not: is that certificate from *this* federation's CA, is it
/// inside its validity window, has the CA revoked it, and which participant and Ed25519 signing key does it
/// bind? The checks, in order:
///
/// 1. The leaf parses as DER X.509 (``PeerRefusal/unparsable(_:)``).
/// 2. The CA's key signed it and its issuer is the CA's subject (``PeerRefusal/untrustedIssuer(_:)``).
/// 3. Its validity window contains `now()` (``PeerRefusal/expired(notAfter:)``,
///    ``PeerRefusal/notYetValid(notBefore:)``). Checked before step 4 so that the reason is precise.
/// 4. swift-certificates' `Verifier` with `RFC5280Policy` at time `now()`, the CA as the only trust root and
///    no intermediates: version, basic constraints, name constraints, unhandled critical extensions.
/// 5. The serial is not in the revocation list (``PeerRefusal/revoked(serial:reason:)``).
/// 6. The ``PhalanxIdentityExtension`` is present, decodes, and agrees with the common name and the
///    `phalanx://role/id` URI (``PeerRefusal/missingIdentity``, ``PeerRefusal/malformedIdentity(_:)``).
///
/// Certificates after the leaf in the presented chain are ignored: a federation has no intermediate CAs.
public struct PeerVerifier: Sendable {
    /// The federation CA certificate, the only trust root.
    public let ca: Certificate
    private let revocations: @Sendable () -> RevocationList?
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - ca: the federation's CA certificate (`ca.crt`).
    ///   - revocations: the current revocation list, called on every verification so that a reloaded list
    ///     takes effect for the next handshake. Return the last list that verified; `nil` means "none loaded"
    ///     and skips the revocation check.
    ///   - now: the clock the validity windows are checked against.
    public init(
        ca: Certificate,
        revocations: @escaping @Sendable () -> RevocationList?,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.ca = ca
        self.revocations = revocations
        self.now = now
    }

    /// Verifies the certificate chain a peer presented (DER, leaf first).
    public func verify(chainDER: [[UInt8]]) async -> Result<VerifiedPeer, PeerRefusal> {
        guard let leafDER = chainDER.first, !leafDER.isEmpty else { return .failure(.noCertificate) }
        let leaf: Certificate
        do {
            leaf = try Certificate(derEncoded: leafDER)
        } catch {
            return .failure(.unparsable("not a DER X.509 certificate (\(error))"))
        }
        return await verify(certificate: leaf)
    }

    /// Verifies an already parsed leaf certificate.
    public func verify(certificate leaf: Certificate) async -> Result<VerifiedPeer, PeerRefusal> {
        let time = now()
        if let refusal = Self.checkIssuerAndValidity(leaf, ca: ca, at: time) { return .failure(refusal) }

        var verifier = Verifier(rootCertificates: CertificateStore([ca])) {
            RFC5280Policy(fixedExpiryValidationTime: time)
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore())
        if case .couldNotValidate(let failures) = result {
            let reasons = failures.map { $0.policyFailureReason.description }
            let detail = reasons.isEmpty ? "no chain to the CA could be built" : reasons.joined(separator: "; ")
            return .failure(.untrustedIssuer("RFC 5280 chain validation failed: \(detail)"))
        }

        return Self.checkRevocationAndIdentity(leaf, revocations: revocations())
    }

    /// The participant, role and signing key a certificate names, checked for consistency but **not** for
    /// trust.
    ///
    /// A client uses this on the server's certificate after its TLS stack has verified the chain, to learn (and
    /// compare against what it dialed) which participant it is talking to.
    public static func identity(
        of certificate: Certificate
    ) throws(PeerRefusal) -> (id: ParticipantID, role: Role, signingKey: PublicIdentity) {
        let found: PhalanxIdentityExtension?
        do {
            found = try PhalanxIdentityExtension.find(in: certificate)
        } catch {
            throw .malformedIdentity(error.message)
        }
        guard let identity = found?.identity else { throw .missingIdentity }
        if let basic = try? certificate.extensions.basicConstraints, case .isCertificateAuthority = basic {
            throw .malformedIdentity("a CA certificate cannot be a participant's certificate")
        }
        let commonName = certificate.subject.commonName
        guard commonName == identity.id.rawValue else {
            throw .malformedIdentity(
                "the common name \"\((commonName ?? "").prefix(64))\" differs from the identity's id \"\(identity.id)\""
            )
        }
        let expected = FederationCA.participantURI(id: identity.id, role: identity.role)
        let uris = ((try? certificate.extensions.subjectAlternativeNames) ?? SubjectAlternativeNames([])).compactMap {
            name -> String? in
            if case .uniformResourceIdentifier(let uri) = name, uri.hasPrefix("phalanx://") { return uri }
            return nil
        }
        guard uris == [expected] else {
            throw .malformedIdentity("the subject alternative names must hold exactly the URI \(expected)")
        }
        return (identity.id, identity.role, identity)
    }

    /// Steps 2 and 3: signed by the CA, and inside both validity windows (the CA's and the leaf's).
    static func checkIssuerAndValidity(_ leaf: Certificate, ca: Certificate, at time: Date) -> PeerRefusal? {
        guard leaf.issuer == ca.subject else {
            return .untrustedIssuer("issued by \"\(leaf.issuer)\", but this federation's CA is \"\(ca.subject)\"")
        }
        guard ca.publicKey.isValidSignature(leaf.signature, for: leaf) else {
            return .untrustedIssuer(
                "the issuer name is \"\(ca.subject)\" but the CA's key did not sign it "
                    + "(another federation with the same name?)")
        }
        if time > ca.notValidAfter {
            return .untrustedIssuer(
                "the federation CA certificate itself expired at \(PeerRefusal.format(ca.notValidAfter))")
        }
        if time < ca.notValidBefore {
            return .untrustedIssuer(
                "the federation CA certificate is not valid before \(PeerRefusal.format(ca.notValidBefore))")
        }
        if time > leaf.notValidAfter { return .expired(notAfter: leaf.notValidAfter) }
        if time < leaf.notValidBefore { return .notYetValid(notBefore: leaf.notValidBefore) }
        return nil
    }

    /// Steps 5 and 6.
    static func checkRevocationAndIdentity(
        _ leaf: Certificate, revocations: RevocationList?
    ) -> Result<VerifiedPeer, PeerRefusal> {
        let serial = CertificateSerial.hex(leaf.serialNumber)
        if let entry = revocations?.isRevoked(serial: serial) {
            return .failure(.revoked(serial: serial, reason: entry.reason))
        }
        do {
            let identity = try identity(of: leaf)
            return .success(VerifiedPeer(identity: identity.signingKey, certificate: leaf))
        } catch {
            return .failure(error)
        }
    }
}

extension PeerVerifier {
    /// The serial number of `certificate` as the revocation list spells it (lowercase hex).
    public static func serial(of certificate: Certificate) -> String {
        CertificateSerial.hex(certificate.serialNumber)
    }
}
