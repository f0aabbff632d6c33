import ArgumentParser
import Foundation
import PhalanxCore

struct FSMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fsm",
        abstract: "Show the state machines' transition tables (the same tables the runtime drives).",
        subcommands: [Show.self]
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, dot, json
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print one machine's table, or all of them.")

        @Argument(help: "node, aggregator, control-engine, collector or audit (default: all).")
        var machine: String?

        @Option(name: .long, help: "table, dot (Graphviz) or json.")
        var format: Format = .table

        func run() async throws {
            try await reportingErrors {
                var tables = Machines.all
                if let machine {
                    tables = tables.filter { $0.name == machine }
                    guard !tables.isEmpty else {
                        throw CLIError(
                            .usage, "no machine named \"\(machine)\"",
                            hint: "choose one of: \(Machines.all.map(\.name).joined(separator: ", "))")
                    }
                }
                switch format {
                case .json:
                    print(String(decoding: try Files.encodeJSON(tables), as: UTF8.self), terminator: "")
                case .dot:
                    for t in tables {
                        print("digraph \"\(t.name)\" {\n  rankdir=LR;\n  \"\(t.initial)\" [shape=doublecircle];")
                        for s in t.terminal { print("  \"\(s)\" [shape=box];") }
                        for r in t.transitions {
                            print(
                                "  \"\(r.from)\" -> \"\(r.to)\" [label=\"\(r.event)\(r.guard.map { " [\($0)]" } ?? "")\"];"
                            )
                        }
                        print("}")
                    }
                case .table:
                    for t in tables {
                        print(
                            "\(t.name): initial \(t.initial); terminal \(t.terminal.isEmpty ? "none" : t.terminal.joined(separator: ", "))"
                        )
                        for r in t.transitions {
                            let guardText = r.guard.map { "  when \($0)" } ?? ""
                            print(
                                "  \(r.from.padding(toLength: 9, withPad: " ", startingAt: 0)) --\(r.event)--> \(r.to)\(guardText)"
                            )
                        }
                        print("")
                    }
                }
            }
        }
    }
}
