import Foundation

/// The text formats of Phalanx key files: PEM (RFC 7468) with explanatory header lines.
///
/// A private key file is PKCS#8 (RFC 5208, RFC 8410) and a public key file is SubjectPublicKeyInfo
/// (RFC 5280, RFC 8410), so `openssl pkey -in org-a.key -pubout` reads them. Before the PEM block, two
/// lines that RFC 7468 §2 allows parsers to skip name the participant:
///
/// ```
/// Phalanx-Id: org-a
/// Phalanx-Role: node
/// -----BEGIN PRIVATE KEY-----
/// MC4CAQAwBQYDK2VwBCIEIP…
/// -----END PRIVATE KEY-----
/// ```
///
/// Parsing takes bytes and returns values; reading and writing files is the caller's job.
public enum KeyFile {
    /// DER prefix of an Ed25519 PKCS#8 `OneAsymmetricKey` with a 32-byte seed (RFC 8410 §7).
    static let pkcs8Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]
    /// DER prefix of an Ed25519 `SubjectPublicKeyInfo` (RFC 8410 §4).
    static let spkiPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// Renders the private key file of `identity`.
    public static func privateKeyFile(for identity: SigningIdentity) -> SecretBytes {
        identity.withSeed { seed in
            var der = pkcs8Prefix
            seed.withUnsafeBytes { der.append(contentsOf: $0) }
            var text = Array(header(id: identity.id, role: identity.role).utf8)
            text += Array("-----BEGIN PRIVATE KEY-----\n".utf8)
            var body = Array(Data(der).base64EncodedString().utf8)
            text += body
            text += Array("\n-----END PRIVATE KEY-----\n".utf8)
            let result = SecretBytes(text)
            SecretBytes.wipe(&der)
            SecretBytes.wipe(&body)
            SecretBytes.wipe(&text)
            return result
        }
    }

    /// Renders the public key file of `identity`.
    public static func publicKeyFile(for identity: PublicIdentity) -> String {
        let der = spkiPrefix + [UInt8](identity.publicKey)
        return header(id: identity.id, role: identity.role)
            + "-----BEGIN PUBLIC KEY-----\n\(Data(der).base64EncodedString())\n-----END PUBLIC KEY-----\n"
    }

    /// Parses a private key file. Errors name the line; they never contain key bytes.
    public static func parsePrivateKey(_ contents: SecretBytes) throws(KeyFileError) -> SigningIdentity {
        var bytes = contents.withUnsafeBytes { [UInt8]($0) }
        defer { SecretBytes.wipe(&bytes) }
        let block = try parse(bytes, label: "PRIVATE KEY")
        var der = block.der
        defer { SecretBytes.wipe(&der) }
        guard der.count == pkcs8Prefix.count + 32, Array(der.prefix(pkcs8Prefix.count)) == pkcs8Prefix else {
            throw KeyFileError(
                line: block.bodyLine,
                message: "not an Ed25519 PKCS#8 private key (expected \(pkcs8Prefix.count + 32) DER bytes "
                    + "with the Ed25519 algorithm identifier 1.3.101.112)"
            )
        }
        let seed = SecretBytes(der.suffix(32))
        do {
            return try SigningIdentity(id: block.id, role: block.role, seed: seed)
        } catch {
            throw KeyFileError(line: block.bodyLine, message: error.message)
        }
    }

    /// Parses a public key file.
    public static func parsePublicKey(_ contents: some Collection<UInt8>) throws(KeyFileError) -> PublicIdentity {
        let block = try parse(Array(contents), label: "PUBLIC KEY")
        let der = block.der
        guard der.count == spkiPrefix.count + 32, Array(der.prefix(spkiPrefix.count)) == spkiPrefix else {
            throw KeyFileError(
                line: block.bodyLine,
                message: "not an Ed25519 SubjectPublicKeyInfo (expected \(spkiPrefix.count + 32) DER bytes "
                    + "with the Ed25519 algorithm identifier 1.3.101.112)"
            )
        }
        do {
            return try PublicIdentity(id: block.id, role: block.role, publicKey: der.suffix(32))
        } catch {
            throw KeyFileError(line: block.bodyLine, message: error.message)
        }
    }

    private static func header(id: ParticipantID, role: Role) -> String {
        "Phalanx-Id: \(id)\nPhalanx-Role: \(role)\n"
    }

    private struct Block {
        var id: ParticipantID
        var role: Role
        var der: [UInt8]
        var bodyLine: Int
    }

    private static func parse(_ bytes: [UInt8], label: String) throws(KeyFileError) -> Block {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw KeyFileError(line: nil, message: "the file is not UTF-8 text; expected a PEM key file")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        var id: ParticipantID?
        var role: Role?
        var index = 0
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        while index < lines.count, lines[index] != begin {
            let line = lines[index]
            if line.hasPrefix("-----BEGIN ") {
                throw KeyFileError(line: index + 1, message: "found \"\(line)\" but expected \"\(begin)\"")
            }
            if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].trimmingCharacters(in: .whitespaces)
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                switch name {
                case "Phalanx-Id":
                    do { id = try ParticipantID(value) } catch {
                        throw KeyFileError(line: index + 1, message: error.description)
                    }
                case "Phalanx-Role":
                    guard let parsed = Role(rawValue: value) else {
                        let roles = Role.allCases.map(\.rawValue).joined(separator: ", ")
                        throw KeyFileError(
                            line: index + 1, message: "unknown role \"\(value)\"; expected one of \(roles)")
                    }
                    role = parsed
                default: break
                }
            }
            index += 1
        }
        guard index < lines.count else {
            throw KeyFileError(line: nil, message: "no \"\(begin)\" line found")
        }
        guard let id else {
            throw KeyFileError(line: 1, message: "missing \"Phalanx-Id: NAME\" line before the PEM block")
        }
        guard let role else {
            throw KeyFileError(line: 1, message: "missing \"Phalanx-Role: node|aggregator|control|operator\" line")
        }
        let bodyLine = index + 2
        var body = [UInt8]()
        index += 1
        while index < lines.count, lines[index] != end {
            body += Array(lines[index].utf8)
            index += 1
        }
        guard index < lines.count else { throw KeyFileError(line: lines.count, message: "missing \"\(end)\" line") }
        defer { SecretBytes.wipe(&body) }
        guard let der = Base64.decode(body) else {
            throw KeyFileError(line: bodyLine, message: "the PEM body is not valid base64")
        }
        return Block(id: id, role: role, der: der, bodyLine: bodyLine)
    }
}

/// A malformed key file. `line` is 1-based when known.
public struct KeyFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public let line: Int?
    public let message: String
    public var description: String { line.map { "line \($0): \(message)" } ?? message }
}
