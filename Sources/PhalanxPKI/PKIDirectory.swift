import Foundation
import PhalanxCore
import X509

/// The on-disk layout of a federation's PKI, kept by whoever runs the CA.
///
/// ```
/// DIR/
///   ca.crt                  the CA certificate (PEM): the federation's trust root
///   ca.key                  the CA private key (PKCS#8 PEM, mode 0600)
///   revocations.json        the signed revocation list (see RevocationList)
///   index.json              every certificate issued: id, role, serial, validity, signing-key fingerprint
///   certs/<id>.crt          every participant's certificate: the public roster
///   private/<id>/           everything participant <id> needs, handed to it and to no one else (mode 0700):
///     cert.pem              its certificate
///     tls.key               its TLS private key (PKCS#8 PEM, mode 0600)
///     signing.key           its Ed25519 signing key (Phalanx key file, mode 0600)
///     ca.crt                a copy of the CA certificate, to verify its peers
/// ```
///
/// Every file is written atomically (temporary file, then rename) with its final mode from the first byte,
/// and the multi-file operations are ordered so that an error leaves the directory as it was. Mutations
/// hold an exclusive lock on `DIR/.lock`.
public struct PKIDirectory: Sendable {
    /// The directory.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public var caCertificatePath: String { file("ca.crt") }
    public var caKeyPath: String { file("ca.key") }
    public var revocationsPath: String { file("revocations.json") }
    public var indexPath: String { file("index.json") }
    public var certificatesPath: String { file("certs") }
    public var privatePath: String { file("private") }

    /// `certs/<id>.crt`: the participant's public certificate.
    public func certificatePath(for id: ParticipantID) -> String {
        (certificatesPath as NSString).appendingPathComponent("\(id).crt")
    }

    /// `private/<id>`: the directory ``ParticipantCredential/load(directory:)`` reads.
    public func privateDirectory(for id: ParticipantID) -> String {
        (privatePath as NSString).appendingPathComponent(id.rawValue)
    }

    // MARK: - The CA

    /// Creates a new federation CA in this directory: `ca.crt`, `ca.key`, an empty signed `revocations.json`,
    /// an empty `index.json`, `certs/` and `private/`.
    ///
    /// Refuses, and changes nothing, when a CA already exists here: replacing it would silently cut every
    /// participant off the federation.
    @discardableResult
    public func initialize(name: String, days: Int = 365, now: Date = Date()) throws -> FederationCA {
        try PKIFiles.makeDirectory(path, mode: 0o700)
        return try PKIFiles.withLock(path) {
            for existing in [caCertificatePath, caKeyPath] where FileManager.default.fileExists(atPath: existing) {
                throw PKIError(
                    .alreadyExists, path: existing,
                    "a federation CA already exists in \(path); Phalanx never replaces a CA "
                        + "(choose another --dir, or remove the old one yourself if you really mean to)")
            }
            let ca = try FederationCA.create(name: name, days: days, now: now)
            var created: [String] = []
            do {
                try PKIFiles.store(ca.privateKeyPEM(), to: caKeyPath, exclusive: true)
                created.append(caKeyPath)
                try PKIFiles.store(ca.certificatePEM, to: caCertificatePath, exclusive: true)
                created.append(caCertificatePath)
                let revocations = try RevocationList.empty(issuer: ca.name, at: now).signed(by: ca)
                try revocations.withUnsafeBytes {
                    try PKIFiles.store($0, to: revocationsPath, mode: 0o644)
                }
                created.append(revocationsPath)
                try PKIFiles.store(try Self.encodeIndex([]), to: indexPath)
                created.append(indexPath)
                try PKIFiles.makeDirectory(certificatesPath, mode: 0o755)
                try PKIFiles.makeDirectory(privatePath, mode: 0o700)
            } catch {
                for file in created { unlink(file) }
                throw error
            }
            return ca
        }
    }

    /// Loads the CA certificate and key.
    public func loadCA() throws -> FederationCA {
        let certificate = try PKIFiles.readText(caCertificatePath, what: "CA certificate")
        let key = try PKIFiles.readSecret(caKeyPath, what: "CA private key")
        return try FederationCA(
            certificatePEM: certificate, privateKeyPEM: key, certificatePath: caCertificatePath, keyPath: caKeyPath)
    }

    /// Refuses, before anything is locked or written, a directory that holds no federation CA.
    private func requireCA() throws {
        guard FileManager.default.fileExists(atPath: caCertificatePath) else {
            throw PKIError(
                .missingFile, path: caCertificatePath,
                "no federation CA in \(path); create one with `phalanx pki init --dir \(path)`")
        }
    }

    /// Loads only the CA certificate: what a verifier needs, without touching the private key.
    public func loadCACertificate() throws -> Certificate {
        try Self.readCertificate(caCertificatePath, what: "CA certificate")
    }

    /// The current revocation list, verified against the CA certificate.
    public func revocations() throws -> RevocationList {
        try RevocationList.load(path: revocationsPath, ca: try loadCACertificate())
    }

