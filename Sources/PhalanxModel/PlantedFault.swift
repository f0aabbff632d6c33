/// A deliberate bug the model can be built with, to show that the checker is not vacuous: each must produce a
/// counterexample.
public enum PlantedFault: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The command gateway forgets its seen-set: a retried or duplicated command id is executed again instead of
    /// being acknowledged as `duplicate`.
    case noAckDeduplication = "no-ack-dedup"
    /// The seen-set lives only in memory (as `CommandGateway.executed` does today): after a crash and restart a
    /// retried command id is executed again.
    case volatileCommandLog = "volatile-command-log"
    /// The control engine signs the release clearance even in a tick in which a predicate holds, so the
    /// aggregator can go from MERGE to FINALIZE with a firing predicate.
    case finalizeWithFiringPredicate = "finalize-with-firing-predicate"
    /// The job timeout also aborts a job the control plane has already cleared, so nodes can be aborted while
    /// the aggregator is in FINALIZE.
    case timeoutAfterClearance = "timeout-after-clearance"
    /// The control plane records a missing ack but never re-sends the command (the runtime's behaviour today).
    case noAckRetry = "no-ack-retry"
    /// No job timeout: a job whose contributions were lost waits forever.
    case noJobTimeout = "no-job-timeout"

    /// The property the fault is expected to break.
    public var breaks: ModelProperty {
        switch self {
        case .noAckDeduplication, .volatileCommandLog: .atMostOnce
        case .finalizeWithFiringPredicate, .timeoutAfterClearance: .releaseSafety
        case .noAckRetry, .noJobTimeout: .termination
        }
    }

    public var description: String {
        switch self {
        case .noAckDeduplication: "the command gateway executes a command id it has already seen"
        case .volatileCommandLog: "the command gateway's seen-set is lost when a participant restarts"
        case .finalizeWithFiringPredicate: "the release clearance ignores predicates that hold"
        case .timeoutAfterClearance: "the job timeout aborts a job that was already cleared"
        case .noAckRetry: "a missing ack is recorded but the command is never re-sent"
        case .noJobTimeout: "the job has no timeout"
        }
    }
}
