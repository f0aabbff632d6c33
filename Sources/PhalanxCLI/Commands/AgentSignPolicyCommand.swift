import ArgumentParser
import Foundation
import PhalanxAgent
import PhalanxCore

/// `phalanx agent sign-policy`: the control plane's signed bounds on every member's agent.
struct AgentSignPolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-policy",
        abstract:
            "Sign the federation's agent policy (threshold ranges, restrict mode, fallback) with the control key.",
        discussion: """
            Writes a JSON Signed<FederationAgentPolicy> (payload type phalanx.agent-policy.v1) for agents' \
            `federation.policy` in agent.yaml: the standard ranges (each category's threshold may be set between \
            0.3 and the federation's value), restrict-mode thresholds 0.15 stricter, injection, jailbreak, secrets \
            and disguised text blocked outright in restrict mode, and the fallback after --fallback-after-ticks \
            silent ticks. The key is the control plane's signing key (a PKI's private/control/signing.key, or a \
            `phalanx keys generate --role control` key). Never overwrites.
            """
    )

    @Option(name: .long, help: "The control plane's signing key file.")
    var key: String

    @Option(name: .long, help: "Where to write the signed policy (JSON).")
    var out: String

    @Option(name: .long, help: "The policy's version; agents refuse one older than they hold.")
    var version = 1

    @Option(name: .long, help: "Ticks without a message from the control plane before an agent falls back.")
    var fallbackAfterTicks = 10

    func run() async throws {
        try await reportingErrors {
            let identity = try KeyFiles.loadPrivate(key)
            guard identity.role == .control else {
                throw CLIError(.malformedInput, "\(key) is the key of a \(identity.role), not of the control plane")
            }
            guard version >= 1, (1...86_400).contains(fallbackAfterTicks) else {
                throw CLIError(.usage, "--version is at least 1 and --fallback-after-ticks within 1…86400")
            }
            var policy = FederationAgentPolicy.standard(
                issuer: identity.id, issuedAtMs: Int64(Date().timeIntervalSince1970 * 1_000))
            policy.version = version
            policy.fallbackAfterTicks = fallbackAfterTicks
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let bytes = try encoder.encode(try Signed(signing: policy, with: identity))
            guard !FileManager.default.fileExists(atPath: out) else {
                throw CLIError(.cannotCreate, "\(out) exists; choose another --out")
            }
            guard FileManager.default.createFile(atPath: out, contents: bytes) else {
                throw CLIError(.cannotCreate, "cannot write \(out)")
            }
            print(
                "wrote \(out): agent policy version \(version) signed by \(identity.id), fallback after \(fallbackAfterTicks) ticks"
            )
        }
    }
}
