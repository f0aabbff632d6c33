import Crypto
import Foundation
import PhalanxCore

/// Key derivations of the protocol. Every derived key is bound to the instance and the ordered pair of clients,
/// so keys never repeat across rounds, channels, jobs or pairs.
enum SecAggKeys {
    /// The AES-GCM key for shares between `a` and `b` (either direction).
    static func shareKey(
        _ mine: Curve25519.KeyAgreement.PrivateKey, _ theirs: Curve25519.KeyAgreement.PublicKey, instance: String,
        _ a: ParticipantID, _ b: ParticipantID
    ) throws -> SymmetricKey {
        let secret = try mine.sharedSecretFromKeyAgreement(with: theirs)
        return secret.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: [UInt8](), sharedInfo: info("share", instance, a, b), outputByteCount: 32)
    }

    /// The 32-byte seed of the pairwise mask between `a` and `b` (s_{a,b} = s_{b,a}).
    static func pairSeed(
        _ mine: Curve25519.KeyAgreement.PrivateKey, _ theirs: Curve25519.KeyAgreement.PublicKey, instance: String,
        _ a: ParticipantID, _ b: ParticipantID
    ) throws -> [UInt8] {
        let secret = try mine.sharedSecretFromKeyAgreement(with: theirs)
        let key = secret.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: [UInt8](), sharedInfo: info("pair-seed", instance, a, b), outputByteCount: 32)
        return key.withUnsafeBytes { [UInt8]($0) }
    }

    /// The PRG `info` of the pairwise mask between `a` and `b`.
    static func pairMaskInfo(instance: String, _ a: ParticipantID, _ b: ParticipantID) -> [UInt8] {
        info("pair-mask", instance, a, b)
    }

    /// The PRG `info` of `client`'s self mask.
    static func selfMaskInfo(instance: String, _ client: ParticipantID) -> [UInt8] {
        encode(["phalanx-secagg-v1", "self-mask", instance, client.rawValue])
    }

    /// How `a` applies the pairwise mask it shares with `b`: the client with the smaller id adds it, the other
    /// subtracts it, so the two cancel in the sum.
    static func sign(_ a: ParticipantID, _ b: ParticipantID) -> MaskPRG.Sign { a < b ? .plus : .minus }

    private static func info(_ label: String, _ instance: String, _ a: ParticipantID, _ b: ParticipantID) -> [UInt8] {
        let (low, high) = a < b ? (a, b) : (b, a)
        return encode(["phalanx-secagg-v1", label, instance, low.rawValue, high.rawValue])
    }

    /// An injective encoding of strings: each as a 4-byte big-endian length and its UTF-8 bytes, so no choice of
    /// instance or channel name can make two different contexts derive the same key.
    static func encode(_ parts: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            let bytes = Array(part.utf8)
            withUnsafeBytes(of: UInt32(bytes.count).bigEndian) { out += $0 }
            out += bytes
        }
        return out
    }

    /// The commitment to one share: SHA-256 of the canonical encoding of everything that identifies it.
    static func commitment(
        kind: SecAggShareKind, instance: String, dealer: ParticipantID, holder: ParticipantID, share: ShamirShare,
        salt: Data
    ) throws -> PhalanxCore.SHA256Digest {
        struct Opening: Encodable {
            let label = "phalanx-secagg-v1|share-commitment"
            let kind: SecAggShareKind
            let instance: String
            let dealer: ParticipantID
            let holder: ParticipantID
            let share: ShamirShare
            let salt: Data
        }
        return try PhalanxCore.SHA256Digest.ofCanonical(
            Opening(kind: kind, instance: instance, dealer: dealer, holder: holder, share: share, salt: salt))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// Vectors modulo 2^32 in the little-endian form messages carry.
enum Lanes {
    static func encode(_ lanes: [UInt32]) -> Data {
        var data = Data(count: lanes.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, lane) in lanes.enumerated() {
                raw.storeBytes(of: lane.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
        return data
    }

    static func decode(_ data: Data, count: Int) -> [UInt32]? {
        guard data.count == count * 4 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<count).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
        }
    }
}
