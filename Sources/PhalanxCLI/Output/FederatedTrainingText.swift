import Foundation
import PhalanxAgent
import PhalanxCore
import PhalanxTraining

/// The text `phalanx train` prints: the plan, one line per round, and the before/after table.
enum FederatedTrainingText {
    static func header(
        configuration: FederatedTraining.Configuration, organizations: [OrganizationData], shared: Int
    ) -> String {
        let strategy = configuration.strategy
        var lines = [
            "Federated training of the agent's classifier: \(organizations.count) organizations, \(configuration.rounds) rounds, strategy \(strategy.name)",
            "  local: \(strategy.local.epochs) epochs of SGD (η₀ = \(strategy.local.learningRate))"
                + (strategy.local.mu > 0 ? ", FedProx μ = \(strategy.local.mu)" : ""),
            "  updates: norm bound \(strategy.effectiveNormBound.map { "\($0)" } ?? "none"), compression \(strategy.compression.summary), protection \(strategy.privacy.summary)",
            "  server: \(strategy.privacy == .none ? strategy.effectiveAggregator.name : (strategy.privacy.isDifferentiallyPrivate ? "uniform mean" : "weighted mean")), then \(strategy.server.name)",
        ]
        if let adversary = configuration.adversary { lines.append("  poisoning: \(adversary.summary)") }
        if configuration.safetyLoop != nil {
            lines.append(
                "  safety loop: every round is a federated job — admitted by manifest, signed telemetry each tick, guard-rail predicates, signed commands, a verified ledger"
            )
        }
        if let check = configuration.anomalyCheck {
            lines.append(
                "  anomaly check: isolate an organization whose update norm exceeds \(check.factor) × the round's median"
            )
        }
        lines.append("  data (non-IID: each family's home organization gets most of it):")
        for organization in organizations {
            let attacks = organization.train.count(where: \.isAttack)
            let home =
                organization.homeFamilies.prefix(4).joined(separator: ", ")
                + (organization.homeFamilies.count > 4 ? ", …" : "")
            lines.append(
                "    \(organization.name): \(organization.train.count) training texts (\(attacks) attacks), home of \(home)"
            )
        }
        lines.append("  shared test split: \(shared) texts from sources no organization holds")
        return lines.joined(separator: "\n")
    }

    static func progress(_ record: FederatedTraining.RoundRecord, of rounds: Int) -> String {
        let width = String(rounds).count
        let round = String(repeating: " ", count: max(0, width - String(record.round).count)) + "\(record.round)"
        var line =
            "round \(round)/\(rounds)  loss \(fixed(record.loss, 4))  F1 \(fixed(record.sharedF1, 3))  AUC \(record.sharedAUC.map { fixed($0, 3) } ?? "–")"
        line +=
            "  ε \(fixed(record.epsilon, 3))  ↑\(bytes(record.bytesUp)) ↓\(bytes(record.bytesDown + record.broadcastBytes))"
        line += "  \(fixed(record.trainingSeconds + record.aggregationSeconds, 2)) s"
        if !record.predicatesFired.isEmpty {
            line += "  guard-rail \(record.predicatesFired.joined(separator: ", ")) fired"
        }
        if !record.flagged.isEmpty { line += "  isolated: \(record.flagged.joined(separator: ", "))" }
        if let ticks = record.ticks {
            line += "  (\(ticks) ticks, ledger \(record.ledgerVerified == true ? "verified" : "NOT verified"))"
        }
        return line
    }

