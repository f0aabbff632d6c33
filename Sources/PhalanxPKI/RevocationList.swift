import Crypto
import Foundation
import PhalanxCore
import X509

/// The federation's list of revoked certificates, signed by the CA.
///
/// A certificate is revoked when its key may be compromised or its holder leaves the federation before it
/// expires. The list is a small JSON file (`revocations.json`) that every process reloads and hands to its
/// ``PeerVerifier``. It is deliberately simpler than an X.509 CRL (RFC 5280 §5): a federation has tens of
/// members, and the file must be readable by a person.
///
/// ```json
/// {
///   "entries" : [ { "id" : "org-b", "reason" : "key compromise",
///                   "revokedAt" : "2026-03-01T12:00:00Z", "serial" : "5f0c…" } ],
///   "issuer" : "phalanx-federation",
///   "signature" : "MEUCIQ…",
///   "updatedAt" : "2026-03-01T12:00:00Z",
///   "version" : 2
/// }
/// ```
///
/// `signature` is the base64 DER ECDSA P-256 / SHA-256 signature by the CA key over the **signed body**: the
/// same object without `signature`, encoded as compact JSON with keys sorted bytewise, no insignificant
/// whitespace, `/` unescaped, dates as RFC 3339 UTC strings with whole seconds. `version` increases by one with
/// every change, so a process can refuse to go back to an older list.
public struct RevocationList: Codable, Sendable, Hashable {
    /// One revoked certificate.
    public struct Entry: Codable, Sendable, Hashable {
        /// The certificate's serial number, lowercase hex.
        public let serial: String
        /// The participant the certificate was issued to.
        public let id: ParticipantID
        /// Why it was revoked, in words ("key compromise", "left the federation").
        public let reason: String
        public let revokedAt: Date

        public init(serial: String, id: ParticipantID, reason: String, revokedAt: Date) {
            self.serial = CertificateSerial.normalize(serial) ?? serial
            self.id = id
            self.reason = reason
            self.revokedAt = RevocationList.wholeSeconds(revokedAt)
        }
    }

    /// The federation name of the CA that signed the list.
    public let issuer: String
    /// Increases by one with every change.
    public let version: Int
    public let updatedAt: Date
    public let entries: [Entry]

    public init(issuer: String, version: Int, updatedAt: Date, entries: [Entry]) {
        self.issuer = issuer
        self.version = version
        self.updatedAt = Self.wholeSeconds(updatedAt)
        self.entries = entries
    }

    /// The first list of a new federation: version 1, nothing revoked.
    public static func empty(issuer: String, at now: Date = Date()) -> RevocationList {
        RevocationList(issuer: issuer, version: 1, updatedAt: now, entries: [])
    }

    /// The revocation entry for `serial` (any case, with or without colons), or `nil` if it is not revoked.
    public func isRevoked(serial: String) -> Entry? {
        guard let wanted = CertificateSerial.normalize(serial) else { return nil }
        return entries.first { CertificateSerial.normalize($0.serial) == wanted }
    }

    /// The next version of the list with `entry` added.
    public func adding(_ entry: Entry, at now: Date = Date()) -> RevocationList {
        RevocationList(issuer: issuer, version: version + 1, updatedAt: now, entries: entries + [entry])
    }

    /// The file contents: the body and the CA's signature over its canonical JSON.
    public func signed(by ca: FederationCA) throws -> [UInt8] {
        guard ca.name == issuer else {
            throw PKIError(.invalidArgument, "a revocation list of \"\(issuer)\" cannot be signed by CA \"\(ca.name)\"")
        }
        let signature = try ca.signature(for: try canonicalBody())
        let file = SignedFile(
            issuer: issuer, version: version, updatedAt: updatedAt, entries: entries,
            signature: signature.base64EncodedString())
        let encoder = Self.encoder
        encoder.outputFormatting.insert(.prettyPrinted)
        return Array(try encoder.encode(file)) + [0x0A]
    }

    /// Parses a revocation list file and verifies the CA's signature over it.
    ///
    /// `path` only names the file in errors. A list that does not verify is refused as a whole: a tampered
    /// list could un-revoke a compromised certificate, so there is no partial trust.
    public static func verified(_ bytes: [UInt8], ca: Certificate, path: String? = nil) throws -> RevocationList {
        let file: SignedFile
        do {
            file = try decoder.decode(SignedFile.self, from: Data(bytes))
        } catch {
            throw PKIError(.malformedFile, path: path, "not a Phalanx revocation list (JSON): \(Self.describe(error))")
        }
        let list = RevocationList(
            issuer: file.issuer, version: file.version, updatedAt: file.updatedAt, entries: file.entries)
        guard let signature = Data(base64Encoded: file.signature),
            let ecdsa = try? P256.Signing.ECDSASignature(derRepresentation: signature)
        else {
            throw PKIError(.malformedFile, path: path, "the signature is not base64 of a DER ECDSA signature")
        }
        guard let key = P256.Signing.PublicKey(ca.publicKey) else {
            throw PKIError(.invalidArgument, "the CA certificate does not have an ECDSA P-256 key")
        }
        guard key.isValidSignature(ecdsa, for: try list.canonicalBody()) else {
            throw PKIError(
                .badSignature, path: path,
                "the CA's signature does not match the contents: the file was modified after the CA signed it, "
                    + "or it belongs to another federation; restore it from the CA directory")
        }
        return list
    }

    /// Reads `path` and verifies it with ``verified(_:ca:path:)``.
    public static func load(path: String, ca: Certificate) throws -> RevocationList {
        try verified(try PKIFiles.read(path, what: "revocation list"), ca: ca, path: path)
    }

    /// The bytes the CA signs: compact, key-sorted JSON of the body without the signature.
    func canonicalBody() throws -> [UInt8] {
        Array(try Self.encoder.encode(self))
    }

    private struct SignedFile: Codable {
        var issuer: String
        var version: Int
        var updatedAt: Date
        var entries: [Entry]
        var signature: String
    }

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    /// Dates are signed as RFC 3339 strings with whole seconds; dropping the fraction up front makes a loaded
    /// list equal to the one that was signed.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            "at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }
}
