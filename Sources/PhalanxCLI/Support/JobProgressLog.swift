import Foundation
import PhalanxWire

/// What a job's progress stream said, kept for after the job (`job submit`'s node list, `demo --processes`'s
/// report). The stream's callback runs on another task, hence the lock.
final class JobProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var admittedJob: Phalanx_Federation_V1_JobAdmitted?
    private var states: [String: String] = [:]

    func record(_ update: Phalanx_Federation_V1_JobProgress) {
        lock.withLock {
            switch update.update {
            case .admitted(let admitted): admittedJob = admitted
            case .tick(let tick): states.merge(tick.states) { $1 }
            default: break
            }
        }
    }

    /// The admission, once the control plane admitted the job.
    var admitted: Phalanx_Federation_V1_JobAdmitted? { lock.withLock { admittedJob } }
    /// Each participant's last reported state.
    var finalStates: [String: String] { lock.withLock { states } }
}
