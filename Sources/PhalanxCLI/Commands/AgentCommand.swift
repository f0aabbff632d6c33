import ArgumentParser
import Foundation
import PhalanxAgent
import PhalanxCore

/// `phalanx agent …`: the local safety agent from the command line.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "The local safety agent: scan texts, evaluate it on labelled data, train its classifier, serve it.",
        discussion: """
            The scanners, the classifier, the policy format and the ladder are described in docs/agent.md; the \
            HTTP API in docs/agent-api.md.
            """,
        subcommands: [
            AgentScanCommand.self, AgentEvalCommand.self, AgentTrainCommand.self, AgentServeCommand.self,
            AgentExportCommand.self, AgentSignPolicyCommand.self,
        ]
    )
}

/// Where the agent's model and policy come from, shared by the commands that build an agent.
struct AgentModelOptions: ParsableArguments {
    @Option(name: .long, help: "A model file (.phxm) to use instead of the bundled one.")
    var model: String?

    @Flag(name: .long, help: "Run the phrase and format detectors only, without the trained classifier.")
    var noModel = false

    @Option(name: .long, help: "An agent policy (YAML) to use instead of the shipped default.")
    var policy: String?

    func loadModel() throws -> (any AttackModel)? {
        if noModel { return nil }
        do {
            if let model { return try TrainedAttackModel.load(path: model) }
            return try TrainedAttackModel.bundled()
        } catch {
            throw CLIError(
                .malformedInput, "cannot load the model: \(error)",
                hint: "train one with `phalanx agent train`, or pass --no-model")
        }
    }

    func loadPolicy() throws -> AgentPolicy {
        guard let policy else { return DefaultAgentPolicy.policy }
        guard let data = FileManager.default.contents(atPath: policy) else {
            throw CLIError(.missingInput, "cannot read the policy \(policy)")
        }
        do {
            return try AgentPolicyLoader.load([UInt8](data), file: policy)
        } catch {
            throw CLIError(.malformedInput, "\(error)")
        }
    }

    func agent() throws -> SafetyAgent {
        let configuration = SafetyAgent.Configuration(
            agent: try ParticipantID("local-agent"), policy: try loadPolicy(), model: try loadModel(),
            trusted: try FederationRoster([]))
        do { return try SafetyAgent(configuration) } catch { throw CLIError(.malformedInput, "\(error)") }
    }
}
