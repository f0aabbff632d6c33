import ArgumentParser
import Foundation
import PhalanxCore
import PhalanxPKI

struct PKICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pki",
        abstract: "Run the federation's certificate authority: issue, revoke and list participant certificates.",
        discussion: """
            The directory layout, the identity extension that binds a TLS certificate to a signing key, and the \
            revocation list format are described in docs/pki.md.
            """,
        subcommands: [Init.self, Issue.self, Revoke.self, List.self]
    )

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a federation CA (ECDSA P-256) in a new PKI directory.",
            discussion: """
                Writes DIR/ca.crt, DIR/ca.key (mode 0600), an empty signed DIR/revocations.json and DIR/index.json. \
                An existing CA is never replaced: the command refuses with exit code 73 and writes nothing.
                """
        )

        @Option(name: .long, help: "The PKI directory (created if missing).")
        var dir: String

        @Option(name: .long, help: "The federation name: the CA's common name (1–64 characters).")
        var name = "phalanx-federation"

        @Option(name: .long, help: "How many days the CA certificate is valid.")
        var days = 365

        func run() async throws {
            try await reportingErrors {
                let directory = PKIDirectory(path: dir)
                let ca = try PKICommand.mapping(dir) { try directory.initialize(name: name, days: days) }
                print(
                    "created federation CA \"\(ca.name)\", valid until \(PKICommand.date(ca.certificate.notValidAfter))"
                )
                print("wrote \(directory.caCertificatePath) (CA certificate: every participant trusts it)")
                print("wrote \(directory.caKeyPath) (CA private key, mode 0600: whoever holds it can admit anyone)")
                print("wrote \(directory.revocationsPath) (signed revocation list, version 1)")
                print("fingerprint sha256:\(ca.fingerprint.hex)")
                print("next: phalanx pki issue --dir \(dir) --id NAME --role node")
            }
        }
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a participant its TLS certificate, TLS key and Ed25519 signing key.",
            discussion: """
                Writes DIR/certs/ID.crt (public) and DIR/private/ID/ with cert.pem, tls.key, signing.key (mode 0600) \
                and ca.crt: hand that directory to the participant, and to no one else. A participant has one live \
                certificate at a time; revoke the old one first (`phalanx pki revoke`) to replace it.
                """
        )

        @Option(name: .long, help: "The PKI directory made by `phalanx pki init`.")
        var dir: String

        @Option(name: .long, help: "The participant id: 1–64 of a-z, 0-9, '-', '_', '.'.")
        var id: String

        @Option(name: .long, help: "The participant's role: node, aggregator, control or operator.")
        var role: String

        @Option(name: .long, help: "How many days the certificate is valid.")
        var days = 90

        @Option(name: .long, parsing: .upToNextOption, help: "DNS names peers dial it by (default: localhost).")
        var dns: [String] = []

        @Option(name: .long, parsing: .upToNextOption, help: "IP addresses peers dial it by (default: 127.0.0.1).")
        var ip: [String] = []

        @Option(
            name: .long,
            help: "Certify this existing Ed25519 key file (from `phalanx keys generate`) instead of a fresh key.")
        var signingKey: String?

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
                let signing = try signingKey.map { try KeyFiles.loadPrivate($0) }
                let directory = PKIDirectory(path: dir)
                let issued = try PKICommand.mapping(dir) {
                    try directory.issue(
                        id: participant, role: role, days: days, dnsNames: dns.isEmpty ? ["localhost"] : dns,
                        ipAddresses: ip.isEmpty ? ["127.0.0.1"] : ip, signingKey: signing)
                }
                let credential = try PKICommand.mapping(dir) {
                    try ParticipantCredential.load(directory: directory.privateDirectory(for: participant))
                }
                print(
                    "issued \(participant) (\(role)), serial \(issued.serial), "
                        + "valid until \(PKICommand.date(issued.certificate.notValidAfter))")
                print("wrote \(directory.certificatePath(for: participant)) (public certificate)")
                print(
                    "wrote \(directory.privateDirectory(for: participant))/ "
                        + "(cert.pem, tls.key, signing.key, ca.crt; private, mode 0700)")
                print("signing key fingerprint sha256:\(credential.identity.fingerprint.hex)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a participant's certificate; peers refuse it as soon as they reload revocations.json.",
            discussion: "Give exactly one of --id (its live certificate) or --serial (any certificate)."
        )

        @Option(name: .long, help: "The PKI directory.")
        var dir: String

        @Option(name: .long, help: "Revoke the live certificate of this participant.")
        var id: String?

        @Option(name: .long, help: "Revoke the certificate with this serial number (hex, as `pki list` shows it).")
        var serial: String?

        @Option(name: .long, help: "Why, in words (\"key compromise\", \"left the federation\").")
        var reason: String

        func validate() throws {
            guard (id == nil) != (serial == nil) else {
                throw ValidationError("give exactly one of --id NAME or --serial HEX")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let directory = PKIDirectory(path: dir)
                let entry: RevocationList.Entry
                if let id {
                    let participant: ParticipantID
                    do { participant = try ParticipantID(id) } catch { throw CLIError(.usage, "\(error)") }
                    entry = try PKICommand.mapping(dir) { try directory.revoke(id: participant, reason: reason) }
                } else {
                    entry = try PKICommand.mapping(dir) { try directory.revoke(serial: serial ?? "", reason: reason) }
                }
                let version = try PKICommand.mapping(dir) { try directory.revocations().version }
                print("revoked \(entry.id), serial \(entry.serial): \(entry.reason)")
                print("wrote \(directory.revocationsPath) (version \(version)); distribute it to every participant")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every certificate the CA has issued.")

        @Option(name: .long, help: "The PKI directory.")
        var dir: String

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let directory = PKIDirectory(path: dir)
                let (ca, entries, revocations) = try PKICommand.mapping(dir) {
                    (try directory.loadCACertificate(), try directory.index(), try directory.revocations())
                }
                let now = Date()
                if json {
                    struct Row: Encodable {
                        var id: String
                        var role: String
                        var serial: String
                        var notAfter: String
                        var status: String
                        var signingKeyFingerprint: String
                    }
                    let rows = entries.map {
                        Row(
                            id: $0.id.rawValue, role: $0.role.rawValue, serial: $0.serial,
                            notAfter: PKICommand.date($0.notAfter),
                            status: $0.status(at: now, revocations: revocations).description,
                            signingKeyFingerprint: $0.signingKeyFingerprint.hex)
                    }
                    print(String(decoding: try Files.encodeJSON(rows), as: UTF8.self), terminator: "")
                    return
                }
                // The list's issuer is the CA's name, and the CA's signature over it was just verified.
                print(
                    "\(dir): federation \"\(revocations.issuer)\" (CA valid until \(PKICommand.date(ca.notValidAfter))), "
                        + "\(entries.count) certificate(s), revocation list version \(revocations.version)")
                guard !entries.isEmpty else { return }
                let width = max(2, entries.map(\.id.rawValue.count).max() ?? 0)
                let header = ["ID".padding(width), "ROLE".padding(10), "SERIAL".padding(32), "EXPIRES".padding(20)]
                print((header + ["STATUS"]).joined(separator: "  "))
                for entry in entries {
                    let columns = [
                        entry.id.rawValue.padding(width), entry.role.rawValue.padding(10), entry.serial.padding(32),
                        PKICommand.date(entry.notAfter).padding(20),
                        entry.status(at: now, revocations: revocations).description,
                    ]
                    print(columns.joined(separator: "  "))
                }
            }
        }
    }

    /// Runs a PKI operation, turning ``PKIError`` into a ``CLIError`` with the documented exit code and a hint.
    static func mapping<T>(_ dir: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PKIError {
            throw cliError(error, dir: dir)
        }
    }

    static func cliError(_ error: PKIError, dir: String) -> CLIError {
        let directory = PKIDirectory(path: dir)
        switch error.kind {
        case .missingFile:
            let hint =
                error.path == directory.caCertificatePath || error.path == directory.caKeyPath
                ? "create the CA first: phalanx pki init --dir \(dir)" : nil
            return CLIError(.missingInput, error.description, hint: hint)
        case .malformedFile:
            return CLIError(.malformedInput, error.description)
        case .alreadyExists:
            return CLIError(.cannotCreate, error.description)
        case .badSignature:
            return CLIError(.checkFailed, error.description)
        case .ioFailure:
            return CLIError(.ioError, error.description)
        case .refused, .invalidArgument:
            return CLIError(.usage, error.description)
        default:
            return CLIError(.internalError, error.description)
        }
    }

    /// A date as RFC 3339 UTC with whole seconds, the same form the PKI's JSON files use.
    static func date(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
