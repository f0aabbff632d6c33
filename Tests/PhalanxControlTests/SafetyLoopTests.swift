import Foundation
import PhalanxControl
import PhalanxCore
import Testing

/// A real collector, sentinel and control engine over a policy, with every command acknowledged unless told.
struct SafetyLoop {
    let federation = Federation()
    let policy: GuardrailPolicy
    let manifest: JobManifest
    var driver: TickDriver
    var sentinel: Sentinel
    var engine: ControlEngine

    init(_ text: String) throws {
        policy = try Fixtures.policy(text)
        manifest = try federation.manifest(policy: policy)
        driver = TickDriver(federation: federation, manifest: manifest)
        // The job's nodes' silence is counted, as the control plane counts it.
        sentinel = Sentinel(
            predicates: manifest.predicates.compactMap(policy.predicate(id:)), parameters: manifest.parameters,
            forecast: policy.forecast, absenceTracked: manifest.participants.nodes)
        engine = ControlEngine(
            identity: federation.control, manifest: manifest, escalation: policy.escalation,
            overrides: policy.overrides)
    }

    /// One tick: seal, evaluate, decide; acknowledge every command except from `silent`; settle.
    mutating func tick(
        _ tick: UInt64, _ reports: [Report], silent: Set<String> = []
    ) throws -> (decision: ControlEngine.Decision, commands: [ACommand], settlement: ControlEngine.Settlement) {
        let batch = try driver.seal(tick: tick, reports)
        let outcomes = sentinel.evaluate(batch)
        let decision = try engine.decide(batch: batch, outcomes: outcomes, nowMs: Fixtures.now)
        let commands = try decision.commands.map { try $0.verify(with: federation.control.publicIdentity).value }
        for command in commands {
            for target in command.targets where !silent.contains(target.rawValue) {
                _ = engine.record(ack(command, from: target))
            }
        }
        let settlement = try engine.settle(tick: tick, nowMs: Fixtures.now)
        for (envelope, participant, _) in settlement.resend where !silent.contains(participant.rawValue) {
            _ = engine.record(
                ack(try envelope.verify(with: federation.control.publicIdentity).value, from: participant))
        }
        for envelope in settlement.escalations {
            let command = try envelope.verify(with: federation.control.publicIdentity).value
            for target in command.targets where !silent.contains(target.rawValue) {
                _ = engine.record(ack(command, from: target))
            }
        }
        return (decision, commands, settlement)
    }

    func ack(_ command: ACommand, from participant: ParticipantID) -> CommandAck {
        CommandAck(
            commandId: command.id, jobId: command.jobId, participant: participant, outcome: .applied, detail: nil,
            stateAfter: "INF", tick: command.issuedAtTick, timestampMs: Fixtures.now)
    }

    var everyone: [Report] { [.node("org-a"), .node("org-b"), .node("org-c"), .aggregator()] }

    /// Every participant reporting, with `lagMs` for the named ones.
    func lagging(_ lags: [String: Double]) -> [Report] {
        everyone.map { report in
            var report = report
            report.lagMs = lags[report.from] ?? 10
            return report
        }
    }
}

func loopPolicy(_ predicates: String, extra: String = "") -> String {
    """
    version: "loop-test"
    parameters:
      maxLagMs: 5000
      severeLagMs: 20000
    \(extra)
    predicates:
    \(predicates)
    """
}

@Suite("Durations in guardrails.yaml")
struct GuardrailDurationTests {
    @Test(
        "seconds, minutes and hours become ticks of one second",
        arguments: [
            ("0s", 0), ("5s", 5), ("2m", 120), ("1h", 3_600), ("24h", 86_400), ("90s", 90),
        ])
    func parses(text: String, ticks: Int) throws {
        let duration = try GuardrailDuration.parse(text).get()
        #expect(duration.ticks == ticks)
        #expect(try GuardrailDuration.parse(duration.description).get() == duration)
    }

    @Test(
        "anything else is refused with what to write instead",
        arguments: [
            "", "s", "5", "5d", "-5s", "5.5s", "1000000s", "99999999999999999999h", " 5s", "5 s",
        ])
    func refuses(text: String) {
        #expect(throws: DurationSyntaxError.self) { try GuardrailDuration.parse(text).get() }
    }
}

