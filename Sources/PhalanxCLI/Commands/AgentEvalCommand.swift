import ArgumentParser
import Foundation
import PhalanxAgent

/// `phalanx agent eval`: the agent on labelled data — precision, recall, F1, false-positive rate and latency.
struct AgentEvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate the agent on a labelled JSON Lines file: precision, recall, F1, FPR, latency percentiles.",
        discussion: """
            Each line is {"text": "...", "label": 0|1} (1 = attack; other fields are ignored). Every text is decided \
            as an input from a user. Three rows are printed: the phrase and format detectors alone (a text is \
            flagged when an attack category reaches 0.5), the classifier alone (at the threshold stored in the \
            model), and the agent as deployed (flagged when the policy denies or escalates). Latency is measured \
            per text on this machine, for the scan and for the whole decision including the receipt.
            """
    )

    @Option(name: .long, help: "The labelled JSON Lines file.")
    var data: String

    @Option(name: .long, help: "Evaluate at most this many lines.")
    var limit: Int?

    @OptionGroup var agentOptions: AgentModelOptions

    @Flag(name: .long, help: "Print the figures as JSON.")
    var json = false

    @Option(name: .long, help: "Write the texts the agent got wrong, with their scores, to this JSON Lines file.")
    var misclassified: String?

    @Option(
        name: .long,
        help: "Write every text with its verdict and scores to this JSON Lines file (for ROC curves, other thresholds)."
    )
    var scores: String?

    struct Row: Codable {
        let name: String
        let precision: Double
        let recall: Double
        let f1: Double
        let falsePositiveRate: Double
        let rocAUC: Double?
        let threshold: Double
    }

    struct Report: Codable {
        let data: String
        let examples: Int
        let attacks: Int
        let model: String?
        let policy: String
        let rows: [Row]
        let scanLatencyMicroseconds: LatencySummary
        let decisionLatencyMicroseconds: LatencySummary
    }

    func run() async throws {
        try await reportingErrors {
            var examples: [LabeledText]
            do { examples = try LabeledText.loadJSONLines(path: data) } catch {
                throw CLIError(.malformedInput, "\(error)")
            }
            if let limit { examples = Array(examples.prefix(max(0, limit))) }
            guard !examples.isEmpty else { throw CLIError(.malformedInput, "\(data) has no examples") }
            let agent = try agentOptions.agent()
            var outcomes: [Outcome] = []
            let report = Self.evaluate(examples, agent: agent, data: data) { outcomes.append($0) }
            if let misclassified { try Self.write(outcomes.filter(\.isMistake), to: misclassified) }
            if let scores { try Self.write(outcomes, to: scores) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(Self.render(report))
            }
        }
    }

    /// A text with the agent's verdict and scores, for `--scores` (all of them) and `--misclassified` (the wrong ones).
    struct Outcome: Codable {
        let text: String
        let label: Int
        let verdict: Verdict
        let ruleId: String
        let phraseScore: Double
        let modelProbability: Double?
        let detectors: [String]

        /// Denied or escalated: what counts as caught.
        var isFlagged: Bool { verdict == .deny || verdict == .escalate }
        /// Flagged though benign, or let through though an attack.
        var isMistake: Bool { isFlagged != (label == 1) }
    }

    private static func write(_ outcomes: [Outcome], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Data()
        for outcome in outcomes {
            bytes += try encoder.encode(outcome)
            bytes.append(UInt8(ascii: "\n"))
        }
        guard FileManager.default.createFile(atPath: path, contents: bytes) else {
            throw CLIError(.cannotCreate, "cannot write \(path)")
        }
    }

    static func evaluate(
        _ examples: [LabeledText], agent: SafetyAgent, data: String, outcome: (Outcome) -> Void = { _ in }
    ) -> Report {
        let labels = examples.map(\.isAttack)
        var phraseScores: [Double] = [], modelScores: [Double] = [], flagged: [Double] = [], combined: [Double] = []
        var scanTimes: [Double] = [], decisionTimes: [Double] = []
        let clock = ContinuousClock()
        for example in examples {
            let request = ScanRequest(text: example.text, direction: .input, source: .user)
            let scanStart = clock.now
            let scan = agent.scanner.scan(request)
            scanTimes.append(microseconds(clock.now - scanStart))
            let decisionStart = clock.now
            let decision = agent.decide(request, nowMs: 0)
            decisionTimes.append(microseconds(clock.now - decisionStart))
            let phrases = scan.findings.filter { $0.detector != "classifier.attack" }
            let attackCategories: Set<SafetyCategory> = [.promptInjection, .jailbreak, .toxicity]
            var byCategory: [SafetyCategory: Double] = [:]
            for finding in phrases where attackCategories.contains(finding.category) {
                byCategory[finding.category] = 1 - (1 - (byCategory[finding.category] ?? 0)) * (1 - finding.score)
            }
            phraseScores.append(byCategory.values.max() ?? 0)
            modelScores.append(scan.attackProbability ?? 0)
            combined.append(scan.attackScore)
            let decided = Outcome(
                text: example.text, label: example.isAttack ? 1 : 0, verdict: decision.verdict,
                ruleId: decision.ruleId, phraseScore: phraseScores.last ?? 0,
                modelProbability: scan.attackProbability, detectors: scan.findings.map(\.detector))
            flagged.append(decided.isFlagged ? 1 : 0)
            outcome(decided)
        }
        var rows = [row("phrases and formats only", phraseScores, labels, threshold: 0.5)]
        if let model = agent.configuration.model as? TrainedAttackModel {
            rows.append(row("classifier only", modelScores, labels, threshold: model.file.classifier.threshold))
        }
        var agentRow = row("agent (policy decision)", flagged, labels, threshold: 0.5)
        agentRow = Row(
            name: agentRow.name, precision: agentRow.precision, recall: agentRow.recall, f1: agentRow.f1,
            falsePositiveRate: agentRow.falsePositiveRate,
            rocAUC: ClassificationMetrics.rocAUC(scores: combined, labels: labels), threshold: agentRow.threshold)
        rows.append(agentRow)
        return Report(
            data: data, examples: examples.count, attacks: labels.count { $0 },
            model: agent.configuration.model?.modelVersion, policy: agent.policy.name, rows: rows,
            scanLatencyMicroseconds: LatencySummary(scanTimes),
            decisionLatencyMicroseconds: LatencySummary(decisionTimes))
    }

    static func row(_ name: String, _ scores: [Double], _ labels: [Bool], threshold: Double) -> Row {
        let metrics = ClassificationMetrics(scores: scores, labels: labels, threshold: threshold)
        return Row(
            name: name, precision: metrics.precision, recall: metrics.recall, f1: metrics.f1,
            falsePositiveRate: metrics.falsePositiveRate, rocAUC: metrics.rocAUC, threshold: threshold)
    }

    static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }

    static func render(_ report: Report) -> String {
        var lines = [
            "\(report.data): \(report.examples) texts, \(report.attacks) attacks; model \(report.model ?? "none"), "
                + "policy \(report.policy)",
            "",
            "                            precision  recall     F1    FPR    AUC",
        ]
        for row in report.rows {
            let name = row.name.padding(toLength: 27, withPad: " ", startingAt: 0)
            lines.append(
                "\(name) "
                    + [row.precision, row.recall, row.f1, row.falsePositiveRate].map { String(format: "%9.3f", $0) }
                    .joined(separator: "") + (row.rocAUC.map { String(format: "%7.3f", $0) } ?? "      –"))
        }
        lines.append("")
        lines.append("latency per text (µs)       p50      p90      p99      max")
        for (name, summary) in [
            ("scan", report.scanLatencyMicroseconds), ("decision with receipt", report.decisionLatencyMicroseconds),
        ] {
            lines.append(
                name.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + [summary.p50, summary.p90, summary.p99, summary.max].map { String(format: "%9.1f", $0) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