    /// Every certificate the CA has issued, oldest first.
    public func index() throws -> [IndexEntry] {
        try Self.decodeIndex(try PKIFiles.read(indexPath, what: "certificate index"), path: indexPath)
    }

    // MARK: - Issuing

    /// Issues participant `id` a certificate valid for `days` days, and writes `certs/<id>.crt` and
    /// `private/<id>/`.
    ///
    /// A fresh Ed25519 signing identity is generated unless `signingKey` is given (to keep a key across a
    /// renewal, or to certify one made with `phalanx keys generate`). A participant has at most one live
    /// certificate: issuing again is refused until the old one is revoked or has expired, so that there is
    /// never doubt about which key speaks for it. When a new certificate replaces an old one, the old
    /// `private/<id>/` is deleted.
    @discardableResult
    public func issue(
        id: ParticipantID,
        role: Role,
        days: Int = 90,
        dnsNames: [String] = ["localhost"],
        ipAddresses: [String] = ["127.0.0.1"],
        signingKey: SigningIdentity? = nil,
        now: Date = Date()
    ) throws -> IssuedCertificate {
        guard days >= 1, days <= 3_650 else {
            throw PKIError(.invalidArgument, "a participant certificate is valid for 1–3650 days, got \(days)")
        }
        if let signingKey, signingKey.id != id || signingKey.role != role {
            throw PKIError(
                .invalidArgument,
                "the signing key is for \(signingKey.id) (\(signingKey.role)), not for \(id) (\(role))")
        }
        try requireCA()
        return try PKIFiles.withLock(path) {
            let ca = try loadCA()
            let revocations = try revocations()
            let entries = try index()
            if let live = entries.first(where: { $0.id == id && $0.isLive(at: now, revocations: revocations) }) {
                throw PKIError(
                    .alreadyExists,
                    "\(id) already has a live certificate (serial \(live.serial), valid until "
                        + "\(PeerRefusal.format(live.notAfter))); revoke it first with "
                        + "`phalanx pki revoke --dir \(path) --id \(id) --reason TEXT`")
            }
            let signing = signingKey ?? SigningIdentity.generate(id: id, role: role)
            let issued = try ca.issue(
                id: id, role: role, signingKey: signing.publicIdentity, dnsNames: dnsNames,
                ipAddresses: ipAddresses,
                notBefore: now.addingTimeInterval(-FederationCA.clockSkewAllowance),
                notAfter: now.addingTimeInterval(TimeInterval(days) * 86_400))
            let entry = IndexEntry(
                id: id, role: role, serial: issued.serial, notBefore: issued.certificate.notValidBefore,
                notAfter: issued.certificate.notValidAfter, issuedAt: now,
                signingKeyFingerprint: signing.publicIdentity.fingerprint)
            try commit(issued: issued, signing: signing, caPEM: ca.certificatePEM, index: entries + [entry])
            return issued
        }
    }

    /// Writes the files of a new certificate so that, on any error, the directory is left as it was.
    ///
    /// Order: the private directory is staged completely beside the old one and swapped in by renames; then
    /// `certs/<id>.crt`; then `index.json`, the record that the certificate exists. Each step is undone if a
    /// later one fails.
    private func commit(
        issued: IssuedCertificate, signing: SigningIdentity, caPEM: String, index: [IndexEntry]
    )
        throws
    {
        let id = signing.id
        let token = String(UInt64.random(in: 0 ... .max), radix: 16)
        let staging = (privatePath as NSString).appendingPathComponent(".staging-\(id)-\(token)")
        let retired = (privatePath as NSString).appendingPathComponent(".retired-\(id)-\(token)")
        let target = privateDirectory(for: id)
        try PKIFiles.makeDirectory(privatePath, mode: 0o700)
        try PKIFiles.makeDirectory(staging, mode: 0o700)
        do {
            try PKIFiles.store(issued.certificatePEM, to: (staging as NSString).appendingPathComponent("cert.pem"))
            try PKIFiles.store(issued.tlsKeyPEM, to: (staging as NSString).appendingPathComponent("tls.key"))
            try PKIFiles.store(
                KeyFile.privateKeyFile(for: signing), to: (staging as NSString).appendingPathComponent("signing.key"))
            try PKIFiles.store(caPEM, to: (staging as NSString).appendingPathComponent("ca.crt"))
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }

        let hadOld = FileManager.default.fileExists(atPath: target)
        if hadOld, rename(target, retired) != 0 {
            try? FileManager.default.removeItem(atPath: staging)
            throw PKIError(.ioFailure, path: target, "cannot move the previous credentials aside")
        }
        guard rename(staging, target) == 0 else {
            try? FileManager.default.removeItem(atPath: staging)
            if hadOld { _ = rename(retired, target) }
            throw PKIError(.ioFailure, path: target, "cannot move the new credentials into place")
        }

        let certificatePath = certificatePath(for: id)
        let oldCertificate = FileManager.default.contents(atPath: certificatePath)
        do {
            try PKIFiles.makeDirectory(certificatesPath, mode: 0o755)
            try PKIFiles.store(issued.certificatePEM, to: certificatePath)
            try PKIFiles.store(try Self.encodeIndex(index), to: indexPath)
        } catch {
            if let oldCertificate {
                try? oldCertificate.withUnsafeBytes { try PKIFiles.store($0, to: certificatePath, mode: 0o644) }
            } else {
                unlink(certificatePath)
            }
            try? FileManager.default.removeItem(atPath: target)
            if hadOld { _ = rename(retired, target) }
            throw error
        }
        if hadOld { try? FileManager.default.removeItem(atPath: retired) }
    }

