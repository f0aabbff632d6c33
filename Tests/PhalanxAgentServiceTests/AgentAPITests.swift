import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import PhalanxAgent
import PhalanxCore
import Testing

@testable import PhalanxAgentService

/// The HTTP API, in memory (`.router`) and over a real socket (`.live`).
@Suite("Agent HTTP API")
struct AgentAPITests {
    static let setups: [TestingSetup] = [.router, .live]

    @Test(
        "an injection is denied with a receipt, and listed in /v1/events with its digest and without its text",
        arguments: setups)
    func injectionDenied(setup: TestingSetup) async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(setup) { client in
            let receipt = try await client.execute(
                uri: "/v1/scan", method: .post, body: Wire.json(["text": Wire.injection])
            ) { response in
                #expect(response.status == .ok)
                let body = Wire.object(response.body)
                #expect(body["decision"] as? String == "deny")
                #expect(body["rule_id"] as? String == "block-prompt-attacks")
                #expect((body["categories"] as? [String: Double])?["prompt_injection"] ?? 0 >= 0.5)
                #expect(body["latency_us"] is Int)
                return body["receipt_id"] as? String ?? ""
            }
            #expect(receipt.count == 64)
            try await client.execute(uri: "/v1/events?verdict=deny", method: .get) { response in
                #expect(response.status == .ok)
                let events = Wire.object(response.body)["events"] as? [[String: Any]] ?? []
                #expect(events.count == 1)
                let event = try #require(events.first)
                #expect(event["receipt_id"] as? String == receipt)
                let digest = SHA256.hash(data: Array(Wire.injection.utf8)).map { String(format: "%02x", $0) }.joined()
                #expect(event["text_sha256"] as? String == digest)
                #expect(event["text_kept"] as? Bool == false)
                #expect(event["text"] == nil)
                #expect(!String(buffer: response.body).contains("Ignore all previous"))
            }
        }
    }

    @Test("a benign question is allowed")
    func benignAllowed() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/v1/scan", method: .post, body: Wire.json(["text": Wire.benign])) {
                #expect($0.status == .ok)
                #expect(Wire.object($0.body)["decision"] as? String == "allow")
                #expect(Wire.object($0.body)["rule_id"] as? String == "default.text")
            }
        }
    }

    @Test("a secret in output is redacted")
    func secretRedacted() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let body = Wire.json(["text": Wire.secret, "direction": "output"])
            try await client.execute(uri: "/v1/scan", method: .post, body: body) { response in
                let body = Wire.object(response.body)
                #expect(body["decision"] as? String == "redact")
                let redacted = try #require(body["redacted_text"] as? String)
                #expect(redacted.contains("[REDACTED:secret_exfiltration]"))
                #expect(!redacted.contains("ghp_abcdef"))
                let findings = body["findings"] as? [[String: Any]] ?? []
                #expect(findings.contains { $0["detector"] as? String == "secret.github-token" })
                #expect(!String(buffer: response.body).contains("ABCDEFGHIJ"))
            }
        }
    }

    @Test("a body over max_body_bytes is refused with 413", arguments: setups)
    func oversizedBody(setup: TestingSetup) async throws {
        let fixture = try await AgentFixture.make(maxBodyBytes: 4_096)
        defer { fixture.remove() }
        try await fixture.application().test(setup) { client in
            let text = String(repeating: "a", count: 10_000)
            try await client.execute(uri: "/v1/scan", method: .post, body: Wire.json(["text": text])) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Wire.errorCode(response.body) == "body_too_large")
            }
            // The server is still serving.
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test(
        "bad input is refused with 400 naming the problem, never echoing the text",
        arguments: [
            ("{\"text\": \"secret-value\"", "invalid_json", "end of the body"),
            (String(repeating: "[", count: 40) + String(repeating: "]", count: 40), "too_deep", "32 levels"),
            ("{\"text\": \"secret-value\", \"colour\": 1}", "unknown_field", "\"colour\""),
            ("{\"text\": 42}", "wrong_type", "\"text\" must be a string"),
            ("{\"text\": \"secret-value\", \"context\": {\"source\": 7}}", "wrong_type", "\"context.source\""),
            ("{\"text\": \"secret-value\", \"context\": {\"sauce\": \"x\"}}", "unknown_field", "\"context.sauce\""),
            ("{\"text\": \"secret-value\", \"direction\": \"sideways\"}", "invalid_value", "\"direction\""),
            ("{\"direction\": \"input\"}", "missing_field", "\"text\" is required"),
            ("[\"secret-value\"]", "wrong_type", "the body must be a JSON object"),
            ("{\"text\": \"secret-value\", \"text\": \"b\"}", "invalid_json", "appears twice"),
            ("", "invalid_json", "empty"),
        ])
    func badInput(body: String, code: String, mentions: String) async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/v1/scan", method: .post, body: Wire.body(body)) { response in
                #expect(response.status == .badRequest)
                #expect(Wire.errorCode(response.body) == code)
                #expect(Wire.errorMessage(response.body).contains(mentions))
                #expect(!String(buffer: response.body).contains("secret-value"))
            }
        }
    }

    @Test("a body that is not UTF-8 is refused with 400 invalid_utf8", arguments: setups)
    func invalidUTF8(setup: TestingSetup) async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(setup) { client in
            let bytes = Array("{\"text\": \"".utf8) + [0xC3, 0x28, 0xFF] + Array("\"}".utf8)
            try await client.execute(uri: "/v1/scan", method: .post, body: ByteBuffer(bytes: bytes)) { response in
                #expect(response.status == .badRequest)
                #expect(Wire.errorCode(response.body) == "invalid_utf8")
            }
        }
    }

    @Test("unknown routes answer 404 in the API's error format")
    func unknownRoute() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/v2/scan", method: .post, body: Wire.json(["text": "x"])) {
                #expect($0.status == .notFound)
                #expect(Wire.errorCode($0.body) == "not_found")
            }
        }
    }

    @Test("feedback: 404 for an unknown event, 409 for a text of another digest, 201 and a training example")
    func feedbackFlow() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            let receipt = try await client.execute(
                uri: "/v1/scan", method: .post, body: Wire.json(["text": Wire.injection])
            ) { Wire.object($0.body)["receipt_id"] as? String ?? "" }
            let unknown = String(repeating: "ab", count: 32)
            try await client.execute(
                uri: "/v1/feedback", method: .post, body: Wire.json(["event_id": unknown, "label": 1])
            ) {
                #expect($0.status == .notFound)
                #expect(Wire.errorCode($0.body) == "not_found")
            }
            try await client.execute(
                uri: "/v1/feedback", method: .post,
                body: Wire.json(["event_id": receipt, "label": 1, "text": "a different text"])
            ) {
                #expect($0.status == .conflict)
                #expect(Wire.errorCode($0.body) == "digest_mismatch")
            }
            try await client.execute(
                uri: "/v1/feedback", method: .post, body: Wire.json(["event_id": receipt, "label": 2])
            ) {
                #expect($0.status == .badRequest)
                #expect(Wire.errorCode($0.body) == "invalid_value")
            }
            try await client.execute(
                uri: "/v1/feedback", method: .post,
                body: Wire.json(["event_id": receipt, "label": 1, "text": Wire.injection, "note": "a real attack"])
            ) {
                #expect($0.status == .created)
                #expect(Wire.object($0.body)["text_accepted"] as? Bool == true)
            }
        }
        let examples = try await fixture.server.events.trainingExamples()
        #expect(examples == [LabeledText(text: Wire.injection, isAttack: true)])
    }

    @Test("A-SUSPEND signed by the control plane is applied and every scan is then denied by ladder.suspend")
    func suspendDirective() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        let command = ACommand(
            kind: .suspend, jobId: nil, issuer: fixture.control.id, targets: [AgentFixture.agentID], predicate: nil,
            reason: "test suspension", issuedAtTick: 0, ackBy: 5, issuedAtMs: 0)
        let signed = try Signed(signing: command, with: fixture.control)
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/v1/directives", method: .post, body: Wire.envelope(signed)) { response in
                #expect(response.status == .ok)
                let body = Wire.object(response.body)
                #expect(body["outcome"] as? String == "applied")
                #expect(body["mode"] as? String == "suspend")
                // The acknowledgement is signed by the agent's own key.
                let ackJSON = try JSONSerialization.data(withJSONObject: body["ack"] ?? [:])
                let ack = try JSONDecoder().decode(Signed<CommandAck>.self, from: ackJSON)
                let verified = try ack.verify(with: fixture.server.identity.publicIdentity)
                #expect(verified.value.commandId == command.id)
                #expect(verified.value.outcome == .applied)
            }
            try await client.execute(uri: "/v1/scan", method: .post, body: Wire.json(["text": Wire.benign])) {
                #expect(Wire.object($0.body)["decision"] as? String == "deny")
                #expect(Wire.object($0.body)["rule_id"] as? String == "ladder.suspend")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("phalanx_agent_mode{mode=\"suspend\"} 1"))
                #expect(text.contains("phalanx_agent_decisions_total"))
            }
        }
        #expect(fixture.server.agent.mode == .suspend)
    }

    @Test("a command signed by a key the agent does not trust is rejected and changes nothing")
    func untrustedDirective() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        // Same id as the control plane, another key.
        let impostor = SigningIdentity.generate(id: fixture.control.id, role: .control)
        let command = ACommand(
            kind: .suspend, jobId: nil, issuer: impostor.id, targets: [AgentFixture.agentID], predicate: nil,
            reason: "forged", issuedAtTick: 0, ackBy: 5, issuedAtMs: 0)
        try await fixture.application().test(.router) { client in
            try await client.execute(
                uri: "/v1/directives", method: .post, body: Wire.envelope(try Signed(signing: command, with: impostor))
            ) { response in
                #expect(response.status == .ok)
                #expect(Wire.object(response.body)["outcome"] as? String == "rejected")
                #expect(Wire.object(response.body)["mode"] as? String == "normal")
            }
            try await client.execute(uri: "/v1/scan", method: .post, body: Wire.json(["text": Wire.benign])) {
                #expect(Wire.object($0.body)["decision"] as? String == "allow")
            }
        }
        #expect(fixture.server.agent.mode == .normal)
    }

    @Test("a heartbeat from the control plane is accepted; one from an unknown signer is refused with 403")
    func heartbeat() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        let beat = ControlHeartbeat(issuer: fixture.control.id, tick: 1, issuedAtMs: 0)
        let stranger = SigningIdentity.generate(id: try ParticipantID("stranger"), role: .control)
        try await fixture.application().test(.router) { client in
            try await client.execute(
                uri: "/v1/heartbeat", method: .post,
                body: Wire.envelope(try Signed(signing: beat, with: fixture.control))
            ) { #expect($0.status == .ok) }
            let forged = ControlHeartbeat(issuer: stranger.id, tick: 1, issuedAtMs: 0)
            try await client.execute(
                uri: "/v1/heartbeat", method: .post, body: Wire.envelope(try Signed(signing: forged, with: stranger))
            ) {
                #expect($0.status == .forbidden)
                #expect(Wire.errorCode($0.body) == "signature_rejected")
            }
        }
    }

    @Test("events page by sequence and filter by category")
    func eventsPaging() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            for text in [Wire.benign, Wire.injection, Wire.benign, Wire.injection, Wire.benign] {
                try await client.execute(uri: "/v1/scan", method: .post, body: Wire.json(["text": text])) { _ in }
            }
            let next = try await client.execute(uri: "/v1/events?limit=2", method: .get) { response in
                let body = Wire.object(response.body)
                #expect((body["events"] as? [Any])?.count == 2)
                return body["next"] as? Int
            }
            #expect(next == 1)
            try await client.execute(uri: "/v1/events?limit=10&after=1", method: .get) {
                let events = Wire.object($0.body)["events"] as? [[String: Any]] ?? []
                #expect(events.map { $0["sequence"] as? Int } == [2, 3, 4])
                #expect(Wire.object($0.body)["next"] == nil)
            }
            try await client.execute(uri: "/v1/events?category=prompt_injection", method: .get) {
                let events = Wire.object($0.body)["events"] as? [[String: Any]] ?? []
                #expect(events.map { $0["sequence"] as? Int } == [1, 3])
            }
            try await client.execute(uri: "/v1/events?limit=501", method: .get) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/v1/events?colour=red", method: .get) {
                #expect(Wire.errorCode($0.body) == "unknown_field")
            }
        }
    }

    @Test("GET /openapi.yaml serves the committed document")
    func openAPIServed() async throws {
        let fixture = try await AgentFixture.make()
        defer { fixture.remove() }
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body) == OpenAPIDocument.yaml)
            }
        }
    }
}
