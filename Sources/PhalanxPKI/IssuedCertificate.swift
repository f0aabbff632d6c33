import PhalanxCore
import X509

/// A freshly issued participant certificate and the TLS private key it certifies.
///
/// The TLS key exists only here and in the file the caller writes it to (`private/<id>/tls.key`); the CA keeps
/// no copy. It is PKCS#8 PEM in a zero-on-free buffer so that it can be written without lingering in memory.
public struct IssuedCertificate: Sendable {
    /// The signed X.509 certificate.
    public let certificate: Certificate
    /// The ECDSA P-256 TLS private key, PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----").
    public let tlsKeyPEM: SecretBytes

    init(certificate: Certificate, tlsKeyPEM: SecretBytes) {
        self.certificate = certificate
        self.tlsKeyPEM = tlsKeyPEM
    }

    /// The certificate as PEM text (what `cert.pem` and `certs/<id>.crt` hold).
    public var certificatePEM: String {
        // Serializing a certificate we built cannot fail.
        try! certificate.serializeAsPEM().pemString + "\n"
    }

    /// The serial number in lowercase hex, as `openssl x509 -serial` prints it and `phalanx pki revoke` takes it.
    public var serial: String { CertificateSerial.hex(certificate.serialNumber) }
}
