import ArgumentParser

/// `phalanx`: the command-line entry point.
public struct PhalanxCommand: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "phalanx",
        abstract: "Phalanx — one safety loop over federated AI-safety jobs.",
        discussion: """
            Run `phalanx demo` to watch five organizations count the prompts their safety agents blocked, \
            without pooling their logs, under signed telemetry, guard-rails and an audit record; add \
            `--processes` to run every participant as its own process over gRPC with mutual TLS. A real \
            deployment uses `phalanx pki`, `phalanx control|aggregator|node serve` and `phalanx job submit` \
            (docs/deployment.md).

            Exit codes: 0 success; 1 what was checked failed (verification, admission, or the demo's \
            expected outcome); 64 usage error; 65 malformed input file; 66 missing input file; \
            70 internal error; 73 output exists or cannot be created; 74 output could not be written.
            """,
        version: version,
        subcommands: [
            DemoCommand.self, KeysCommand.self, ManifestCommand.self, GuardrailsCommand.self, FrameCommand.self,
            LedgerCommand.self, FSMCommand.self, BenchCommand.self, DPCommand.self, ControlCommand.self,
            FuzzCommand.self, VerifyModelCommand.self, PluginCommand.self, RunCommand.self, PKICommand.self,
            NodeCommand.self, AggregatorCommand.self, JobCommand.self, StatusCommand.self, AgentCommand.self,
            TrainCommand.self,
        ]
    )

    public init() {}

    /// Parses the process's arguments and runs the chosen command asynchronously.
    ///
    /// (Calling `main()` from a `main.swift` picks argument-parser's synchronous overload, which refuses
    /// asynchronous commands on Linux; this spells out the asynchronous path.)
    public static func runFromCommandLine() async {
        do {
            var command = try await asyncParseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
