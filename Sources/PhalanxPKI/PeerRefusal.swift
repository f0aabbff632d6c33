import Foundation

/// Why a peer's certificate was refused, precise enough for an operator to fix it from the log line alone.
///
/// Messages name the serial, dates and issuer, never key material. "Expired" and "from another CA" are kept
/// apart on purpose: the first means renew (`phalanx pki issue`), the second means a misconfigured or foreign
/// peer.
public enum PeerRefusal: Error, CustomStringConvertible, Sendable, Hashable {
    /// The peer sent no certificate (mutual TLS requires one).
    case noCertificate
    /// The certificate does not chain to this federation's CA; the text says what did not match.
    case untrustedIssuer(String)
    /// The certificate was valid until `notAfter`, which has passed.
    case expired(notAfter: Date)
    /// The certificate becomes valid only at `notBefore` (often: a clock far behind).
    case notYetValid(notBefore: Date)
    /// The CA revoked the certificate with this serial (lowercase hex), for `reason`.
    case revoked(serial: String, reason: String)
    /// The certificate chains to the CA but carries no ``PhalanxIdentityExtension``.
    case missingIdentity
    /// The identity extension is there but cannot be decoded, or disagrees with the certificate's names.
    case malformedIdentity(String)
    /// The bytes are not a DER X.509 certificate.
    case unparsable(String)

    public var description: String {
        switch self {
        case .noCertificate:
            "the peer presented no certificate; every participant must present the one `phalanx pki issue` gave it"
        case .untrustedIssuer(let detail):
            "certificate was not issued by this federation's CA: \(detail)"
        case .expired(let notAfter):
            "certificate expired at \(Self.format(notAfter)); issue a new one with `phalanx pki issue`"
        case .notYetValid(let notBefore):
            "certificate is not valid before \(Self.format(notBefore)); check the clocks of both machines"
        case .revoked(let serial, let reason):
            "certificate (serial \(serial)) was revoked: \(reason)"
        case .missingIdentity:
            "certificate carries no Phalanx identity extension (\(PhalanxIdentityExtension.oid)), so it binds no "
                + "signing key; issue participant certificates with `phalanx pki issue`"
        case .malformedIdentity(let detail):
            "certificate's Phalanx identity is malformed: \(detail)"
        case .unparsable(let detail):
            "certificate cannot be parsed: \(detail)"
        }
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
