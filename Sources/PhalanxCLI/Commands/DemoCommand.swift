import ArgumentParser
import Foundation
import PhalanxControl
import PhalanxCore
import PhalanxDSL
import PhalanxFederation
import PhalanxLedger
import PhalanxProviders

extension Fault: ExpressibleByArgument {}

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Run a federated job end to end (in one process, or --processes: one per participant) and tell its story.",
        discussion: """
            Five organizations keep logs of the requests their local safety agents blocked. They run the \
            safety-event-count plug-in to learn how many prompts were blocked per category per day across all \
            of them, while each log stays inside its node. You watch admission, the rounds, signed 1 Hz \
            telemetry checked by the collector, the guard-rail predicates, and the Merkle audit ledger with its signed
            checkpoint.

            Faults (--inject-fault):
              overspend     \(Fault.overspend.summary)
              forged-frame  \(Fault.forgedFrame.summary)
              replay        \(Fault.replay.summary)
              malformed-share \(Fault.malformedShare.summary)
              privacy-overspend \(Fault.privacyOverspend.summary)
              silent-node   \(Fault.silentNode.summary)
              lost-result   \(Fault.lostResult.summary)
              poisoned-update \(Fault.poisonedUpdate.summary)

            Execution providers (--ep): plain (no protection), secagg (secure aggregation), dp (central \
            differential privacy: the aggregator adds exact discrete Gaussian noise), dp+secagg (distributed \
            DP: each node adds its share of the noise before secure aggregation).

            Exit code 0 means the job ended as the scenario expects: finalized without a fault or with a \
            network fault (forged-frame, replay, lost-result), a silent node or a malformed share, aborted under \
            overspend and privacy-overspend. Exit code 1 means it did not.
            """
    )

    @Option(
        name: .long,
        help:
            "Inject a fault: overspend, forged-frame, replay, malformed-share, privacy-overspend, silent-node, lost-result or poisoned-update."
    )
    var injectFault: Fault?

    @Option(
        name: .customLong("ep"),
        help:
            "Execution provider: plain, secagg, dp, dp+secagg, fhe or fhe+dp (malformed-share implies secagg, privacy-overspend dp)."
    )
    var executionProvider: String?

    @Option(name: .long, help: "For dp, dp+secagg and fhe+dp: the ε of the whole job, all rounds composed.")
    var epsilon: Double = 0.9

    @Option(name: .long, help: "For dp, dp+secagg and fhe+dp: the δ of the whole job.")
    var delta: Double = 1e-6

    @Option(
        name: .long,
        help: """
            For dp and dp+secagg: each organization's lifetime ε budget in the budget ledger (a job it cannot \
            afford is refused).
            """)
    var nodeBudget: Double = 3.0

    @Option(name: .long, help: "Write a machine-readable JSON report to this file.")
    var json: String?

    @Option(
        name: .long,
        help:
            "Write the run's artifacts (manifest, plug-in IR, public keys, signed frames, commands and acks, the ledger and its checkpoint) into this directory."
    )
    var out: String?

    @Option(name: .long, help: "Use this guardrails.yaml instead of the embedded default.")
    var guardrails: String?

    @Option(name: .long, help: "Days of data, one round each (1–30).")
    var rounds: Int = 3

    @Option(name: .long, help: "Seed of the synthetic safety-event data.")
    var seed: UInt64 = 2026

    @Flag(name: .long, help: "Pace ticks at 1 Hz (real time) instead of running them back to back.")
    var realtime = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Run this plug-in (.phx source) on the organizations' safety events instead of the built-in one.",
            discussion: "It must read only the table safety_events (day, category, action), e.g. "
                + "Plugins/safety-event-count.phx with --ep dp."))
    var plugin: String?

    @Flag(name: .long, help: "Print only the outcome line.")
    var quiet = false

    @Flag(
        name: .long,
        help:
            "Run only the agents and the safety-event count job, not federated training, the poisoned round and Kaplan–Meier."
    )
    var jobOnly = false

    @Option(name: .long, help: "Where the whole story writes report.html and report.json (default: --out, else here).")
    var reportDir: String?

    @Option(name: .long, help: "The labelled corpus federated training reads, when built (else a generated one).")
    var corpus = "corpus"

    @Option(name: .long, help: "Rounds of federated training in the whole story.")
    var trainingRounds = 10

    @Flag(
        name: .long,
        help: "Run each organization, the aggregator and the control plane as its own OS process (gRPC, mutual TLS).")
    var processes = false

    func validate() throws {
        guard (1...30).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 30") }
        guard epsilon.isFinite, epsilon > 0 else { throw ValidationError("--epsilon must be a finite number > 0") }
        guard delta.isFinite, delta > 0, delta < 1 else { throw ValidationError("--delta must be in (0, 1)") }
        guard nodeBudget.isFinite, nodeBudget > 0 else {
            throw ValidationError("--node-budget must be a finite number > 0")
        }
        guard (1...200).contains(trainingRounds) else {
            throw ValidationError("--training-rounds must be within 1…200")
        }
    }

    func run() async throws {
        if processes {
            try await reportingErrors {
                guard injectFault == nil, plugin == nil, guardrails == nil, !realtime else {
                    throw CLIError(
                        .usage,
                        "--processes runs the demo job on its own; --inject-fault, --plugin, --guardrails and --realtime are in-process only for now"
                    )
                }
                let provider = executionProvider ?? PlainProvider.name
                _ = try ProviderRegistry.builtIn.requireProvider(named: provider)
                let succeeded = try await DemoProcesses(
                    provider: provider, rounds: rounds, epsilon: epsilon, delta: delta, seed: seed, out: out,
                    quiet: quiet, json: json
                ).run()
                if !succeeded { throw ExitCode(PhalanxExit.checkFailed.rawValue) }
            }
            return
        }
        try await reportingErrors {
            // The whole story (seed 000's mission) unless a fault, a plug-in or --job-only narrows it to the job.
            let mission = !quiet && !jobOnly && injectFault == nil && plugin == nil
            if mission, let json {
                let story = ((reportDir ?? out ?? ".") as NSString).appendingPathComponent("report.json")
                if URL(fileURLWithPath: json).standardizedFileURL == URL(fileURLWithPath: story).standardizedFileURL {
                    throw CLIError(
                        .usage, "--json \(json) is where the whole story writes its report.json",
                        hint: "choose another --json file or another --report-dir")
                }
            }
            var agents: [DemoAgents.Outcome] = []
            if !quiet {
                // Act one: the organizations' own agents, deciding locally before any federated job.
                do {
                    agents = try DemoAgents.run(profiles: SafetyEvents.demoProfiles)
                    print(DemoAgents.render(agents))
                    print("")
                } catch {
                    throw CLIError(.internalError, "the local safety agents could not start: \(error)")
                }
            }
            if injectFault == .poisonedUpdate {
                // A training fault: federated training rounds, each a job through the safety loop, not the count.
                let training = DemoMission(
                    organizations: SafetyEvents.demoProfiles.map(\.id), corpus: corpus, trainingRounds: trainingRounds,
                    seed: seed, reportDirectory: reportDir ?? out ?? ".", quiet: quiet)
                let poisoning = try await training.poisoningAct(try training.trainingData())
                guard poisoning.isolated == [poisoning.adversary.organization] else {
                    throw CLIError(
                        .checkFailed,
                        "the poisoned update was not caught: isolated \(poisoning.isolated.joined(separator: ", "))")
                }
                if quiet {
                    print(
                        "training round 1: update-norm fired, \(poisoning.adversary.organization) isolated; \(poisoning.rounds.count) rounds summed without it"
                    )
                }
                return
            }
            let policy = try GuardrailsCommand.loadPolicy(guardrails)
            var ledgerPath: String?
            if let out {
                ledgerPath = (out as NSString).appendingPathComponent("ledger.sqlite")
                guard !FileManager.default.fileExists(atPath: ledgerPath!) else {
                    throw CLIError(.cannotCreate, "\(ledgerPath!) already exists", hint: "choose a new --out directory")
                }
                do {
                    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                } catch {
                    throw CLIError(.cannotCreate, "cannot create \(out): \(error.localizedDescription)")
                }
            }
            let implied: String =
                switch injectFault {
                case .malformedShare: SecAggProvider.name
                case .privacyOverspend: DPProvider.centralName
                // The whole story releases the counts with distributed DP; the job-only demo keeps them plain.
                default: mission ? DPProvider.distributedName : PlainProvider.name
                }
            let provider = executionProvider ?? implied
            _ = try ProviderRegistry.builtIn.requireProvider(named: provider)
            if injectFault == .malformedShare, provider != SecAggProvider.name {
                throw CLIError(.usage, "malformed-share needs --ep secagg (shares exist only under secure aggregation)")
            }
            let isPrivate = DPProvider.names.contains(provider)
            if injectFault == .privacyOverspend, !isPrivate {
                throw CLIError(.usage, "privacy-overspend needs --ep dp or --ep dp+secagg (only they spend privacy)")
            }
            var workload: FederationRun.Workload?
            if let plugin {
                // The plug-in compiled from its source runs on the same organizations and data as the built-in one.
                let compiled = try PluginCommand.compile(plugin)
                let tables = compiled.ir.inputSchema.tables.map(\.name)
                guard tables == [SafetyEvents.table] else {
                    throw CLIError(
                        .usage,
                        "the demo's organizations hold only the table \(SafetyEvents.table); \(plugin) reads "
                            + tables.joined(separator: ", "),
                        hint: "run it on your own data with phalanx run \(plugin) --node NAME=FILE.csv …")
                }
                workload = FederationRun.Workload(
                    plugin: compiled.ir,
                    nodes: try SafetyEvents.demoProfiles.map { profile in
                        (
                            profile.id,
                            [SafetyEvents.table: try SafetyEvents.generate(profile: profile, days: rounds, seed: seed)]
                        )
                    })
            }
            let configuration = FederationRun.Configuration(
                rounds: rounds, dataSeed: seed, providerName: provider, policy: policy, fault: injectFault,
                realtime: realtime, ledgerPath: ledgerPath, epsilon: epsilon, delta: delta,
                nodeEpsilonLimit: nodeBudget,
                budgetPath: out.map { ($0 as NSString).appendingPathComponent("budget.sqlite") }, workload: workload)
            let report: FederationRun.Report
            do {
                report = try await FederationRun(configuration).run()
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError(.internalError, "the federation stopped: \(error)")
            }
            let story = DemoStory(report: report)
            if quiet { print(story.outcomeLine) } else { print(story.render()) }
            if let json {
                try Files.writeAtomically(try Files.encodeJSON(DemoReportJSON(report)), to: json)
                if !quiet { print("JSON report written to \(json)") }
            }
            if let out {
                try DemoArtifacts.write(
                    report,
                    policy: guardrails.map { try Files.read($0, what: "guard-rail policy") } ?? DefaultPolicy.bytes(),
                    to: out)
                if !quiet { print("artifacts written to \(out)/ (try: phalanx ledger verify \(out)/ledger.sqlite)") }
            }
            let expectedAbort = injectFault?.abortsJob ?? false
            let ok: Bool =
                switch report.outcome {
                case .finalized: !expectedAbort
                case .aborted: expectedAbort
                case .refused: false
                }
            if !ok {
                throw CLIError(.checkFailed, "the job did not end as the scenario expects (\(story.outcomeLine))")
            }
            if mission {
                print("")
                do {
                    _ = try await DemoMission(
                        organizations: SafetyEvents.demoProfiles.map(\.id), corpus: corpus,
                        trainingRounds: trainingRounds, seed: seed, reportDirectory: reportDir ?? out ?? "."
                    ).run(agents: agents, counts: report)
                } catch let error as CLIError {
                    throw error
                } catch {
                    throw CLIError(.internalError, "the demo's federated training stopped: \(error)")
                }
            }
        }
    }
}
