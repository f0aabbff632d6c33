import PhalanxControl

/// Fuzzes `guardrails.yaml` loading end to end: UTF-8 check, YAML (Yams), the policy's structure and every
/// predicate's expression.
///
/// A refusal must be a ``GuardrailPolicyError`` (the loader's only error type) whose line and column, when
/// given, are at least 1. A policy that loads has only predicates whose parameters are defined, so every
/// predicate must evaluate against the policy's own parameters, over participants drawn from the input,
/// without throwing at all.
struct GuardrailsFuzzTarget: FuzzTarget {
    let name = "guardrails"
    let isTextual = true
    let maximumInputSize = 16 * 1_024
    static let file = "fuzz.yaml"

    var seeds: [[UInt8]] { Self.policies.map { Array($0.utf8) } }

    /// The embedded default policy and policies from the loader's tests and `docs/guardrails.md`.
    static let policies = [
        DefaultPolicy.text,
        """
        version: "minimal"
        predicates:
          - id: any-lag
            expr: any(lagMs > 100)
            command: A-OBSERVE
        """,
        "version: \"empty\"\npredicates: []\n",
        """
        version: 'quoted and block'
        parameters: {limit: 1e3, floor: -2.5}
        predicates:
          - {id: flow-style, expr: "max(x) > params.limit", command: A-SUSPEND, severity: info}
          - id: folded
            description: >
              spans
              lines
            expr: |
              any(
                lagMs > params.limit
              ) or min(forecast.noiseBits) < params.floor
            severity: critical
            command: A-ISOLATE_PARTY
          - id: single-quoted
            expr: 'count(a > 1 and not (b < 2)) >= 2'
            command: A-RESTRICT
        """,
        """
        # comments and CRLF line ends\r
        version: "crlf"\r
        parameters:\r
          maxLagMs: 5000\r
        predicates:\r
          - id: straggler\r
            expr: "any(lagMs > params.maxLagMs)"\r
            command: A-OBSERVE\r
        """,
    ]

    let dictionary: [[UInt8]] = [
        "version", "parameters", "predicates", "id", "description", "expr", "severity", "command", "for",
        "keep_firing_for", ": ", ":", "- ", "-", "? ", "\n", "\n  ", "\n    - ", "\r\n", "\t", " ", "#", "'", "\"",
        "|", ">", "|-", ">+", "[", "]", "{", "}", ",", "&a ", "*a", "<<: ", "!!str ", "!!float ", "!!binary ",
        "!<tag:yaml.org,2002:str> ", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "---\n", "...\n", "~", "null", ".nan",
        ".inf", "-.inf", "1e309", "0x1F", "0o17", "1_000", "true", "A-ABORT_JOB", "A-OBSERVE", "critical", "info",
        "\\u0000", "\\x41", "\\", "\u{0}", "\u{FEFF}", "\u{85}", "\u{2028}", "é", "max(x) > params.limit",
        "any(", "params.", "forecast.", ")", " or ", " and ", "not ",
    ].map { Array($0.utf8) }

    let nesting = [
        FuzzNesting("[", "]"), FuzzNesting("{a: ", "}"), FuzzNesting("- "), FuzzNesting("? "),
        FuzzNesting("(", ")"), FuzzNesting("not "),
    ]

    func run(_ input: [UInt8]) throws -> FuzzOutcome {
        let policy: GuardrailPolicy
        do {
            policy = try GuardrailPolicyLoader.load(input, file: Self.file)
        } catch {
            guard error.line.map({ $0 >= 1 }) ?? true, error.column.map({ $0 >= 1 }) ?? true,
                error.file == Self.file
            else {
                throw FuzzInvariantViolation("error places itself at \(error.description.prefix(200))")
            }
            return .rejected(FuzzReason.normalize(error.message))
        }
        var rng = FuzzRandom(hashing: input)
        var fired = 0
        for rule in policy.predicates {
            let context = ExpressionFuzzTarget.context(
                for: rule.expression, parameters: policy.parameters, using: &rng)
            do {
                let evaluation = try rule.expression.evaluate(context)
                try ExpressionFuzzTarget.checkOffenders(evaluation)
                if evaluation.holds { fired += 1 }
            } catch let error as ExpressionError {
                throw FuzzInvariantViolation(
                    "predicate \(rule.id) of a loaded policy failed to evaluate with the policy's parameters: \(error)")
            }
        }
        _ = policy.selection(availableMetricKeys: ["contributionL1", "lagMs", "opLatencyMs"])
        if policy.predicates.isEmpty { return .accepted("loaded; no predicates") }
        return .accepted(fired > 0 ? "loaded; a predicate fires" : "loaded; no predicate fires")
    }
}
