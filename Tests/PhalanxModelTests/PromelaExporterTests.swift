import Foundation
import PhalanxCore
import Testing

@testable import PhalanxModel

/// The Promela export: generated from the same tables and parameters. (scripts/spin-check.sh runs spin on it.)
@Suite("Promela export")
struct PromelaExporterTests {
    @Test("every row of every table becomes a guarded move of the machine's fire inline")
    func tables() {
        let source = PromelaExporter(ModelConfiguration()).source
        let prefixes = ["node": "N", "aggregator": "A", "control-engine": "E", "collector": "COL", "audit": "AUD"]
        for table in Machines.all {
            let p = prefixes[table.name]!
            for row in table.transitions {
                let fragment = "v == \(p)_\(row.from) && e == \(p)E_\(row.event)"
                #expect(source.contains(fragment), "missing \(table.name) \(row.from) --\(row.event)-->")
                #expect(source.contains("tnext = \(p)_\(row.to)"))
            }
        }
        #expect(source.contains("ltl terminates { <> TERMINAL }"))
        #expect(source.contains("assert(SAFE)"))
    }

    @Test("the parameters and the planted fault are carried over")
    func parameters() {
        let configuration = ModelConfiguration(
            nodes: 3, rounds: 1, losses: 2, duplicates: 0, delays: 1, crashes: 0, retryLimit: 3, timeout: 6,
            plantedFault: .noAckRetry)
        let source = PromelaExporter(configuration).source
        for line in [
            "#define K 3", "#define R 1", "#define T 6", "#define RETRY 3", "#define FAULT_NO_ACK_RETRY 1",
            "#define FAULT_NO_ACK_DEDUP 0", "b_loss = 2; b_dup = 0; b_delay = 1; b_crash = 0;",
        ] {
            #expect(source.contains(line), "missing \(line)")
        }
    }

    @Test("spin accepts the model, when spin is installed")
    func spinParses() throws {
        let spin = ["/usr/bin/spin", "/usr/local/bin/spin"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let spin else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("phalanx-pml-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("model.pml")
        try Data(PromelaExporter(ModelConfiguration(nodes: 2)).source.utf8).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: spin)
        process.arguments = ["-a", file.path]
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("pan.c").path))
    }
}
