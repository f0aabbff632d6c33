import Foundation
import GRPCCore
import Logging
import PhalanxCore
import PhalanxPKI
import PhalanxWire

/// An operator's connection to a running federation's control plane (`phalanx job submit`, `phalanx status`),
/// over mutual TLS with the operator's certificate.
public struct OperatorClient: Sendable {
    let clients: PeerClients
    let control: ParticipantID

    /// - Parameters:
    ///   - credentials: the operator's private directory from `phalanx pki issue --role operator`.
    ///   - revocations: the federation's revocation list, when the operator has it.
    public init(
        credentials: String, control: ParticipantID, address: NetworkAddress, revocations: String? = nil,
        logger: Logger
    ) throws {
        let credential = try ParticipantCredential.load(directory: credentials)
        let ca = credential.caCertificate
        let source = revocations.map { RevocationSource(path: $0, ca: ca, logger: logger) }
        let verifier = PeerVerifier(ca: ca, revocations: { source?.current() })
        let tls = MutualTLS(credential: credential, verifier: verifier, logger: logger, metrics: nil)
        clients = PeerClients(tls: tls, addresses: [control: address], logger: logger)
        self.control = control
    }

    /// Submits a compiled plug-in and returns how the job ended; `progress` sees every update as it comes.
    public func submit(
        plugin: PluginIR, provider: String, rounds: Int, epsilon: Double, delta: Double,
        progress: @escaping @Sendable (Phalanx_Federation_V1_JobProgress) -> Void
    ) async throws -> Phalanx_Federation_V1_JobFinished {
        var request = Phalanx_Federation_V1_JobSubmission()
        request.plugin = Data(try CanonicalEncoding.encode(plugin))
        request.provider = provider
        request.rounds = UInt32(rounds)
        request.epsilon = epsilon
        request.delta = delta
        let client = try await clients.control(control)
        let finished = try await client.submitJob(request, options: .failFast(timeout: .seconds(3_600))) {
            response in
            var finished: Phalanx_Federation_V1_JobFinished?
            for try await update in response.messages {
                progress(update)
                if case .finished(let end) = update.update { finished = end }
            }
            return finished
        }
        await clients.shutdown()
        guard let finished else {
            throw RPCError(code: .unavailable, message: "the control plane closed the stream before the job ended")
        }
        return finished
    }

    public func status() async throws -> Phalanx_Federation_V1_StatusReport {
        let client = try await clients.control(control)
        let report = try await client.status(
            Phalanx_Federation_V1_StatusRequest(), options: .failFast(timeout: .seconds(10)))
        await clients.shutdown()
        return report
    }
}
