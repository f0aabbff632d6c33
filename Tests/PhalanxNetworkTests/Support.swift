import Foundation
import Logging
import PhalanxCore
import PhalanxFederation
import PhalanxNetwork
import PhalanxWire

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where the built `phalanx` executable is: beside the test bundle (`swift build --build-tests` builds both).
func phalanxBinary() throws -> String {
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("phalanx")
            .path,
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/phalanx").path,
    ]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw NetworkTestError("no phalanx executable at \(candidates.joined(separator: " or ")); run swift build")
    }
    return found
}

struct NetworkTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh federation of `nodes` demo organizations in a temporary directory, removed afterwards.
func withDeployment<T>(
    nodes: Int = 3, days: Int = 2, tickMilliseconds: Int = 100, partitionAfterTicks: Int = 3,
    start: Bool = true,
    _ body: (LocalDeployment) async throws -> T
) async throws -> T {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("phalanx-net-\(UUID().uuidString)").path
    let deployment = LocalDeployment(
        root: root, binary: try phalanxBinary(), nodes: Array(LocalDeployment.demoNodes(days: days).prefix(nodes)),
        tickMilliseconds: tickMilliseconds, partitionAfterTicks: partitionAfterTicks)
    defer {
        deployment.stopAll()
        try? FileManager.default.removeItem(atPath: root)
    }
    try deployment.prepare()
    if start {
        try deployment.startAll()
        try await deployment.waitUntilReady()
    }
    return try await body(deployment)
}

/// Thread-safe collection of what a test observes from a progress stream.
final class Observed: @unchecked Sendable {
    private let lock = NSLock()
    private var _events: [String] = []
    private var _states: [UInt64: [String: String]] = [:]
    func record(_ update: Phalanx_Federation_V1_JobProgress) {
        lock.withLock {
            if case .tick(let tick) = update.update {
                _events += tick.events
                _states[tick.tick] = tick.states
            }
        }
    }
    var events: [String] { lock.withLock { _events } }
    var states: [UInt64: [String: String]] { lock.withLock { _states } }
}

extension Phalanx_Federation_V1_JobFinished {
    var outputs: [ReleasedOutput] {
        guard hasResult else { return [] }
        return (try? CanonicalEncoding.decode(JobResult.self, from: [UInt8](result.payload)).outputs) ?? []
    }
}

/// The counting plug-in the demo runs.
let countingPlugin = SafetyEventCountPlugin.make(contributionBound: SafetyEventCountPlugin.defaultContributionBound)

/// Reads a process's log.
func log(of id: ParticipantID, in deployment: LocalDeployment) -> String {
    (try? String(contentsOfFile: deployment.logPath(for: id), encoding: .utf8)) ?? ""
}

/// Fetches a participant's `/metrics` text over plain HTTP.
func metrics(of id: ParticipantID, in deployment: LocalDeployment) async throws -> String {
    let address = deployment.metricsAddresses[id]!
    let (data, _) = try await URLSession.shared.data(from: URL(string: "http://\(address)/metrics")!)
    return String(decoding: data, as: UTF8.self)
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return false
}
