import PhalanxCore

/// A human override the control engine has verified and queued for the next decision.
public struct VerifiedOverride: Sendable, Hashable {
    /// The operator's signed command.
    public let envelope: Signed<ACommand>
    public let command: ACommand
    /// The operators who approved it, with the digests of their signed approvals.
    public let approvals: [ParticipantID: SHA256Digest]
}

/// Why an override was refused. Nothing about the job changes.
public struct OverrideRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// The claimed operator (the envelope's signer).
    public let operatorID: ParticipantID
    public let command: CommandID?
    public let message: String

    public var description: String { message }
}

extension ControlEngine {
    /// Verifies a human override and queues it for the next decision.
    ///
    /// Checks, in order: the command's signature, by an identity whose role is `operator` (a node's or the control
    /// plane's own key is refused); a non-empty reason; that it names this job and was not applied before; that its
    /// kind is an override (`A-RESUME`, `A-ABORT_JOB`, `A-SET_PARAMETER`); for `A-RESUME` that its targets are
    /// participants of the job; for `A-SET_PARAMETER` that the parameter is adjustable and the value in its range;
    /// and, when the policy asks for two people, at least one valid approval by a *different* operator of exactly this
    /// signed command.
    public mutating func receiveOverride(
        _ request: OverrideRequest, roster: FederationRoster
    ) -> Result<VerifiedOverride, OverrideRefusal> {
        let signer = request.command.signer
        func refuse(_ message: String, _ id: CommandID? = nil) -> Result<VerifiedOverride, OverrideRefusal> {
            .failure(OverrideRefusal(operatorID: signer, command: id, message: message))
        }
        let command: ACommand
        do {
            command = try request.command.verify(with: roster).value
        } catch {
            return refuse("the override's signature does not verify: \(error)")
        }
        guard roster.identity(for: command.issuer)?.role == .operator else {
            return refuse("\(command.issuer) is not an operator; only operator keys may sign overrides", command.id)
        }
        guard !command.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return refuse("an override must carry a reason", command.id)
        }
        guard command.jobId == jobId else { return refuse("the override names another job", command.id) }
        guard !appliedOverrides.contains(command.id) else {
            return refuse("override \(command.id) was already applied", command.id)
        }
        switch command.kind {
        case .resume:
            guard !command.targets.isEmpty, command.targets.allSatisfy(manifest.participants.reporters.contains) else {
                return refuse("A-RESUME must target participants of the job", command.id)
            }
        case .abortJob:
            break
        case .setParameter:
            guard let name = command.parameter, let value = command.value else {
                return refuse("A-SET_PARAMETER needs a parameter and a value", command.id)
            }
            guard let range = overrides.parameters[name] else {
                let adjustable = overrides.parameters.keys.sorted().joined(separator: ", ")
                return refuse(
                    "parameter \(name) cannot be overridden; adjustable: \(adjustable.isEmpty ? "none" : adjustable)",
                    command.id)
            }
            guard range.contains(value) else {
                return refuse(
                    "\(name) = \(value) is outside its allowed range [\(range.minimum), \(range.maximum)]", command.id)
            }
        default:
            let kinds = OverridePolicy.allowedKinds.map(\.rawValue).joined(separator: ", ")
            return refuse("\(command.kind.rawValue) is not an override; expected one of: \(kinds)", command.id)
        }
        var approvals: [ParticipantID: SHA256Digest] = [:]
        for envelope in request.approvals {
            guard let approval = try? envelope.verify(with: roster).value,
                roster.identity(for: approval.approver)?.role == .operator, approval.approver != command.issuer,
                approval.commandId == command.id, approval.commandDigest == request.command.digest,
                !approval.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else { continue }
            approvals[approval.approver] = envelope.digest
        }
        if overrides.needsTwoOperators(command), approvals.isEmpty {
            return refuse(
                "\(command.kind.rawValue)\(command.parameter.map { " of \($0)" } ?? "") needs a second operator: "
                    + "no valid approval by another operator of this signed command", command.id)
        }
        let verified = VerifiedOverride(envelope: request.command, command: command, approvals: approvals)
        appliedOverrides.insert(command.id)
        pendingOverrides.append(verified)
        return .success(verified)
    }

    /// Carries out a verified override in a decision.
    mutating func apply(
        _ verified: VerifiedOverride, tick: UInt64, nowMs: Int64, into decision: inout Decision
    )
        throws
    {
        let command = verified.command
        let approvers = verified.approvals.keys.sorted().map(\.rawValue).joined(separator: ", ")
        let reason =
            "override by \(command.issuer)\(approvers.isEmpty ? "" : ", approved by \(approvers)"): \(command.reason)"
        switch command.kind {
        case .resume:
            let targets = command.targets.filter { !isolated.contains($0) }
            for target in targets { clearLadder(target) }
            if !targets.isEmpty {
                decision.commands.append(
                    try sign(.resume, targets: targets, predicate: nil, reason: reason, tick: tick, nowMs: nowMs))
            }
        case .abortJob:
            guard concluded == nil else { return }
            decision.commands.append(
                try sign(
                    .abortJob, targets: manifest.participants.reporters, predicate: nil, reason: reason, tick: tick,
                    nowMs: nowMs))
            concluded = .aborting(predicate: "operator")
        default:
            // A-SET_PARAMETER changes the sentinel's parameters; the control plane applies it from the decision.
            return
        }
    }
}