@Suite("Alert states: for and keep_firing_for")
struct AlertStateTests {
    static let rules = """
          - id: slow
            expr: any(lagMs > params.maxLagMs)
            for: 2s
            keep_firing_for: 3s
            command: A-OBSERVE
        """

    @Test(
        "pending for `for`, firing on the (for+1)-th consecutive tick, kept firing for keep_firing_for, then resolved")
    func lifecycle() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules))
        let rule = try #require(loop.policy.predicate(id: "slow"))
        #expect(rule.pendingFor.ticks == 2 && rule.keepFiringFor.ticks == 3)
        let slow = loop.lagging(["org-a": 9_000])
        var statuses: [AlertStatus] = []
        var commands: [[CommandKind]] = []
        var clearances: [Bool] = []
        for (tick, reports) in [slow, slow, slow, slow, loop.everyone, loop.everyone, loop.everyone, loop.everyone]
            .enumerated()
        {
            let batch = try loop.driver.seal(tick: UInt64(tick), reports)
            let outcome = try #require(loop.sentinel.evaluate(batch).first)
            statuses.append(outcome.status)
            #expect(outcome.blocksRelease == (outcome.status != .inactive))
            let decision = try loop.engine.decide(batch: batch, outcomes: [outcome], nowMs: Fixtures.now)
            let signed = try decision.commands.map { try $0.verify(with: loop.federation.control.publicIdentity).value }
            for command in signed {
                for target in command.targets { _ = loop.engine.record(loop.ack(command, from: target)) }
            }
            commands.append(signed.map(\.kind))
            clearances.append(decision.clearance != nil)
            _ = try loop.engine.settle(tick: UInt64(tick))
        }
        #expect(
            statuses == [
                .pending(heldTicks: 1), .pending(heldTicks: 2), .firing, .firing, .firing, .firing, .firing, .inactive,
            ])
        // The command goes out once, when the predicate starts firing; A-RESUME when it resolves.
        #expect(commands == [[], [], [.observe], [], [], [], [], [.resume]])
        #expect(!clearances.contains(true), "nobody is ready to release here")
    }

    @Test("a tick without the expression resets a pending predicate: flapping values never fire")
    func flappingNeverFires() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules))
        let slow = loop.lagging(["org-a": 9_000])
        var fired = false
        for (tick, reports) in [slow, slow, loop.everyone, slow, slow, loop.everyone, slow].enumerated() {
            let outcome = try #require(loop.sentinel.evaluate(try loop.driver.seal(tick: UInt64(tick), reports)).first)
            fired = fired || outcome.holds
        }
        #expect(!fired)
    }

    @Test("a pending predicate withholds the release clearance")
    func pendingBlocksRelease() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules))
        var ready: [Report] = [
            .node("org-a", state: "POSTF"), .node("org-b", state: "DONE"), .node("org-c", state: "POSTF"),
            .aggregator(state: "MERGE"),
        ]
        ready[0].lagMs = 9_000
        let pending = try loop.tick(0, ready)
        #expect(pending.decision.clearance == nil && pending.commands.isEmpty)
        ready[0].lagMs = 10
        #expect(try loop.tick(1, ready).decision.clearance != nil)
    }
}

@Suite("Forecasting: Holt's linear trend")
struct ForecastTests {
    /// Runs the sentinel over `series` (org-a's lagMs) and returns its forecast after each value.
    static func run(_ series: [Double], method: ForecastMethod) throws -> [Double] {
        let extra: String =
            switch method {
            case .linear: "forecast:\n  method: linear"
            case .holt(let a, let b): "forecast:\n  method: holt\n  alpha: \(a)\n  beta: \(b)\n  history: 4"
            }
        var loop = try SafetyLoop(
            loopPolicy(
                """
                  - id: f
                    expr: max(forecast.lagMs) > params.maxLagMs
                    command: A-OBSERVE
                """, extra: extra))
        #expect(loop.sentinel.forecast.method == method)
        return try series.enumerated().map { tick, value in
            var report = Report.node("org-a")
            report.lagMs = value
            let outcome = try #require(loop.sentinel.evaluate(try loop.driver.seal(tick: UInt64(tick), [report])).first)
            let line = try #require(outcome.evaluation?.trace.first)  // "max(forecast.lagMs) = X (org-a)"
            let number = line.split(separator: " ")[2]
            return try #require(Double(number))
        }
    }

