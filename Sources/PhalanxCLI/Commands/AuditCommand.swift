import ArgumentParser
import Foundation
import PhalanxCore
import PhalanxLedger

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check an audit record.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify an audit.jsonl hash chain: every entry's hash and its link to the previous one.",
            discussion: "Exit code 0 if the chain is intact, 1 if it is broken, 65 if the file is malformed."
        )

        @Argument(help: "An audit.jsonl file (written by `phalanx demo --out DIR`).")
        var file: String

        @Option(name: .long, help: "Also require this head hash (64 hex characters), e.g. one published earlier.")
        var head: String?

        func run() async throws {
            try await reportingErrors {
                let bytes = try Files.read(file, what: "audit record")
                var lines: [AuditLine] = []
                for (i, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                    .enumerated() where !line.isEmpty
                {
                    lines.append(try JSONInput.decode(AuditLine.self, from: Array(line), file: file, line: i + 1))
                }
                let computed: SHA256Digest
                do {
                    computed = try HashChainLedger.verify(lines.map(\.entry))
                } catch {
                    throw CLIError(.checkFailed, "\(file): \(error)")
                }
                for (i, line) in lines.enumerated() where (try? line.entry.hash()) != line.hash {
                    throw CLIError(.checkFailed, "\(file):\(i + 1): the stated hash does not match the entry's content")
                }
                if let head, head != computed.hex {
                    throw CLIError(.checkFailed, "\(file): head is \(computed.hex), expected \(head)")
                }
                print("\(file): \(lines.count) entries, chain intact, head \(computed.hex)")
            }
        }
    }
}
