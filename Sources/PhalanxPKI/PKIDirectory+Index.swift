import Foundation
import PhalanxCore

extension PKIDirectory {
    /// One certificate the CA issued, as recorded in `index.json`.
    ///
    /// The index is the CA's memory: it is how `issue` knows a participant already has a live certificate and
    /// how `revoke --id` finds the serial. It holds no key material, only the fingerprint of the signing key so
    /// that a person can compare it with `phalanx keys show`.
    public struct IndexEntry: Codable, Sendable, Hashable {
        public let id: ParticipantID
        public let role: Role
        /// The certificate's serial number, lowercase hex.
        public let serial: String
        public let notBefore: Date
        public let notAfter: Date
        public let issuedAt: Date
        /// SHA-256 of the Ed25519 signing key bound in the certificate.
        public let signingKeyFingerprint: SHA256Digest

        public init(
            id: ParticipantID, role: Role, serial: String, notBefore: Date, notAfter: Date, issuedAt: Date,
            signingKeyFingerprint: SHA256Digest
        ) {
            self.id = id
            self.role = role
            self.serial = serial
            self.notBefore = RevocationList.wholeSeconds(notBefore)
            self.notAfter = RevocationList.wholeSeconds(notAfter)
            self.issuedAt = RevocationList.wholeSeconds(issuedAt)
            self.signingKeyFingerprint = signingKeyFingerprint
        }

        /// Where a certificate stands at a given time.
        public enum Status: Hashable, Sendable, CustomStringConvertible {
            case valid
            case notYetValid
            case expired
            case revoked(reason: String)

            public var description: String {
                switch self {
                case .valid: "valid"
                case .notYetValid: "not yet valid"
                case .expired: "expired"
                case .revoked(let reason): "revoked: \(reason)"
                }
            }
        }

        /// The status of this certificate at `now` under `revocations`. Revocation wins over expiry.
        public func status(at now: Date, revocations: RevocationList) -> Status {
            if let entry = revocations.isRevoked(serial: serial) { return .revoked(reason: entry.reason) }
            if now > notAfter { return .expired }
            if now < notBefore { return .notYetValid }
            return .valid
        }

        /// Live means: not revoked and not expired. A participant has at most one live certificate.
        func isLive(at now: Date, revocations: RevocationList) -> Bool {
            switch status(at: now, revocations: revocations) {
            case .valid, .notYetValid: true
            case .expired, .revoked: false
            }
        }
    }

    static func encodeIndex(_ entries: [IndexEntry]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(entries), as: UTF8.self) + "\n"
    }

    static func decodeIndex(_ bytes: [UInt8], path: String) throws -> [IndexEntry] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode([IndexEntry].self, from: Data(bytes))
        } catch {
            throw PKIError(.malformedFile, path: path, "not a Phalanx certificate index (JSON array): \(error)")
        }
    }
}
