import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxLedger
import PhalanxNetwork
import PhalanxWire

/// `phalanx demo --processes`: the demo's five organizations, the aggregator and the control plane as seven OS
/// processes on loopback, talking gRPC over mutual TLS with certificates created on the fly; the job is submitted
/// by an operator over the network, exactly as `phalanx job submit` does.
struct DemoProcesses {
    let provider: String
    let rounds: Int
    let epsilon: Double
    let delta: Double
    let seed: UInt64
    let out: String?
    let quiet: Bool
    /// Where to write the JSON report (the in-process demo's schema), if anywhere.
    let json: String?

    func run() async throws -> Bool {
        let root =
            out.map { ($0 as NSString).appendingPathComponent("federation") }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("phalanx-demo-\(UUID().uuidString)").path
        if out != nil, FileManager.default.fileExists(atPath: root) {
            throw CLIError(.cannotCreate, "\(root) already exists", hint: "choose a new --out directory")
        }
        defer { if out == nil { try? FileManager.default.removeItem(atPath: root) } }
        guard let binary = Bundle.main.executablePath ?? CommandLine.arguments.first else {
            throw CLIError(.internalError, "cannot find the phalanx executable to start the participants")
        }
        let deployment = LocalDeployment(
            root: root, binary: binary, nodes: LocalDeployment.demoNodes(days: rounds, seed: seed),
            tickMilliseconds: 250)
        func say(_ line: String) { if !quiet { print(line) } }

        say("Phalanx demo over the network — five organizations count the prompts their safety agents blocked,")
        say("each in its own OS process, linked only by gRPC over mutual TLS on loopback.")
        say("")
        say("1. Federation PKI (created now in \(root)/pki)")
        try deployment.prepare()
        for id in deployment.participants + [deployment.operatorID] {
            let role =
                id == deployment.controlID
                ? "control"
                : id == deployment.aggregatorID ? "aggregator" : id == deployment.operatorID ? "operator" : "node"
            let address =
                deployment.addresses[id].map { " at \($0), /metrics on \(deployment.metricsAddresses[id]!)" } ?? ""
            say(
                "   \(id) (\(role)): X.509 certificate from the federation CA, binding its Ed25519 signing key\(address)"
            )
        }
        say("")
        say("2. Processes")
        try deployment.startAll()
        defer { deployment.stopAll() }
        try await deployment.waitUntilReady()
        say(
            "   \(deployment.participants.count) processes up; every node registered the shape of its data (never rows)"
        )
        say("")
        say(
            "3. Job: safety-event-count on \(provider), \(rounds) round(s), submitted by operator \(deployment.operatorID)"
        )
        let plugin = SafetyEventCountPlugin.make(contributionBound: SafetyEventCountPlugin.defaultContributionBound)
        let seen = JobProgressLog()
        let started = ContinuousClock.now
        let finished = try await deployment.operatorClient().submit(
            plugin: plugin, provider: provider, rounds: rounds, epsilon: epsilon, delta: delta
        ) { update in
            seen.record(update)
            guard !quiet else { return }
            switch update.update {
            case .admitted(let admitted):
                print(
                    "   admitted job \(admitted.jobID.prefix(12))… with \(admitted.participants.joined(separator: ", "))"
                )
            case .tick(let tick):
                for event in tick.events { print("   [tick \(tick.tick)] \(event)") }
            default: break
            }
        }
        let elapsed = started.duration(to: .now).components
        let wallSeconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        // Every process's figures, read before they stop.
        var metrics = ""
        for id in deployment.participants {
            if let address = deployment.metricsAddresses[id] {
                metrics += await DemoReportJSON.scrape(address.description) + "\n"
            }
        }
        say("")
        say("4. Result")
        var outputs: [ReleasedOutput] = []
        if finished.hasResult {
            outputs = try CanonicalEncoding.decode(JobResult.self, from: [UInt8](finished.result.payload)).outputs
        }
        let line =
            finished.outcome == "finalized"
            ? "job FINALIZED after \(finished.ticks) ticks; result released"
            : "job \(finished.outcome.uppercased()) after \(finished.ticks) ticks: \(finished.reason)"
        say("   " + line)
        for output in outputs.sorted(by: { $0.round < $1.round }) {
            let cells = zip(output.labels, output.values).map { "\($0)=\($1.map(String.init) ?? "—")" }
            say("   day \(output.round): " + cells.joined(separator: "  "))
        }
        say("")
        say("5. Shutdown and audit")
        deployment.stopAll()
        let ledgerPath = root + "/state/control/ledger.sqlite"
        let verification = LedgerVerifier.verify(path: ledgerPath)
        say("   every process stopped on SIGTERM (graceful shutdown)")
        say(
            "   ledger \(ledgerPath): \(verification.isValid ? "VERIFIED" : "FAILED") — \(verification.entries) entries, \(verification.checkpoints) checkpoints"
        )
        if let json, let admitted = seen.admitted {
            let report = try await DemoReportJSON(
                processes: .init(
                    jobId: admitted.jobID, plugin: admitted.plugin, provider: admitted.provider, rounds: rounds,
                    ticks: finished.ticks, nodes: admitted.participants, outcome: finished.outcome,
                    reason: finished.reason.isEmpty ? nil : finished.reason,
                    outputs: finished.outcome == "finalized" ? outputs : nil, finalStates: seen.finalStates,
                    metrics: metrics, ledgerPath: ledgerPath, budgetPath: root + "/state/control/budget.sqlite",
                    wallSeconds: wallSeconds),
                policy: try DefaultPolicy.load())
            try Files.writeAtomically(try Files.encodeJSON(report), to: json)
            say("   report: \(json)")
        }
        if quiet { print(line) }
        return finished.outcome == "finalized" && verification.isValid
    }
}