    @Test("linear: a straight line is forecast exactly, a constant stays constant")
    func linearIsExactOnLines() throws {
        let line = (0..<10).map { 100 + 25 * Double($0) }
        let forecast = try Self.run(line, method: .linear)
        #expect(forecast.dropFirst() == ArraySlice(line.dropFirst().map { $0 + 25 }))
        #expect(try Self.run(Array(repeating: 42, count: 5), method: .linear) == Array(repeating: 42, count: 5))
    }

    @Test("Holt with α = β = 1 is the linear method")
    func holtOneIsLinear() throws {
        let series: [Double] = [10, 30, 20, 50, 45, 80]
        #expect(try Self.run(series, method: .holt(alpha: 1, beta: 1)) == Self.run(series, method: .linear))
    }

    @Test("on a noisy trend, smoothing forecasts better than the two-point line (deterministic noise)")
    func smoothingHelpsOnNoise() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func noise() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 400 - 200
        }
        let truth = (0..<200).map { 1_000 + 10 * Double($0) }
        let observed = truth.map { $0 + noise() }
        func error(_ method: ForecastMethod) throws -> Double {
            let forecast = try Self.run(observed, method: method)
            // Forecast after tick t is for tick t+1; compare with the noise-free value, after a warm-up.
            return zip(forecast[20..<199], truth[21..<200]).map { abs($0 - $1) }.reduce(0, +) / 179
        }
        let linear = try error(.linear)
        let holt = try error(.holt(alpha: 0.3, beta: 0.1))
        #expect(holt < linear / 2, "Holt \(holt) vs linear \(linear)")
    }

    @Test("the sentinel keeps the last `history` values per participant and metric")
    func history() throws {
        var loop = try SafetyLoop(
            loopPolicy(
                """
                  - id: f
                    expr: max(forecast.lagMs) > params.maxLagMs
                    command: A-OBSERVE
                """, extra: "forecast:\n  method: holt\n  alpha: 0.5\n  beta: 0.5\n  history: 3"))
        for tick in 0..<6 {
            var report = Report.node("org-a")
            report.lagMs = Double(tick)
            _ = loop.sentinel.evaluate(try loop.driver.seal(tick: UInt64(tick), [report]))
        }
        let kept = loop.sentinel.history(of: Fixtures.id("org-a"), metric: "lagMs")
        #expect(kept.map(\.tick) == [3, 4, 5] && kept.map(\.value) == [3, 4, 5])

        // A metric seen for the first time (attributed by the aggregator) and a participant seen for the first time
        // leave what is kept of the others as it was.
        var late = Report.node("org-b")
        late.lagMs = 40
        var again = Report.node("org-a")
        again.lagMs = 6
        _ = loop.sentinel.evaluate(
            try loop.driver.seal(tick: 6, [again, late]), attributed: [Fixtures.id("org-a"): ["invalidShares": 2]])
        let after = loop.sentinel.history(of: Fixtures.id("org-a"), metric: "lagMs")
        #expect(after.map(\.tick) == [4, 5, 6] && after.map(\.value) == [4, 5, 6])
        #expect(loop.sentinel.history(of: Fixtures.id("org-a"), metric: "invalidShares").map(\.value) == [2])
        #expect(loop.sentinel.history(of: Fixtures.id("org-b"), metric: "lagMs").map(\.value) == [40])
        #expect(loop.sentinel.history(of: Fixtures.id("org-b"), metric: "invalidShares").isEmpty)
        #expect(loop.sentinel.history(of: Fixtures.id("org-c"), metric: "lagMs").isEmpty)
    }
}

@Suite("Missing acks: resend with the same id, then escalate")
struct EscalationTests {
    static let straggler = """
          - id: slow
            expr: any(lagMs > params.maxLagMs)
            command: A-OBSERVE
        """

