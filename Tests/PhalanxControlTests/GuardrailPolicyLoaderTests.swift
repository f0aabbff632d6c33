import Foundation
import PhalanxControl
import PhalanxCore
import Testing

/// A `guardrails.yaml` that must be refused, and where and how.
struct BrokenPolicy: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let line: Int
    let column: Int
    /// Fragments the message must contain: what is wrong and what to do about it.
    let says: [String]

    var testDescription: String { name }
}

@Suite("Loading guardrails.yaml")
struct GuardrailPolicyLoaderTests {
    // MARK: - The default policy

    @Test("the default policy loads: version, parameters, seven predicates and the digest of its bytes")
    func defaultPolicy() throws {
        let policy = try Fixtures.policy()
        #expect(policy.version == "2026.12-1")
        #expect(policy.digest == SHA256Digest.of(Array(Fixtures.defaultPolicyText.utf8)))
        #expect(policy.reference == PolicyReference(version: "2026.12-1", digest: policy.digest))
        #expect(
            policy.parameters == [
                "maxContributionL1": 250, "maxLagMs": 5000, "epsilonLimit": 1.0, "noiseFloorBits": 20,
                "maxMissedTicks": 5, "maxClipRatio": 10,
            ])
        #expect(
            policy.predicates.map(\.id) == [
                "contribution-bound", "straggler", "dp-budget", "noise-floor", "unresponsive", "update-norm",
                "malformed-share",
            ])
        #expect(policy.predicates.map(\.line) == [12, 17, 22, 27, 32, 37, 42])
        #expect(
            policy.predicates.map(\.command) == [
                .abortJob, .observe, .abortJob, .bootstrap, .isolateParty, .isolateParty, .isolateParty,
            ])
        #expect(
            policy.predicates.map(\.severity) == [
                .critical, .warning, .critical, .warning, .critical, .critical, .critical,
            ])
        let bound = try #require(policy.predicate(id: "contribution-bound"))
        #expect(bound.expression.source == "max(contributionL1) > params.maxContributionL1")
        #expect(bound.expression.metricKeys == ["contributionL1"])
        #expect(bound.expression.parameterNames == ["maxContributionL1"])
        #expect(bound.description.hasPrefix("a participant's per-round contribution exceeds"))
        let budget = try #require(policy.predicate(id: "dp-budget"))
        #expect(budget.expression.metricKeys == ["epsilonNext", "epsilonSpent"])
        #expect(budget.expression.forecastKeys.isEmpty)
        let unresponsive = try #require(policy.predicate(id: "unresponsive"))
        #expect(unresponsive.expression.source == "any(missedTicks >= params.maxMissedTicks)")
        #expect(unresponsive.expression.metricKeys == [MetricKey.missedTicks])
        #expect(unresponsive.expression.parameterNames == ["maxMissedTicks"])
        #expect(policy.predicate(id: "no-such") == nil)
    }

    @Test("the digest covers the bytes, not just the meaning: a new comment changes it")
    func digestIsOfBytes() throws {
        let a = try Fixtures.policy()
        let b = try Fixtures.policy(Fixtures.defaultPolicyText + "\n# reviewed\n")
        #expect(a.predicates == b.predicates)
        #expect(a.digest != b.digest)
        #expect(b.digest == SHA256Digest.of(Array((Fixtures.defaultPolicyText + "\n# reviewed\n").utf8)))
    }

    @Test("severity defaults to warning, description to empty, and parameters are optional")
    func defaults() throws {
        let policy = try Fixtures.policy(
            """
            version: "minimal"
            predicates:
              - id: any-lag
                expr: any(lagMs > 100)
                command: A-OBSERVE
            """)
        #expect(policy.parameters.isEmpty)
        let rule = try #require(policy.predicates.first)
        #expect(rule.severity == .warning)
        #expect(rule.description == "")
        #expect(rule.line == 3)
        #expect(try Fixtures.policy("version: \"empty\"\npredicates: []\n").predicates.isEmpty)
    }

    @Test("a policy is read from a file, and a missing file is named")
    func loadFromPath() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "phalanx-ctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("guardrails.yaml").path
        try Data(Fixtures.defaultPolicyText.utf8).write(to: URL(fileURLWithPath: path))
        let policy = try GuardrailPolicyLoader.load(path: path)
        #expect(policy.digest == (try Fixtures.policy()).digest)

        let missing = directory.appendingPathComponent("nope.yaml").path
        let error = try #require(throws: GuardrailPolicyError.self) { try GuardrailPolicyLoader.load(path: missing) }
        #expect(error.file == missing)
        #expect(error.message.contains("cannot read the file"))
    }

    // MARK: - Errors with a position

    static let broken: [BrokenPolicy] = [
        BrokenPolicy(
            name: "not YAML: a key indented under a scalar",
            yaml: "version: \"1\"\n  predicates: []\n",
            line: 2, column: 3, says: ["invalid YAML: did not find expected key"]),
        BrokenPolicy(
            name: "not YAML: a mapping value on a plain scalar's line",
            yaml: "version: \"1\"\npredicates:\n  - id: a: b\n",
            line: 3, column: 10, says: ["invalid YAML: mapping values are not allowed in this context"]),
        BrokenPolicy(
            name: "the top level is a list",
            yaml: "- version\n- predicates\n",
            line: 1, column: 1, says: ["the top level must be a mapping of keys to values"]),
        BrokenPolicy(
            name: "the top level is a scalar",
            yaml: "# a policy\njust text\n",
            line: 2, column: 1, says: ["the top level must be a mapping"]),
        BrokenPolicy(
            name: "an unknown top-level key",
            yaml: "version: \"1\"\nparameter:\n  a: 1\npredicates: []\n",
            line: 2, column: 1,
            says: [
                "unknown key \"parameter\" in the top level; expected one of: escalation, forecast, overrides, "
                    + "parameters, predicates, version"
            ]),
        BrokenPolicy(
            name: "no version",
            yaml: "# a policy\nparameters:\n  a: 1\npredicates: []\n",
            line: 2, column: 1, says: ["missing \"version\" (a string naming this policy version)"]),
        BrokenPolicy(
            name: "an empty version",
            yaml: "version: \"\"\npredicates: []\n",
            line: 1, column: 10, says: ["version must be 1–64 characters"]),
        BrokenPolicy(
            name: "a version that is not a string",
            yaml: "version:\n  major: 1\npredicates: []\n",
            line: 2, column: 3, says: ["version must be a string"]),
        BrokenPolicy(
            name: "no predicates",
            yaml: "version: \"1\"\nparameters:\n  a: 1\n",
            line: 1, column: 1, says: ["missing \"predicates\" (a list of guard-rail predicates)"]),
        BrokenPolicy(
            name: "predicates is a mapping",
            yaml: "version: \"1\"\npredicates:\n  id: a\n",
            line: 3, column: 3, says: ["\"predicates\" must be a list"]),
        BrokenPolicy(
            name: "predicates is a scalar",
            yaml: "version: \"1\"\npredicates: none\n",
            line: 2, column: 13, says: ["\"predicates\" must be a list"]),
        BrokenPolicy(
            name: "a predicate that is not a mapping",
            yaml: "version: \"1\"\npredicates:\n  - straggler\n",
            line: 3, column: 5, says: ["a predicate must be a mapping of keys to values"]),
        BrokenPolicy(
            name: "a misspelt predicate key",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                    comand: A-OBSERVE
                """,
            line: 5, column: 5,
            says: [
                "unknown key \"comand\" in a predicate; expected one of: command, description, expr, for, id, "
                    + "keep_firing_for, severity"
            ]),
        BrokenPolicy(
            name: "a duration without a unit",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                    for: 5
                    command: A-OBSERVE
                """,
            line: 5, column: 10, says: ["for: \"5\" has no unit; write 5s for seconds (one tick each)"]),
        BrokenPolicy(
            name: "a duration with an unknown unit",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                    command: A-OBSERVE
                    keep_firing_for: 1d
                """,
            line: 6, column: 22, says: ["keep_firing_for: unknown unit \"d\" in \"1d\"; use s, m or h"]),
        BrokenPolicy(
            name: "a duration beyond a day",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                    command: A-OBSERVE
                    for: 25h
                """,
            line: 6, column: 10, says: ["for: \"25h\" is longer than the maximum of 24h"]),
        BrokenPolicy(
            name: "a predicate that issues an operator's override",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                    command: A-RESUME
                """,
            line: 5, column: 14, says: ["A-RESUME is a human override; only an operator can sign it"]),
        BrokenPolicy(
            name: "an unknown forecast method",
            yaml: """
                version: "1"
                forecast:
                  method: arima
                predicates: []
                """,
            line: 3, column: 11, says: ["unknown forecast method \"arima\"; expected linear or holt"]),
        BrokenPolicy(
            name: "a Holt forecast without beta",
            yaml: """
                version: "1"
                forecast:
                  method: holt
                  alpha: 0.5
                predicates: []
                """,
            line: 3, column: 3, says: ["forecast method holt needs alpha and beta, each in (0, 1]"]),
        BrokenPolicy(
            name: "a smoothing factor out of range",
            yaml: """
                version: "1"
                forecast:
                  method: holt
                  alpha: 1.5
                  beta: 0.5
                predicates: []
                """,
            line: 4, column: 10, says: ["forecast.alpha must be in (0, 1], got 1.5"]),
        BrokenPolicy(
            name: "an escalation that is not an isolation or an abort",
            yaml: """
                version: "1"
                escalation:
                  ack_retries: 3
                  then: A-OBSERVE
                predicates: []
                """,
            line: 4, column: 9, says: ["escalation.then must be A-ISOLATE_PARTY or A-ABORT_JOB, got \"A-OBSERVE\""]),
        BrokenPolicy(
            name: "too many ack retries",
            yaml: """
                version: "1"
                escalation:
                  ack_retries: 11
                predicates: []
                """,
            line: 3, column: 16, says: ["escalation.ack_retries must be a whole number from 0 to 10"]),
        BrokenPolicy(
            name: "an override range for an undefined parameter",
            yaml: """
                version: "1"
                parameters:
                  limit: 1
                overrides:
                  parameters:
                    limt: { min: 0, max: 2 }
                predicates: []
                """,
            line: 6, column: 5, says: ["overrides.parameters names \"limt\", which is not under \"parameters\""]),
        BrokenPolicy(
            name: "a parameter outside its own override range",
            yaml: """
                version: "1"
                parameters:
                  limit: 5
                overrides:
                  parameters:
                    limit: { min: 0, max: 2 }
                predicates: []
                """,
            line: 6, column: 12, says: ["limit is 5.0, outside its own override range [0.0, 2.0]"]),
        BrokenPolicy(
            name: "an override kind that is not an override",
            yaml: """
                version: "1"
                overrides:
                  two_person: [A-BOOTSTRAP]
                predicates: []
                """,
            line: 3, column: 16, says: ["\"A-BOOTSTRAP\" is not an override"]),
        BrokenPolicy(
            name: "a predicate without a command",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                """,
            line: 3, column: 5, says: ["this predicate has no \"command\""]),
        BrokenPolicy(
            name: "a predicate without an expression",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    command: A-OBSERVE
                """,
            line: 3, column: 5, says: ["this predicate has no \"expr\""]),
        BrokenPolicy(
            name: "a duplicate predicate id",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                    command: A-OBSERVE
                  - id: a
                    expr: any(y > 1)
                    command: A-OBSERVE
                """,
            line: 6, column: 5, says: ["predicate id \"a\" is already used on line 3"]),
        BrokenPolicy(
            name: "a bad predicate id",
            yaml: """
                version: "1"
                predicates:
                  - id: Contribution_Bound
                    expr: any(x > 1)
                    command: A-OBSERVE
                """,
            line: 3, column: 9,
            says: [
                "predicate id \"Contribution_Bound\" must be 1–64 characters of a-z, 0-9 and '-', starting with a letter"
            ]),
        BrokenPolicy(
            name: "an unknown command",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                    command: A-ABORT
                """,
            line: 5, column: 14,
            says: [
                "unknown command \"A-ABORT\"; expected one of: "
                    + "A-BOOTSTRAP, A-ABORT_JOB, A-ISOLATE_PARTY, A-OBSERVE, A-RESTRICT, A-SUSPEND"
            ]),
        BrokenPolicy(
            name: "an unknown severity",
            yaml: """
                version: "1"
                predicates:
                  - id: a
                    expr: any(x > 1)
                    severity: fatal
                    command: A-OBSERVE
                """,
            line: 5, column: 15, says: ["unknown severity \"fatal\"; expected info, warning or critical"]),
        BrokenPolicy(
            name: "a bad parameter name",
            yaml: "version: \"1\"\nparameters:\n  9lives: 3\npredicates: []\n",
            line: 3, column: 3,
            says: ["parameter name \"9lives\" must be letters, digits and '_', not starting with a digit"]),
        BrokenPolicy(
            name: "an undefined parameter",
            yaml: """
                version: "1"
                parameters:
                  maxLagMs: 5000
                predicates:
                  - id: straggler
                    expr: any(lagMs > params.maxLag)
                    command: A-OBSERVE
                """,
            line: 6, column: 11,
            says: ["predicate straggler uses params.maxLag, which is not defined under \"parameters\""]),
        BrokenPolicy(
            name: "a forecast of a metric the control plane derives",
            yaml: """
                version: "1"
                parameters:
                  maxMissed: 3
                predicates:
                  - id: silent-soon
                    expr: any(forecast.missedTicks > params.maxMissed)
                    command: A-OBSERVE
                """,
            line: 6, column: 11,
            says: ["predicate silent-soon reads forecast.missedTicks", "has no forecast; use missedTicks itself"]),
    ]

    @Test("each broken file is refused with its file, line, column and what to do", arguments: broken)
    func brokenFile(_ broken: BrokenPolicy) throws {
        let error = try #require(Fixtures.loadError(broken.yaml))
        #expect(error.file == Fixtures.file)
        #expect(error.line == broken.line)
        #expect(error.column == broken.column)
        for fragment in broken.says {
            #expect(error.message.contains(fragment), "\(error.message)")
        }
        #expect(error.description == "\(Fixtures.file):\(broken.line):\(broken.column): \(error.message)")
    }

    @Test(
        "a YAML syntax error also says what to check"
    )
    func yamlErrorGivesAdvice() throws {
        let error = try #require(Fixtures.loadError("version: \"1\"\n  predicates: []\n"))
        #expect(error.line == 2)
        #expect(error.message.contains("indent"))
    }

    @Test(
        "a parameter must be a plain finite number",
        arguments: ["lots", "\"5000\"", "'5000'", ".inf", "-.inf", ".nan", "1e999", "[1, 2]", "{ms: 5}", "true"]
    )
    func parameterNotANumber(value: String) throws {
        let error = try #require(
            Fixtures.loadError("version: \"1\"\nparameters:\n  maxLagMs: \(value)\npredicates: []\n"))
        #expect(error.line == 3)
        #expect(error.column == 13)
        #expect(error.message == "parameter maxLagMs must be a finite number")
    }

    @Test(
        "plain numbers in the usual spellings are accepted",
        arguments: [("5000", 5000.0), ("-2.5", -2.5), ("1e-3", 0.001)])
    func parameterNumbers(text: String, value: Double) throws {
        let policy = try Fixtures.policy("version: \"1\"\nparameters:\n  p: \(text)\npredicates: []\n")
        #expect(policy.parameters == ["p": value])
    }

    @Test("a file that is not UTF-8 or is empty is refused without a position")
    func notTextOrEmpty() throws {
        let binary = try #require(throws: GuardrailPolicyError.self) {
            try GuardrailPolicyLoader.load([0x76, 0x65, 0xFF, 0xFE], file: Fixtures.file)
        }
        #expect(binary.message == "the file is not UTF-8 text")
        #expect(binary.line == nil && binary.column == nil)
        #expect(binary.description == "guardrails.yaml: the file is not UTF-8 text")
        for text in ["", "# only a comment\n"] {
            let empty = try #require(Fixtures.loadError(text))
            #expect(empty.message.contains("the file is empty; expected version, parameters and predicates"))
        }
    }

    // MARK: - Duplicate keys

    /// A key written twice in one mapping; `line`/`column` locate the repeat, `firstLine` the original.
    static let duplicateKeys: [(broken: BrokenPolicy, firstLine: Int)] = [
        (
            BrokenPolicy(
                name: "a top-level key twice",
                yaml: "version: \"1\"\nversion: \"2\"\npredicates: []\n",
                line: 2, column: 1, says: ["version"]),
            1
        ),
        (
            BrokenPolicy(
                name: "a predicate key twice",
                yaml: """
                    version: "1"
                    predicates:
                      - id: a
                        expr: any(x > 1)
                        expr: any(y > 1)
                        command: A-OBSERVE
                    """,
                line: 5, column: 5, says: ["expr"]),
            4
        ),
    ]

    @Test("a key that appears twice is refused and named", arguments: duplicateKeys)
    func duplicateKeyRefused(_ broken: BrokenPolicy, firstLine: Int) throws {
        let error = try #require(Fixtures.loadError(broken.yaml))
        #expect(error.file == Fixtures.file)
        for key in broken.says {
            #expect(error.message.contains("\"\(key)\"") || error.message.contains("'\(key)'"))
        }
    }

    @Test(
        "a key that appears twice is located at one of its occurrences",
        arguments: duplicateKeys
    )
    func duplicateKeyLocated(_ broken: BrokenPolicy, firstLine: Int) throws {
        let error = try #require(Fixtures.loadError(broken.yaml))
        let line = try #require(error.line)
        let column = try #require(error.column)
        #expect(line == broken.line || line == firstLine)
        #expect(column == broken.column)
        #expect(error.description.hasPrefix("\(Fixtures.file):\(line):\(column): "))
        for key in broken.says {
            #expect(error.message.contains("\"\(key)\"") || error.message.contains("'\(key)'"))
        }
    }

    // MARK: - Expression errors inside the file

    /// `any(x > 1) and y < 2` breaks the rule that metrics appear only inside aggregates, at `y`.
    static let expressionStyles: [(style: String, expr: String, line: Int, column: Int)] = [
        ("plain", "expr: any(x > 1) and y < 2", 4, 26),
        ("double-quoted", "expr: \"any(x > 1) and y < 2\"", 4, 27),
        ("single-quoted", "expr: 'any(x > 1) and y < 2'", 4, 27),
        ("literal block, first line", "expr: |\n      y < 2 and any(x > 1)", 5, 7),
        // On later lines of a block the column counts from the block's indentation (docs/guardrails.md, Errors).
        ("literal block, later line", "expr: |\n      any(x > 1)\n        and y < 2", 6, 7),
        ("stripped literal block, later line", "expr: |-\n      any(x > 1)\n        and y < 2", 6, 7),
    ]

    @Test("an expression error points into the YAML", arguments: expressionStyles)
    func expressionErrorPosition(style: String, expr: String, line: Int, column: Int) throws {
        let yaml = """
            version: "1"
            predicates:
              - id: a
                \(expr)
                command: A-OBSERVE
            """
        let error = try #require(Fixtures.loadError(yaml), "\(style)")
        #expect(error.line == line, "\(style)")
        #expect(error.column == column, "\(style)")
        #expect(error.message.hasPrefix("metric 'y' is used outside an aggregate"), "\(style)")
        #expect(error.description.hasPrefix("guardrails.yaml:\(line):\(column): metric 'y'"), "\(style)")
        // The expression's own "line:column: " prefix is replaced by the file's, not repeated.
        #expect(error.description.components(separatedBy: "\(line):\(column)").count == 2, "\(style)")
        #expect(!error.message.hasPrefix("\(line):"), "\(style)")
        #expect(error.message.contains("hint:"), "\(style)")
    }

    @Test("a syntax error shows the expression line with the problem underlined")
    func expressionSyntaxError() throws {
        let error = try #require(
            Fixtures.loadError(
                """
                version: "1"
                predicates:
                  - id: a
                    expr: max(x) = 1
                    command: A-OBSERVE
                """))
        #expect(error.line == 4)
        #expect(error.column == 18)
        #expect(
            error.description.hasPrefix(
                "guardrails.yaml:4:18: unexpected character '='\n    max(x) = 1\n           ^"))
        #expect(error.message.contains("use '=='"))
    }

    // MARK: - Selecting predicates for a job

    @Test("the plain provider's keys enable only the predicates it can feed")
    func selectionForPlain() throws {
        let policy = try Fixtures.policy()
        let selection = policy.selection(
            availableMetricKeys: Fixtures.plain.metricKeys.union(MetricKey.alwaysAvailable))
        #expect(selection.enabled.map(\.id) == ["contribution-bound", "straggler", "unresponsive"])
        #expect(selection.disabled.map(\.rule.id) == ["dp-budget", "noise-floor", "update-norm", "malformed-share"])
        #expect(
            selection.disabled.map(\.missingKeys) == [
                ["epsilonNext", "epsilonSpent"], ["noiseBits"], ["clipRatioL2"], ["invalidShares"],
            ])
    }

    @Test("with every key everything is enabled; with none, every predicate lists what it misses")
    func selectionExtremes() throws {
        let policy = try Fixtures.policy()
        let all = policy.selection(
            availableMetricKeys: [
                "contributionL1", "lagMs", "epsilonSpent", "epsilonNext", "noiseBits", "missedTicks", "invalidShares",
                "clipRatioL2",
            ])
        #expect(all.enabled.count == 7)
        #expect(all.disabled.isEmpty)
        let none = policy.selection(availableMetricKeys: [])
        #expect(none.enabled.isEmpty)
        #expect(
            none.disabled.map(\.missingKeys) == [
                ["contributionL1"], ["lagMs"], ["epsilonNext", "epsilonSpent"], ["noiseBits"], ["missedTicks"],
                ["clipRatioL2"], ["invalidShares"],
            ])
    }

    @Test("missing keys are sorted and include forecast-only keys")
    func selectionMissingKeys() throws {
        let policy = try Fixtures.policy(
            """
            version: "1"
            predicates:
              - id: two-keys
                expr: any(zeta > 1) or max(forecast.alpha) > 2 or any(lagMs > 1)
                command: A-OBSERVE
            """)
        let selection = policy.selection(availableMetricKeys: ["lagMs"])
        #expect(selection.enabled.isEmpty)
        #expect(selection.disabled.first?.missingKeys == ["alpha", "zeta"])
        #expect(policy.selection(availableMetricKeys: ["lagMs", "zeta", "alpha"]).enabled.map(\.id) == ["two-keys"])
    }
}
