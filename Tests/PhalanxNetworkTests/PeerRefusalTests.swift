import Foundation
import GRPCCore
import Logging
import PhalanxCore
import PhalanxNetwork
import PhalanxPKI
import PhalanxWire
import Testing

/// Peers the control plane must refuse, over real sockets: each attempt fails, and the server logs and counts
/// the reason.
@Suite("Peers refused over mutual TLS", .serialized)
struct PeerRefusalTests {
    private static let quiet: Logger = {
        var logger = Logger(label: "test.client")
        logger.logLevel = .critical
        return logger
    }()

    /// A client to the control plane presenting `certificatePEM` and trusting the federation's CA.
    private func client(
        _ deployment: LocalDeployment, certificatePEM: String, tlsKeyPEM: SecretBytes
    ) throws -> PeerClients {
        let ca = try deployment.pki.loadCACertificate()
        let caPEM = try String(contentsOfFile: deployment.pki.caCertificatePath, encoding: .utf8)
        let tls = MutualTLS(
            certificatePEM: certificatePEM, tlsKeyPEM: tlsKeyPEM, trustRootPEM: caPEM,
            verifier: PeerVerifier(ca: ca, revocations: { nil }), logger: Self.quiet, metrics: nil)
        return PeerClients(
            tls: tls, addresses: [deployment.controlID: deployment.addresses[deployment.controlID]!],
            logger: Self.quiet)
    }

    private func health(_ clients: PeerClients, _ deployment: LocalDeployment) async -> (any Error)? {
        defer { Task { await clients.shutdown() } }
        do {
            var options = CallOptions.defaults
            options.timeout = .seconds(5)
            _ = try await clients.participant(deployment.controlID).health(
                Phalanx_Federation_V1_HealthRequest(), options: options)
            return nil
        } catch {
            return error
        }
    }

    private func refusedCount(_ reason: String, _ deployment: LocalDeployment) async throws -> Int {
        let text = try await metrics(of: deployment.controlID, in: deployment)
        let line = text.split(separator: "\n").first {
            $0.hasPrefix("phalanx_peers_refused_total") && $0.contains("reason=\"\(reason)\"")
        }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test(
        "another CA, a revoked and an expired certificate are refused at the handshake; a revoked one also on an open connection"
    )
    func wrongCARevokedExpired() async throws {
        try await withDeployment(nodes: 2) { deployment in
            // A participant of the federation can call Health: the baseline.
            let member = try ParticipantCredential.load(
                directory: deployment.pki.privateDirectory(for: deployment.operatorID))
            #expect(
                await health(
                    try client(deployment, certificatePEM: member.certificatePEM, tlsKeyPEM: member.tlsKeyPEM),
                    deployment) == nil)

            // Another CA's certificate, with the federation's own id.
            let stranger = try FederationCA.create(name: "Some other CA", days: 30)
            let forged = try stranger.issue(
                id: deployment.operatorID, role: .operator,
                signingKey: SigningIdentity.generate(id: deployment.operatorID, role: .operator).publicIdentity,
                notBefore: Date().addingTimeInterval(-60), notAfter: Date().addingTimeInterval(86_400))
            #expect(
                await health(
                    try client(deployment, certificatePEM: forged.certificatePEM, tlsKeyPEM: forged.tlsKeyPEM),
                    deployment) != nil)
            #expect(try await eventually { try await refusedCount("untrusted-issuer", deployment) == 1 })

            // A certificate the CA issued and then revoked; the running server reads the new list.
            let eve = try ParticipantID("eve")
            try deployment.pki.issue(id: eve, role: .operator, days: 10)
            let eveCredential = try ParticipantCredential.load(directory: deployment.pki.privateDirectory(for: eve))
            // eve's connection stays open across the revocation: its next RPC is refused all the same.
            let open = try client(
                deployment, certificatePEM: eveCredential.certificatePEM, tlsKeyPEM: eveCredential.tlsKeyPEM)
            let participant = try await open.participant(deployment.controlID)
            _ = try await participant.health(Phalanx_Federation_V1_HealthRequest())
            try deployment.pki.revoke(id: eve, reason: "key compromise")
            let refused = await #expect(throws: RPCError.self) {
                _ = try await participant.health(Phalanx_Federation_V1_HealthRequest())
            }
            #expect(refused?.code == .unauthenticated)
            #expect(refused?.message.contains("was revoked: key compromise") == true)
            await open.shutdown()
            // A new connection fails at the handshake.
            let revokedClient = try client(
                deployment, certificatePEM: eveCredential.certificatePEM, tlsKeyPEM: eveCredential.tlsKeyPEM)
            #expect(await health(revokedClient, deployment) != nil)
            #expect(try await eventually { try await refusedCount("revoked", deployment) == 2 })