    @Test("a silent node gets the same signed command ack_retries times, then is isolated, and its frames refused")
    func silentNodeIsIsolated() throws {
        var loop = try SafetyLoop(
            loopPolicy(Self.straggler, extra: "escalation:\n  ack_retries: 2\n  then: A-ISOLATE_PARTY"))
        let first = try loop.tick(0, loop.lagging(["org-c": 9_000]), silent: ["org-c"])
        let observe = try #require(first.decision.commands.first)
        #expect(first.settlement.missing.map(\.participant.rawValue) == ["org-c"])
        #expect(first.settlement.resend.map(\.attempt) == [1])
        #expect(first.settlement.resend.first?.envelope == observe, "the same id and signature")
        let second = try loop.tick(1, loop.lagging(["org-c": 9_000]), silent: ["org-c"])
        #expect(second.settlement.resend.map(\.attempt) == [2])
        #expect(second.settlement.escalations.isEmpty)
        let third = try loop.tick(2, loop.lagging(["org-c": 9_000]), silent: ["org-c"])
        #expect(third.settlement.resend.isEmpty)
        let isolation = try #require(third.settlement.escalations.first)
            .verify(with: loop.federation.control.publicIdentity).value
        #expect(isolation.kind == .isolateParty && isolation.subject == Fixtures.id("org-c"))
        #expect(!isolation.targets.contains(Fixtures.id("org-c")), "a silent node is not awaited again")
        #expect(isolation.reason.contains("did not acknowledge A-OBSERVE"))
        #expect(loop.engine.isolated == [Fixtures.id("org-c")])
        #expect(loop.engine.concluded == nil, "the job goes on with the quorum")
    }

    @Test("with then: A-ABORT_JOB the job is aborted instead")
    func escalationAborts() throws {
        var loop = try SafetyLoop(
            loopPolicy(Self.straggler, extra: "escalation:\n  ack_retries: 0\n  then: A-ABORT_JOB"))
        let first = try loop.tick(0, loop.lagging(["org-b": 9_000]), silent: ["org-b"])
        #expect(first.settlement.resend.isEmpty)
        let abort = try #require(first.settlement.escalations.first)
            .verify(with: loop.federation.control.publicIdentity).value
        #expect(abort.kind == .abortJob)
        #expect(loop.engine.concluded == .aborting(predicate: "escalation"))
    }

    @Test("a silent aggregator aborts the job whatever the policy says: nothing can be released without it")
    func silentAggregatorAborts() throws {
        var loop = try SafetyLoop(loopPolicy(Self.straggler, extra: "escalation:\n  ack_retries: 1"))
        _ = try loop.tick(0, loop.lagging(["aggregator": 9_000]), silent: ["aggregator"])
        let second = try loop.tick(1, loop.lagging(["aggregator": 9_000]), silent: ["aggregator"])
        let abort = try #require(second.settlement.escalations.first)
            .verify(with: loop.federation.control.publicIdentity).value
        #expect(abort.kind == .abortJob)
    }

    @Test("a clearance the aggregator did not act on is sent again, the same signed one; not after it finalized")
    func clearanceResent() throws {
        var loop = try SafetyLoop(loopPolicy(EscalationTests.straggler))
        func ready(_ aggregator: String) -> [Report] {
            [
                .node("org-a", state: "POSTF"), .node("org-b", state: "DONE"), .node("org-c", state: "POSTF"),
                .aggregator(state: aggregator),
            ]
        }
        let first = try loop.tick(0, ready("MERGE")).decision
        let clearance = try #require(first.clearance)
        #expect(!first.clearanceIsResend)
        let again = try loop.tick(1, ready("MERGE")).decision
        #expect(again.clearance == clearance && again.clearanceIsResend)
        #expect(try loop.tick(2, ready("FINALIZE")).decision.clearance == nil)
    }

    @Test("an isolated participant's frames are refused and it is no longer counted missing")
    func collectorRefusesIsolated() throws {
        let federation = Federation()
        let manifest = try federation.manifest(policy: try Fixtures.policy())
        var collector = TelemetryCollector(manifest: manifest, roster: federation.roster)
        collector.isolate(Fixtures.id("org-b"))
        let frame = TelemetryFrame(
            nodeId: Fixtures.id("org-b"), seq: 1, manifestHash: manifest.hash, tick: 0, state: "INF",
            metrics: ["contributionL1": 1, "pendingContributions": 0], lagMs: 1, opLatencyMs: 1,
            timestampMs: Fixtures.now)
        let envelope = try Signed(signing: frame, with: federation.identity("org-b"))
        #expect(collector.ingest(envelope, tick: 0, nowMs: Fixtures.now) == .failure(.isolated))
        let batch = try collector.seal(tick: 0)
        #expect(!batch.missing.contains(Fixtures.id("org-b")))
        #expect(collector.rejectionCounts == [.isolated: 1])
    }
}

