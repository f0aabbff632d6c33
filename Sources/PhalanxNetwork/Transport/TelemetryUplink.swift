import GRPCCore
import Logging
import PhalanxCore
import PhalanxWire

/// A participant's long-lived telemetry stream to the control plane (`StreamTelemetry`): frames go up one after
/// another on one HTTP/2 stream, and each comes back acknowledged by its sequence number.
///
/// ``send(_:timeout:)`` returns when the control plane has taken the frame into its mailbox, so a tick's frame
/// is in place before the tick's phase returns — the same guarantee `Deliver` gives. If the stream breaks (the
/// control plane restarted, a partition), the frames waiting for a receipt fail and the next frame opens a new
/// stream.
actor TelemetryUplink {
    private let clients: PeerClients
    private let control: ParticipantID
    private let logger: Logger
    private var stream: AsyncStream<Phalanx_Federation_V1_TelemetryUpload>.Continuation?
    private var waiting: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var sequence: UInt64 = 0
    /// Incremented whenever a stream ends, so a late end of an old stream does not close the new one.
    private var generation = 0

    init(clients: PeerClients, control: ParticipantID, logger: Logger) {
        self.clients = clients
        self.control = control
        self.logger = logger
    }

    func send(_ envelope: Phalanx_Federation_V1_FederationEnvelope, timeout: Duration) async throws {
        let writer = try await open()
        sequence += 1
        let number = sequence
        var upload = Phalanx_Federation_V1_TelemetryUpload()
        upload.sequence = number
        upload.envelope = envelope
        let expiry = Task { [weak self] in
            try await Task.sleep(for: timeout)
            await self?.fail(
                number, RPCError(code: .deadlineExceeded, message: "no receipt for frame \(number) in \(timeout)"))
        }
        defer { expiry.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiting[number] = continuation
            writer.yield(upload)
        }
    }

    /// The open stream's writer, opening one if there is none.
    private func open() async throws -> AsyncStream<Phalanx_Federation_V1_TelemetryUpload>.Continuation {
        if let stream { return stream }
        let client = try await clients.participant(control)
        let (uploads, writer) = AsyncStream<Phalanx_Federation_V1_TelemetryUpload>.makeStream()
        stream = writer
        generation += 1
        let current = generation
        Task {
            do {
                try await client.streamTelemetry(
                    requestProducer: { requests in
                        for await upload in uploads { try await requests.write(upload) }
                    },
                    onResponse: { response in
                        for try await receipt in response.messages { await self.received(receipt.sequence) }
                    })
                self.streamEnded(current, error: RPCError(code: .unavailable, message: "the telemetry stream ended"))
            } catch {
                self.streamEnded(current, error: error)
            }
        }
        return writer
    }

    private func received(_ number: UInt64) {
        waiting.removeValue(forKey: number)?.resume()
    }

    private func fail(_ number: UInt64, _ error: any Error) {
        waiting.removeValue(forKey: number)?.resume(throwing: error)
    }

    private func streamEnded(_ ended: Int, error: any Error) {
        guard ended == generation else { return }
        logger.debug("telemetry stream ended", metadata: ["error": "\(NetworkTransport.summary(error))"])
        stream?.finish()
        stream = nil
        for continuation in waiting.values { continuation.resume(throwing: error) }
        waiting = [:]
    }

    /// Closes the stream (at shutdown).
    func close() {
        stream?.finish()
        stream = nil
    }
}
