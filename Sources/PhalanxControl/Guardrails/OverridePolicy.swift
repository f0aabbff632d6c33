import PhalanxCore

/// What human operators may override, from `overrides:` in `guardrails.yaml`.
///
/// An override is an A-command signed by an `operator` identity (never a node's or the control plane's key) that
/// carries a non-empty reason: `A-RESUME` (lift a participant's local-agent ladder, including a suspension),
/// `A-ABORT_JOB` (force-abort) or `A-SET_PARAMETER` (change a policy parameter). A parameter may only be changed if
/// it is listed here, and only to a value inside its range. Overrides listed as two-person — by kind, or per
/// parameter — take effect only once a second, distinct operator has signed an approval of the same command.
public struct OverridePolicy: Hashable, Sendable {
    /// The range an operator may set a parameter to, and whether changing it needs two operators.
    public struct ParameterRange: Hashable, Sendable {
        public var minimum: Double
        public var maximum: Double
        public var twoPerson: Bool

        public init(minimum: Double, maximum: Double, twoPerson: Bool = false) {
            self.minimum = minimum
            self.maximum = maximum
            self.twoPerson = twoPerson
        }

        public func contains(_ value: Double) -> Bool { value.isFinite && minimum <= value && value <= maximum }
    }

    /// The parameters operators may change; every other parameter is fixed for the job.
    public var parameters: [String: ParameterRange]
    /// Override kinds that need two distinct operators.
    public var twoPerson: Set<CommandKind>

    /// The commands an operator may sign.
    public static let allowedKinds: [CommandKind] = [.resume, .abortJob, .setParameter]
    /// Nothing adjustable; lifting a ladder needs two operators.
    public static let `default` = OverridePolicy(parameters: [:], twoPerson: [.resume])

    public init(parameters: [String: ParameterRange], twoPerson: Set<CommandKind>) {
        self.parameters = parameters
        self.twoPerson = twoPerson
    }

    /// Whether `command` needs a second operator's approval.
    public func needsTwoOperators(_ command: ACommand) -> Bool {
        if twoPerson.contains(command.kind) { return true }
        if command.kind == .setParameter, let name = command.parameter { return parameters[name]?.twoPerson ?? false }
        return false
    }
}
