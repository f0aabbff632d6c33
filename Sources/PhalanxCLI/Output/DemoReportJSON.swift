import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxFederation
import PhalanxLedger

/// The machine-readable report of `phalanx demo --json FILE`. Schema: `docs/schemas/demo-report.schema.json`.
struct DemoReportJSON: Encodable {
    struct Predicates: Encodable {
        var enabled: [String]
        var disabled: [Disabled]
    }
    struct Disabled: Encodable {
        var id: String
        var missingKeys: [String]
    }
    struct Command: Encodable {
        var id: String
        var kind: String
        var predicate: String?
        var tick: UInt64
        var targets: [String]
        var acks: [String: String]
    }
    struct Frames: Encodable {
        var accepted: Int
        var rejected: [String: Int]
    }
    struct Ledger: Encodable {
        var entries: Int
        var checkpoint: String
        var root: String?
        var verified: Bool
        var problems: [LedgerVerificationReport.Problem]
        var file: String?
    }

    var phalanxVersion = PhalanxCommand.version
    var jobId: String
    var plugin: String
    var executionProvider: String
    var fault: String?
    var outcome: String
    var reason: String?
    var rounds: Int
    var ticks: UInt64
    var nodes: [String]
    var predicates: Predicates
    var frames: Frames
    var commands: [Command]
    var result: [ReleasedOutput]?
    var finalStates: [String: String]
    var ledger: Ledger
    var messages: [String: Int]
    var messageBytes: Int
    var wallSeconds: Double
    /// The manifest's privacy plan (dp providers only).
    var privacy: PrivacyPlan?
    /// Each organization's privacy budget after the run (dp providers only).
    var budgets: [BudgetStatus]?

    init(_ report: FederationRun.Report) {
        jobId = report.manifest.hash.hex
        plugin = "\(report.manifest.plugin.name)@\(report.manifest.plugin.version)"
        executionProvider = report.manifest.executionProvider
        fault = report.configuration.fault?.rawValue
        rounds = report.manifest.rounds
        ticks = report.ticks
        nodes = report.manifest.participants.nodes.map(\.rawValue)
        outcome = report.outcome.name
        reason = report.outcome.reason
        if case .finalized(let r) = report.outcome { result = r.outputs }
        var enabled: [String] = []
        var disabled: [Disabled] = []
        var commands: [Command] = []
        for (_, event) in report.events {
            switch event {
            case .admitted(_, _, _, let e, let d):
                enabled = e
                disabled = d.map { Disabled(id: $0.id, missingKeys: $0.missing) }
            case .commandIssued(let tick, let c):
                commands.append(
                    Command(
                        id: c.id.rawValue, kind: c.kind.rawValue, predicate: c.predicate, tick: tick,
                        targets: c.targets.map(\.rawValue), acks: [:]))
            case .ackReceived(_, let participant, let command, let outcome):
                if let i = commands.firstIndex(where: { $0.id == command.rawValue }) {
                    commands[i].acks[participant.rawValue] = outcome.rawValue
                }
            case .ackMissing(_, let participant, let command):
                if let i = commands.firstIndex(where: { $0.id == command.rawValue }) {
                    commands[i].acks[participant.rawValue] = "missing"
                }
            default: continue
            }
        }
        predicates = Predicates(enabled: enabled, disabled: disabled)
        self.commands = commands
        let accepted = report.ledgerEntries.reduce(0) { n, e in
            if case .framesSealed(_, _, let f, _, _) = e.record { return n + f.count }
            return n
        }
        frames = Frames(
            accepted: accepted,
            rejected: Dictionary(uniqueKeysWithValues: report.rejectionCounts.map { ($0.key.rawValue, $0.value) }))
        var states = Dictionary(
            uniqueKeysWithValues: report.finalNodeStates.map { ($0.key.rawValue, $0.value.rawValue) })
        states[report.manifest.participants.aggregator.rawValue] = report.finalAggregatorState.rawValue
        finalStates = states
        ledger = Ledger(
            entries: report.ledgerEntries.count, checkpoint: report.checkpoint.rendered, root: report.verification.root,
            verified: report.verification.isValid, problems: report.verification.problems, file: report.ledgerPath
        )
        messages = report.messageCounts
        messageBytes = report.messageBytes
        wallSeconds = report.wallSeconds
        privacy = report.manifest.privacy
        budgets = report.budgets.isEmpty ? nil : report.budgets
    }
}

/// The files `phalanx demo --out DIR` writes, so that each can be checked with another command.
enum DemoArtifacts {
    static func write(_ report: FederationRun.Report, policy: [UInt8], to directory: String) throws {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        try Files.writeAtomically(try Files.encodeJSON(report.manifest), to: path("manifest.json"))
        try Files.writeAtomically(try Files.encodeJSON(report.plugin), to: path("plugin.json"))
        try Files.writeAtomically(policy, to: path("guardrails.yaml"))
        for identity in report.roster.members.values {
            try Files.writeAtomically(
                Array(KeyFile.publicKeyFile(for: identity).utf8), to: path("keys/\(identity.id).pub"))
        }
        try Files.writeAtomically(try Files.encodeJSONLines(report.frameLog), to: path("frames.jsonl"))
        try Files.writeAtomically(try Files.encodeJSONLines(report.commandLog), to: path("commands.jsonl"))
        try Files.writeAtomically(try Files.encodeJSONLines(report.ackLog), to: path("acks.jsonl"))
        // The ledger itself (ledger.sqlite) was written there by the run.
        try Files.writeAtomically(Array(report.checkpoint.rendered.utf8), to: path("checkpoint.txt"))
    }
}
