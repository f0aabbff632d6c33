import GRPCCore
import PhalanxWire

/// The `Control` gRPC service of the control plane: registration (nodes and the aggregator), job submission
/// and status (operators).
public struct ControlService: Phalanx_Federation_V1_Control.SimpleServiceProtocol {
    let host: ControlHost

    public init(host: ControlHost) { self.host = host }

    public func register(
        request: Phalanx_Federation_V1_Registration, context: ServerContext
    ) async throws
        -> Phalanx_Federation_V1_RegistrationReceipt
    {
        let peer = try PeerIdentity.of(context, revocations: host.context.revocations)
        try peer.require([.node, .aggregator], for: "Register")
        return try await host.register(request, peer: peer)
    }

    public func submitJob(
        request: Phalanx_Federation_V1_JobSubmission,
        response: RPCWriter<Phalanx_Federation_V1_JobProgress>,
        context: ServerContext
    ) async throws {
        try PeerIdentity.of(context, revocations: host.context.revocations).require([.operator], for: "SubmitJob")
        for await progress in try await host.submit(request) {
            try await response.write(progress)
        }
    }

    public func status(
        request: Phalanx_Federation_V1_StatusRequest, context: ServerContext
    ) async throws
        -> Phalanx_Federation_V1_StatusReport
    {
        _ = try PeerIdentity.of(context, revocations: host.context.revocations)
        return try await host.statusReport()
    }
}
