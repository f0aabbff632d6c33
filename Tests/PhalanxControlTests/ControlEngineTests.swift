import PhalanxControl
import PhalanxCore
import Testing

/// A federation, its admitted-style manifest, a real collector, sentinel and control engine, driven tick by tick.
private struct Harness {
    let federation = Federation()
    let policy: GuardrailPolicy
    let manifest: JobManifest
    var driver: TickDriver
    var sentinel: Sentinel
    var engine: ControlEngine

    /// - Parameter parameters: what the sentinel evaluates with; the manifest's by default.
    init(policy text: String = Fixtures.defaultPolicyText, parameters: [String: Double]? = nil) throws {
        policy = try Fixtures.policy(text)
        manifest = try federation.manifest(policy: policy)
        driver = TickDriver(federation: federation, manifest: manifest)
        sentinel = Sentinel(
            predicates: manifest.predicates.compactMap(policy.predicate(id:)),
            parameters: parameters ?? manifest.parameters)
        engine = ControlEngine(identity: federation.control, manifest: manifest)
    }

    /// Seals `reports` for `tick`, evaluates the predicates and lets the engine decide.
    mutating func decide(tick: UInt64, _ reports: [Report]) throws -> ControlEngine.Decision {
        let batch = try driver.seal(tick: tick, reports)
        let outcomes = sentinel.evaluate(batch)
        return try engine.decide(batch: batch, outcomes: outcomes, nowMs: Fixtures.now + Int64(tick))
    }

    /// Verifies a command with the control plane's public key.
    func verify(_ command: Signed<ACommand>) throws -> ACommand {
        try command.verify(with: federation.control.publicIdentity).value
    }

    func ack(_ command: ACommand, from name: String, outcome: CommandAck.Outcome = .applied) -> CommandAck {
        CommandAck(
            commandId: command.id, jobId: command.jobId, participant: Fixtures.id(name), outcome: outcome, detail: nil,
            stateAfter: "ABORTED", tick: command.issuedAtTick, timestampMs: Fixtures.now)
    }

    var reporters: [ParticipantID] { manifest.participants.reporters }
}

/// Every node done with its rounds and the aggregator merging the last one, all within bounds.
private func readyToRelease(l1: Double = 100) -> [Report] {
    [
        .node("org-a", state: "POSTF", l1: l1), .node("org-b", state: "DONE", l1: l1),
        .node("org-c", state: "POSTF", l1: l1), .aggregator(state: "MERGE", l1: l1),
    ]
}

private let isolatePolicy = """
    version: "isolate-test"
    parameters:
      maxContributionL1: 250
    predicates:
      - id: oversized
        description: a participant contributed more than the bound
        expr: any(contributionL1 > params.maxContributionL1)
        severity: critical
        command: A-ISOLATE_PARTY
    """

private let observePolicy = """
    version: "observe-test"
    parameters:
      maxContributionL1: 250
    predicates:
      - id: heavy
        description: a participant contributed more than usual
        expr: any(contributionL1 > params.maxContributionL1)
        severity: warning
        command: A-OBSERVE
    """

@Suite("Control engine")
struct ControlEngineTests {
    // MARK: - Release clearance

