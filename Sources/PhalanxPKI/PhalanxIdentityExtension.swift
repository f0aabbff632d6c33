import PhalanxCore
import SwiftASN1
import X509

/// The private X.509 extension that binds a TLS certificate to a participant's Ed25519 signing key.
///
/// mTLS alone proves which certificate a peer holds; Phalanx frames, commands and results are signed with a
/// separate Ed25519 key. Without a binding, a participant could present its own certificate on the channel and
/// then replay messages signed by someone else's key, or a leaked signing key could be used from any channel.
/// The CA puts the participant id, role and the 32-byte Ed25519 public key in every certificate it issues, so
/// "the peer on this connection" and "the signer of this message" are the same checked identity.
///
/// ```
/// PhalanxIdentity ::= SEQUENCE {
///     id          UTF8String,    -- the ParticipantID, e.g. "org-a"
///     role        UTF8String,    -- "node" | "aggregator" | "control" | "operator"
///     signingKey  OCTET STRING   -- the raw 32-byte Ed25519 public key (RFC 8032)
/// }
/// ```
///
/// The extension is non-critical so that standard verifiers (OpenSSL, BoringSSL) accept the certificate;
/// Phalanx's ``PeerVerifier`` requires it.
public struct PhalanxIdentityExtension: Hashable, Sendable {
    /// `2.25.5116934520755278235.1`: the Phalanx arc under the UUID arc `2.25` (ITU-T X.667), sub-arc 1.
    ///
    /// `2.25` needs no registration, but a random 128-bit UUID arc cannot be used: swift-asn1 (and so
    /// swift-certificates, which verifies our peers) refuses any OID arc wider than 63 bits, and would fail
    /// to parse every certificate carrying it. The arc is therefore the UUID
    /// `00000000-0000-0000-4703-00d6008d519b` — 63 random bits (generated once, with the top bit set so the
    /// encoding is always nine bytes) read as an integer. Changing it invalidates every issued certificate.
    public static let oid: ASN1ObjectIdentifier = [2, 25, 5_116_934_520_755_278_235, 1]

    /// The participant, its role and its Ed25519 signing key.
    public let identity: PublicIdentity

    public init(identity: PublicIdentity) {
        self.identity = identity
    }

    /// Decodes the extension, throwing a ``PKIError`` that says which field is wrong.
    public init(_ ext: Certificate.Extension) throws(PKIError) {
        guard ext.oid == Self.oid else {
            throw PKIError(.invalidArgument, "extension \(ext.oid) is not the Phalanx identity extension \(Self.oid)")
        }
        try self.init(derEncoded: ext.value)
    }

    /// Decodes the DER value of the extension (the contents of its OCTET STRING).
    public init(derEncoded bytes: some Collection<UInt8>) throws(PKIError) {
        let fields: (id: String?, role: String?, key: [UInt8])
        do {
            let root = try DER.parse(Array(bytes))
            fields = try DER.sequence(root, identifier: .sequence) { nodes in
                let id = try ASN1UTF8String(derEncoded: &nodes)
                let role = try ASN1UTF8String(derEncoded: &nodes)
                let key = try ASN1OctetString(derEncoded: &nodes)
                return (
                    String(validating: id.bytes, as: UTF8.self), String(validating: role.bytes, as: UTF8.self),
                    Array(key.bytes)
                )
            }
        } catch {
            throw PKIError(
                .malformedFile,
                "the Phalanx identity extension is not DER SEQUENCE { UTF8String, UTF8String, OCTET STRING }: \(error)"
            )
        }
        guard let idText = fields.id, let roleText = fields.role else {
            throw PKIError(.malformedFile, "the Phalanx identity extension has a UTF8String that is not UTF-8")
        }
        let id: ParticipantID
        do { id = try ParticipantID(idText) } catch {
            throw PKIError(.malformedFile, "the Phalanx identity extension has an invalid id: \(error)")
        }
        guard let role = Role(rawValue: roleText) else {
            throw PKIError(.malformedFile, "the Phalanx identity extension has an unknown role \"\(roleText)\"")
        }
        do {
            identity = try PublicIdentity(id: id, role: role, publicKey: fields.key)
        } catch {
            throw PKIError(.malformedFile, "the Phalanx identity extension has an invalid signing key: \(error)")
        }
    }

    /// The DER bytes of the `PhalanxIdentity` SEQUENCE.
    public func derEncoded() -> [UInt8] {
        var serializer = DER.Serializer()
        // Serializing three primitive values into a SEQUENCE cannot fail.
        try! serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(ASN1UTF8String(identity.id.rawValue))
            try coder.serialize(ASN1UTF8String(identity.role.rawValue))
            try coder.serialize(ASN1OctetString(contentBytes: ArraySlice(identity.publicKey)))
        }
        return serializer.serializedBytes
    }

    /// Finds and decodes the extension in `certificate`; `nil` when the certificate has none.
    public static func find(in certificate: Certificate) throws(PKIError) -> PhalanxIdentityExtension? {
        guard let ext = certificate.extensions[oid: oid] else { return nil }
        return try PhalanxIdentityExtension(ext)
    }
}

extension PhalanxIdentityExtension: CertificateExtensionConvertible {
    public func makeCertificateExtension() -> Certificate.Extension {
        Certificate.Extension(oid: Self.oid, critical: false, value: ArraySlice(derEncoded()))
    }
}
