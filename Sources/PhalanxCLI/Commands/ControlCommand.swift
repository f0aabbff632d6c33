import ArgumentParser
import Foundation
import PhalanxControl
import PhalanxCore

/// Human overrides: an operator signs one, a second operator approves it, anyone checks it against the policy.
struct ControlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control",
        abstract: "Sign, approve and check human overrides of the safety loop.",
        discussion: """
            An override is an A-command signed with an operator's key (never a node's or the control plane's) that \
            must carry a reason: resume (lift a participant's local-agent ladder, including a suspension), abort \
            (force-abort the job) or set-param (change a policy parameter within the range guardrails.yaml allows \
            under overrides.parameters). Overrides listed under overrides.two_person, and parameters marked \
            two_person, take effect only with the approval of a second, distinct operator. The control plane checks \
            all of this, records the override in the audit ledger, and re-signs the resulting command with its own \
            key: participants obey only the control plane.

              phalanx control override resume --key alice.key --job JOB --target shopline --reason "…" --out o.json
              phalanx control approve o.json --key bob.key --reason "…"
              phalanx control check o.json --keys keys/ --manifest manifest.json [--guardrails guardrails.yaml]
            """,
        subcommands: [Override.self, Approve.self, Check.self, Serve.self]
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case resume, abort
        case setParam = "set-param"

        var commandKind: CommandKind {
            switch self {
            case .resume: .resume
            case .abort: .abortJob
            case .setParam: .setParameter
            }
        }
    }

    static func readRequest(_ path: String) throws -> OverrideRequest {
        try JSONInput.decode(OverrideRequest.self, from: try Files.read(path, what: "override"), file: path)
    }

    /// The operator identity in the private key file `key`; any other role is a usage error.
    static func loadOperator(_ key: String, signing what: String, hint: String? = nil) throws -> SigningIdentity {
        let identity = try KeyFiles.loadPrivate(key)
        guard identity.role == .operator else {
            throw CLIError(
                .usage, "\(key) is a \(identity.role) key; \(what) are signed with an operator key", hint: hint)
        }
        return identity
    }

    static func requireReason(_ reason: String) throws {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("--reason must say why (it is recorded in the audit ledger)")
        }
    }

    struct Override: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign an override with an operator key and write it to a file.")

        @Argument(help: "resume, abort or set-param.")
        var kind: Kind

        @Option(name: .long, help: "The operator's private key file (role operator).")
        var key: String

        @Option(name: .long, help: "The job id (the manifest's SHA-256, 64 hex digits).")
        var job: String

        @Option(name: .long, help: "Why; required and recorded in the audit ledger.")
        var reason: String

        @Option(name: .long, help: "resume: a participant whose ladder to lift (repeat for several).")
        var target: [String] = []

        @Option(name: .long, help: "set-param: the parameter to change.")
        var param: String?

        @Option(name: .long, help: "set-param: its new value.")
        var value: Double?

        @Option(name: .long, help: "The control plane's id, the addressee of abort and set-param.")
        var control = "control"

        @Option(name: .long, help: "Where to write the override (JSON); never overwritten.")
        var out: String

        func validate() throws {
            try ControlCommand.requireReason(reason)
            switch kind {
            case .resume:
                guard !target.isEmpty else { throw ValidationError("resume needs at least one --target") }
            case .abort:
                guard target.isEmpty, param == nil, value == nil else {
                    throw ValidationError("abort takes no --target, --param or --value")
                }
            case .setParam:
                guard let param, let value else { throw ValidationError("set-param needs --param and --value") }
                guard MetricKey.isValid(param) else {
                    throw ValidationError("--param \(param) is not a parameter name")
                }
                guard value.isFinite else { throw ValidationError("--value must be a finite number") }
            }
        }

        func run() async throws {
            try await reportingErrors {
                guard !FileManager.default.fileExists(atPath: out) else {
                    throw CLIError(.cannotCreate, "\(out) already exists", hint: "choose a new --out file")
                }
                let jobId: SHA256Digest
                do { jobId = try SHA256Digest(hex: job) } catch {
                    throw CLIError(.usage, "--job: \(error)", hint: "the job id is printed by `phalanx manifest check`")
                }
                let identity = try ControlCommand.loadOperator(
                    key, signing: "overrides", hint: "phalanx keys generate --id NAME --role operator --out DIR")
                let targets: [ParticipantID]
                do { targets = try (kind == .resume ? target : [control]).map { try ParticipantID($0) } } catch {
                    throw CLIError(.usage, "\(error)")
                }
                let command = ACommand(
                    kind: kind.commandKind, jobId: jobId, issuer: identity.id, targets: targets, predicate: nil,
                    parameter: kind == .setParam ? param : nil, value: kind == .setParam ? value : nil, reason: reason,
                    issuedAtTick: 0, ackBy: 0, issuedAtMs: Int64(Date().timeIntervalSince1970 * 1_000))
                let request = OverrideRequest(command: try Signed(signing: command, with: identity))
                try Files.writeAtomically(try Files.encodeJSON(request), to: out)
                print("wrote \(out): \(command.kind) \(command.id) signed by \(identity.id)")
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a second operator's signed approval to an override file (rewritten atomically).")

        @Argument(help: "An override file written by `phalanx control override`.")
        var file: String

        @Option(name: .long, help: "The approving operator's private key file (not the one that signed it).")
        var key: String

        @Option(name: .long, help: "Why you approve; required and recorded in the audit ledger.")
        var reason: String

        func validate() throws { try ControlCommand.requireReason(reason) }

        func run() async throws {
            try await reportingErrors {
                var request = try ControlCommand.readRequest(file)
                let identity = try ControlCommand.loadOperator(key, signing: "approvals")
                guard identity.id != request.command.signer else {
                    throw CLIError(
                        .usage, "\(identity.id) signed this override; a second, different operator must approve it")
                }
                let command: ACommand
                do { command = try request.command.verify(with: identity.publicIdentity).value } catch {
                    // Verified with the issuer's key by `check` and by the control plane; here only decode it.
                    command = try CanonicalEncoding.decode(ACommand.self, from: [UInt8](request.command.payload))
                }
                let approval = OverrideApproval(
                    commandId: command.id, commandDigest: request.command.digest, approver: identity.id,
                    reason: reason, timestampMs: Int64(Date().timeIntervalSince1970 * 1_000))
                request.approvals.append(try Signed(signing: approval, with: identity))
                try Files.writeAtomically(try Files.encodeJSON(request), to: file)
                print(
                    "approved \(command.kind) \(command.id) as \(identity.id); \(request.approvals.count) approval(s)")
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an override as the control plane would: signatures, roles, reason, range, approvals.",
            discussion: "Exit code 0 if the control plane would apply it, 1 if it would refuse it (with why).")

        @Argument(help: "An override file.")
        var file: String

        @Option(name: .long, help: "A directory of participants' and operators' .pub files: the federation roster.")
        var keys: String

        @Option(name: .long, help: "The job's manifest JSON.")
        var manifest: String

        @Option(name: .long, help: "guardrails.yaml of the job (default: the embedded policy).")
        var guardrails: String?

        func run() async throws {
            try await reportingErrors {
                let request = try ControlCommand.readRequest(file)
                let roster = try KeyFiles.loadRoster(directory: keys)
                let job = try JSONInput.decode(
                    JobManifest.self, from: try Files.read(manifest, what: "manifest"), file: manifest)
                let policy = try GuardrailsCommand.loadPolicy(guardrails)
                guard let control = roster.identity(for: job.participants.control) else {
                    throw CLIError(
                        .malformedInput, "\(keys) has no key for the control plane \(job.participants.control)")
                }
                // The check runs the control engine's own verification with a throwaway signing key: it signs nothing
                // that leaves this process.
                var engine = ControlEngine(
                    identity: SigningIdentity.generate(id: control.id, role: .control), manifest: job,
                    escalation: policy.escalation, overrides: policy.overrides)
                switch engine.receiveOverride(request, roster: roster) {
                case .success(let verified):
                    let approvers = verified.approvals.keys.sorted().map(\.rawValue).joined(separator: ", ")
                    print(
                        "accepted: \(verified.command.kind) by \(verified.command.issuer)"
                            + (approvers.isEmpty ? "" : ", approved by \(approvers)") + ": \(verified.command.reason)")
                case .failure(let refusal):
                    throw CLIError(.checkFailed, "\(file): refused: \(refusal.message)")
                }
            }
        }
    }
}
