import PhalanxControl
import PhalanxCore
import PhalanxFederation

/// What a process needs from the runtime it hosts (a node's or the aggregator's): the same tick phases as in
/// one process, plus a way to leave a job the control plane no longer runs.
public protocol HostedRuntime: Actor {
    var stateName: String { get }
    /// The job is over for this participant (a new announcement starts a new runtime).
    var isTerminal: Bool { get }
    var jobId: SHA256Digest? { get }
    var holdsJobSecrets: Bool { get }
    func step(tick: UInt64, tickStart: ContinuousClock.Instant) async throws
    func handleCommands(tick: UInt64) async throws
    func takeEvents() -> [JobEvent]
    func abandon(reason: String) throws -> Bool
    /// The conservative mode a node takes when it loses the control plane; `false` undoes it.
    func setFallback(_ active: Bool)
    /// The ladder commands applied since the last call, as signed by the control plane (a node's; none for the
    /// aggregator).
    func takeLadderCommands() -> [Signed<ACommand>]
}

extension NodeRuntime: HostedRuntime {
    public var stateName: String { state.rawValue }
    public var isTerminal: Bool { state == .done || state == .aborted }
    public func setFallback(_ active: Bool) { fallBack(active) }
}

extension AggregatorRuntime: HostedRuntime {
    public var stateName: String { state.rawValue }
    public var isTerminal: Bool { state == .finalize || state == .aborted }
    public var holdsJobSecrets: Bool { jobId != nil && !isTerminal }
    public func setFallback(_ active: Bool) {}
    public func takeLadderCommands() -> [Signed<ACommand>] { [] }
}
