import Crypto
import Foundation
import PhalanxCore

/// A verifier key ("vkey") for Ed25519 signed notes: a key name and a 32-byte Ed25519 public key.
///
/// The key ID is the one C2SP `signed-note` recommends and Go's `golang.org/x/mod/sumdb/note` computes:
///
///     key ID = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key)[:4]
///
/// and the text form is Go's `<name>+<8 hex digits of key ID>+<base64(0x01 ‖ public key)>`, for example
/// `PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`.
public struct NoteVerifierKey: Hashable, Sendable, CustomStringConvertible {
    /// The signature type identifier byte for Ed25519 (C2SP `signed-note`, "Signature types").
    public static let ed25519SignatureType: UInt8 = 0x01

    public let name: String
    /// The 4-byte key ID, big-endian as it appears at the start of a signature.
    public let keyID: [UInt8]
    /// The 32-byte Ed25519 public key (RFC 8032).
    public let publicKey: [UInt8]

    /// Makes the verifier key for `name` and a 32-byte Ed25519 public key, computing its key ID.
    public init(name: String, publicKey: some Collection<UInt8>) throws(NoteError) {
        if let problem = Self.problem(withName: name) {
            throw NoteError(.badKeyName, "key name \(NoteError.quote(name)) \(problem)")
        }
        let key = Array(publicKey)
        guard key.count == 32 else {
            throw NoteError(.malformedVerifierKey, "an Ed25519 public key has 32 bytes, got \(key.count)")
        }
        guard (try? Curve25519.Signing.PublicKey(rawRepresentation: key)) != nil else {
            throw NoteError(.malformedVerifierKey, "the crypto library refused the Ed25519 public key")
        }
        self.name = name
        self.publicKey = key
        self.keyID = Self.keyID(name: name, publicKey: key)
    }

    /// Parses a verifier key string, checking that its key ID matches its name and key.
    public init(parsing vkey: String) throws(NoteError) {
        let fields = vkey.split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else {
            throw NoteError(
                .malformedVerifierKey,
                "expected <name>+<key ID>+<base64 key>, got \(NoteError.quote(vkey)) with \(fields.count - 1) '+'")
        }
        let name = String(fields[0])
        let hex = String(fields[1])
        if let problem = Self.problem(withName: name) {
            throw NoteError(.badKeyName, "key name \(NoteError.quote(name)) \(problem)")
        }
        guard hex.utf8.count == 8, let id = Hex.decode(hex) else {
            throw NoteError(.malformedVerifierKey, "the key ID \(NoteError.quote(hex)) is not 8 hexadecimal digits")
        }
        guard let encoded = Base64.decode(Array(fields[2].utf8)), !encoded.isEmpty else {
            throw NoteError(.malformedVerifierKey, "the key \(NoteError.quote(fields[2])) is not standard base64")
        }
        guard encoded[0] == Self.ed25519SignatureType else {
            throw NoteError(
                .malformedVerifierKey,
                "unsupported signature type 0x\(Hex.encode([encoded[0]])); only Ed25519 (0x01) keys are supported")
        }
        guard encoded.count == 33 else {
            throw NoteError(
                .malformedVerifierKey, "an Ed25519 verifier key is 0x01 and 32 key bytes, got \(encoded.count) bytes")
        }
        try self.init(name: name, publicKey: encoded.dropFirst())
        guard keyID == id else {
            throw NoteError(
                .malformedVerifierKey,
                "the key ID \(hex) does not match the name and key (expected \(Hex.encode(keyID)))")
        }
    }

    /// The text form `<name>+<key ID hex>+<base64(0x01 ‖ public key)>`.
    public var vkey: String {
        "\(name)+\(Hex.encode(keyID))+\(Data([Self.ed25519SignatureType] + publicKey).base64EncodedString())"
    }

    public var description: String { vkey }

    /// Checks an Ed25519 signature (64 bytes, without the key ID) over the UTF-8 bytes of `text`.
    public func isValidSignature(_ signature: [UInt8], for text: String) -> Bool {
        guard signature.count == 64, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else {
            return false
        }
        return key.isValidSignature(signature, for: Array(text.utf8))
    }

    /// Whether a signature line's name and key ID are this key's. Both must match: a line that shares only
    /// the name or only the ID is by another key and is ignored (C2SP `signed-note`, "Signatures").
    func matches(_ signature: NoteSignature) -> Bool {
        signature.name == name && signature.keyID == keyID
    }

    /// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4].
    static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0A, ed25519SignatureType] + publicKey)
        return Array(hasher.finalize().prefix(4))
    }

    /// Why `name` cannot be a key name, or `nil`: names are non-empty and contain no `+` and no Unicode space
    /// (Go's `unicode.IsSpace`, which is the Unicode White_Space property).
    static func problem(withName name: String) -> String? {
        guard !name.isEmpty else { return "is empty" }
        for scalar in name.unicodeScalars {
            if scalar == "+" { return "contains '+'" }
            if scalar.properties.isWhitespace { return "contains a space (U+\(hex(scalar)))" }
            if scalar.value < 0x20 { return "contains a control character (U+\(hex(scalar)))" }
        }
        return nil
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
