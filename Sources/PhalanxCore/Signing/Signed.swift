import Foundation

/// A signed object as it travels: the canonical payload bytes, who signed them, and the Ed25519 signature.
///
/// The only way to obtain the payload as a value is ``verify(with:)``, which checks the signature against
/// the signer's registered key *before* decoding anything, and checks that the signer is the object's author.
public struct Signed<Payload: SignedPayload>: Hashable, Sendable, Codable {
    public let payloadType: String
    /// The canonical encoding of the payload; these exact bytes are covered by the signature.
    public let payload: Data
    public let signer: ParticipantID
    /// 64-byte Ed25519 signature over ``SignatureMessage``.
    public let signature: Data

    /// Encodes `value` canonically and signs it with `identity`, which must be the value's author.
    public init(signing value: Payload, with identity: SigningIdentity) throws {
        guard value.author == identity.id else {
            throw SignatureError.signerIsNotAuthor(signer: identity.id, author: value.author)
        }
        let payload = try CanonicalEncoding.encode(value)
        let message = try SignatureMessage.bytes(payloadType: Payload.payloadType, payload: payload)
        self.payloadType = Payload.payloadType
        self.payload = Data(payload)
        self.signer = identity.id
        self.signature = try identity.signature(for: message)
    }

    /// Reassembles an envelope received from elsewhere; nothing is trusted until ``verify(with:)``.
    public init(payloadType: String, payload: Data, signer: ParticipantID, signature: Data) {
        self.payloadType = payloadType
        self.payload = payload
        self.signer = signer
        self.signature = signature
    }

    /// SHA-256 of the canonical encoding of the whole envelope (signature included): the object's audit hash.
    public var digest: SHA256Digest {
        // Encoding four fixed fields of known types cannot fail.
        try! SHA256Digest.ofCanonical(self)
    }

    /// Verifies the signature with the signer's key from `keys`, then decodes the payload.
    public func verify(with keys: some PublicKeyDirectory) throws(SignatureError) -> Verified<Payload> {
        guard let identity = keys.identity(for: signer) else { throw .unknownSigner(signer) }
        return try verify(with: identity)
    }

    /// Verifies the signature with `identity`, then decodes the payload.
    public func verify(with identity: PublicIdentity) throws(SignatureError) -> Verified<Payload> {
        guard payloadType == Payload.payloadType else {
            throw .wrongPayloadType(expected: Payload.payloadType, found: payloadType)
        }
        guard identity.id == signer else { throw .unknownSigner(signer) }
        let message: [UInt8]
        do {
            message = try SignatureMessage.bytes(payloadType: payloadType, payload: [UInt8](payload))
        } catch {
            throw .badSignature(signer)
        }
        guard identity.isValidSignature(signature, for: message) else { throw .badSignature(signer) }
        let value: Payload
        do {
            value = try CanonicalEncoding.decode(Payload.self, from: payload)
        } catch {
            throw .malformedPayload(payloadType: payloadType, detail: String(describing: error))
        }
        // The signed bytes must be exactly the canonical encoding of what they decode to: an explicit null for an
        // absent optional field, or a key the type does not have, would give one object two signed forms.
        guard (try? CanonicalEncoding.encode(value)).map({ $0.elementsEqual(payload) }) == true else {
            throw .malformedPayload(
                payloadType: payloadType,
                detail: "the payload is not the canonical encoding of its value (a null or unknown field?)")
        }
        guard value.author == signer else { throw .signerIsNotAuthor(signer: signer, author: value.author) }
        return Verified(value: value, signer: identity, envelope: self)
    }
}

/// A payload whose signature has been checked. It can only be created by ``Signed/verify(with:)``.
public struct Verified<Payload: SignedPayload>: Sendable {
    public let value: Payload
    public let signer: PublicIdentity
    public let envelope: Signed<Payload>

    fileprivate init(value: Payload, signer: PublicIdentity, envelope: Signed<Payload>) {
        self.value = value
        self.signer = signer
        self.envelope = envelope
    }
}

/// Why a signed object was refused. Messages carry identifiers, never key material.
public enum SignatureError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownSigner(ParticipantID)
    case badSignature(ParticipantID)
    case wrongPayloadType(expected: String, found: String)
    case signerIsNotAuthor(signer: ParticipantID, author: ParticipantID)
    case malformedPayload(payloadType: String, detail: String)

    public var description: String {
        switch self {
        case .unknownSigner(let id): "signer \"\(id)\" is not a registered participant"
        case .badSignature(let id): "the Ed25519 signature does not verify with the key of \"\(id)\""
        case .wrongPayloadType(let expected, let found): "expected a \(expected) object, got \(found)"
        case .signerIsNotAuthor(let signer, let author): "signed by \"\(signer)\" but authored by \"\(author)\""
        case .malformedPayload(let type, let detail): "the signed \(type) payload is malformed: \(detail)"
        }
    }
}

/// Looks up the public identity registered for a participant.
public protocol PublicKeyDirectory: Sendable {
    func identity(for id: ParticipantID) -> PublicIdentity?
}

/// The participants of a federation and their public keys.
public struct FederationRoster: PublicKeyDirectory, Hashable, Codable {
    public private(set) var members: [ParticipantID: PublicIdentity]

    public init(_ identities: [PublicIdentity]) throws(RosterError) {
        var members: [ParticipantID: PublicIdentity] = [:]
        for identity in identities {
            guard members.updateValue(identity, forKey: identity.id) == nil else { throw .duplicate(identity.id) }
        }
        self.members = members
    }

    public func identity(for id: ParticipantID) -> PublicIdentity? { members[id] }

    /// Members with `role`, sorted by id.
    public func members(withRole role: Role) -> [PublicIdentity] {
        members.values.filter { $0.role == role }.sorted { $0.id < $1.id }
    }
}

/// An inconsistent roster.
public enum RosterError: Error, Hashable, Sendable, CustomStringConvertible {
    case duplicate(ParticipantID)
    public var description: String {
        switch self {
        case .duplicate(let id): "participant \"\(id)\" appears twice in the roster"
        }
    }
}