@Suite("The local-agent ladder: observe → restrict → suspend and back")
struct LadderTests {
    static let rules = """
          - id: slow
            expr: any(lagMs > params.maxLagMs)
            command: A-OBSERVE
          - id: very-slow
            expr: any(lagMs > params.severeLagMs)
            command: A-RESTRICT
          - id: stuck
            expr: any(lagMs > 60000)
            command: A-SUSPEND
        """

    static func kinds(_ commands: [ACommand]) -> [String] {
        commands.map { "\($0.kind.rawValue) \($0.targets.map(\.rawValue).joined(separator: ","))" }
    }

    @Test("up one rung at a time as predicates fire, down to the highest rung still asked for when they resolve")
    func upAndDown() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules))
        let steps: [([String: Double], [String])] = [
            (["org-a": 9_000], ["A-OBSERVE org-a"]),
            (["org-a": 30_000], ["A-RESTRICT org-a"]),
            (["org-a": 30_000, "org-b": 9_000], ["A-OBSERVE org-b"]),
            (["org-a": 9_000, "org-b": 9_000], ["A-OBSERVE org-a"]),  // restrict no longer asked for: step down
            ([:], ["A-RESUME org-a,org-b"]),
            ([:], []),
        ]
        for (tick, (lags, expected)) in steps.enumerated() {
            let step = try loop.tick(UInt64(tick), loop.lagging(lags))
            #expect(Self.kinds(step.commands) == expected, "tick \(tick)")
        }
        #expect(loop.engine.ladder.isEmpty)
    }

    @Test("a suspension is not lifted when its predicate resolves: only an operator's A-RESUME lifts it")
    func suspensionNeedsAnOperator() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules))
        #expect(Self.kinds(try loop.tick(0, loop.lagging(["org-c": 90_000])).commands) == ["A-SUSPEND org-c"])
        #expect(try loop.tick(1, loop.everyone).commands.isEmpty, "the suspension stays")
        #expect(loop.engine.ladder[Fixtures.id("org-c")] == .suspend)
    }
}

@Suite("Human overrides")
struct OverrideTests {
    static let rules = """
          - id: stuck
            expr: any(lagMs > 60000)
            command: A-SUSPEND
        """
    static let overrides = """
        overrides:
          two_person: [A-RESUME]
          parameters:
            maxLagMs: { min: 1000, max: 10000 }
            severeLagMs: { min: 10000, max: 60000, two_person: true }
        """

    static func command(
        _ loop: SafetyLoop, by name: String = "alice", kind: CommandKind, targets: [String] = ["control"],
        parameter: String? = nil, value: Double? = nil, reason: String = "checked by phone with org-c"
    ) throws -> Signed<ACommand> {
        let command = ACommand(
            kind: kind, jobId: loop.manifest.hash, issuer: Fixtures.id(name), targets: targets.map(Fixtures.id),
            predicate: nil, parameter: parameter, value: value, reason: reason, issuedAtTick: 0, ackBy: 1,
            issuedAtMs: Fixtures.now)
        return try Signed(signing: command, with: loop.federation.identity(name))
    }

    static func approval(
        _ loop: SafetyLoop, of envelope: Signed<ACommand>, by name: String = "bob"
    ) throws
        -> Signed<OverrideApproval>
    {
        let command = try envelope.verify(with: loop.federation.roster).value
        return try Signed(
            signing: OverrideApproval(
                commandId: command.id, commandDigest: envelope.digest, approver: Fixtures.id(name), reason: "agreed",
                timestampMs: Fixtures.now),
            with: loop.federation.identity(name))
    }

    static func refusal(_ loop: inout SafetyLoop, _ request: OverrideRequest) -> String? {
        if case .failure(let refusal) = loop.engine.receiveOverride(request, roster: loop.federation.roster) {
            return refusal.message
        }
        return nil
    }

