import Crypto
import Foundation
import PhalanxCore
import SwiftASN1
import X509

/// The certificate authority of one federation: an ECDSA P-256 key and its self-signed X.509 v3 certificate.
///
/// Every participant's TLS certificate is issued here, so "this peer is a member of the federation" reduces to
/// "its certificate chains to this one root". The CA also signs the revocation list. P-256 is used rather than
/// Ed25519 because every TLS stack (BoringSSL in swift-nio-ssl, OpenSSL, Go, browsers) accepts it in
/// certificates and handshakes.
///
/// The private key lives in swift-crypto's storage and is only ever written out as PKCS#8 PEM in a
/// ``SecretBytes`` (by ``privateKeyPEM()``); this type never prints it.
public struct FederationCA: Sendable {
    /// The federation's name: the CA certificate's common name and the revocation list's issuer.
    public let name: String
    /// The self-signed CA certificate: the one trust root of the federation.
    public let certificate: Certificate
    private let key: P256.Signing.PrivateKey

    /// How far before "now" a new certificate's validity starts, so that a peer whose clock is slightly behind
    /// does not reject a certificate that was just issued.
    public static let clockSkewAllowance: TimeInterval = 5 * 60

    /// Creates a new CA: a fresh P-256 key and a self-signed certificate valid for `days` days from `now`.
    ///
    /// The certificate has basicConstraints `CA:TRUE` (critical), keyUsage `keyCertSign, cRLSign` (critical)
    /// and a subjectKeyIdentifier, which is what RFC 5280 §4.2.1 and OpenSSL require of a trust anchor.
    public static func create(name: String, days: Int = 365, now: Date = Date()) throws -> FederationCA {
        try checkName(name)
        guard days >= 1, days <= 36_500 else {
            throw PKIError(.invalidArgument, "the CA validity must be 1–36500 days, got \(days)")
        }
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let subject = try DistinguishedName { CommonName(name) }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: CertificateSerial.random(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-clockSkewAllowance),
            notValidAfter: now.addingTimeInterval(TimeInterval(days) * 86_400),
            issuer: subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        return FederationCA(name: name, certificate: certificate, key: key)
    }

