import Crypto
import Foundation
import PhalanxCore
import X509

/// Everything one participant process needs to take part in the federation, loaded from its private
/// directory (`private/<id>/` as written by ``PKIDirectory/issue(id:role:days:dnsNames:ipAddresses:signingKey:now:)``):
///
/// - `cert.pem`: its certificate, for the TLS handshake;
/// - `tls.key`: the P-256 key of that certificate;
/// - `signing.key`: the Ed25519 key that signs its frames and messages;
/// - `ca.crt`: the federation CA, the trust root for its peers.
///
/// Loading checks that the four belong together — the certificate was signed by this CA, the TLS key is the
/// certificate's, and the signing key is the one the certificate binds — so that a mixed-up directory fails at
/// start-up with a message naming the file, not later as a confusing handshake failure. Validity dates are
/// not checked here: peers check them on every connection.
public struct ParticipantCredential: Sendable {
    /// The participant's certificate, PEM.
    public let certificatePEM: String
    public let certificate: Certificate
    /// The TLS private key, PKCS#8 PEM, in a zero-on-free buffer.
    public let tlsKeyPEM: SecretBytes
    /// The Ed25519 signing identity.
    public let signing: SigningIdentity
    /// The federation CA certificate, PEM.
    public let caCertificatePEM: String
    public let caCertificate: Certificate
    /// The identity the certificate binds, equal to `signing.publicIdentity`.
    public let identity: PublicIdentity

    /// The certificate's serial number, lowercase hex.
    public var serial: String { CertificateSerial.hex(certificate.serialNumber) }

    /// Loads and cross-checks `directory/{cert.pem, tls.key, signing.key, ca.crt}`.
    public static func load(directory: String) throws -> ParticipantCredential {
        func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        let caPath = file("ca.crt")
        let certificatePath = file("cert.pem")
        let tlsKeyPath = file("tls.key")
        let signingKeyPath = file("signing.key")

        let caPEM = try PKIFiles.readText(caPath, what: "CA certificate")
        let ca = try parseCertificate(caPEM, path: caPath, what: "CA certificate")
        let certificatePEM = try PKIFiles.readText(certificatePath, what: "participant certificate")
        let certificate = try parseCertificate(certificatePEM, path: certificatePath, what: "participant certificate")

        let tlsKeyPEM = try PKIFiles.readSecret(tlsKeyPath, what: "TLS private key")
        let tlsKey: P256.Signing.PrivateKey
        do {
            tlsKey = try tlsKeyPEM.withUnsafeBytes {
                try P256.Signing.PrivateKey(pemRepresentation: String(decoding: $0, as: UTF8.self))
            }
        } catch {
            throw PKIError(.malformedFile, path: tlsKeyPath, "not a PEM PKCS#8 ECDSA P-256 private key")
        }
        guard Certificate.PublicKey(tlsKey.publicKey) == certificate.publicKey else {
            throw PKIError(
                .malformedFile, path: tlsKeyPath, "this TLS key does not belong to the certificate in cert.pem")
        }

        let signing: SigningIdentity
        do {
            signing = try KeyFile.parsePrivateKey(try PKIFiles.readSecret(signingKeyPath, what: "signing key"))
        } catch let error as KeyFileError {
            throw PKIError(.malformedFile, path: signingKeyPath, error.description)
        }

        guard certificate.issuer == ca.subject, ca.publicKey.isValidSignature(certificate.signature, for: certificate)
        else {
            throw PKIError(
                .badSignature, path: certificatePath,
                "the certificate was not issued by the CA in ca.crt (\(ca.subject)); the files come from "
                    + "different federations")
        }
        let identity: PublicIdentity
        do {
            identity = try PeerVerifier.identity(of: certificate).signingKey
        } catch {
            throw PKIError(.malformedFile, path: certificatePath, error.description)
        }
        guard identity == signing.publicIdentity else {
            throw PKIError(
                .malformedFile, path: signingKeyPath,
                "this signing key (\(signing.publicIdentity)) is not the one bound in cert.pem (\(identity))")
        }
        return ParticipantCredential(
            certificatePEM: certificatePEM, certificate: certificate, tlsKeyPEM: tlsKeyPEM, signing: signing,
            caCertificatePEM: caPEM, caCertificate: ca, identity: identity)
    }

    private static func parseCertificate(_ text: String, path: String, what: String) throws -> Certificate {
        do {
            return try Certificate(pemEncoded: text)
        } catch {
            throw PKIError(.malformedFile, path: path, "the \(what) is not a PEM X.509 certificate (\(error))")
        }
    }
}

extension ParticipantCredential: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "ParticipantCredential(\(identity), serial \(serial), private keys redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["identity": identity, "serial": serial]) }
}
