import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxLedger

/// Turns a run's events into a short human-readable story.
struct DemoStory {
    let report: FederationRun.Report

    var outcomeLine: String {
        switch report.outcome {
        case .finalized: "job \(report.manifest.hash.short)… FINALIZED after \(report.ticks) ticks; result released"
        case .aborted:
            "job \(report.manifest.hash.short)… ABORTED cleanly after \(report.ticks) ticks; nothing was released"
        case .refused: "job \(report.manifest.hash.short)… REFUSED at admission"
        }
    }

    func render() -> String {
        var out: [String] = []
        let config = report.configuration
        let participants = report.manifest.participants
        out.append(
            "Phalanx demo — \(participants.nodes.count) organizations count the prompts their safety agents blocked,")
        out.append("without pooling their logs.\(config.fault.map { " Injected fault: \($0) — \($0.summary)." } ?? "")")
        out.append("")
        out.append("1. Federation")
        let sectors = config.profiles.map { "\($0.id) (\($0.sector))" }.joined(separator: ", ")
        out.append("   nodes: \(sectors)")
        out.append(
            "   plus \(participants.aggregator) and \(participants.control); \(report.roster.members.count) fresh Ed25519 identities."
        )
        out.append("   Each node holds \(config.rounds) day(s) of its own safety-event log; rows never leave the node.")
        out.append("")
        out.append("2. Admission")
        for (_, event) in report.events {
            switch event {
            case .admitted(let jobId, let plugin, let provider, let enabled, let disabled):
                out.append(
                    "   plug-in \(plugin) (IR digest \(report.manifest.plugin.digest.short)…) on execution provider \"\(provider.name)\""
                )
                out.append("   protection: \(provider.protection)")
                out.append(
                    "   opcodes \(report.manifest.opcodes.map(\.rawValue).joined(separator: ", ")): all implemented")
                out.append(
                    "   guard-rails \(report.manifest.guardrails.version): enabled \(enabled.joined(separator: ", "))")
                for d in disabled {
                    out.append(
                        "     disabled \(d.id): needs \(d.missing.joined(separator: ", ")), which \(provider.name) does not emit"
                    )
                }
                if let plan = report.manifest.privacy { out += renderPlan(plan) }
                out.append("   admitted: job \(jobId.short)… (the manifest's SHA-256 names the job everywhere)")
            case .refused(let error):
                out.append("   " + error.description.replacingOccurrences(of: "\n", with: "\n   "))
            default: continue
            }
        }
        out.append("")
        out.append("3. Ticks (sense → predict → act → prove)")
        let byTick = Dictionary(grouping: report.events.compactMap { e in e.tick.map { ($0, e.event) } }, by: \.0)
        for tick in byTick.keys.sorted() {
            out.append(contentsOf: renderTick(tick, byTick[tick]!.map(\.1)))
        }
        out.append("")
        switch report.outcome {
        case .finalized(let result):
            out.append("4. Result (released after the control plane's clearance)")
            out.append(contentsOf: renderResult(result.outputs))
        case .aborted(let reason):
            out.append("4. Abort")
            out.append("   \(reason)")
            let aborted = report.finalNodeStates.values.filter { $0 == .aborted }.count
            let wiped = report.secretsWiped.values.filter { $0 }.count
            out.append(
                "   \(aborted)/\(report.finalNodeStates.count) nodes ABORTED, provider secrets wiped on \(wiped); aggregator \(report.finalAggregatorState.rawValue), holding \(report.aggregatorHeldOutputs) output(s)."
            )
            out.append("   Nothing was released.")
        case .refused:
            out.append("4. Nothing ran: the job was refused before any data moved.")
        }
        out.append(contentsOf: renderBudgets())
        out.append("")
        out.append(
            "5. Audit ledger (RFC 9162 Merkle log in SQLite, checkpoints signed by \(report.manifest.participants.control))"
        )
        let kinds = Dictionary(grouping: report.ledgerEntries, by: \.record.kind).mapValues(\.count)
        let summary = kinds.keys.sorted().map { "\(kinds[$0]!) \($0)" }.joined(separator: ", ")
        out.append("   \(report.ledgerEntries.count) entries (\(summary))")
        out.append("   latest checkpoint (C2SP signed note):")
        for line in report.checkpoint.rendered.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            out.append("     " + line)
        }
        let verification = report.verification
        out.append("   verifier key: \(verification.verifierKey ?? "?")")
        if verification.isValid {
            out.append(
                "   verify: \(verification.entries) entries rehashed, \(verification.checkpoints) checkpoint signatures and roots check out"
            )
        } else {
            out.append("   verify FAILED: \(verification.firstProblem?.message ?? "?")")
        }
        let rejected = report.rejectionCounts.values.reduce(0, +)
        let accepted = report.ledgerEntries.reduce(0) { n, e in
            if case .framesSealed(_, _, let frames, _, _) = e.record { return n + frames.count }
            return n
        }
        out.append(
            "   telemetry: \(accepted) frames accepted, \(rejected) rejected; \(report.messageCounts.values.reduce(0, +)) signed messages, \(report.messageBytes) bytes"
        )
        out.append("")
        out.append(outcomeLine + String(format: " (%.2f s)", report.wallSeconds))
        return out.joined(separator: "\n")
    }

    private func renderTick(_ tick: UInt64, _ events: [JobEvent]) -> [String] {
        let label = "   tick \(tick)"
        let indent = String(repeating: " ", count: max(label.count + 2, 11))
        var lines: [String] = []
        // States: each participant's transitions this tick as one chain (PREF→INF→INF), grouped by chain.
        var chains: [(participant: ParticipantID, states: [String])] = []
        for case .transition(let p, _, let from, _, let to) in events {
            if let i = chains.firstIndex(where: { $0.participant == p }) {
                chains[i].states.append(to)
            } else {
                chains.append((p, [from, to]))
            }
        }
        var groups: [(chain: String, who: [String])] = []
        for (participant, states) in chains {
            let chain = states.joined(separator: "→")
            if let i = groups.firstIndex(where: { $0.chain == chain }) {
                groups[i].who.append(participant.rawValue)
            } else {
                groups.append((chain, [participant.rawValue]))
            }
        }
        let nodeCount = report.manifest.participants.nodes.count
        let states = groups.map { group in
            let allNodes =
                group.who.count == nodeCount && !group.who.contains(report.manifest.participants.aggregator.rawValue)
            return "\(allNodes ? "all nodes" : group.who.joined(separator: ", ")) \(group.chain)"
        }
        lines.append(
            label + String(repeating: " ", count: indent.count - label.count) + "states "
                + (states.isEmpty ? "unchanged" : states.joined(separator: "; ")))
        // Data: contributions and merges.
        var data: [String] = []
        var steps: [(step: String, count: Int)] = []
        for case .contributionSent(_, _, _, let step, _) in events {
            if let i = steps.firstIndex(where: { $0.step == step }) {
                steps[i].count += 1
            } else {
                steps.append((step, 1))
            }
        }
        if !steps.isEmpty {
            data.append("signed provider messages: " + steps.map { "\($0.count)× \($0.step)" }.joined(separator: ", "))
        }
        for case .roundMerged(let round, let contributors) in events {
            data.append("round \(round) (day \(round)) merged from \(contributors.count) nodes")
        }
        // The network: what it lost this tick, and a lost result that arrived when the aggregator published it again.
        for loss in report.networkLosses where loss.tick == tick {
            data.append("✗ the network lost the \(loss.kind) from \(loss.sender) to \(loss.recipient)")
        }
        for loss in report.networkLosses where loss.kind == "result" && loss.tick < tick {
            let arrived = events.contains {
                if case .transition(loss.recipient, "node", _, NodeEvent.resultPublished.rawValue, _) = $0 {
                    true
                } else {
                    false
                }
            }
            if arrived {
                data.append(
                    "↻ \(loss.recipient) received the result the aggregator published again (the same signed envelope)")
            }
        }
        if !data.isEmpty { lines.append(indent + "data   " + data.joined(separator: "; ")) }
        // Sense: the collector's verdict.
        for case .tickSealed(_, let accepted, let rejected, let missing) in events {
            var sense = "\(accepted)/\(report.manifest.participants.reporters.count) frames verified"
            if rejected > 0 { sense += ", \(rejected) rejected" }
            if !missing.isEmpty { sense += ", none from \(missing.map(\.rawValue).joined(separator: ", "))" }
            let anyHeld = events.contains { if case .predicateHeld = $0 { true } else { false } }
            if accepted > 0 && !anyHeld { sense += "; predicates clear" }
            lines.append(indent + "sense  " + sense)
        }
        var acks: [CommandID: [CommandAck.Outcome]] = [:]
        for event in events {
            switch event {
            case .frameRejected(_, let signer, let reason):
                lines.append(indent + "sense  ✗ frame claiming \(signer) rejected: \(reason)")
            case .predicateHeld(_, let predicate, let severity, let command, let trace, _):
                lines.append(
                    indent + "act    ⚑ \(predicate) held (\(severity)) → \(command): \(trace.joined(separator: "; "))")
            case .commandIssued(_, let command):
                let subject = command.subject.map { " isolating \($0)" } ?? ""
                let why = command.predicate == nil && command.kind != .abortJob ? " (\(command.reason))" : ""
                lines.append(
                    indent
                        + "act    control signed \(command.kind)\(subject) \(command.id.rawValue.prefix(8))… to \(command.targets.count) participants, ack by tick \(command.ackBy)\(why)"
                )
            case .ackReceived(_, _, let command, let outcome):
                acks[command, default: []].append(outcome)
            case .ackMissing(_, let participant, let command):
                lines.append(indent + "act    ! no ack from \(participant) for \(command.rawValue.prefix(8))…")
            case .commandResent(_, let participant, let command, let attempt):
                lines.append(
                    indent
                        + "act    ↻ resent \(command.rawValue.prefix(8))… to \(participant), same id (attempt \(attempt))"
                )
            case .predicatePending(_, let predicate, let held, let needed):
                lines.append(
                    indent + "sense  … \(predicate) pending: held \(held) of the \(needed) ticks its for: needs")
            case .overrideApplied(_, let command, let approvers):
                let approved =
                    approvers.isEmpty ? "" : ", approved by \(approvers.map(\.rawValue).joined(separator: ", "))"
                let change = command.parameter.map { " \($0) = \(command.value.map { "\($0)" } ?? "?")" } ?? ""
                lines.append(
                    indent
                        + "act    ✋ override \(command.kind)\(change) by \(command.issuer)\(approved): \(command.reason)"
                )
            case .overrideRefused(_, let operatorID, let reason):
                lines.append(indent + "act    ✗ override by \(operatorID) refused: \(reason)")
            case .incident(let kind, let round, let offenders, let detail):
                let who = offenders.keys.sorted().joined(separator: ", ")
                lines.append(
                    indent
                        + "sense  ⚠ aggregator: \(kind) in round \(round)\(who.isEmpty ? "" : " by \(who)") (\(detail))"
                )
            case .clearanceIssued:
                lines.append(
                    indent + "act    control signed the release clearance: every node POSTF, no predicate held")
            case .messageRefused(let participant, let kind, let reason):
                lines.append(indent + "       ✗ \(participant) refused a \(kind): \(reason)")
            default: continue
            }
        }
        for (command, outcomes) in acks {
            let applied = outcomes.filter { $0 == .applied }.count
            lines.append(
                indent
                    + "prove  \(outcomes.count) signed acks for \(command.rawValue.prefix(8))… (\(applied) applied) before the next tick"
            )
        }
        return lines
    }

    private func renderResult(_ outputs: [ReleasedOutput]) -> [String] {
        guard let labels = outputs.first?.labels else { return ["   (no outputs)"] }
        let rounds = outputs.sorted { $0.round < $1.round }
        let width = max(labels.map(\.count).max() ?? 8, 8)
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        func lpad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        var lines = [
            "   " + pad("blocked prompts", width) + rounds.map { lpad("day \($0.round)", 7) }.joined()
                + lpad("total", 8)
        ]
        for (k, label) in labels.enumerated() {
            let values = rounds.map { $0.values[k] }
            let total = values.compactMap { $0 }.reduce(0, +)
            lines.append(
                "   " + pad(label, width) + values.map { lpad($0.map(String.init) ?? "—", 7) }.joined()
                    + lpad("\(total)", 8))
        }
        lines.append("   (each node's daily contribution is clipped to L1 ≤ \(report.configuration.contributionBound))")
        if let plan = report.manifest.privacy {
            lines.append(
                "   (every count carries exact \(plan.mechanism) noise of σ ≈ \(Self.number(plan.noise)): it hides any one organization's whole day; with only \(report.manifest.participants.nodes.count) organizations it dwarfs the counts; the same σ is small next to the sums of hundreds — see docs/dp.md)"
            )
        }
        return lines
    }

    /// The privacy plan pinned by the manifest, as the admission section shows it.
    private func renderPlan(_ plan: PrivacyPlan) -> [String] {
        var lines = [
            "   privacy: \(plan.mechanism) noise σ = \(Self.number(plan.noise)) per count (sensitivity L2 \(Self.number(plan.sensitivity)), L1 \(Self.number(plan.l1Sensitivity)) per node and round)",
            "            ε = \(Self.number(plan.epsilonTotal)) over \(report.manifest.rounds) rounds (\(Self.number(plan.epsilonPerRound)) per round), δ = \(plan.delta), by the \(plan.accountant.uppercased()) accountant",
        ]
        if plan.distributed {
            lines.append(
                "            each node adds N_Z(0, σ²/\(plan.minimumContributors)); nodes refuse to unmask a sum of fewer than \(plan.minimumContributors) inputs"
            )
        }
        let limits = report.budgets.first.map {
            "each organization's lifetime budget is ε = \(Self.number($0.epsilonLimit)), δ = \($0.deltaLimit)"
        }
        lines.append(
            "   budget: reserved ε = \(Self.number(plan.epsilonTotal)) for every node\(limits.map { "; \($0)" } ?? "")")
        return lines
    }

    /// Each organization's budget after the run.
    func renderBudgets() -> [String] {
        guard !report.budgets.isEmpty else { return [] }
        var lines = ["   privacy budgets after the run (budget ledger, SQLite):"]
        for status in report.budgets {
            lines.append(
                "     \(status.participant.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) spent ε = \(Self.number(status.epsilonSpent)) of \(Self.number(status.epsilonLimit)), committed \(Self.number(status.epsilonCommitted)), open jobs \(status.openJobs)"
            )
        }
        return lines
    }

    /// A number with at most four significant digits, for people.
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "\(x)" }
        return String(format: "%.4g", x)
    }
}
