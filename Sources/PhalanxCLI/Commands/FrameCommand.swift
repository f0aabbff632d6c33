import ArgumentParser
import Foundation
import PhalanxCore

struct FrameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frame",
        abstract: "Check signed telemetry frames offline.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify every frame of a frames.jsonl against the participants' public keys.",
            discussion: """
                Checks each frame's Ed25519 signature and author, and per participant that sequence numbers \
                strictly increase; with --manifest, also the job hash and the metric keys. Exit code 0 if every \
                frame passes, 1 if any is rejected, 65 if a line is malformed.
                """
        )

        @Argument(help: "A frames.jsonl file: one signed frame envelope per line.")
        var file: String

        @Option(name: .long, help: "A directory of .pub files (the roster).")
        var keys: String

        @Option(name: .long, help: "The job's manifest.json.")
        var manifest: String?

        func run() async throws {
            try await reportingErrors {
                let roster = try KeyFiles.loadRoster(directory: keys)
                let job = try manifest.map { path in
                    try JSONInput.decode(JobManifest.self, from: try Files.read(path, what: "manifest"), file: path)
                }
                var lastSeq: [ParticipantID: UInt64] = [:]
                var accepted = 0
                var rejected: [String] = []
                let bytes = try Files.read(file, what: "frames file")
                for (i, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                    .enumerated() where !line.isEmpty
                {
                    let place = "\(file):\(i + 1)"
                    let envelope = try JSONInput.decode(
                        Signed<TelemetryFrame>.self, from: Array(line), file: file, line: i + 1)
                    let frame: TelemetryFrame
                    do {
                        frame = try envelope.verify(with: roster).value
                    } catch {
                        rejected.append("\(place): \(error)")
                        continue
                    }
                    if let job, frame.manifestHash != job.hash {
                        rejected.append(
                            "\(place): frame of \(frame.nodeId) names job \(frame.manifestHash.short)…, not \(job.hash.short)…"
                        )
                        continue
                    }
                    if let job, Set(frame.metrics.keys) != Set(job.metricKeys) {
                        rejected.append(
                            "\(place): frame of \(frame.nodeId) has metric keys \(frame.metrics.keys.sorted()), expected \(job.metricKeys)"
                        )
                        continue
                    }
                    if let last = lastSeq[frame.nodeId], frame.seq <= last {
                        rejected.append(
                            "\(place): replay or reordering: seq \(frame.seq) of \(frame.nodeId) after \(last)")
                        continue
                    }
                    lastSeq[frame.nodeId] = frame.seq
                    accepted += 1
                }
                for r in rejected { print("rejected \(r)") }
                print("\(file): \(accepted) frame(s) verified, \(rejected.count) rejected")
                if !rejected.isEmpty { throw CLIError(.checkFailed, "\(rejected.count) frame(s) failed verification") }
            }
        }
    }
}
