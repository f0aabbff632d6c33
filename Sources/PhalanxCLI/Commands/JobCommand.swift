import ArgumentParser
import Foundation
import Logging
import PhalanxCore
import PhalanxNetwork
import PhalanxPKI
import PhalanxProviders
import PhalanxWire

/// How an operator reaches a running federation: the control plane's address and the operator's certificate.
struct FederationConnection: ParsableArguments {
    @Option(name: .long, help: "The control plane's gRPC address, host:port.")
    var control: String

    @Option(name: .long, help: "The control plane's participant id (its certificate must name it).")
    var controlId = "control"

    @Option(name: .long, help: "Your operator credential directory (from `phalanx pki issue --role operator`).")
    var credentials: String

    @Option(
        name: .long, help: "The federation's PKI directory: its revocation list is honoured, its roster checks results."
    )
    var pki: String?

    func client() throws -> OperatorClient {
        guard let address = NetworkAddress(control) else { throw CLIError(.usage, "--control must be host:port") }
        let controlID: ParticipantID
        do { controlID = try ParticipantID(controlId) } catch { throw CLIError(.usage, "--control-id: \(error)") }
        var logger = Logger(label: "phalanx.operator")
        logger.logLevel = .warning
        do {
            return try OperatorClient(
                credentials: credentials, control: controlID, address: address,
                revocations: pki.map { $0 + "/revocations.json" }, logger: logger)
        } catch {
            throw CLIError(.missingInput, "cannot load the operator credential in \(credentials): \(error)")
        }
    }
}

struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job", abstract: "Submit jobs to a running federation.", subcommands: [Submit.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile a plug-in, submit it to the control plane and wait for its result.",
            discussion: """
                The plug-in is compiled here (errors point at the source) and sent as its IR; the control plane \
                admits it against the nodes' declared data and its guard-rails, runs it over the network and \
                streams its progress. Exit 0 when the job finalized, 1 when it was refused or aborted.

                  phalanx job submit Plugins/safety-event-count.phx --ep secagg --control 127.0.0.1:7400 \\
                      --credentials pki/private/alice --pki pki
                """)

        @Argument(help: "The plug-in file (.phx).")
        var file: String

        @Option(name: .customLong("ep"), help: "Execution provider: plain, secagg, dp, dp+secagg, fhe or fhe+dp.")
        var executionProvider = "plain"

        @Option(name: .long, help: "Rounds.")
        var rounds = 1

        @OptionGroup var privacy: PrivacyOptions
        @OptionGroup var connection: FederationConnection

        @Flag(name: .long, help: "Print only the outcome as JSON (no progress).")
        var json = false

        func run() async throws {
            try await reportingErrors {
                _ = try ProviderRegistry.builtIn.requireProvider(named: executionProvider)
                guard (1...1_000).contains(rounds) else { throw CLIError(.usage, "--rounds must be 1…1000") }
                let plugin = try PluginCommand.compile(file)
                let client = try connection.client()
                let quiet = json
                let progress = JobProgressLog()
                let finished: Phalanx_Federation_V1_JobFinished
                do {
                    finished = try await client.submit(
                        plugin: plugin.ir, provider: executionProvider, rounds: rounds, epsilon: privacy.epsilon,
                        delta: privacy.delta
                    ) { update in
                        progress.record(update)
                        switch update.update {
                        case .admitted(let job):
                            guard !quiet else { return }
                            print(
                                "admitted job \(job.jobID.prefix(12))…: \(job.plugin) on \(job.provider) with \(job.participants.joined(separator: ", "))"
                            )
                        case .tick(let tick):
                            guard !quiet else { return }
                            for event in tick.events { print("  [tick \(tick.tick)] \(event)") }
                        case .finished, .none: break
                        }
                    }
                } catch {
                    throw CLIError(
                        .checkFailed,
                        "the control plane at \(connection.control) refused: \(NetworkTransport.summary(error))")
                }
                var output = try Self.output(finished, plugin: plugin.ir, provider: executionProvider)
                output.nodes = progress.admitted?.participants ?? []
                let verified = try connection.verifyResult(finished)
                if json {
                    print(String(decoding: try Files.encodeJSON(output), as: UTF8.self), terminator: "")
                } else {
                    print(RunCommand.text(output))
                    if let verified { print(verified) }
                    if !finished.checkpoint.isEmpty {
                        print(
                            "ledger checkpoint:\n"
                                + finished.checkpoint.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
                    }
                }
                if output.outcome != "finalized" { throw ExitCode(PhalanxExit.checkFailed.rawValue) }
            }
        }

        static func output(
            _ finished: Phalanx_Federation_V1_JobFinished, plugin: PluginIR, provider: String
        ) throws
            -> RunCommand.Output
        {
            var outputs: [ReleasedOutput] = []
            if finished.hasResult {
                let result = try CanonicalEncoding.decode(JobResult.self, from: [UInt8](finished.result.payload))
                outputs = result.outputs
            }
            return RunCommand.Output(
                plugin: "\(plugin.name)@\(plugin.version)", provider: provider, nodes: [],
                outcome: finished.outcome, reason: finished.reason.isEmpty ? nil : finished.reason, epsilon: nil,
                delta: nil, ticks: finished.ticks,
                outputs: outputs.map {
                    RunCommand.Output.Released(name: $0.name, round: $0.round, labels: $0.labels, values: $0.numbers)
                })
        }
    }
}

