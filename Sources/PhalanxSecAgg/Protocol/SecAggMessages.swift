import Foundation
import PhalanxCore

/// A client's two X25519 public keys for one instance, signed with its identity key, so the server cannot
/// substitute keys (Bonawitz et al. 2017, §4, active security).
public struct SecAggAdvertisement: SignedPayload, Hashable {
    public static let payloadType = "phalanx.secagg-advertisement.v1"
    public let client: ParticipantID
    public let instance: String
    /// Public key for encrypting shares between clients (c_u^PK).
    public let encryptionKey: Data
    /// Public key for agreeing pairwise masks (s_u^PK).
    public let maskKey: Data

    public var author: ParticipantID { client }
}

/// One client's shares for one peer, encrypted with AES-GCM under a key only the two clients can agree on,
/// with hash commitments to each share that the server keeps and later checks revealed shares against.
public struct SecAggEncryptedShares: Hashable, Sendable, Codable {
    public let dealer: ParticipantID
    public let holder: ParticipantID
    /// AES-GCM combined form: nonce ‖ ciphertext ‖ tag.
    public let ciphertext: Data
    /// Commitment to the share of the dealer's self-mask seed.
    public let selfMaskCommitment: SHA256Digest
    /// Commitment to the share of the dealer's mask key.
    public let maskKeyCommitment: SHA256Digest
}

/// What the holder finds inside ``SecAggEncryptedShares/ciphertext``.
struct SecAggSharePair: Hashable, Sendable, Codable {
    let dealer: ParticipantID
    let holder: ParticipantID
    let selfMask: ShamirShare
    let maskKey: ShamirShare
    let selfMaskSalt: Data
    let maskKeySalt: Data
}

/// Which of a dealer's two secrets a share belongs to.
public enum SecAggShareKind: String, Hashable, Sendable, Codable {
    /// The seed of the dealer's self mask b_u (revealed for survivors).
    case selfMask
    /// The dealer's mask private key s_u^SK (revealed for clients that dropped after sharing).
    case maskKey
}

/// A share a holder reveals to the server in the unmasking stage, with the salt that opens its commitment.
public struct SecAggRevealedShare: Hashable, Sendable, Codable {
    public let dealer: ParticipantID
    public let kind: SecAggShareKind
    public let share: ShamirShare
    public let salt: Data

    public init(dealer: ParticipantID, kind: SecAggShareKind, share: ShamirShare, salt: Data) {
        self.dealer = dealer
        self.kind = kind
        self.share = share
        self.salt = salt
    }
}

/// A client's masked input: x_u + PRG(b_u) + Σ ±PRG(s_uv) modulo 2^32, little-endian, plus the dealers whose
/// shares failed their commitments when this client decrypted them.
public struct SecAggMaskedInput: Hashable, Sendable, Codable {
    public let vector: Data
    public let complaints: [ParticipantID]
}

/// A client's signed view of who survived the masked-input stage: the consistency check that stops a server
/// from telling some clients that a peer dropped and others that it survived.
public struct SecAggSurvivors: SignedPayload, Hashable {
    public static let payloadType = "phalanx.secagg-survivors.v1"
    public let client: ParticipantID
    public let instance: String
    /// SHA-256 of the canonical encoding of the configuration the client was given.
    public let configuration: SHA256Digest
    public let survivors: [ParticipantID]

    public var author: ParticipantID { client }
}

/// Client → server.
public enum SecAggClientMessage: Hashable, Sendable, Codable {
    case advertise(Signed<SecAggAdvertisement>)
    case shares([SecAggEncryptedShares])
    case maskedInput(SecAggMaskedInput)
    case attestation(Signed<SecAggSurvivors>)
    case reveal([SecAggRevealedShare])

    public var stage: String {
        switch self {
        case .advertise: "advertise"
        case .shares: "share-keys"
        case .maskedInput: "masked-input"
        case .attestation: "consistency"
        case .reveal: "unmask"
        }
    }
}

/// Server → client.
public enum SecAggServerMessage: Hashable, Sendable, Codable {
    /// The instance's configuration (clients, graph, threshold) and the signed advertisements of the client's
    /// group members that advertised. Clients sign the configuration's digest in the consistency check, so a
    /// server that shows different clients different configurations is caught.
    case neighbours(SecAggConfiguration, [Signed<SecAggAdvertisement>])
    /// The encrypted shares dealt to this client.
    case shares([SecAggEncryptedShares])
    /// Who sent a masked input (U3).
    case survivors([ParticipantID])
    /// The group members' signed survivor lists.
    case attestations([Signed<SecAggSurvivors>])
}
