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
        out.append("")
        out.append("5. Audit record")
        let kinds = Dictionary(grouping: report.auditEntries, by: \.record.kind).mapValues(\.count)
        let summary = kinds.keys.sorted().map { "\(kinds[$0]!) \($0)" }.joined(separator: ", ")
        let verified = (try? HashChainLedger.verify(report.auditEntries)) == report.auditHead
        out.append(
            "   \(report.auditEntries.count) entries, \(report.auditBytes) bytes, head \(report.auditHead.short)…; chain \(verified ? "verified" : "BROKEN")"
        )
        out.append("   \(summary)")
        let rejected = report.rejectionCounts.values.reduce(0, +)
        let accepted = report.auditEntries.reduce(0) { n, e in
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
        var lines: [String] = []
        var notes: [String] = []
        let transitions = events.compactMap { e -> (ParticipantID, String, String)? in
            if case .transition(let p, _, let from, _, let to) = e { return (p, from, to) }
            return nil
        }
        let grouped = Dictionary(grouping: transitions, by: { "\($0.1)→\($0.2)" })
        var order: [String] = []
        for t in transitions where !order.contains("\(t.1)→\(t.2)") { order.append("\(t.1)→\(t.2)") }
        for key in order {
            let who = grouped[key]!.map(\.0.rawValue)
            let label =
                who.count == report.manifest.participants.nodes.count && !who.contains("aggregator")
                ? "all nodes" : who.joined(separator: ", ")
            notes.append("\(label) \(key)")
        }
        let sent = events.filter { if case .contributionSent = $0 { true } else { false } }.count
        if sent > 0 { notes.append("\(sent) contribution(s) sent") }
        for event in events {
            if case .roundMerged(let round, let contributors) = event {
                notes.append("round \(round) (day \(round)) merged from \(contributors.count) nodes")
            }
        }
        for event in events {
            if case .tickSealed(_, let accepted, let rejected, let missing) = event {
                var s = "frames \(accepted)/\(report.manifest.participants.reporters.count) verified"
                if rejected > 0 { s += ", \(rejected) rejected" }
                if !missing.isEmpty { s += ", missing from \(missing.map(\.rawValue).joined(separator: ", "))" }
                notes.append(s)
            }
        }
        lines.append("   tick \(tick)  " + notes.joined(separator: "; "))
        var fired = false
        var acks: [CommandID: [CommandAck.Outcome]] = [:]
        for event in events {
            switch event {
            case .frameRejected(_, let signer, let reason):
                lines.append("           ✗ frame claiming \(signer) rejected: \(reason)")
            case .predicateHeld(_, let predicate, let severity, let command, let trace, _):
                fired = true
                lines.append(
                    "           ⚑ \(predicate) held (\(severity)) → \(command): \(trace.joined(separator: "; "))")
            case .commandIssued(_, let command):
                lines.append(
                    "           control signed \(command.kind) \(command.id.rawValue.prefix(8))… to \(command.targets.count) participants, ack by tick \(command.ackBy)"
                )
            case .ackReceived(_, _, let command, let outcome):
                acks[command, default: []].append(outcome)
            case .ackMissing(_, let participant, let command):
                lines.append("           ! no ack from \(participant) for \(command.rawValue.prefix(8))…")
            case .clearanceIssued:
                lines.append("           control signed the release clearance: every node POSTF, no predicate held")
            case .messageRefused(let participant, let kind, let reason):
                lines.append("           ✗ \(participant) refused a \(kind): \(reason)")
            default: continue
            }
        }
        for (command, outcomes) in acks {
            let applied = outcomes.filter { $0 == .applied }.count
            lines.append(
                "           \(outcomes.count) signed acks for \(command.rawValue.prefix(8))… (\(applied) applied) before the next tick"
            )
        }
        if !fired && events.contains(where: { if case .tickSealed(_, let a, _, _) = $0 { a > 0 } else { false } }) {
            lines[0] += "; predicates clear"
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
        return lines
    }
}
