import GRPCCore
import Logging
import PhalanxCore
import PhalanxWire

/// What a participant process does when the control plane drives a tick.
public protocol PhaseRunner: Sendable {
    func runPhase(_ request: Phalanx_Federation_V1_PhaseRequest) async throws -> Phalanx_Federation_V1_PhaseReport
    func health() async -> Phalanx_Federation_V1_HealthReport
}

/// The `Participant` gRPC service every process hosts: it admits a message into the mailbox only when the
/// connection's certificate names the message's signer and the signature verifies under the key that
/// certificate binds. A frame forged in another's name, or signed with a key the certificate does not carry,
/// never reaches the protocol.
public struct ParticipantService: Phalanx_Federation_V1_Participant.SimpleServiceProtocol {
    let transport: NetworkTransport
    let runner: any PhaseRunner
    let logger: Logger
    let metrics: NetworkMetrics?
    let revocations: RevocationSource

    init(
        transport: NetworkTransport, runner: any PhaseRunner, logger: Logger, metrics: NetworkMetrics?,
        revocations: RevocationSource
    ) {
        self.revocations = revocations
        self.transport = transport
        self.runner = runner
        self.logger = logger
        self.metrics = metrics
    }

    public func deliver(
        request: Phalanx_Federation_V1_FederationEnvelope, context: ServerContext
    ) async throws
        -> Phalanx_Federation_V1_DeliveryReceipt
    {
        try await admit(request, peer: try PeerIdentity.of(context, revocations: revocations))
        return Phalanx_Federation_V1_DeliveryReceipt()
    }

    public func streamTelemetry(
        request: RPCAsyncSequence<Phalanx_Federation_V1_TelemetryUpload, any Error>,
        response: RPCWriter<Phalanx_Federation_V1_DeliveryReceipt>,
        context: ServerContext
    ) async throws {
        let peer = try PeerIdentity.of(context, revocations: revocations)
        for try await upload in request {
            try await admit(upload.envelope, peer: peer)
            var receipt = Phalanx_Federation_V1_DeliveryReceipt()
            receipt.sequence = upload.sequence
            try await response.write(receipt)
        }
    }

    public func runPhase(
        request: Phalanx_Federation_V1_PhaseRequest, context: ServerContext
    ) async throws
        -> Phalanx_Federation_V1_PhaseReport
    {
        try PeerIdentity.of(context, revocations: revocations).require([.control], for: "RunPhase")
        guard request.phase == .step || request.phase == .commands else {
            throw RPCError(code: .invalidArgument, message: "PhaseRequest.phase: \(request.phase) is not a tick phase")
        }
        do {
            return try await runner.runPhase(request)
        } catch let error as RPCError {
            throw error
        } catch {
            logger.error("the phase failed", metadata: ["tick": "\(request.tick)", "error": "\(error)"])
            throw RPCError(code: .internalError, message: "tick \(request.tick) \(request.phase) failed: \(error)")
        }
    }

    public func health(
        request: Phalanx_Federation_V1_HealthRequest, context: ServerContext
    ) async throws
        -> Phalanx_Federation_V1_HealthReport
    {
        _ = try PeerIdentity.of(context, revocations: revocations)
        return await runner.health()
    }

    private func admit(_ envelope: Phalanx_Federation_V1_FederationEnvelope, peer: PeerIdentity) async throws {
        let message: FederationMessage
        do {
            message = try WireCodec.message(envelope)
        } catch {
            refuse("malformed", peer: peer, detail: error.description)
            throw RPCError(code: .invalidArgument, message: error.description)
        }
        let signer = WireCodec.signer(of: message)
        guard signer == peer.id else {
            refuse("signer-mismatch", peer: peer, detail: "a \(message.kind) signed by \(signer)")
            throw RPCError(
                code: .permissionDenied,
                message: "the \(message.kind) is signed by \(signer), but the connection is authenticated as \(peer.id)"
            )
        }
        switch message.verification(under: peer.signingKey) {
        case .none:
            break
        case .badSignature?:
            refuse("key-mismatch", peer: peer, detail: "a \(message.kind) not signed with the certificate's key")
            throw RPCError(
                code: .permissionDenied,
                message: "the \(message.kind) does not verify under the signing key \(peer.id)'s certificate binds")
        case let error?:
            refuse("malformed", peer: peer, detail: error.description)
            throw RPCError(code: .invalidArgument, message: "the \(message.kind) is malformed: \(error)")
        }
        await transport.accept(Delivery(sender: peer.id, message: message))
    }

    private func refuse(_ reason: String, peer: PeerIdentity, detail: String) {
        metrics?.refused(reason: reason)
        logger.warning(
            "refused a message", metadata: ["peer": "\(peer.id)", "reason": "\(reason)", "detail": "\(detail)"])
    }
}

extension FederationMessage {
    /// How the signature (for an override: the command's) fares under `key`: `nil` when it verifies and the
    /// payload is well formed; ``SignatureError/badSignature(_:)`` when the key did not sign it.
    func verification(under key: PublicIdentity) -> SignatureError? {
        func check<T>(_ signed: Signed<T>) -> SignatureError? {
            do {
                _ = try signed.verify(with: key)
                return nil
            } catch {
                return error
            }
        }
        return switch self {
        case .announcement(let s): check(s)
        case .contribution(let s): check(s)
        case .providerReply(let s): check(s)
        case .incident(let s): check(s)
        case .frame(let s): check(s)
        case .command(let s): check(s)
        case .ack(let s): check(s)
        case .aggregationStep(let s): check(s)
        case .clearance(let s): check(s)
        case .result(let s): check(s)
        case .override(let request): check(request.command)
        }
    }
}