    /// Loads a CA from its certificate and its PKCS#8 private key, checking that they belong together.
    ///
    /// `certificatePath` and `keyPath` only name the files in errors.
    public init(
        certificatePEM: String, privateKeyPEM: SecretBytes, certificatePath: String? = nil, keyPath: String? = nil
    ) throws {
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw PKIError(.malformedFile, path: certificatePath, "not a PEM X.509 certificate (\(error))")
        }
        let key: P256.Signing.PrivateKey
        do {
            key = try privateKeyPEM.withUnsafeBytes { buffer in
                // swift-crypto parses PEM from a String; that copy cannot be wiped, the SecretBytes can.
                try P256.Signing.PrivateKey(pemRepresentation: String(decoding: buffer, as: UTF8.self))
            }
        } catch {
            throw PKIError(
                .malformedFile, path: keyPath,
                "not a PEM PKCS#8 ECDSA P-256 private key; the CA key is written by `phalanx pki init`")
        }
        guard Certificate.PublicKey(key.publicKey) == certificate.publicKey else {
            throw PKIError(
                .malformedFile, path: keyPath, "this private key does not belong to the CA certificate beside it")
        }
        guard let basic = try? certificate.extensions.basicConstraints,
            case .isCertificateAuthority = basic
        else {
            throw PKIError(.malformedFile, path: certificatePath, "the certificate is not a CA (basicConstraints)")
        }
        let name = certificate.subject.commonName ?? ""
        self.init(name: name, certificate: certificate, key: key)
    }

    private init(name: String, certificate: Certificate, key: P256.Signing.PrivateKey) {
        self.name = name
        self.certificate = certificate
        self.key = key
    }

    /// The CA certificate as PEM text: what `ca.crt` holds and what every participant trusts.
    public var certificatePEM: String {
        // Serializing a certificate we parsed or built cannot fail.
        try! certificate.serializeAsPEM().pemString + "\n"
    }

    /// The CA private key as PKCS#8 PEM in a zero-on-free buffer, for writing `ca.key`.
    public func privateKeyPEM() -> SecretBytes {
        SecretBytes(Array(key.pemRepresentation.utf8) + [0x0A])
    }

    /// The SHA-256 of the CA certificate's DER, shown to humans to compare trust roots out of band.
    public var fingerprint: PhalanxCore.SHA256Digest { Self.fingerprint(of: certificate) }

    /// The SHA-256 of a certificate's DER encoding (what `openssl x509 -fingerprint -sha256` prints).
    public static func fingerprint(of certificate: Certificate) -> PhalanxCore.SHA256Digest {
        var serializer = DER.Serializer()
        try! serializer.serialize(certificate)
        return PhalanxCore.SHA256Digest.of(serializer.serializedBytes)
    }

    /// Issues a participant's TLS certificate and a fresh P-256 TLS key.
    ///
    /// The certificate names the participant three ways that a verifier cross-checks: the common name is the
    /// id, a URI subject alternative name is `phalanx://<role>/<id>`, and the ``PhalanxIdentityExtension``
    /// carries id, role and the Ed25519 signing key. It may be used as a server and as a client
    /// (extendedKeyUsage serverAuth + clientAuth) because every participant both serves and dials in mTLS.
    ///
    /// - Parameters:
    ///   - signingKey: the participant's Ed25519 public identity; its id and role must equal `id` and `role`.
    ///   - dnsNames, ipAddresses: the names a client may dial this participant by (hostname verification).
    ///   - notBefore, notAfter: the validity window; `notAfter` may not be later than the CA's own.
    public func issue(
        id: ParticipantID,
        role: Role,
        signingKey: PublicIdentity,
        dnsNames: [String] = ["localhost"],
        ipAddresses: [String] = ["127.0.0.1"],
        notBefore: Date,
        notAfter: Date
    ) throws -> IssuedCertificate {
        guard signingKey.id == id, signingKey.role == role else {
            throw PKIError(
                .invalidArgument,
                "the signing key belongs to \(signingKey.id) (\(signingKey.role)), not to \(id) (\(role))")
        }
        guard notBefore < notAfter else {
            throw PKIError(.invalidArgument, "notBefore \(notBefore) is not before notAfter \(notAfter)")
        }
        guard notAfter <= certificate.notValidAfter else {
            throw PKIError(
                .refused,
                "a certificate valid until \(notAfter) would outlive the CA (valid until "
                    + "\(certificate.notValidAfter)); issue a shorter one or create a new CA")
        }
        var names: [GeneralName] = []
        for dns in dnsNames {
            guard !dns.isEmpty, dns.utf8.count <= 253, dns.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw PKIError(.invalidArgument, "\"\(dns.prefix(80))\" is not a DNS name")
            }
            names.append(.dnsName(dns))
        }
        for ip in ipAddresses {
            guard let bytes = IPAddress.bytes(ip) else {
                throw PKIError(.invalidArgument, "\"\(ip.prefix(80))\" is not an IPv4 or IPv6 address")
            }
            names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
        }
        names.append(.uniformResourceIdentifier(Self.participantURI(id: id, role: role)))

        let tlsKey = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(tlsKey.publicKey)
        let authorityKey = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let usages = try ExtendedKeyUsage([.serverAuth, .clientAuth])
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            usages
            SubjectKeyIdentifier(hash: publicKey)
            AuthorityKeyIdentifier(keyIdentifier: authorityKey)
            SubjectAlternativeNames(names)
            PhalanxIdentityExtension(identity: signingKey)
        }
        let leaf = try Certificate(
            version: .v3,
            serialNumber: CertificateSerial.random(),
            publicKey: publicKey,
            notValidBefore: notBefore,
            notValidAfter: notAfter,
            issuer: certificate.subject,
            subject: try DistinguishedName { CommonName(id.rawValue) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        return IssuedCertificate(
            certificate: leaf,
            tlsKeyPEM: SecretBytes(Array(tlsKey.pemRepresentation.utf8) + [0x0A])
        )
    }

    /// The URI subject alternative name of a participant: `phalanx://<role>/<id>`.
    public static func participantURI(id: ParticipantID, role: Role) -> String {
        "phalanx://\(role.rawValue)/\(id.rawValue)"
    }

    /// Signs `message` with the CA key (ECDSA P-256 with SHA-256) and returns the DER signature.
    func signature(for message: some DataProtocol) throws -> Data {
        try key.signature(for: message).derRepresentation
    }

    private static func checkName(_ name: String) throws {
        // ub-common-name is 64 characters (RFC 5280 Appendix A.1).
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ !$0.isNewline && $0 != "\0" }) else {
            throw PKIError(.invalidArgument, "a federation name has 1–64 characters and no line breaks")
        }
    }
}

extension FederationCA: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "FederationCA(\(name), private key redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name, "certificate": certificate]) }
}

extension DistinguishedName {
    /// The first common name, if any.
    var commonName: String? {
        for rdn in self {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return String(attribute.value)
            }
        }
        return nil
    }
}
