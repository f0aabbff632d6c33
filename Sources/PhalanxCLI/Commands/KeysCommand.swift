import ArgumentParser
import Foundation
import PhalanxCore

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create and inspect Ed25519 participant identities.",
        subcommands: [Generate.self, Show.self]
    )

    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a participant's Ed25519 key pair.",
            discussion: """
                Writes DIR/NAME.key (PKCS#8 PEM, mode 0600) and DIR/NAME.pub (SubjectPublicKeyInfo PEM, mode 0644). \
                Both are readable by OpenSSL (`openssl pkey -in NAME.key -pubout`). Existing files are never \
                overwritten: the command refuses with exit code 73 and writes nothing.
                """
        )

        @Option(name: .long, help: "The participant id: 1–64 of a-z, 0-9, '-', '_', '.'.")
        var id: String

        @Option(name: .long, help: "The participant's role: node, aggregator, control or operator.")
        var role: String = "node"

        @Option(name: .long, help: "The directory to write the key files into (created if missing).")
        var out: String

        func run() async throws {
            try await reportingErrors {
                let participant: ParticipantID
                do { participant = try ParticipantID(id) } catch {
                    throw CLIError(.usage, "\(error)", hint: "use lowercase letters, digits, '-', '_' or '.'")
                }
                guard let role = Role(rawValue: role) else {
                    throw CLIError(
                        .usage, "unknown role \"\(self.role)\"", hint: "use node, aggregator, control or operator")
                }
                let keyPath = (out as NSString).appendingPathComponent("\(participant).key")
                let pubPath = (out as NSString).appendingPathComponent("\(participant).pub")
                for path in [keyPath, pubPath] where FileManager.default.fileExists(atPath: path) {
                    throw CLIError(
                        .cannotCreate, "\(path) already exists; Phalanx never overwrites key files",
                        hint: "choose another --out directory or remove the old files yourself")
                }
                do {
                    try FileManager.default.createDirectory(
                        atPath: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw CLIError(.cannotCreate, "cannot create directory \(out): \(error.localizedDescription)")
                }
                let identity = SigningIdentity.generate(id: participant, role: role)
                let secret = KeyFile.privateKeyFile(for: identity)
                try secret.withUnsafeBytes { try Files.createExclusive(keyPath, mode: 0o600, bytes: $0) }
                let publicText = Array(KeyFile.publicKeyFile(for: identity.publicIdentity).utf8)
                do {
                    try publicText.withUnsafeBytes { try Files.createExclusive(pubPath, mode: 0o644, bytes: $0) }
                } catch {
                    unlink(keyPath)  // never leave half a key pair behind
                    throw error
                }
                print("wrote \(keyPath) (private, mode 0600)")
                print("wrote \(pubPath) (public)")
                print("fingerprint sha256:\(identity.publicIdentity.fingerprint.hex)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the identity, role and fingerprint in a key file (.key or .pub). Never prints secrets."
        )

        @Argument(help: "A .key or .pub file written by `phalanx keys generate`.")
        var file: String

        func run() async throws {
            try await reportingErrors {
                let identity = try KeyFiles.loadPublic(file)
                print("id:          \(identity.id)")
                print("role:        \(identity.role)")
                print("fingerprint: sha256:\(identity.fingerprint.hex)")
            }
        }
    }
}

/// Loading key files with CLI errors that name the file and line.
enum KeyFiles {
    static func loadPrivate(_ path: String) throws -> SigningIdentity {
        let contents = try Files.readSecret(path)
        do {
            return try KeyFile.parsePrivateKey(contents)
        } catch {
            throw CLIError(
                .malformedInput, "\(path): \(error)", hint: "key files are written by `phalanx keys generate`")
        }
    }

    /// The public identity of a .pub file, or of a .key file (derived without printing the secret).
    static func loadPublic(_ path: String) throws -> PublicIdentity {
        var bytes = try Files.read(path, what: "key file")
        let marker = Array("-----BEGIN PRIVATE KEY-----".utf8)
        if bytes.count >= marker.count,
            (0...(bytes.count - marker.count)).contains(where: { bytes[$0..<$0 + marker.count].elementsEqual(marker) })
        {
            SecretBytes.wipe(&bytes)
            return try loadPrivate(path).publicIdentity
        }
        do {
            return try KeyFile.parsePublicKey(bytes)
        } catch {
            throw CLIError(
                .malformedInput, "\(path): \(error)", hint: "key files are written by `phalanx keys generate`")
        }
    }

    /// Every `*.pub` in `directory`, as a roster.
    static func loadRoster(directory: String) throws -> FederationRoster {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw CLIError(.missingInput, "cannot list key directory \(directory)")
        }
        let identities = try names.filter { $0.hasSuffix(".pub") }.sorted().map {
            try loadPublic((directory as NSString).appendingPathComponent($0))
        }
        guard !identities.isEmpty else { throw CLIError(.missingInput, "no .pub files in \(directory)") }
        do {
            return try FederationRoster(identities)
        } catch {
            throw CLIError(.malformedInput, "\(directory): \(error)")
        }
    }
}
