import ArgumentParser
import Foundation
import Logging
import PhalanxAgentService

/// `phalanx agent serve --config agent.yaml`: the local safety agent's HTTP API, until SIGTERM or SIGINT.
struct AgentServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the local safety agent's HTTP API (docs/agent-api.md) until SIGTERM or SIGINT.",
        discussion: """
            The agent scans what is sent to it (POST /v1/scan), decides under its policy and the federation's \
            ladder, keeps each decision in its events store (without the text unless the policy says keep_text) and \
            commits the receipts to its audit ledger. state_dir holds events.sqlite, ledger.sqlite and the agent's \
            key, all created on first start. On SIGTERM it stops taking requests, commits every queued receipt and \
            signs a final ledger checkpoint.
            """)

    @Option(name: .long, help: "The agent's configuration, agent.yaml (docs/agent-api.md).")
    var config: String

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        ProcessLogging.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        try await reportingErrors {
            guard FileManager.default.isReadableFile(atPath: config) else {
                throw CLIError(
                    .missingInput, "cannot read \(config)",
                    hint: "write an agent.yaml with at least \"agent: ID\" and \"state_dir: DIR\" (docs/agent-api.md)")
            }
            let configuration: AgentConfig
            do { configuration = try AgentConfig.load(path: config) } catch {
                throw CLIError(.malformedInput, "\(error)", hint: "the keys are listed in docs/agent-api.md")
            }
            let server: AgentServer
            do { server = try await AgentServer.open(config: configuration) } catch {
                throw CLIError(.malformedInput, "\(error)")
            }
            try await server.run()
        }
    }
}
