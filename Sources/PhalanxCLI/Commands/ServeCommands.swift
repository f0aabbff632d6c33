import ArgumentParser
import Foundation
import Logging
import PhalanxCore
import PhalanxNetwork

/// `--config` and `--log-level` of the three `serve` commands.
struct ServeOptions: ParsableArguments {
    @Option(name: .long, help: "The participant's configuration (docs/deployment.md).")
    var config: String

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
    }

    func serve(as role: Role) async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        ProcessLogging.bootstrap(level: level)
        try await reportingErrors {
            do {
                try await ParticipantProcess.serve(configPath: config, role: role)
            } catch let error as ConfigError {
                throw CLIError(.malformedInput, error.description)
            }
        }
    }
}

/// Log lines go to standard error, one per event, with their metadata (key=value), so they can be parsed.
enum ProcessLogging {
    static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node", abstract: "Run an organization's node as a network service.",
        subcommands: [Serve.self])

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a node: gRPC over mutual TLS, /metrics, until SIGTERM or SIGINT.",
            discussion: """
                The node holds its tables, registers the shape of its data with the control plane, and runs the \
                tick phases the control plane drives. If no tick arrives for partition_after_ticks ticks it falls \
                back to its conservative mode until the control plane is back.
                """)
        @OptionGroup var options: ServeOptions
        func run() async throws { try await options.serve(as: .node) }
    }
}

struct AggregatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aggregator", abstract: "Run the federation's aggregator as a network service.",
        subcommands: [Serve.self])

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the aggregator: gRPC over mutual TLS, /metrics, until SIGTERM or SIGINT.")
        @OptionGroup var options: ServeOptions
        func run() async throws { try await options.serve(as: .aggregator) }
    }
}

extension ControlCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the control plane: drive ticks, admit jobs, keep the ledger; until SIGTERM or SIGINT.")
        @OptionGroup var options: ServeOptions
        func run() async throws { try await options.serve(as: .control) }
    }
}
