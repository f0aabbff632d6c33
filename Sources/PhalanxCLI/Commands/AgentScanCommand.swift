import ArgumentParser
import Foundation
import PhalanxAgent

/// `phalanx agent scan`: one text through the scanners and the policy, as `POST /v1/scan` would decide it.
struct AgentScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan one text and print the decision, the category scores and the findings.",
        discussion: """
            Exit code 0 when the text is allowed (or allowed redacted), 1 when it is denied or escalated. \
            Evidence is redacted: secrets and personal data are shown by their first characters and length only.
            """
    )

    @Argument(help: "The text to scan (or use --file).")
    var text: String?

    @Option(name: .long, help: "Read the text from a file ('-' for standard input).")
    var file: String?

    @Option(name: .long, help: "input (to the model) or output (from it).")
    var direction: String = "input"

    @Option(name: .long, help: "Where an input came from: user, system, tool, retrieval or model.")
    var source: String?

    @Option(name: .long, help: "The action about to be taken (a tool name), for action rules.")
    var action: String?

    @Option(name: .long, help: "Who is asking, for principal rules.")
    var principal: String?

    @OptionGroup var agentOptions: AgentModelOptions

    @Flag(name: .long, help: "Print the decision as JSON.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let request = try ScanRequest(
                text: readText(), direction: parseChoice(Direction.self, direction, "--direction"),
                source: source.map { try parseChoice(ContentSource.self, $0, "--source") }, action: action,
                principal: principal)
            let agent = try agentOptions.agent()
            let decision = agent.decide(request, nowMs: Int64(Date().timeIntervalSince1970 * 1000))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(decision), as: UTF8.self))
            } else {
                print(Self.render(decision))
            }
            if decision.verdict == .deny || decision.verdict == .escalate {
                throw ExitCode(PhalanxExit.checkFailed.rawValue)
            }
        }
    }

    func readText() throws -> String {
        switch (text, file) {
        case (let text?, nil): return text
        case (nil, "-"?):
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        case (nil, let path?):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIError(.missingInput, "cannot read \(path)")
            }
            return String(decoding: data, as: UTF8.self)
        case (nil, nil): throw CLIError(.usage, "give the text to scan, or --file FILE")
        case (.some, .some): throw CLIError(.usage, "give the text or --file, not both")
        }
    }

    static func render(_ decision: AgentDecision) -> String {
        var lines = [
            "decision: \(decision.verdict.rawValue.uppercased())  (rule \(decision.ruleId), mode \(decision.mode.rawValue))",
            "reason:   \(decision.reason)",
        ]
        let scores = decision.scan.scores.filter { $0.value > 0 }.sorted { $0.value > $1.value }
        lines.append(
            "scores:   "
                + (scores.isEmpty
                    ? "none"
                    : scores.map { "\($0.key.rawValue) \(String(format: "%.2f", $0.value))" }.joined(separator: ", ")))
        for finding in decision.scan.findings {
            lines.append(
                "  \(finding.detector) [\(finding.category.rawValue) \(String(format: "%.2f", finding.score))] "
                    + "bytes \(finding.span.lowerBound)–\(finding.span.upperBound): \(finding.evidence)")
        }
        if let redacted = decision.redactedText { lines.append("redacted: \(redacted)") }
        lines.append("receipt:  \(decision.receipt.hash)")
        return lines.joined(separator: "\n")
    }
}

/// Parses a raw-valued enum from an option, naming the option and the accepted values when it fails.
func parseChoice<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ value: String, _ option: String) throws -> T
where T.RawValue == String {
    guard let parsed = T(rawValue: value) else {
        throw CLIError(
            .usage, "\(option) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(value)\"")
    }
    return parsed
}
