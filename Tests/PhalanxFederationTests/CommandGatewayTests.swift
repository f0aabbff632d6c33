import PhalanxControl
import PhalanxCore
import PhalanxProviders
import Testing

@testable import PhalanxFederation

@Suite("Commands reach a node only signed by the control plane, and execute at most once")
struct CommandGatewayTests {
    let node = SigningIdentity.generate(id: try! ParticipantID("org-a"), role: .node)
    let other = SigningIdentity.generate(id: try! ParticipantID("org-b"), role: .node)
    let control = SigningIdentity.generate(id: try! ParticipantID("control"), role: .control)

    func setUp() throws -> (NodeRuntime, InProcessTransport, FederationRoster) {
        let roster = try FederationRoster([node.publicIdentity, other.publicIdentity, control.publicIdentity])
        let transport = InProcessTransport(participants: [node.id, other.id, control.id])
        let runtime = NodeRuntime(
            identity: node, roster: roster, providers: .builtIn, tables: [:], transport: transport,
            clock: FederationRun.wallClock
        )
        return (runtime, transport, roster)
    }

    func command(_ kind: CommandKind, by issuer: SigningIdentity) throws -> Signed<ACommand> {
        let c = ACommand(
            kind: kind, jobId: nil, issuer: issuer.id, targets: [node.id], predicate: nil, reason: "test",
            issuedAtTick: 0, ackBy: 1,
            issuedAtMs: FederationRun.wallClock()
        )
        return try Signed(signing: c, with: issuer)
    }

    func acks(_ transport: InProcessTransport, _ roster: FederationRoster) async throws -> [CommandAck] {
        try await transport.drain(control.id).map {
            guard case .ack(let envelope) = $0.message else { throw FederationRunError("expected an ack") }
            return try envelope.verify(with: roster).value
        }
    }

    @Test("the same command twice: executed once, acknowledged twice (applied, then duplicate)")
    func idempotent() async throws {
        let (runtime, transport, roster) = try setUp()
        let abort = try command(.abortJob, by: control)
        try await transport.send(.command(abort), from: control.id, to: node.id)
        try await transport.send(.command(abort), from: control.id, to: node.id)
        try await runtime.handleCommands(tick: 0)
        let received = try await acks(transport, roster)
        #expect(received.map(\.outcome) == [.applied, .duplicate])
        let id = try abort.verify(with: roster).value.id
        #expect(received.allSatisfy { $0.commandId == id })
        #expect(await runtime.state == .aborted)
        let transitions = await runtime.takeEvents().filter { if case .transition = $0 { true } else { false } }
        #expect(transitions.count == 1)
    }

    @Test("a command signed by a node, or by a key the roster does not know, is refused and not acknowledged")
    func forgedCommands() async throws {
        let (runtime, transport, roster) = try setUp()
        try await transport.send(.command(try command(.abortJob, by: other)), from: other.id, to: node.id)
        let impostor = SigningIdentity.generate(id: control.id, role: .control)
        try await transport.send(.command(try command(.abortJob, by: impostor)), from: control.id, to: node.id)
        try await runtime.handleCommands(tick: 0)
        #expect(try await acks(transport, roster).isEmpty)
        #expect(await runtime.state == .idle)
        let refusals = await runtime.takeEvents().filter { if case .messageRefused = $0 { true } else { false } }
        #expect(refusals.count == 2)
    }

    @Test("a command for another job is acknowledged as rejected and not executed")
    func otherJob() async throws {
        let (runtime, transport, roster) = try setUp()
        let c = ACommand(
            kind: .abortJob, jobId: SHA256Digest.of([1, 2, 3]), issuer: control.id, targets: [node.id], predicate: nil,
            reason: "test", issuedAtTick: 0, ackBy: 1, issuedAtMs: FederationRun.wallClock()
        )
        try await transport.send(.command(try Signed(signing: c, with: control)), from: control.id, to: node.id)
        try await runtime.handleCommands(tick: 0)
        #expect(try await acks(transport, roster).map(\.outcome) == [.rejected])
        #expect(await runtime.state == .idle)
    }
}
