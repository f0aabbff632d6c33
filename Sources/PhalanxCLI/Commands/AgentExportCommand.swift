import ArgumentParser
import Foundation
import PhalanxAgent
import PhalanxAgentService

/// `phalanx agent export`: what an agent's events store hands on — safety-event rows for the federation's DP count,
/// and operator-labelled texts for retraining.
struct AgentExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the events store's safety-event rows (for the DP count plug-in) and labelled feedback.",
        discussion: """
            --safety-events writes the `safety_events` table of Plugins/safety-event-count.phx (day, category, \
            action) from the decisions in STATE/events.sqlite: a node's configuration points data.safety_events.csv \
            at it, and the federation counts the categories with differential privacy; no text is in it. \
            --training writes the texts operators labelled through POST /v1/feedback as JSON Lines \
            {"text", "label"} for `phalanx agent train` (they stay on this machine unless you move them).
            """
    )

    @Option(name: .long, help: "The agent's state directory (state_dir in agent.yaml), holding events.sqlite.")
    var state: String

    @Option(name: .long, help: "Write the safety-event rows to this CSV file.")
    var safetyEvents: String?

    @Option(name: .long, help: "Day 0 of the rows, YYYY-MM-DD (UTC; default: six days ago, so today is day 6).")
    var dayZero: String?

    @Option(name: .long, help: "Write the operator-labelled texts to this JSON Lines file.")
    var training: String?

    func run() async throws {
        try await reportingErrors {
            guard safetyEvents != nil || training != nil else {
                throw CLIError(.usage, "give --safety-events FILE.csv, --training FILE.jsonl, or both")
            }
            let path = (state as NSString).appendingPathComponent("events.sqlite")
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError(.missingInput, "\(path) does not exist", hint: "--state is the agent's state_dir")
            }
            let store: AgentEventsStore
            do { store = try AgentEventsStore(path: path) } catch { throw CLIError(.malformedInput, "\(error)") }
            if let safetyEvents {
                let epochDay = try self.epochDay()
                do {
                    try await store.writeSafetyEventsCSV(to: safetyEvents, epochDay: epochDay)
                    let rows = try await store.safetyEventRows(epochDay: epochDay)
                    print("wrote \(rows.count) safety-event rows to \(safetyEvents)")
                } catch {
                    throw CLIError(.ioError, "\(error)")
                }
            }
            if let training {
                do {
                    let examples = try await store.trainingExamples()
                    var lines = Data()
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    struct Line: Encodable {
                        let text: String
                        let label: Int
                    }
                    for example in examples {
                        lines += try encoder.encode(Line(text: example.text, label: example.isAttack ? 1 : 0))
                        lines.append(UInt8(ascii: "\n"))
                    }
                    try lines.write(to: URL(fileURLWithPath: training), options: .atomic)
                    print("wrote \(examples.count) labelled texts to \(training)")
                } catch let error as CLIError {
                    throw error
                } catch {
                    throw CLIError(.ioError, "\(error)")
                }
            }
        }
    }

    func epochDay() throws -> Int64 {
        guard let dayZero else { return SafetyEventRow.epochDay(of: Date()) - 6 }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        guard let date = formatter.date(from: dayZero) else {
            throw CLIError(.usage, "--day-zero must be a date YYYY-MM-DD, not \"\(dayZero)\"")
        }
        return SafetyEventRow.epochDay(of: date)
    }
}
