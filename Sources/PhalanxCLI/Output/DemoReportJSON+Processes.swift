import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxLedger
import PhalanxProviders

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension DemoReportJSON {
    /// What `demo --processes` observed from outside the processes: the progress stream, every process's
    /// `/metrics`, and, after they stopped, the control plane's audit ledger and budget ledger on disk.
    struct ProcessObservations {
        var jobId: String
        var plugin: String
        var provider: String
        var rounds: Int
        var ticks: UInt64
        var nodes: [String]
        var outcome: String
        var reason: String?
        var outputs: [ReleasedOutput]?
        var finalStates: [String: String]
        /// The concatenated `/metrics` texts of every participant, read before they stopped.
        var metrics: String
        var ledgerPath: String
        var budgetPath: String
        var wallSeconds: Double
    }

    /// The demo report of a run over separate processes: the same schema as the in-process one
    /// (docs/schemas/demo-report.schema.json), its figures taken from the ledger the control plane kept and the
    /// metrics every process served.
    init(processes observed: ProcessObservations, policy: GuardrailPolicy) async throws {
        let ledger = try MerkleLedger.open(path: observed.ledgerPath)
        let entries = try await ledger.entries(from: 0, count: Int(await ledger.size))
        let job = try SHA256Digest(hex: observed.jobId)
        let verification = LedgerVerifier.verify(path: observed.ledgerPath)
        jobId = observed.jobId
        plugin = observed.plugin
        executionProvider = observed.provider
        outcome = observed.outcome
        reason = observed.reason
        rounds = observed.rounds
        ticks = observed.ticks
        nodes = observed.nodes
        result = observed.outputs
        finalStates = observed.finalStates
        wallSeconds = observed.wallSeconds

        var enabled: [String] = []
        var accepted = 0
        var rejected: [String: Int] = [:]
        var commands: [Command] = []
        var ours = Set<String>()
        for entry in entries {
            switch entry.record {
            case .jobAdmitted(let id, _, _, let predicates) where id == job:
                enabled = predicates
            case .framesSealed(let id, _, let frames, let refused, _) where id == job:
                accepted += frames.count
                for (reason, count) in refused { rejected[reason, default: 0] += count }
            case .commandIssued(let id, let command, let kind, let predicate, let targets, _) where id == job:
                ours.insert(command.rawValue)
                commands.append(
                    Command(
                        id: command.rawValue, kind: kind.rawValue, predicate: predicate, tick: entry.tick ?? 0,
                        targets: targets.map(\.rawValue), acks: [:]))
            case .ackReceived(let command, let participant, let outcome, _) where ours.contains(command.rawValue):
                if let i = commands.lastIndex(where: { $0.id == command.rawValue }) {
                    commands[i].acks[participant.rawValue] = outcome.rawValue
                }
            case .ackMissing(let command, let participant) where ours.contains(command.rawValue):
                if let i = commands.lastIndex(where: { $0.id == command.rawValue }),
                    commands[i].acks[participant.rawValue] == nil
                {
                    commands[i].acks[participant.rawValue] = "missing"
                }
            default:
                continue
            }
        }
        // The predicates the job's provider cannot feed, as admission found them.
        let keys = ProviderRegistry.builtIn.provider(named: observed.provider)?.descriptor.metricKeys ?? []
        let selection = policy.selection(availableMetricKeys: keys.union(MetricKey.alwaysAvailable))
        predicates = Predicates(
            enabled: enabled,
            disabled: selection.disabled.map { Disabled(id: $0.rule.id, missingKeys: $0.missingKeys) })
        frames = Frames(accepted: accepted, rejected: rejected.filter { $0.value > 0 })
        self.commands = commands
        self.ledger = Ledger(
            entries: entries.count, checkpoint: try await ledger.latestCheckpoint()?.rendered ?? "",
            root: verification.root, verified: verification.isValid, problems: verification.problems,
            file: observed.ledgerPath)
        messages = Self.sum("phalanx_messages_sent_total", in: observed.metrics)
        messageBytes = Self.sum("phalanx_message_bytes_sent_total", in: observed.metrics).values.reduce(0, +)
        privacy = nil
        if FileManager.default.fileExists(atPath: observed.budgetPath),
            let budget = try? PrivacyBudgetLedger(path: observed.budgetPath)
        {
            let statuses = observed.nodes.compactMap { id in
                (try? ParticipantID(id)).flatMap { try? budget.status(participant: $0) }
            }
            budgets = statuses.contains { $0.epsilonSpent > 0 || $0.openJobs > 0 } ? statuses : nil
        } else {
            budgets = nil
        }
    }

    /// The sum, by `kind` label, of a counter over every process's exposition.
    static func sum(_ metric: String, in exposition: String) -> [String: Int] {
        var totals: [String: Int] = [:]
        for line in exposition.split(separator: "\n") where line.hasPrefix(metric + "{") {
            guard let kindStart = line.range(of: "kind=\""),
                let kindEnd = line[kindStart.upperBound...].firstIndex(of: "\""),
                let value = line.split(separator: " ").last.flatMap({ Double($0) })
            else { continue }
            totals[String(line[kindStart.upperBound..<kindEnd]), default: 0] += Int(value)
        }
        return totals
    }

    /// Reads `http://address/metrics`; empty when the process does not answer.
    static func scrape(_ address: String) async -> String {
        guard let url = URL(string: "http://\(address)/metrics"),
            let (data, _) = try? await URLSession.shared.data(from: url)
        else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
