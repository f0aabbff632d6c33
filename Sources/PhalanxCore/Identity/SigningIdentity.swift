import Crypto
import Foundation

/// A participant's private Ed25519 identity, able to sign.
///
/// The private key lives in swift-crypto's zero-on-free storage; this type never prints or reflects it.
/// Ed25519 signing here is deterministic (RFC 8032 §5.1.6): the same key and message give the same bytes.
public struct SigningIdentity: Sendable {
    public let id: ParticipantID
    public let role: Role
    private let key: Curve25519.Signing.PrivateKey
    public let publicIdentity: PublicIdentity

    /// Creates a fresh identity from the system's cryptographic random source.
    public static func generate(id: ParticipantID, role: Role) -> SigningIdentity {
        SigningIdentity(id: id, role: role, key: Curve25519.Signing.PrivateKey())
    }

    /// Recreates an identity from its 32-byte RFC 8032 seed.
    public init(id: ParticipantID, role: Role, seed: SecretBytes) throws(KeyMaterialError) {
        guard seed.count == 32 else { throw KeyMaterialError("an Ed25519 private key seed has 32 bytes") }
        do {
            let key = try seed.withUnsafeBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
            self.init(id: id, role: role, key: key)
        } catch {
            throw KeyMaterialError("the Ed25519 seed was rejected by the crypto library")
        }
    }

    private init(id: ParticipantID, role: Role, key: Curve25519.Signing.PrivateKey) {
        self.id = id
        self.role = role
        self.key = key
        // The public key of a valid private key is always 32 valid bytes.
        self.publicIdentity = try! PublicIdentity(id: id, role: role, publicKey: key.publicKey.rawRepresentation)
    }

    /// Signs `message` with Ed25519 and returns the 64-byte signature.
    public func signature(for message: some DataProtocol) throws -> Data {
        try key.signature(for: Data(message))
    }

    /// Runs `body` with the 32-byte seed in a zero-on-free buffer; used only to write key files.
    public func withSeed<R>(_ body: (SecretBytes) throws -> R) rethrows -> R {
        // Do not wipe `rawRepresentation` in place: swift-crypto may hand back storage it shares with the key
        // itself (wiping it corrupted the live key — caught by KeyFileTests). The key's own storage is zeroed
        // when the key is freed.
        try body(SecretBytes(key.rawRepresentation))
    }
}

extension SigningIdentity: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SigningIdentity(\(id), \(role), private key redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["id": id, "role": role]) }
}
