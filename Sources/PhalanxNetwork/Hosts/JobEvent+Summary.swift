import PhalanxControl
import PhalanxCore

extension JobEvent {
    /// One line for logs and the progress a `job submit` prints; `nil` for events too fine-grained to show.
    public var summary: String? {
        switch self {
        case .admitted(let jobId, let plugin, let provider, let enabled, _):
            "admitted job \(jobId.short)…: \(plugin) on \(provider.name); guard-rails \(enabled.joined(separator: ", "))"
        case .refused(let error): "refused: \(error.description)"
        case .announced(_, let participants): "announced to \(participants) participants"
        case .transition(let participant, let machine, let from, let event, let to):
            "\(participant) (\(machine)) \(from) --\(event)--> \(to)"
        case .contributionSent: nil
        case .incident(let kind, let round, let offenders, let detail):
            "incident \(kind) in round \(round): \(offenders.keys.sorted().joined(separator: ", ")) — \(detail)"
        case .roundMerged(let round, let contributors):
            "round \(round) merged from \(contributors.count) node(s): \(contributors.map(\.rawValue).joined(separator: ", "))"
        case .frameRejected(_, let signer, let reason): "✗ frame claiming \(signer) rejected: \(reason.rawValue)"
        case .tickSealed(_, let accepted, let rejected, let missing):
            missing.isEmpty && rejected == 0
                ? nil
                : "tick sealed: \(accepted) frame(s), \(rejected) rejected, missing \(missing.map(\.rawValue).joined(separator: ", "))"
        case .predicateHeld(_, let predicate, let severity, let command, _, let offenders):
            "⚠ \(predicate) (\(severity)) held\(offenders.isEmpty ? "" : " for \(offenders.joined(separator: ", "))") → \(command.rawValue)"
        case .predicatePending(_, let predicate, let held, let needed): "… \(predicate) held \(held)/\(needed) ticks"
        case .commandIssued(_, let command):
            "→ \(command.kind.rawValue)\(command.subject.map { " \($0)" } ?? "") (\(command.id.description.prefix(8))…)"
        case .commandResent(_, let participant, let command, let attempt):
            "↻ resent \(command.description.prefix(8))… to \(participant) (attempt \(attempt))"
        case .overrideApplied(_, let command, let approvers):
            "override \(command.kind.rawValue) applied (approved by \(approvers.map(\.rawValue).joined(separator: ", ")))"
        case .overrideRefused(_, let operatorID, let reason): "override by \(operatorID) refused: \(reason)"
        case .commandExecuted(let participant, _, let kind, let outcome, let state):
            "\(participant) executed \(kind.rawValue): \(outcome.rawValue), now \(state)"
        case .ackReceived: nil
        case .ackMissing(_, let participant, let command):
            "ack missing from \(participant) for \(command.description.prefix(8))…"
        case .clearanceIssued: "✓ release cleared"
        case .finalized(let outputs): "FINALIZED: \(outputs.count) output(s) released"
        case .aborted(let reason): "ABORTED: \(reason)"
        case .messageRefused(let participant, let kind, let reason): "\(participant) refused a \(kind): \(reason)"
        }
    }
}