    static func summary(
        _ outcome: FederatedTraining.Outcome, configuration: FederatedTraining.Configuration, model: String?
    ) -> String {
        var lines: [String] = [""]
        if let comparison = outcome.comparison {
            lines.append(
                "Before and after, per organization: F1 at the organization's own operating point (FPR ≤ 5% on its validation data)"
            )
            let nameWidth = max(8, (comparison.rows.map(\.organization.count).max() ?? 0) + 2)
            lines.append(pad("", nameWidth) + pad("own test data", 36) + "shared test split")
            let columns = ["local", "fed.", "pers.", "central"]
            lines.append(
                pad("org", nameWidth) + columns.map { pad($0, 9) }.joined() + columns.map { pad($0, 9) }.joined()
                    + "α  FPR local/fed (shared)")
            for row in comparison.rows {
                let own = [row.localOnly.own, row.federated.own, row.personalized.own, row.centralized.own]
                let shared = [
                    row.localOnly.shared, row.federated.shared, row.personalized.shared, row.centralized.shared,
                ]
                lines.append(
                    pad(row.organization, nameWidth) + own.map { pad(fixed($0.f1, 3), 9) }.joined()
                        + shared.map { pad(fixed($0.f1, 3), 9) }.joined()
                        + "\(row.personalizationAlpha)  \(fixed(row.localOnly.shared.falsePositiveRate, 3))/\(fixed(row.federated.shared.falsePositiveRate, 3))"
                        + (row.federated.calibrated ? "" : "  (uncalibrated: one class missing)"))
            }
            let f = comparison.federatedShared, c = comparison.centralizedShared
            lines.append(
                "Shared test split at the federation-wide operating point: federated F1 \(fixed(f.f1, 3)) (precision \(fixed(f.precision, 3)), recall \(fixed(f.recall, 3)), FPR \(fixed(f.falsePositiveRate, 3))) vs centralized F1 \(fixed(c.f1, 3)) (FPR \(fixed(c.falsePositiveRate, 3))): \(signed((f.f1 - c.f1) * 100)) points"
            )
            let bestLocal = comparison.rows.map(\.localOnly.shared.f1).max() ?? 0
            lines.append("Best local-only model on the shared test split: F1 \(fixed(bestLocal, 3))")
        }
        let records = outcome.rounds
        if let last = records.last {
            let meanUp = records.map(\.bytesUp).reduce(0, +) / records.count
            let meanSeconds =
                records.map { $0.trainingSeconds + $0.aggregationSeconds }.reduce(0, +) / Double(records.count)
            lines.append(
                "Rounds to converge (F1 within 1 point of the last round's): \(FederatedTrainingReport.roundsToConverge(records)) of \(records.count)"
            )
            lines.append(
                "Bytes sent per round by the organizations: \(bytes(meanUp)) (uncompressed Float32 updates: \(bytes(UpdateCompression.uncompressedBytes(dimension: outcome.global.dimension + 1) * last.senders)))"
            )
            lines.append(
                "Mean round time: \(fixed(meanSeconds, 2)) s (local training \(fixed(records.map(\.trainingSeconds).reduce(0, +) / Double(records.count), 2)) s)"
            )
            if configuration.strategy.privacy.isDifferentiallyPrivate {
                lines.append(
                    "Privacy spent: ε = \(fixed(last.epsilon, 3)), δ = \(last.delta) per organization (RDP accountant of the \(configuration.strategy.privacy.providerName ?? "dp") provider)"
                )
            }
        }
        if !outcome.isolated.isEmpty {
            let by =
                configuration.safetyLoop != nil
                ? "by the control plane on a guard-rail" : "by the update-norm anomaly check"
            lines.append("Isolated \(by): \(outcome.isolated.joined(separator: ", "))")
        }
        if let backdoor = outcome.backdoorSuccess {
            lines.append(
                "Backdoor: the final model lets through \(percent(backdoor.withTrigger)) of the shared test attacks with the trigger, \(percent(backdoor.without)) without"
            )
        }
        if let model { lines.append("Wrote the federated model to \(model) (phalanx agent scan --model \(model) …)") }
        return lines.joined(separator: "\n")
    }

    static func fixed(_ value: Double, _ digits: Int) -> String { DecimalText.fixed(value, places: digits) }

    static func signed(_ value: Double) -> String { (value >= 0 ? "+" : "") + fixed(value, 2) }

    static func percent(_ value: Double) -> String { fixed(value * 100, 1) + "%" }

    static func bytes(_ count: Int) -> String {
        switch count {
        case ..<1_000: "\(count) B"
        case ..<1_000_000: fixed(Double(count) / 1_000, 1) + " kB"
        default: fixed(Double(count) / 1_000_000, 2) + " MB"
        }
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
