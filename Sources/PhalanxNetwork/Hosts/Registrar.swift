import Foundation
import Logging
import PhalanxCore
import PhalanxWire

/// Registers a node (with the shape of its data) or the aggregator with the control plane, retrying until the
/// control plane is up.
struct Registrar {
    let context: ParticipantContext
    let declaredData: InputSchema?

    func registerUntilAccepted() async {
        guard let control = context.roster.members(withRole: .control).first?.id else {
            context.logger.error("the roster has no control plane to register with")
            return
        }
        var request = Phalanx_Federation_V1_Registration()
        request.participant = context.config.id.rawValue
        if let declaredData, let bytes = try? CanonicalEncoding.encode(declaredData) {
            request.declaredData = Data(bytes)
        }
        var attempt = 0
        while !Task.isCancelled {
            do {
                let client = try await context.clients.control(control)
                let receipt = try await client.register(request, options: .failFast(timeout: .seconds(2)))
                context.logger.notice("registered with the control plane", metadata: ["tick": "\(receipt.tick)"])
                return
            } catch {
                attempt += 1
                if attempt == 1 || attempt % 20 == 0 {
                    context.logger.info(
                        "the control plane is not reachable yet; retrying",
                        metadata: ["error": "\(NetworkTransport.summary(error))"])
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
