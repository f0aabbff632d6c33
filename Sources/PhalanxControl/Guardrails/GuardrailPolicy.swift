import PhalanxCore

/// A loaded `guardrails.yaml`: a versioned set of predicates and the parameters they reference.
public struct GuardrailPolicy: Sendable {
    /// The file's `version` string.
    public let version: String
    /// SHA-256 of the file's bytes; a manifest pins the policy by this digest.
    public let digest: SHA256Digest
    public let parameters: [String: Double]
    public let predicates: [PredicateRule]
    /// How the sentinel forecasts the next tick (`forecast:`).
    public let forecast: ForecastSettings
    /// What happens when an ack is missing (`escalation:`).
    public let escalation: EscalationPolicy
    /// What operators may change and which overrides need two of them (`overrides:`).
    public let overrides: OverridePolicy

    public init(
        version: String, digest: SHA256Digest, parameters: [String: Double], predicates: [PredicateRule],
        forecast: ForecastSettings = .default, escalation: EscalationPolicy = .default,
        overrides: OverridePolicy = .default
    ) {
        self.version = version
        self.digest = digest
        self.parameters = parameters
        self.predicates = predicates
        self.forecast = forecast
        self.escalation = escalation
        self.overrides = overrides
    }

    public var reference: PolicyReference { PolicyReference(version: version, digest: digest) }

    public func predicate(id: String) -> PredicateRule? { predicates.first { $0.id == id } }

    /// Splits the predicates into those a job can evaluate with `availableMetricKeys` and those it cannot.
    public func selection(availableMetricKeys: Set<String>) -> PolicySelection {
        var selection = PolicySelection(enabled: [], disabled: [])
        for rule in predicates {
            let missing = rule.expression.metricKeys.subtracting(availableMetricKeys).sorted()
            if missing.isEmpty {
                selection.enabled.append(rule)
            } else {
                selection.disabled.append(.init(rule: rule, missingKeys: missing))
            }
        }
        return selection
    }
}

/// How serious a predicate's firing is.
public enum Severity: String, Hashable, Sendable, Codable, CaseIterable {
    case info, warning, critical
}

/// One guard-rail predicate: when its expression holds in a sealed tick, the control plane issues `command`.
public struct PredicateRule: Sendable, Hashable {
    public let id: String
    public let description: String
    public let expression: GuardrailExpression
    public let severity: Severity
    public let command: CommandKind
    /// `for:`: how long the expression must hold, in consecutive ticks, before the predicate fires (0: at once).
    /// Until then it is *pending*: no command is sent, but no release is cleared either.
    public let pendingFor: GuardrailDuration
    /// `keep_firing_for:`: how long the predicate keeps firing after its expression stopped holding, so that a
    /// value hovering around a threshold does not flap between firing and resolved.
    public let keepFiringFor: GuardrailDuration
    /// Where the predicate starts in its file (1-based).
    public let line: Int

    /// Commands only an operator may sign: a predicate naming one is refused when the policy loads.
    public static let operatorOnlyCommands: Set<CommandKind> = [.resume, .setParameter]

    public init(
        id: String, description: String, expression: GuardrailExpression, severity: Severity, command: CommandKind,
        pendingFor: GuardrailDuration = .zero, keepFiringFor: GuardrailDuration = .zero, line: Int
    ) {
        self.id = id
        self.description = description
        self.expression = expression
        self.severity = severity
        self.command = command
        self.pendingFor = pendingFor
        self.keepFiringFor = keepFiringFor
        self.line = line
    }
}

/// Which predicates a job enables, and why the others are off.
public struct PolicySelection: Sendable {
    public struct Disabled: Sendable {
        public let rule: PredicateRule
        /// Metric keys the predicate needs that the job's provider does not emit.
        public let missingKeys: [String]
    }

    public var enabled: [PredicateRule]
    public var disabled: [Disabled]
}
