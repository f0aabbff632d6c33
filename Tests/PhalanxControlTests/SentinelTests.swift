import PhalanxControl
import PhalanxCore
import Testing

@Suite("Sentinel")
struct SentinelTests {
    let federation = Federation()

    /// A policy whose predicates read `plain`'s metrics, currently and through the forecast.
    static let forecastPolicy = """
        version: "sentinel-test"
        parameters:
          limit: 250
          maxLagMs: 5000
        predicates:
          - id: forecast-bound
            expr: max(forecast.contributionL1) > params.limit
            command: A-OBSERVE
          - id: current-bound
            expr: max(contributionL1) > params.limit
            command: A-OBSERVE
          - id: lag-forecast
            expr: max(forecast.lagMs) > params.maxLagMs
            command: A-OBSERVE
        """

    @Test("every enabled predicate is evaluated on the batch, in order, with offenders and trace")
    func evaluatesBatch() throws {
        let policy = try Fixtures.policy()
        let manifest = try federation.manifest(policy: policy)
        let rules = manifest.predicates.compactMap(policy.predicate(id:))
        var sentinel = Sentinel(
            predicates: rules, parameters: manifest.parameters, absenceTracked: manifest.participants.nodes)
        #expect(sentinel.predicates.map(\.id) == ["contribution-bound", "straggler", "unresponsive"])
        var driver = TickDriver(federation: federation, manifest: manifest)
        let batch = try driver.seal(
            tick: 1,
            [
                .node("org-a", l1: 120, lagMs: 6_000), .node("org-b", l1: 300), .node("org-c", l1: 250),
                .aggregator(l1: 300),
            ])
        let outcomes = sentinel.evaluate(batch)
        #expect(outcomes.map(\.rule.id) == ["contribution-bound", "straggler", "unresponsive"])

        let bound = outcomes[0]
        #expect(bound.holds)
        #expect(bound.failure == nil)
        #expect(bound.evaluation?.offenders == ["aggregator", "org-b"])
        #expect(bound.evaluation?.trace.contains("params.maxContributionL1 = 250") == true)
        #expect(bound.evaluation?.trace.contains("max(contributionL1) = 300 (aggregator, org-b)") == true)

        // lagMs is a top-level frame field, and predicates see it like any metric.
        let straggler = outcomes[1]
        #expect(straggler.holds)
        #expect(straggler.evaluation?.offenders == ["org-a"])

        // Every node sent its frame: nobody has missed a tick.
        let unresponsive = outcomes[2]
        #expect(!unresponsive.holds)
        #expect(unresponsive.evaluation?.offenders == [])
    }

    @Test("nothing holds on a quiet tick")
    func quietTick() throws {
        let policy = try Fixtures.policy()
        let manifest = try federation.manifest(policy: policy)
        var sentinel = Sentinel(
            predicates: manifest.predicates.compactMap(policy.predicate(id:)), parameters: manifest.parameters,
            absenceTracked: manifest.participants.nodes)
        var driver = TickDriver(federation: federation, manifest: manifest)
        let batch = try driver.seal(tick: 1, [.node("org-a"), .node("org-b"), .node("org-c"), .aggregator()])
        let outcomes = sentinel.evaluate(batch)
        #expect(outcomes.count == 3)
        #expect(outcomes.allSatisfy { !$0.holds && $0.failure == nil && $0.evaluation?.offenders == [] })
    }