    @Test("a suspension is lifted by an operator's A-RESUME with a second operator's approval, re-signed by control")
    func resumeWithTwoOperators() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules, extra: Self.overrides))
        _ = try loop.tick(0, loop.lagging(["org-c": 90_000]))
        let resume = try Self.command(loop, kind: .resume, targets: ["org-c"])
        #expect(
            Self.refusal(&loop, OverrideRequest(command: resume))?.contains("needs a second operator") == true)
        let alone = try Self.approval(loop, of: resume, by: "alice")
        #expect(
            Self.refusal(&loop, OverrideRequest(command: resume, approvals: [alone]))?.contains("second operator")
                == true, "an operator cannot approve their own override")
        let request = OverrideRequest(command: resume, approvals: [try Self.approval(loop, of: resume)])
        #expect(Self.refusal(&loop, request) == nil)
        #expect(Self.refusal(&loop, request)?.contains("already applied") == true, "an override executes once")
        let step = try loop.tick(1, loop.everyone)
        #expect(LadderTests.kinds(step.commands) == ["A-RESUME org-c"])
        let signed = try #require(step.commands.first)
        #expect(signed.issuer == Fixtures.id("control"), "participants only obey the control plane's key")
        #expect(signed.reason.contains("override by alice, approved by bob"))
        #expect(step.decision.overrides.map(\.command.kind) == [.resume])
        #expect(loop.engine.ladder.isEmpty)
    }

    @Test("an approval of another command, or by a non-operator, does not count")
    func badApprovals() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules, extra: Self.overrides))
        let resume = try Self.command(loop, kind: .resume, targets: ["org-c"])
        let other = try Self.command(loop, kind: .resume, targets: ["org-b"])
        let wrong = try Self.approval(loop, of: other)
        let byNode = try Signed(
            signing: OverrideApproval(
                commandId: try resume.verify(with: loop.federation.roster).value.id, commandDigest: resume.digest,
                approver: Fixtures.id("org-a"), reason: "me too", timestampMs: Fixtures.now),
            with: loop.federation.identity("org-a"))
        #expect(Self.refusal(&loop, OverrideRequest(command: resume, approvals: [wrong, byNode])) != nil)
    }

    @Test("a threshold changes within its range; outside it, or for a fixed parameter, it is refused")
    func setParameter() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules, extra: Self.overrides))
        let cases: [(String, Double, String?)] = [
            ("maxLagMs", 20_000, "outside its allowed range [1000.0, 10000.0]"),
            ("epsilonLimit", 1, "cannot be overridden; adjustable: maxLagMs, severeLagMs"),
            ("severeLagMs", 30_000, "needs a second operator"),
            ("maxLagMs", 8_000, nil),
        ]
        for (name, value, refusal) in cases {
            let envelope = try Self.command(loop, kind: .setParameter, parameter: name, value: value)
            let message = Self.refusal(&loop, OverrideRequest(command: envelope))
            if let refusal {
                #expect(message?.contains(refusal) == true, "\(message ?? "accepted")")
            } else {
                #expect(message == nil)
            }
        }
        let step = try loop.tick(0, loop.everyone)
        #expect(step.decision.overrides.map(\.command.parameter) == ["maxLagMs"])
        #expect(step.commands.isEmpty, "a parameter change is not sent to participants")
    }

    @Test("who may override: operators only, with a reason, for this job")
    func whoMayOverride() throws {
        var loop = try SafetyLoop(loopPolicy(Self.rules, extra: Self.overrides))
        let byNode = try Self.command(loop, by: "org-a", kind: .abortJob)
        #expect(Self.refusal(&loop, OverrideRequest(command: byNode))?.contains("is not an operator") == true)
        let byControl = try Self.command(loop, by: "control", kind: .abortJob)
        #expect(Self.refusal(&loop, OverrideRequest(command: byControl))?.contains("is not an operator") == true)
        let noReason = try Self.command(loop, kind: .abortJob, reason: "  ")
        #expect(Self.refusal(&loop, OverrideRequest(command: noReason))?.contains("must carry a reason") == true)
        let notAnOverride = try Self.command(loop, kind: .bootstrap)
        #expect(Self.refusal(&loop, OverrideRequest(command: notAnOverride))?.contains("is not an override") == true)
        var forged = try Self.command(loop, kind: .abortJob)
        forged = Signed(
            payloadType: forged.payloadType, payload: forged.payload, signer: Fixtures.id("bob"),
            signature: forged.signature)
        #expect(Self.refusal(&loop, OverrideRequest(command: forged))?.contains("signature") == true)

        let abort = try Self.command(loop, kind: .abortJob, reason: "the regulator asked us to stop")
        #expect(Self.refusal(&loop, OverrideRequest(command: abort)) == nil, "a force-abort needs one operator")
        let step = try loop.tick(0, loop.everyone)
        #expect(step.commands.map(\.kind) == [.abortJob])
        #expect(loop.engine.concluded == .aborting(predicate: "operator"))
    }
}
