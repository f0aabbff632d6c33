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
        var sentinel = Sentinel(predicates: rules, parameters: manifest.parameters)
        #expect(sentinel.predicates.map(\.id) == ["contribution-bound", "straggler"])
        var driver = TickDriver(federation: federation, manifest: manifest)
        let batch = try driver.seal(
            tick: 1,
            [
                .node("org-a", l1: 120, lagMs: 6_000), .node("org-b", l1: 300), .node("org-c", l1: 250),
                .aggregator(l1: 300),
            ])
        let outcomes = sentinel.evaluate(batch)
        #expect(outcomes.map(\.rule.id) == ["contribution-bound", "straggler"])

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
    }

    @Test("nothing holds on a quiet tick")
    func quietTick() throws {
        let policy = try Fixtures.policy()
        let manifest = try federation.manifest(policy: policy)
        var sentinel = Sentinel(
            predicates: manifest.predicates.compactMap(policy.predicate(id:)), parameters: manifest.parameters)
        var driver = TickDriver(federation: federation, manifest: manifest)
        let batch = try driver.seal(tick: 1, [.node("org-a"), .node("org-b"), .node("org-c"), .aggregator()])
        let outcomes = sentinel.evaluate(batch)
        #expect(outcomes.count == 2)
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

    @Test("with no predicates there are no outcomes")
    func noPredicates() throws {
        let manifest = try federation.manifest(policy: try Fixtures.policy())
        var driver = TickDriver(federation: federation, manifest: manifest)
        var sentinel = Sentinel(predicates: [], parameters: [:])
        #expect(sentinel.evaluate(try driver.seal(tick: 1, [.node("org-a")])).isEmpty)
    }
}