            // A certificate that expired yesterday.
            let old = try ParticipantID("old-timer")
            let expired = try deployment.pki.issue(
                id: old, role: .operator, days: 1, now: Date().addingTimeInterval(-3 * 86_400))
            #expect(
                await health(
                    try client(deployment, certificatePEM: expired.certificatePEM, tlsKeyPEM: expired.tlsKeyPEM),
                    deployment) != nil)
            #expect(try await eventually { try await refusedCount("expired", deployment) == 1 })

            let controlLog = log(of: deployment.controlID, in: deployment)
            #expect(controlLog.contains("reason=untrusted-issuer"))
            #expect(controlLog.contains("reason=revoked"))
            #expect(controlLog.contains("reason=expired"))
        }
    }

    @Test("a message signed by someone other than the certificate's participant, or with another key, is refused")
    func identityDiffersFromSigningKey() async throws {
        try await withDeployment(nodes: 2) { deployment in
            let me = deployment.nodes[0].id, other = deployment.nodes[1].id
            let credential = try ParticipantCredential.load(directory: deployment.pki.privateDirectory(for: me))
            let otherCredential = try ParticipantCredential.load(directory: deployment.pki.privateDirectory(for: other))
            let clients = try client(
                deployment, certificatePEM: credential.certificatePEM, tlsKeyPEM: credential.tlsKeyPEM)
            defer { Task { await clients.shutdown() } }
            let participant = try await clients.participant(deployment.controlID)

            func frame(claiming id: ParticipantID, signedBy identity: SigningIdentity) throws -> FederationMessage {
                let frame = TelemetryFrame(
                    nodeId: id, seq: 1, manifestHash: SHA256Digest.of(Data("no job".utf8)), tick: 1, state: "IDLE",
                    metrics: [:], lagMs: 0, opLatencyMs: 0, timestampMs: 0)
                return .frame(try Signed(signing: frame, with: identity))
            }
            func deliver(_ message: FederationMessage) async -> RPCError.Code? {
                do {
                    _ = try await participant.deliver(WireCodec.envelope(message))
                    return nil
                } catch let error as RPCError {
                    return error.code
                } catch {
                    return .unknown
                }
            }
            // Its own key, its own name: accepted (the control plane's collector decides what the frame is worth).
            #expect(await deliver(try frame(claiming: me, signedBy: credential.signing)) == nil)
            // Another node's name and valid signature, over this node's connection.
            #expect(await deliver(try frame(claiming: other, signedBy: otherCredential.signing)) == .permissionDenied)
            // Its own name, but a key its certificate does not bind.
            let impostor = SigningIdentity.generate(id: me, role: .node)
            #expect(await deliver(try frame(claiming: me, signedBy: impostor)) == .permissionDenied)
            #expect(try await eventually { try await refusedCount("signer-mismatch", deployment) == 1 })
            #expect(try await eventually { try await refusedCount("key-mismatch", deployment) == 1 })
        }
    }

    @Test("a client refuses a server whose certificate names another participant than the one it called")
    func serverIdentityMismatch() async throws {
        try await withDeployment(nodes: 2) { deployment in
            // Point "control" at the aggregator's address: the TLS handshake must fail on the client's side.
            let operatorClient = try OperatorClient(
                credentials: deployment.pki.privateDirectory(for: deployment.operatorID), control: deployment.controlID,
                address: deployment.addresses[deployment.aggregatorID]!, logger: Self.quiet)
            await #expect(throws: (any Error).self) { _ = try await operatorClient.status() }
        }
    }
}
