import Foundation
import Logging
import PhalanxCore
import PhalanxPKI
import Synchronization
import X509

/// Everything a participant process builds from its configuration before it serves: its credential, the
/// federation roster (from the PKI's certificates), mutual TLS, clients to its peers, its transport, metrics and
/// state store.
public struct ParticipantContext: Sendable {
    public let config: ParticipantConfig
    public let credential: ParticipantCredential
    public let roster: FederationRoster
    public let tls: MutualTLS
    public let clients: PeerClients
    public let transport: NetworkTransport
    public let metrics: NetworkMetrics
    public let store: StateStore
    public let logger: Logger
    /// The federation's revocation list as it is now (re-read when the file changes).
    let revocations: RevocationSource

    public var identity: SigningIdentity { credential.signing }

    /// How long a call to a peer may take: a phase, or a message's delivery. Generous, because a participant that
    /// answers late is better than one counted absent (which secure aggregation then treats as a dropout); a dead
    /// one fails at once (connection refused), not at the timeout.
    public static func phaseTimeout(_ tick: Duration) -> Duration {
        max(.seconds(5), tick * 2)
    }

    public init(config: ParticipantConfig, logger: Logger) throws {
        self.config = config
        self.logger = logger
        let credential: ParticipantCredential
        do {
            credential = try ParticipantCredential.load(directory: config.credentials)
        } catch {
            throw ConfigError(file: config.credentials, line: nil, message: "cannot load the credential: \(error)")
        }
        guard credential.signing.id == config.id else {
            throw ConfigError(
                file: config.credentials, line: nil,
                message: "the credential is \(credential.signing.id)'s, but the configuration's id is \(config.id)")
        }
        guard credential.identity.role == config.role else {
            throw ConfigError(
                file: config.credentials, line: nil,
                message:
                    "the credential is a \(credential.identity.role.rawValue)'s certificate; this process serves the \(config.role.rawValue)"
            )
        }
        self.credential = credential
        let pki = PKIDirectory(path: config.pki)
        let members = try pki.roster(now: Date())
        guard
            members.contains(where: {
                $0.id == config.id && $0.publicKey == credential.signing.publicIdentity.publicKey
            })
        else {
            throw ConfigError(
                file: config.pki, line: nil,
                message:
                    "\(config.id) is not in the federation roster with this signing key (revoked, expired or re-issued?)"
            )
        }
        roster = try FederationRoster(members)
        metrics = NetworkMetrics(participant: config.id.rawValue)
        let caCertificate = try Certificate(pemEncoded: credential.caCertificatePEM)
        let revocations = RevocationSource(
            path: pki.path + "/revocations.json", ca: caCertificate, logger: logger, metrics: metrics)
        self.revocations = revocations
        let verifier = PeerVerifier(ca: caCertificate, revocations: { revocations.current() })
        tls = MutualTLS(credential: credential, verifier: verifier, logger: logger, metrics: metrics)
        clients = PeerClients(tls: tls, addresses: config.peers, logger: logger)
        transport = NetworkTransport(
            local: config.id, clients: clients, logger: logger, metrics: metrics,
            timeout: Self.phaseTimeout(.milliseconds(config.tickMilliseconds)))
        store = try StateStore(path: config.state + "/state.sqlite")
    }
}

/// The revocation list every server honours, read again whenever the file changes (so `phalanx pki revoke`
/// takes effect on running processes at their next handshake). A list that does not verify is not used: the
/// previous one stays, and the problem is logged.
final class RevocationSource: Sendable {
    private let path: String
    private let ca: Certificate
    private let logger: Logger
    private let metrics: NetworkMetrics?
    private let cache = Mutex<(modified: Date?, list: RevocationList?)>((nil, nil))

    init(path: String, ca: Certificate, logger: Logger, metrics: NetworkMetrics? = nil) {
        self.path = path
        self.ca = ca
        self.logger = logger
        self.metrics = metrics
    }

    /// Counts an RPC refused because its connection's certificate was revoked after the handshake.
    func refusedRevoked() {
        metrics?.refused(reason: "revoked")
    }

    func current() -> RevocationList? {
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
        return cache.withLock { cache in
            if let modified, modified != cache.modified {
                do {
                    let list = try RevocationList.load(path: path, ca: ca)
                    cache.modified = modified
                    // A list older than one already seen is a rollback (a revoked certificate un-revoked by
                    // replaying an old signed file): refused, the newer one stays.
                    if let current = cache.list, list.version < current.version {
                        logger.error(
                            "refused a revocation list older than the one in force",
                            metadata: ["version": "\(list.version)", "in-force": "\(current.version)"])
                    } else {
                        cache.list = list
                    }
                } catch {
                    logger.error(
                        "the revocation list does not verify; keeping the previous one", metadata: ["error": "\(error)"]
                    )
                }
            }
            return cache.list
        }
    }
}