    @Test("the forecast is 2·x[t] − x[t−1] per participant, and x[t] with one value")
    func forecast() throws {
        let policy = try Fixtures.policy(Self.forecastPolicy)
        let manifest = try federation.manifest(policy: policy)
        #expect(manifest.predicates == ["current-bound", "forecast-bound", "lag-forecast"])
        var sentinel = Sentinel(predicates: policy.predicates, parameters: policy.parameters)
        var driver = TickDriver(federation: federation, manifest: manifest)

        // Tick 1: one value each, so the forecast is the value itself.
        let first = sentinel.evaluate(
            try driver.seal(tick: 1, [.node("org-a", l1: 200, lagMs: 1_000), .node("org-b", l1: 100, lagMs: 100)]))
        #expect(first.map(\.holds) == [false, false, false])
        #expect(first[0].evaluation?.trace.first == "max(forecast.contributionL1) = 200 (org-a)")

        // Tick 2: org-a rises 200 → 240, so its forecast is 280 > 250 although 240 is not; org-b stays flat.
        // org-a's lag rises 1000 → 3000: forecast 5000, not above 5000.
        let second = sentinel.evaluate(
            try driver.seal(tick: 2, [.node("org-a", l1: 240, lagMs: 3_000), .node("org-b", l1: 100, lagMs: 100)]))
        #expect(second[0].holds)
        #expect(second[0].evaluation?.offenders == ["org-a"])
        #expect(second[0].evaluation?.trace.first == "max(forecast.contributionL1) = 280 (org-a)")
        #expect(!second[1].holds, "the current value 240 is within the limit")
        #expect(!second[2].holds)
        #expect(second[2].evaluation?.trace.first == "max(forecast.lagMs) = 5000 (org-a)")

        // Tick 3: org-a falls back 240 → 150 (forecast 60); org-b jumps 100 → 180 (forecast 260).
        let third = sentinel.evaluate(
            try driver.seal(tick: 3, [.node("org-a", l1: 150, lagMs: 3_000), .node("org-b", l1: 180, lagMs: 100)]))
        #expect(third[0].holds)
        #expect(third[0].evaluation?.offenders == ["org-b"])
        #expect(third[0].evaluation?.trace.first == "max(forecast.contributionL1) = 260 (org-b)")
    }

