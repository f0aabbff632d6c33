import ArgumentParser
import Foundation
import PhalanxCore
import PhalanxLedger

/// `phalanx dp budget`: the participants' privacy budgets in a budget ledger.
struct DPBudgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Inspect a privacy budget ledger (budget.sqlite).",
        discussion: """
            A budget ledger holds each participant's (ε, δ) limit, the reservations jobs made at admission and the \
            spends of each release; `phalanx demo --ep dp --out DIR` writes one to DIR/budget.sqlite.
            """,
        subcommands: [Show.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each participant's limit, committed, spent and remaining budget and open jobs.",
            discussion: """
                Committed = open jobs' reservations in full + closed jobs' spends; remaining = limit − committed. \
                With --node, also that participant's reservations and spends. The file is opened read-only and \
                never created: a missing file exits 66, a file that is not a budget ledger 65.
                """
        )

        @Option(name: .long, help: "The budget ledger file (budget.sqlite).")
        var db: String

        @Option(name: .long, help: "Show only this participant, with its reservations and spends.")
        var node: String?

        @Flag(name: .long, help: "Print JSON (always with every listed participant's reservations and spends).")
        var json = false

        func validate() throws {
            if let node {
                do { _ = try ParticipantID(node) } catch { throw ValidationError("--node: \(error)") }
            }
        }

        /// What `dp budget show --json` prints (docs/cli.md).
        struct Report: Encodable, Equatable {
            struct Participant: Encodable, Equatable {
                var participant: String
                var epsilonLimit: Double
                var epsilonCommitted: Double
                var epsilonSpent: Double
                var epsilonRemaining: Double
                var deltaLimit: Double
                var deltaCommitted: Double
                var deltaSpent: Double
                var deltaRemaining: Double
                var openJobs: Int
                var reservations: [Reservation]
                var spends: [Spend]
            }
            struct Reservation: Encodable, Equatable {
                /// The job id (SHA-256, hex).
                var job: String
                var epsilon: Double
                var delta: Double
                var spentEpsilon: Double
                var spentDelta: Double
                var closed: Bool
            }
            struct Spend: Encodable, Equatable {
                var job: String
                var round: Int
                var epsilon: Double
                var delta: Double
                var atMs: Int64
            }
            var file: String
            var participants: [Participant]
        }

        /// Reads the ledger; nothing is printed.
        func report() throws -> Report {
            guard FileManager.default.fileExists(atPath: db) else {
                throw CLIError(
                    .missingInput, "no budget ledger at \(db)",
                    hint: "`phalanx demo --ep dp --out DIR` writes one to DIR/budget.sqlite")
            }
            guard FileManager.default.isReadableFile(atPath: db) else {
                throw CLIError(.missingInput, "cannot read \(db)", hint: "check the file's permissions")
            }
            let reader: PrivacyBudgetLedger.Reader
            let histories: [PrivacyBudgetLedger.History]
            do {
                reader = try PrivacyBudgetLedger.Reader(path: db)
                histories = try reader.histories(participant: try node.map { try ParticipantID($0) })
            } catch let error as PrivacyBudgetLedger.FormatError {
                throw CLIError(.malformedInput, "\(db) is not a privacy budget ledger: \(error)")
            } catch {
                throw CLIError(.malformedInput, "\(db): \(error)")
            }
            if let node, histories.isEmpty {
                let known = (try? reader.participants().map(\.rawValue)) ?? []
                throw CLIError(
                    .usage, "\(node) has no privacy budget in \(db)",
                    hint: known.isEmpty
                        ? "the ledger has no accounts yet" : "participants: \(known.joined(separator: ", "))")
            }
            return Report(file: db, participants: histories.map(Self.participant))
        }

        private static func participant(_ history: PrivacyBudgetLedger.History) -> Report.Participant {
            let s = history.status
            return Report.Participant(
                participant: s.participant.rawValue, epsilonLimit: s.epsilonLimit, epsilonCommitted: s.epsilonCommitted,
                epsilonSpent: s.epsilonSpent, epsilonRemaining: history.epsilonRemaining, deltaLimit: s.deltaLimit,
                deltaCommitted: s.deltaCommitted, deltaSpent: s.deltaSpent, deltaRemaining: history.deltaRemaining,
                openJobs: s.openJobs,
                reservations: history.reservations.map {
                    Report.Reservation(
                        job: $0.job.hex, epsilon: $0.epsilon, delta: $0.delta, spentEpsilon: $0.spentEpsilon,
                        spentDelta: $0.spentDelta, closed: $0.closed)
                },
                spends: history.spends.map {
                    Report.Spend(job: $0.job.hex, round: $0.round, epsilon: $0.epsilon, delta: $0.delta, atMs: $0.atMs)
                })
        }

        /// The table, and with --node the reservations and spends.
        func text(_ report: Report) -> String {
            let count = report.participants.count
            var out = "\(report.file): \(count) participant\(count == 1 ? "" : "s") with a budget\n"
            guard count > 0 else { return out }
            let header = [
                "participant", "ε limit", "ε committed", "ε spent", "ε remaining", "δ limit", "δ committed", "δ spent",
                "δ remaining", "open jobs",
            ]
            let rows = report.participants.map { p in
                [
                    p.participant, p.epsilonLimit.amount, p.epsilonCommitted.amount, p.epsilonSpent.amount,
                    p.epsilonRemaining.amount, p.deltaLimit.amount, p.deltaCommitted.amount, p.deltaSpent.amount,
                    p.deltaRemaining.amount, String(p.openJobs),
                ]
            }
            out += table([header] + rows)
            guard node != nil, let p = report.participants.first else { return out }
            out += "\nreservations (\(p.reservations.count)):\n"
            if !p.reservations.isEmpty {
                out += table(
                    [["job", "ε reserved", "δ reserved", "ε spent", "δ spent", "state"]]
                        + p.reservations.map {
                            [
                                "\($0.job.prefix(12))…", $0.epsilon.amount, $0.delta.amount, $0.spentEpsilon.amount,
                                $0.spentDelta.amount, $0.closed ? "closed" : "open",
                            ]
                        })
            }
            out += "\nspends (\(p.spends.count)):\n"
            if !p.spends.isEmpty {
                out += table(
                    [["job", "round", "ε", "δ"]]
                        + p.spends.map {
                            ["\($0.job.prefix(12))…", String($0.round), $0.epsilon.amount, $0.delta.amount]
                        })
            }
            return out
        }

        /// Left-aligned first column, right-aligned numbers, two spaces between columns, indented by two.
        private func table(_ rows: [[String]]) -> String {
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                "  "
                    + row.enumerated().map { column, cell in
                        let pad = String(repeating: " ", count: widths[column] - cell.count)
                        return column == 0 ? cell + pad : pad + cell
                    }.joined(separator: "  ") + "\n"
            }.joined()
        }

        func run() async throws {
            try await reportingErrors {
                let report = try report()
                if json { return try DPCommand.printJSON(report) }
                print(text(report), terminator: "")
            }
        }
    }
}

extension Double {
    /// A budget amount for people: at most 9 significant digits (the ledger's unit is 10⁻⁹).
    fileprivate var amount: String { String(format: "%.9g", self) }
}