    @Test("no predicate, every node POSTF or later and the aggregator merging: a signed clearance")
    func clearance() throws {
        var h = try Harness()
        #expect(h.engine.state == .ready)
        #expect(h.engine.jobId == h.manifest.hash)
        let decision = try h.decide(tick: 4, readyToRelease())
        #expect(decision.commands.isEmpty)
        let envelope = try #require(decision.clearance)
        #expect(envelope.signer == h.federation.control.id)
        let clearance = try envelope.verify(with: h.federation.control.publicIdentity).value
        #expect(clearance.issuer == h.federation.control.id)
        #expect(clearance.jobId == h.manifest.hash)
        #expect(clearance.tick == 4)
        #expect(clearance.nodeStates == ["org-a": "POSTF", "org-b": "DONE", "org-c": "POSTF"])
        #expect(clearance.predicatesEvaluated == ["contribution-bound", "straggler", "unresponsive"])
        #expect(try envelope.verify(with: h.federation.roster).value == clearance)
        #expect(h.engine.concluded == .cleared(tick: 4))
        #expect(h.engine.state == .ready)

        // Another key under the control plane's name does not verify it.
        let impostor = SigningIdentity.generate(id: h.federation.control.id, role: .control)
        #expect(throws: SignatureError.badSignature(h.federation.control.id)) {
            try envelope.verify(with: impostor.publicIdentity)
        }
    }

    @Test("a clearance is signed once; while the aggregator still merges, the same one is sent again")
    func clearanceOnce() throws {
        var h = try Harness()
        let first = try #require(try h.decide(tick: 1, readyToRelease()).clearance)
        let again = try h.decide(tick: 2, readyToRelease())
        #expect(again.clearance == first && again.clearanceIsResend, "not a second signature: the same envelope")
        var finalized = readyToRelease()
        finalized[3] = .aggregator(state: "FINALIZE")
        #expect(try h.decide(tick: 3, finalized).clearance == nil)
        #expect(h.engine.concluded == .cleared(tick: 1))
    }

    static let notReady: [(String, [Report])] = [
        (
            "a node still in flight",
            [
                .node("org-a", state: "POSTF"), .node("org-b", state: "INF"), .node("org-c", state: "POSTF"),
                .aggregator(state: "MERGE"),
            ]
        ),
        (
            "a node aborted",
            [
                .node("org-a", state: "POSTF"), .node("org-b", state: "POSTF"), .node("org-c", state: "ABORTED"),
                .aggregator(state: "MERGE"),
            ]
        ),
        (
            "a node reports no known state",
            [
                .node("org-a", state: "POSTF"), .node("org-b", state: "postf"), .node("org-c", state: "POSTF"),
                .aggregator(state: "MERGE"),
            ]
        ),
        (
            "a node sent no frame",
            [.node("org-a", state: "POSTF"), .node("org-b", state: "POSTF"), .aggregator(state: "MERGE")]
        ),
        (
            "the aggregator is still waiting",
            [
                .node("org-a", state: "POSTF"), .node("org-b", state: "POSTF"), .node("org-c", state: "POSTF"),
                .aggregator(state: "WAIT"),
            ]
        ),
        (
            "the aggregator sent no frame",
            [.node("org-a", state: "POSTF"), .node("org-b", state: "POSTF"), .node("org-c", state: "POSTF")]
        ),
    ]

    @Test("no clearance until every node is safe and the aggregator merges", arguments: notReady)
    func noClearance(situation: String, reports: [Report]) throws {
        var h = try Harness()
        let decision = try h.decide(tick: 1, reports)
        #expect(decision.clearance == nil, "\(situation)")
        #expect(decision.commands.isEmpty)
        #expect(h.engine.concluded == nil)
        #expect(h.engine.state == .ready)
        // Once everyone is ready, the clearance comes.
        #expect(try h.decide(tick: 2, readyToRelease()).clearance != nil, "\(situation)")
    }

    // MARK: - Abort

    @Test("a firing A-ABORT_JOB predicate signs one abort to every reporter, due next tick, and no clearance")
    func abort() throws {
        var h = try Harness()
        let decision = try h.decide(tick: 5, readyToRelease(l1: 300))
        #expect(decision.clearance == nil)
        #expect(decision.commands.count == 1)
        let envelope = try #require(decision.commands.first)
        let command = try h.verify(envelope)
        #expect(command.kind == .abortJob)
        #expect(command.jobId == h.manifest.hash)
        #expect(command.issuer == h.federation.control.id)
        #expect(command.targets == h.reporters)
        #expect(command.subject == nil)
        #expect(command.predicate == "contribution-bound")
        #expect(command.issuedAtTick == 5)
        #expect(command.ackBy == 6)
        #expect(command.issuedAtMs == Fixtures.now + 5)
        #expect(command.reason.contains("a participant's per-round contribution exceeds the declared L1 bound"))
        #expect(command.reason.contains("max(contributionL1) = 300 (aggregator, org-a, org-b, org-c)"))
        #expect(h.engine.concluded == .aborting(predicate: "contribution-bound"))
        #expect(h.engine.state == .dispatch)
    }

    @Test("after an abort, later ticks issue nothing: no command, no clearance")
    func nothingAfterAbort() throws {
        var h = try Harness()
        #expect(try h.decide(tick: 1, readyToRelease(l1: 300)).commands.count == 1)
        let first = try h.engine.settle(tick: 1)
        #expect(first.missing.count == 4)
        #expect(first.resend.map(\.attempt) == [1, 1, 1, 1], "a missing ack is retried with the same command")
        #expect(h.engine.state == .ready)

        let again = try h.decide(tick: 2, readyToRelease(l1: 300))
        #expect(again.commands.isEmpty)
        #expect(again.clearance == nil)
        #expect(h.engine.state == .dispatch, "the predicate still held, so the machine went through DISPATCH")
        let second = try h.engine.settle(tick: 2)
        #expect(second.resend.map(\.attempt) == [2, 2, 2, 2])
        #expect(second.escalations.isEmpty)

        let quiet = try h.decide(tick: 3, readyToRelease())
        #expect(quiet.commands.isEmpty)
        #expect(quiet.clearance == nil, "an aborting job is never cleared")
        #expect(h.engine.concluded == .aborting(predicate: "contribution-bound"))
    }

    @Test("with two predicates firing, the abort is issued exactly once")
    func abortWithOtherCommands() throws {
        var h = try Harness()
        var reports = readyToRelease(l1: 300)
        reports[0].lagMs = 9_000  // org-a straggles too
        let commands = try h.decide(tick: 1, reports).commands.map(h.verify)
        #expect(commands.filter { $0.kind == .abortJob }.count == 1)
        #expect(commands.map(\.kind) == [.abortJob])
    }

    @Test("a predicate that cannot be evaluated aborts the job (fail safe)")
    func failSafeAbort() throws {
        var h = try Harness(parameters: ["maxLagMs": 5000])  // maxContributionL1 missing
        let decision = try h.decide(tick: 1, readyToRelease())
        let command = try h.verify(try #require(decision.commands.first))
        #expect(command.kind == .abortJob)
        #expect(command.reason.contains("parameter 'maxContributionL1' is not defined"))
        #expect(decision.clearance == nil)
    }

    // MARK: - Acknowledgements

    @Test("each target's ack is recorded once; unknown commands, non-targets and repeats are refused")
    func record() throws {
        var h = try Harness()
        let command = try h.verify(try #require(try h.decide(tick: 1, readyToRelease(l1: 300)).commands.first))
        let firsts = ["org-a", "org-b", "org-c", "aggregator"].map { h.engine.record(h.ack(command, from: $0)) }
        #expect(firsts == [true, true, true, true])
        var unknown = h.ack(command, from: "org-a")
        unknown.commandId = CommandID()
        let refused = [
            h.ack(command, from: "org-b"),  // a repeat
            h.ack(command, from: "org-b", outcome: .duplicate),  // a repeat with another outcome
            h.ack(command, from: "control"),  // not a target
            unknown,  // an unknown command
        ].map { h.engine.record($0) }
        #expect(refused == [false, false, false, false])
        let missing = try h.engine.settle(tick: 1)
        #expect(missing.missing.isEmpty && missing.resend.isEmpty, "every target acknowledged")
        let afterSettling = h.engine.record(h.ack(command, from: "org-c"))
        #expect(!afterSettling, "a settled command is forgotten")
    }

    @Test("an A-OBSERVE goes to the offenders only, so others' acks are refused")
    func observeTargetsOffenders() throws {
        var h = try Harness()
        var reports = readyToRelease()
        reports[2].lagMs = 9_000  // org-c straggles
        let decision = try h.decide(tick: 3, reports)
        #expect(decision.clearance == nil, "a firing predicate withholds the clearance")
        let command = try h.verify(try #require(decision.commands.first))
        #expect(decision.commands.count == 1)
        #expect(command.kind == .observe)
        #expect(command.targets == [Fixtures.id("org-c")])
        #expect(command.predicate == "straggler")
        let recorded = ["org-a", "org-c"].map { h.engine.record(h.ack(command, from: $0)) }
        #expect(recorded == [false, true])
        #expect(h.engine.concluded == nil, "an observe does not conclude the job")
    }

    @Test("settle reports each missing ack and returns the engine to READY")
    func settleReportsMissing() throws {
        var h = try Harness()
        let command = try h.verify(try #require(try h.decide(tick: 7, readyToRelease(l1: 300)).commands.first))
        let recorded = [h.ack(command, from: "org-a"), h.ack(command, from: "aggregator", outcome: .rejected)]
            .map { h.engine.record($0) }
        #expect(recorded == [true, true])
        let missing = try h.engine.settle(tick: 7)
        #expect(missing.missing.map(\.command.id) == [command.id, command.id])
        #expect(missing.missing.map(\.participant.rawValue) == ["org-b", "org-c"])
        #expect(h.engine.state == .ready)
        let again = try h.engine.settle(tick: 7)
        #expect(again.missing.isEmpty, "a resent command waits for its new deadline")
        #expect(h.engine.state == .ready, "settling in READY changes nothing")
    }

    @Test("acks are awaited until the deadline: settling an earlier tick keeps the command open")
    func settleBeforeDeadline() throws {
        var h = try Harness()
        let command = try h.verify(try #require(try h.decide(tick: 7, readyToRelease(l1: 300)).commands.first))
        let early = try h.engine.settle(tick: 5)
        #expect(early.missing.isEmpty && early.resend.isEmpty)
        let recorded = h.engine.record(h.ack(command, from: "org-b"))
        #expect(recorded, "the command is still outstanding")
        let missing = try h.engine.settle(tick: 7)
        #expect(missing.missing.map(\.participant.rawValue) == ["org-a", "org-c", "aggregator"])
    }

    // MARK: - Isolation

    @Test("A-ISOLATE_PARTY: one command per offending node, never the aggregator, never twice")
    func isolate() throws {
        var h = try Harness(policy: isolatePolicy)
        let first = try h.decide(
            tick: 1,
            [.node("org-a", l1: 300), .node("org-b", l1: 100), .node("org-c", l1: 400), .aggregator(l1: 500)]
        ).commands.map(h.verify)
        #expect(first.map(\.kind) == [.isolateParty, .isolateParty])
        #expect(first.map(\.subject) == [Fixtures.id("org-a"), Fixtures.id("org-c")])
        #expect(first.allSatisfy { $0.targets == h.reporters && $0.predicate == "oversized" && $0.ackBy == 2 })
        #expect(Set(first.map(\.id)).count == 2)
        #expect(h.engine.concluded == nil)
        _ = try h.engine.settle(tick: 1)

        let second = try h.decide(
            tick: 2,
            [.node("org-a", l1: 300), .node("org-b", l1: 300), .node("org-c", l1: 400), .aggregator(l1: 500)]
        ).commands.map(h.verify)
        #expect(second.map(\.subject) == [Fixtures.id("org-b")], "org-a and org-c are already isolated")
        _ = try h.engine.settle(tick: 2)

        let third = try h.decide(
            tick: 3,
            [.node("org-a", l1: 300), .node("org-b", l1: 300), .node("org-c", l1: 300), .aggregator(l1: 500)])
        #expect(third.commands.isEmpty, "every offender is isolated and the aggregator never is")
        _ = try h.engine.settle(tick: 3)
    }

    @Test(
        "one command per firing episode: no repeat while it holds, new offenders get one, a new episode starts afresh")
    func episodes() throws {
        var h = try Harness(policy: observePolicy)
        func targets(_ tick: UInt64, _ reports: [Report]) throws -> [[String]] {
            let commands = try h.decide(tick: tick, reports).commands.map(h.verify)
            for command in commands {
                for target in command.targets { _ = h.engine.record(h.ack(command, from: target.rawValue)) }
            }
            _ = try h.engine.settle(tick: tick)
            return commands.map { $0.targets.map(\.rawValue) }
        }
        let quiet: [Report] = [.node("org-a"), .node("org-b"), .node("org-c"), .aggregator()]
        let aHeavy: [Report] = [.node("org-a", l1: 300), .node("org-b"), .node("org-c"), .aggregator()]
        let abHeavy: [Report] = [.node("org-a", l1: 300), .node("org-b", l1: 300), .node("org-c"), .aggregator()]
        #expect(try targets(1, aHeavy) == [["org-a"]])
        #expect(try targets(2, aHeavy) == [], "still the same episode: no repeat")
        #expect(try targets(3, abHeavy) == [["org-b"]], "a new offender in the episode gets its own command")
        let resolved = try targets(4, quiet)
        #expect(resolved == [["org-a", "org-b"]], "the predicate resolved: A-RESUME walks them back")
        #expect(try targets(5, aHeavy) == [["org-a"]], "the predicate stopped holding, so this is a new episode")
    }

    @Test("isolated nodes are not needed for the clearance")
    func clearanceWithoutIsolatedNode() throws {
        var h = try Harness(policy: isolatePolicy)
        let commands = try h.decide(
            tick: 1, [.node("org-a", l1: 300), .node("org-b"), .node("org-c"), .aggregator()]
        ).commands
        #expect(commands.count == 1)
        _ = try h.engine.settle(tick: 1)
        let decision = try h.decide(
            tick: 2, [.node("org-b", state: "POSTF"), .node("org-c", state: "DONE"), .aggregator(state: "MERGE")])
        let clearance = try #require(decision.clearance).verify(with: h.federation.control.publicIdentity).value
        #expect(clearance.nodeStates == ["org-b": "POSTF", "org-c": "DONE"])
    }

    // MARK: - Other commands

    @Test("A-BOOTSTRAP goes to the nodes; a rule without offenders addresses every reporter")
    func otherTargets() throws {
        var h = try Harness(
            policy: """
                version: "targets"
                predicates:
                  - id: slow-op
                    expr: any(opLatencyMs > 0)
                    command: A-BOOTSTRAP
                  - id: busy
                    expr: mean(contributionL1) > 200
                    command: A-RESTRICT
                """)
        let commands = try h.decide(tick: 1, readyToRelease(l1: 300)).commands.map(h.verify)
        #expect(commands.map(\.kind) == [.restrict, .bootstrap])
        #expect(commands[0].targets == h.reporters, "mean names no offenders, so everyone is addressed")
        #expect(commands[1].targets == h.manifest.participants.nodes)
    }

    // MARK: - Misuse

    @Test("deciding again before settling a dispatch is an illegal transition")
    func decideTwice() throws {
        var h = try Harness()
        _ = try h.decide(tick: 1, readyToRelease(l1: 300))
        #expect(h.engine.state == .dispatch)
        let batch = try h.driver.seal(tick: 2, readyToRelease())
        let outcomes = h.sentinel.evaluate(batch)
        let error = try #require(throws: IllegalTransition.self) {
            try h.engine.decide(batch: batch, outcomes: outcomes, nowMs: Fixtures.now)
        }
        #expect(error.machine == "control-engine")
        #expect(error.from == "DISPATCH")
        #expect(error.event == "batchSealed")
        #expect(h.engine.state == .dispatch, "an illegal event leaves the state unchanged")
        _ = try h.engine.settle(tick: 1)
        #expect(h.engine.state == .ready)
    }

    @Test("quiet ticks may follow each other without settling")
    func quietTicks() throws {
        var h = try Harness()
        for tick in UInt64(1)...3 {
            let decision = try h.decide(tick: tick, [.node("org-a"), .node("org-b"), .node("org-c"), .aggregator()])
            #expect(decision.commands.isEmpty && decision.clearance == nil)
            #expect(h.engine.state == .ready)
        }
    }

    @Test("the control-engine table: READY → EVALUATE → READY | DISPATCH → READY")
    func table() throws {
        let spec = Machines.controlEngine
        #expect(spec.problems().isEmpty)
        #expect(try spec.target(from: .ready, on: .batchSealed) == .evaluate)
        #expect(try spec.target(from: .evaluate, on: .allClear) == .ready)
        #expect(try spec.target(from: .evaluate, on: .predicateFired) == .dispatch)
        #expect(try spec.target(from: .dispatch, on: .acksSettled) == .ready)
        #expect(throws: IllegalTransition.self) { try spec.target(from: .dispatch, on: .batchSealed) }
        #expect(throws: IllegalTransition.self) { try spec.target(from: .ready, on: .acksSettled) }
    }
}