extension FederationConnection {
    /// With `--pki`: checks the aggregator's signature on the released result against the federation roster, so
    /// the operator need not trust the control plane that relayed it. Returns the line to print.
    func verifyResult(_ finished: Phalanx_Federation_V1_JobFinished) throws -> String? {
        guard let pki, finished.hasResult else { return nil }
        let roster: FederationRoster
        do {
            roster = try FederationRoster(PKIDirectory(path: pki).roster())
        } catch {
            throw CLIError(.missingInput, "cannot read the federation roster in \(pki): \(error)")
        }
        do {
            let signed: Signed<JobResult> = try WireCodec.typed(finished.result, field: "result")
            let verified = try signed.verify(with: roster)
            return
                "result signed by \(verified.signer.id) (\(verified.signer.role.rawValue)): signature verified against the roster in \(pki)"
        } catch {
            throw CLIError(.checkFailed, "the released result does not verify against the federation roster: \(error)")
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a running federation: participants, jobs, the latest checkpoint.")

    @OptionGroup var connection: FederationConnection

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let report: Phalanx_Federation_V1_StatusReport
            do {
                report = try await connection.client().status()
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError(
                    .checkFailed,
                    "cannot reach the control plane at \(connection.control): \(NetworkTransport.summary(error))")
            }
            if json {
                print(try report.jsonString())
                return
            }
            print("federation \(report.federation) at tick \(report.tick)")
            print("participants:")
            for p in report.participants {
                let reach = p.reachable ? "up" : "DOWN"
                print(
                    "  \(p.participant.padding(toLength: 14, withPad: " ", startingAt: 0)) \(p.role.padding(toLength: 11, withPad: " ", startingAt: 0)) \(p.address.padding(toLength: 22, withPad: " ", startingAt: 0)) \(reach.padding(toLength: 5, withPad: " ", startingAt: 0)) \(p.state.isEmpty ? "-" : p.state)\(p.inFallback ? " (fallback)" : "") last seen tick \(p.lastSeenTick)"
                )
            }
            print("jobs:")
            if report.jobs.isEmpty { print("  none yet") }
            for job in report.jobs {
                print(
                    "  \(job.jobID.prefix(12))… \(job.plugin) on \(job.provider): \(job.state) after \(job.ticks) ticks\(job.reason.isEmpty ? "" : " — \(job.reason)")"
                )
            }
            print("ledger: \(report.ledgerSize) entries; latest checkpoint:")
            print(report.checkpoint.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
        }
    }
}