    // MARK: - Revoking

    /// Revokes the live certificate of participant `id`.
    @discardableResult
    public func revoke(id: ParticipantID, reason: String, now: Date = Date()) throws -> RevocationList.Entry {
        try revoke(reason: reason, now: now) { entries, revocations in
            guard let live = entries.last(where: { $0.id == id && $0.isLive(at: now, revocations: revocations) })
            else {
                throw PKIError(
                    .refused,
                    "\(id) has no live certificate to revoke (see `phalanx pki list --dir \(path)`)")
            }
            return live
        }
    }

    /// Revokes the certificate with serial number `serial` (hex, any case, colons allowed).
    ///
    /// An expired certificate can still be revoked, so that the record says why it must not be trusted.
    @discardableResult
    public func revoke(serial: String, reason: String, now: Date = Date()) throws -> RevocationList.Entry {
        guard let wanted = CertificateSerial.normalize(serial) else {
            throw PKIError(.invalidArgument, "\"\(serial.prefix(80))\" is not a hexadecimal serial number")
        }
        return try revoke(reason: reason, now: now) { entries, revocations in
            guard let entry = entries.first(where: { $0.serial == wanted }) else {
                throw PKIError(.refused, "this CA has issued no certificate with serial \(wanted)")
            }
            if let previous = revocations.isRevoked(serial: wanted) {
                throw PKIError(
                    .refused, "serial \(wanted) (\(entry.id)) is already revoked: \(previous.reason)")
            }
            return entry
        }
    }

    private func revoke(
        reason: String, now: Date, choose: ([IndexEntry], RevocationList) throws -> IndexEntry
    ) throws -> RevocationList.Entry {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        // No control characters: the signed JSON then has one spelling in every JSON library (docs/pki.md).
        guard !reason.isEmpty, reason.count <= 200,
            !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw PKIError(.invalidArgument, "a revocation reason has 1–200 characters and no control characters")
        }
        try requireCA()
        return try PKIFiles.withLock(path) {
            let ca = try loadCA()
            let revocations = try revocations()
            let target = try choose(try index(), revocations)
            let entry = RevocationList.Entry(serial: target.serial, id: target.id, reason: reason, revokedAt: now)
            let signed = try revocations.adding(entry, at: now).signed(by: ca)
            try signed.withUnsafeBytes { try PKIFiles.store($0, to: revocationsPath, mode: 0o644) }
            return entry
        }
    }

    // MARK: - The roster

    /// The public identities of every current participant: each certificate in `certs/` that the CA signed,
    /// that is inside its validity window at `now`, is not revoked, and carries a consistent Phalanx identity.
    ///
    /// Certificates that fail these checks are left out (an expired or revoked member is no longer one); a file
    /// that is not a PEM certificate at all is an error naming it. The RFC 5280 chain policy is applied when a
    /// peer connects (``PeerVerifier``); here the checks are the synchronous ones.
    public func roster(now: Date = Date()) throws -> [PublicIdentity] {
        let ca = try loadCACertificate()
        let revocations = try revocations()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: certificatesPath)
        } catch {
            throw PKIError(.missingFile, path: certificatesPath, "cannot list the certificate directory")
        }
        var members: [ParticipantID: (identity: PublicIdentity, file: String)] = [:]
        for name in names.sorted() where name.hasSuffix(".crt") {
            let file = (certificatesPath as NSString).appendingPathComponent(name)
            let certificate = try Self.readCertificate(file, what: "participant certificate")
            if PeerVerifier.checkIssuerAndValidity(certificate, ca: ca, at: now) != nil { continue }
            guard
                case .success(let peer) = PeerVerifier.checkRevocationAndIdentity(certificate, revocations: revocations)
            else { continue }
            if let other = members[peer.id] {
                throw PKIError(
                    .malformedFile, path: file,
                    "a second live certificate for \(peer.id) (the first is \(other.file)); revoke one of them")
            }
            members[peer.id] = (peer.signingKey, file)
        }
        return members.values.map(\.identity).sorted { $0.id < $1.id }
    }

    // MARK: - Helpers

    private func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }

    /// Reads and parses a PEM certificate, with errors that name the file.
    static func readCertificate(_ path: String, what: String) throws -> Certificate {
        let text = try PKIFiles.readText(path, what: what)
        do {
            return try Certificate(pemEncoded: text)
        } catch {
            throw PKIError(.malformedFile, path: path, "the \(what) is not a PEM X.509 certificate (\(error))")
        }
    }
}