    @Test("across missing ticks the trend is per tick: 100 at tick 1, 150 at tick 3 forecasts 175 for tick 4")
    func forecastAcrossGap() throws {
        let policy = try Fixtures.policy(Self.forecastPolicy)
        let manifest = try federation.manifest(policy: policy)
        var sentinel = Sentinel(
            predicates: [try #require(policy.predicate(id: "forecast-bound"))], parameters: policy.parameters)
        var driver = TickDriver(federation: federation, manifest: manifest)
        _ = sentinel.evaluate(try driver.seal(tick: 1, [.node("org-a", l1: 100), .node("org-b", l1: 10)]))
        _ = sentinel.evaluate(try driver.seal(tick: 2, [.node("org-b", l1: 10)]))  // org-a silent
        let third = sentinel.evaluate(try driver.seal(tick: 3, [.node("org-a", l1: 150), .node("org-b", l1: 10)]))
        #expect(third[0].evaluation?.trace.first == "max(forecast.contributionL1) = 175 (org-a)")
    }

    @Test("a predicate whose parameter is absent fails safe: it holds, with the failure set")
    func failSafe() throws {
        let policy = try Fixtures.policy()
        let rules = [
            try #require(policy.predicate(id: "straggler")), try #require(policy.predicate(id: "contribution-bound")),
        ]
        // The parameters lack maxLagMs, which straggler reads.
        var sentinel = Sentinel(predicates: rules, parameters: ["maxContributionL1": 250])
        let manifest = try federation.manifest(policy: policy)
        var driver = TickDriver(federation: federation, manifest: manifest)
        let outcomes = sentinel.evaluate(try driver.seal(tick: 1, [.node("org-a"), .aggregator()]))
        let straggler = outcomes[0]
        #expect(straggler.holds)
        #expect(straggler.evaluation == nil)
        let failure = try #require(straggler.failure)
        #expect(failure.contains("parameter 'maxLagMs' is not defined"))
        // The other predicate is unaffected.
        #expect(!outcomes[1].holds)
        #expect(outcomes[1].failure == nil)
    }

    // MARK: - Silence: missedTicks and the unresponsive guard-rail

    /// A predicate that never holds, whose trace shows the largest `missedTicks` and who has it.
    static let silenceProbe = """
        version: "probe"
        predicates:
          - id: probe
            expr: max(missedTicks) > 1000000
            command: A-OBSERVE
        """

    /// The default policy's predicates for the job on `plain`, then the probe, counting the silence of
    /// `absenceTracked` (by default the job's nodes, as the control plane does).
    func silenceSentinel(absenceTracked: [ParticipantID]? = nil) throws -> (Sentinel, TickDriver, limit: Int) {
        let policy = try Fixtures.policy()
        let manifest = try federation.manifest(policy: policy)
        let probe = try #require(try Fixtures.policy(Self.silenceProbe).predicate(id: "probe"))
        let sentinel = Sentinel(
            predicates: manifest.predicates.compactMap(policy.predicate(id:)) + [probe],
            parameters: manifest.parameters, absenceTracked: absenceTracked ?? manifest.participants.nodes)
        #expect(sentinel.predicates.map(\.id) == ["contribution-bound", "straggler", "unresponsive", "probe"])
        let limit = try #require(manifest.parameters["maxMissedTicks"])
        return (sentinel, TickDriver(federation: federation, manifest: manifest), Int(limit))
    }

    @Test("a node silent for 1…maxMissedTicks ticks has missedTicks 1…maxMissedTicks; unresponsive fires at the last")
    func missedTicksCount() throws {
        var (sentinel, driver, limit) = try silenceSentinel()
        #expect(limit == 5)
        for missed in 1...limit {
            // org-b sends nothing.
            let outcomes = sentinel.evaluate(
                try driver.seal(tick: UInt64(missed), [.node("org-a"), .node("org-c"), .aggregator()]))
            #expect(outcomes[3].evaluation?.trace.first == "max(missedTicks) = \(missed) (org-b)")
            let unresponsive = outcomes[2]
            #expect(unresponsive.failure == nil)
            #expect(unresponsive.holds == (missed == limit), "after \(missed) missed ticks")
            #expect(unresponsive.evaluation?.offenders == (missed == limit ? ["org-b"] : []))
            // The silent node's row says nothing else: the other predicates skip it.
            #expect(
                outcomes[0].evaluation?.trace.first
                    == "max(contributionL1) = 100 (aggregator, org-a, org-c) [skipped: org-b]")
            #expect(!outcomes[0].holds && !outcomes[1].holds)
        }
        let fired = try #require(
            sentinel.evaluate(try driver.seal(tick: UInt64(limit + 1), [.node("org-a"), .node("org-c")]))
                .first { $0.rule.id == "unresponsive" })
        #expect(fired.holds)
        #expect(fired.evaluation?.offenders == ["org-b"], "the aggregator is not a node: its silence is not counted")
        #expect(fired.evaluation?.trace.contains("params.maxMissedTicks = 5") == true)
        #expect(fired.evaluation?.trace.contains("any(missedTicks >= params.maxMissedTicks) = true (org-b)") == true)
    }

    @Test("a frame resets missedTicks to 0: silences that are each shorter than maxMissedTicks never fire")
    func frameResets() throws {
        var (sentinel, driver, limit) = try silenceSentinel()
        let silent: [Report] = [.node("org-a"), .node("org-c"), .aggregator()]
        let everyone: [Report] = [.node("org-a"), .node("org-b"), .node("org-c"), .aggregator()]
        var probes: [String] = []
        var fired = false
        let ticks = Array(repeating: silent, count: limit - 1) + [everyone] + Array(repeating: silent, count: limit - 1)
        for (tick, reports) in ticks.enumerated() {
            let outcomes = sentinel.evaluate(try driver.seal(tick: UInt64(tick), reports))
            probes.append(outcomes[3].evaluation?.trace.first ?? "")
            fired = fired || outcomes[2].holds
        }
        #expect(!fired)
        #expect(probes[limit - 2] == "max(missedTicks) = \(limit - 1) (org-b)")
        #expect(probes[limit - 1] == "max(missedTicks) = 0 (aggregator, org-a, org-b, org-c)")
        #expect(probes[limit] == "max(missedTicks) = 1 (org-b)", "counted again from 1")
        #expect(probes.last == "max(missedTicks) = \(limit - 1) (org-b)")
    }

