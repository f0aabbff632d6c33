import Crypto
import Foundation

/// A participant's public Ed25519 identity: who it is, what role it has, and the key that verifies its signatures.
public struct PublicIdentity: Hashable, Sendable, Codable, CustomStringConvertible {
    public let id: ParticipantID
    public let role: Role
    /// The 32-byte Ed25519 public key (RFC 8032).
    public let publicKey: Data

    public init(id: ParticipantID, role: Role, publicKey: some DataProtocol) throws(KeyMaterialError) {
        guard publicKey.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: Data(publicKey))) != nil
        else {
            throw KeyMaterialError("an Ed25519 public key has 32 bytes, got \(publicKey.count)")
        }
        self.id = id
        self.role = role
        self.publicKey = Data(publicKey)
    }

    /// SHA-256 of the public key, shown to humans so they can compare keys out of band.
    public var fingerprint: SHA256Digest { SHA256Digest.of(publicKey) }

    /// Checks an Ed25519 signature over `message`.
    public func isValidSignature(_ signature: some DataProtocol, for message: some DataProtocol) -> Bool {
        guard signature.count == 64, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            return false
        }
        return key.isValidSignature(Data(signature), for: Data(message))
    }

    public var description: String { "\(id) (\(role), ed25519 \(fingerprint.short))" }

    private enum CodingKeys: String, CodingKey { case id, role, publicKey }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let key = try c.decode(Data.self, forKey: .publicKey)
        do {
            try self.init(
                id: try c.decode(ParticipantID.self, forKey: .id),
                role: try c.decode(Role.self, forKey: .role),
                publicKey: key
            )
        } catch let error as KeyMaterialError {
            throw DecodingError.dataCorruptedError(forKey: .publicKey, in: c, debugDescription: error.message)
        }
    }
}

/// Key material that cannot be used; the message never contains secret bytes.
public struct KeyMaterialError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
