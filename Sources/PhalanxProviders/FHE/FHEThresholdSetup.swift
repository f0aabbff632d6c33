import Crypto
import Foundation
import PhalanxCore

/// A node's X25519 key for the private channels of threshold dealing, signed with its identity key for one job,
/// so the aggregator that relays it cannot substitute its own.
struct FHEDealingAdvertisement: SignedPayload, Hashable {
    static let payloadType = "phalanx.fhe-dealing-key.v1"
    let node: ParticipantID
    /// The job's manifest hash, hex: an advertisement cannot be replayed into another job.
    let job: String
    /// X25519 public key, raw 32 bytes.
    let agreementKey: Data

    var author: ParticipantID { node }
}

/// The AES-GCM channel between two nodes for one job's dealt key shares.
enum FHEDealingChannel {
    static func key(
        _ mine: Curve25519.KeyAgreement.PrivateKey, _ theirs: Data, job: String, dealer: ParticipantID,
        holder: ParticipantID
    ) throws -> SymmetricKey {
        let peer = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: theirs)
        let secret = try mine.sharedSecretFromKeyAgreement(with: peer)
        return secret.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: Data("phalanx.fhe.dealing.v1".utf8),
            sharedInfo: context(job: job, dealer: dealer, holder: holder), outputByteCount: 32)
    }

    /// The associated data and key-derivation info: job, dealer, holder (length-prefixed, so unambiguous).
    static func context(job: String, dealer: ParticipantID, holder: ParticipantID) -> Data {
        var data = Data()
        for part in [job, dealer.rawValue, holder.rawValue] {
            withUnsafeBytes(of: UInt32(part.utf8.count).bigEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: part.utf8)
        }
        return data
    }

    static func seal(_ plaintext: SecretBytes, key: SymmetricKey, context: Data) throws -> [UInt8] {
        let sealed = try plaintext.withUnsafeBytes { try AES.GCM.seal($0, using: key, authenticating: context) }
        return [UInt8](sealed.combined!)
    }

    static func open(_ ciphertext: [UInt8], key: SymmetricKey, context: Data) throws -> SecretBytes {
        var plain = [UInt8](
            try AES.GCM.open(AES.GCM.SealedBox(combined: ciphertext), using: key, authenticating: context))
        defer { SecretBytes.wipe(&plain) }
        return SecretBytes(plain)
    }
}