    @Test("only tracked participants get a row when silent: not the aggregator, nor anyone when nobody is tracked")
    func untrackedSilenceHasNoRow() throws {
        var (sentinel, driver, limit) = try silenceSentinel()
        for tick in 0...limit {
            // The aggregator is silent; it is a reporter, not one of the job's nodes.
            let outcomes = sentinel.evaluate(
                try driver.seal(tick: UInt64(tick), [.node("org-a"), .node("org-b"), .node("org-c")]))
            #expect(outcomes[3].evaluation?.trace.first == "max(missedTicks) = 0 (org-a, org-b, org-c)")
            #expect(!outcomes[2].holds)
        }

        var (untracked, untrackedDriver, _) = try silenceSentinel(absenceTracked: [])
        for tick in 0...limit {
            let outcomes = untracked.evaluate(try untrackedDriver.seal(tick: UInt64(tick), [.node("org-a")]))
            #expect(outcomes[3].evaluation?.trace.first == "max(missedTicks) = 0 (org-a)")
            #expect(!outcomes[2].holds)
        }
    }

    @Test("a node silent for maxMissedTicks ticks is isolated by unresponsive, and the release is cleared without it")
    func silentNodeIsolatedThenCleared() throws {
        var loop = try SafetyLoop(Fixtures.defaultPolicyText)
        let limit = try #require(loop.manifest.parameters["maxMissedTicks"])
        let orgB = Fixtures.id("org-b")
        // org-b crashed: no frame, no ack.
        let others: [Report] = [.node("org-a"), .node("org-c"), .aggregator()]
        for tick in 1..<UInt64(limit) {
            let step = try loop.tick(tick, others, silent: ["org-b"])
            #expect(step.commands.isEmpty, "tick \(tick)")
            #expect(step.decision.clearance == nil)
        }
        let step = try loop.tick(UInt64(limit), others, silent: ["org-b"])
        #expect(step.commands.map(\.kind) == [.isolateParty])
        let isolation = try #require(step.commands.first)
        #expect(isolation.subject == orgB)
        #expect(isolation.predicate == "unresponsive")
        #expect(isolation.reason.contains("any(missedTicks >= params.maxMissedTicks) = true (org-b)"))
        #expect(step.settlement.missing.isEmpty, "an isolated node's ack is not awaited")
        #expect(loop.engine.isolated == [orgB])
        #expect(loop.engine.concluded == nil, "the job goes on without it")

        // The control plane closes the collector to an isolated node: it is no longer counted missing.
        loop.driver.isolate("org-b")
        let ready: [Report] = [
            .node("org-a", state: "POSTF"), .node("org-c", state: "DONE"), .aggregator(state: "MERGE"),
        ]
        let last = try loop.tick(UInt64(limit) + 1, ready)
        #expect(last.commands.isEmpty)
        let clearance = try #require(last.decision.clearance)
            .verify(with: loop.federation.control.publicIdentity).value
        #expect(clearance.nodeStates == ["org-a": "POSTF", "org-c": "DONE"])
        #expect(clearance.predicatesEvaluated == ["contribution-bound", "straggler", "unresponsive"])
    }

    @Test("with no predicates there are no outcomes")
    func noPredicates() throws {
        let manifest = try federation.manifest(policy: try Fixtures.policy())
        var driver = TickDriver(federation: federation, manifest: manifest)
        var sentinel = Sentinel(predicates: [], parameters: [:])
        #expect(sentinel.evaluate(try driver.seal(tick: 1, [.node("org-a")])).isEmpty)
    }
}
