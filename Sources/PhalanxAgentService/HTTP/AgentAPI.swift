import Foundation
import Hummingbird
import Logging
import PhalanxAgent
import PhalanxCore

/// The agent's HTTP API (Hummingbird 2): the routes of `docs/agent-api.md` and `docs/openapi/agent.yaml`.
///
/// Every handler reads its body through ``RequestBodyLimit`` and ``StrictJSON`` and refuses bad input with an
/// ``APIError``; nothing a client sends can make a handler trap. Logs carry the verdict, the rule, the receipt id and
/// error codes — never the text, a finding's evidence or a signature.
public struct AgentAPI: Sendable {
    public let agent: SafetyAgent
    public let events: AgentEventsStore
    /// Signs the acknowledgements of A-commands; its id is the agent's.
    public let identity: SigningIdentity
    public let metrics: AgentMetrics
    public let retentionDays: Int
    public let maxBodyBytes: Int
    public let logger: Logger

    public init(
        agent: SafetyAgent, events: AgentEventsStore, identity: SigningIdentity, metrics: AgentMetrics,
        retentionDays: Int, maxBodyBytes: Int = AgentConfig.defaultMaxBodyBytes, logger: Logger
    ) {
        self.agent = agent
        self.events = events
        self.identity = identity
        self.metrics = metrics
        self.retentionDays = retentionDays
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    /// Every route, as `docs/openapi/agent.yaml` must list it (a test compares them).
    static let routes: [(method: String, path: String)] = [
        ("post", "/v1/scan"), ("post", "/v1/feedback"), ("get", "/v1/events"), ("post", "/v1/directives"),
        ("post", "/v1/heartbeat"), ("get", "/healthz"), ("get", "/metrics"), ("get", "/openapi.yaml"),
    ]

    /// The router with every route and the middleware that renders errors as `{"error": {"code", "message"}}`.
    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: APIErrorMiddleware(metrics: metrics, logger: logger))
        router.post("/v1/scan") { request, _ in try await scan(request) }
        router.post("/v1/feedback") { request, _ in try await feedback(request) }
        router.get("/v1/events") { request, _ in try await listEvents(request) }
        router.post("/v1/directives") { request, _ in try await directive(request) }
        router.post("/v1/heartbeat") { request, _ in try await heartbeat(request) }
        router.get("/healthz") { _, _ in try health() }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        return router
    }

    /// The body, parsed by the strict parser.
    private func json(_ request: Request) async throws(APIError) -> JSONValue {
        let bytes = try await RequestBodyLimit.collect(request, maximumBytes: maxBodyBytes)
        do { return try StrictJSON.parse(bytes) } catch { throw APIError(error) }
    }

    private static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down)) }

    func scan(_ request: Request) async throws(APIError) -> Response {
        let scanRequest = try ScanRequestBody.parse(try await json(request))
        let clock = ContinuousClock()
        let start = clock.now
        let decision = agent.decide(scanRequest, nowMs: Self.nowMs())
        do {
            try await events.record(decision, text: scanRequest.text, retentionDays: retentionDays)
        } catch {
            // The receipt exists (and goes to the ledger) but the events store could not take it: the caller must not
            // act on a decision the agent cannot show later, so the answer is an error, to be treated as a denial.
            logger.error(
                "decision not recorded",
                metadata: ["receipt": "\(decision.receipt.hash)", "code": "\(error.code.rawValue)"])
            throw APIError(.unavailable, "the decision could not be recorded; treat the request as denied")
        }
        let latency = clock.now - start
        metrics.decided(decision, latency: latency)
        logger.info(
            "decision",
            metadata: [
                "verdict": "\(decision.verdict.rawValue)", "rule": "\(decision.ruleId)",
                "receipt": "\(decision.receipt.hash)", "sequence": "\(decision.receipt.sequence)",
                "mode": "\(decision.mode.rawValue)", "direction": "\(scanRequest.direction.rawValue)",
                "source": "\(scanRequest.source.rawValue)", "bytes": "\(decision.scan.textBytes)",
            ])
        return try JSONResponse.encode(ScanResponseBody(decision, latency: latency))
    }

    func feedback(_ request: Request) async throws(APIError) -> Response {
        let feedback = try FeedbackBody.parse(try await json(request))
        do {
            try await events.addFeedback(feedback, nowMs: Self.nowMs())
        } catch {
            switch error.code {
            case .unknownEvent: throw APIError(.notFound, "no event \(feedback.eventId) (never decided, or expired)")
            case .digestMismatch:
                throw APIError(
                    .digestMismatch, "the text's SHA-256 is not the digest recorded for event \(feedback.eventId)")
            case .invalidFeedback: throw APIError(.invalidValue, "\"label\" must be 0 or 1")
            case .database:
                logger.error("feedback not recorded", metadata: ["event": "\(feedback.eventId)"])
                throw APIError(.unavailable, "the feedback could not be recorded")
            }
        }
        metrics.feedback(label: feedback.label)
        logger.info(
            "feedback", metadata: ["event": "\(feedback.eventId)", "label": "\(feedback.label)"])
        struct Created: Encodable {
            let eventId: String
            let label: Int
            let textAccepted: Bool
            enum CodingKeys: String, CodingKey {
                case eventId = "event_id"
                case label
                case textAccepted = "text_accepted"
            }
        }
        return try JSONResponse.encode(
            Created(eventId: feedback.eventId, label: feedback.label, textAccepted: feedback.text != nil),
            status: .created)
    }

    func listEvents(_ request: Request) async throws(APIError) -> Response {
        let query = try EventsQueryParameters.parse(request)
        do {
            return try JSONResponse.encode(try await events.events(query))
        } catch let error as APIError {
            throw error
        } catch {
            logger.error("events not listed", metadata: ["store": "\(events.path)"])
            throw APIError(.unavailable, "the events could not be read")
        }
    }

    func directive(_ request: Request) async throws(APIError) -> Response {
        let envelope = try SignedEnvelopeBody.parse(try await json(request), as: ACommand.self)
        let ack = agent.apply(envelope, nowMs: Self.nowMs())
        metrics.directive(outcome: ack.outcome.rawValue)
        metrics.mode(agent.mode)
        logger.notice(
            "directive",
            metadata: [
                "command": "\(ack.commandId)", "signer": "\(envelope.signer)", "outcome": "\(ack.outcome.rawValue)",
                "mode": "\(agent.mode.rawValue)",
            ])
        let signed: Signed<CommandAck>
        do { signed = try Signed(signing: ack, with: identity) } catch {
            throw APIError(.internal, "the acknowledgement could not be signed")
        }
        struct Acknowledged: Encodable {
            let outcome: String
            let detail: String?
            let mode: String
            let ack: Signed<CommandAck>
        }
        return try JSONResponse.encode(
            Acknowledged(outcome: ack.outcome.rawValue, detail: ack.detail, mode: ack.stateAfter, ack: signed))
    }

    func heartbeat(_ request: Request) async throws(APIError) -> Response {
        let envelope = try SignedEnvelopeBody.parse(try await json(request), as: ControlHeartbeat.self)
        do {
            try agent.heartbeat(envelope)
        } catch {
            throw APIError(.signatureRejected, "the heartbeat was not accepted: \(error)")
        }
        metrics.mode(agent.mode)
        return try health()
    }

    func health() throws(APIError) -> Response {
        struct Health: Encodable {
            let status: String
            let agent: String
            let mode: String
            let fallback: Bool
            let policy: String
            let receiptHead: String
            enum CodingKeys: String, CodingKey {
                case status, agent, mode, fallback, policy
                case receiptHead = "receipt_head"
            }
        }
        return try JSONResponse.encode(
            Health(
                status: "ok", agent: agent.configuration.agent.rawValue, mode: agent.mode.rawValue,
                fallback: agent.inFallback, policy: agent.policy.name, receiptHead: agent.receiptHead))
    }
}
