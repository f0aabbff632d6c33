import Foundation

/// The kinds of signed control commands (A-commands).
public enum CommandKind: String, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Refresh ciphertext noise budgets (FHE).
    case bootstrap = "A-BOOTSTRAP"
    /// Abort the job: nodes wipe noise seeds and pending shares, the aggregator discards pending contributions.
    case abortJob = "A-ABORT_JOB"
    /// Quarantine one participant (`subject`); the job finishes with the remaining quorum.
    case isolateParty = "A-ISOLATE_PARTY"
    /// Local-agent ladder, step 1: keep serving, log more.
    case observe = "A-OBSERVE"
    /// Local-agent ladder, step 2: serve only allow-listed operations.
    case restrict = "A-RESTRICT"
    /// Local-agent ladder, step 3: stop serving until an operator lifts it.
    case suspend = "A-SUSPEND"
    /// Local-agent ladder, back to normal service: reverses observe and restrict when their predicate resolves;
    /// lifts a suspension only when operators sign it (a human override).
    case resume = "A-RESUME"
    /// A human override: set the policy parameter `parameter` to `value`, within the range `guardrails.yaml`
    /// allows. Addressed to the control plane.
    case setParameter = "A-SET_PARAMETER"

    /// The rungs of the local-agent ladder, lowest first; ``resume`` is the ground below them.
    public static let ladder: [CommandKind] = [.observe, .restrict, .suspend]

    /// The rung of a ladder command (observe 1, restrict 2, suspend 3), 0 for ``resume``, `nil` otherwise.
    public var ladderRung: Int? {
        if self == .resume { return 0 }
        return Self.ladder.firstIndex(of: self).map { $0 + 1 }
    }

    public var description: String { rawValue }
}

/// A command's unique identifier: a random (version 4) UUID in lowercase, so commands are idempotent.
public struct CommandID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// A fresh identifier from the system's cryptographic random source.
    public init() { rawValue = UUID().uuidString.lowercased() }

    public init(_ rawValue: String) throws(IdentifierError) {
        guard let uuid = UUID(uuidString: rawValue), uuid.uuidString.lowercased() == rawValue else {
            throw IdentifierError(value: rawValue, problem: "a command id is a lowercase UUID")
        }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        do { try self.init(raw) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A signed, idempotent command from the control plane (or an operator) to participants.
///
/// Each target acknowledges it before the tick `ackBy`; a target that already executed the same `id`
/// acknowledges again without executing twice.
public struct ACommand: SignedPayload, Hashable {
    public static let payloadType = "phalanx.command.v1"

    public var id: CommandID
    public var kind: CommandKind
    /// The job the command is about; absent for commands to local agents outside a job.
    public var jobId: SHA256Digest?
    public var issuer: ParticipantID
    public var targets: [ParticipantID]
    /// The participant an `A-ISOLATE_PARTY` quarantines.
    public var subject: ParticipantID?
    /// The guard-rail predicate that triggered the command, if any.
    public var predicate: String?
    /// For `A-SET_PARAMETER`: the policy parameter to change and its new value.
    public var parameter: String?
    public var value: Double?
    /// Why the command was issued, for humans and auditors; never contains data.
    public var reason: String
    public var issuedAtTick: UInt64
    public var ackBy: UInt64
    public var issuedAtMs: Int64

    public init(
        id: CommandID = CommandID(),
        kind: CommandKind,
        jobId: SHA256Digest?,
        issuer: ParticipantID,
        targets: [ParticipantID],
        subject: ParticipantID? = nil,
        predicate: String?,
        parameter: String? = nil,
        value: Double? = nil,
        reason: String,
        issuedAtTick: UInt64,
        ackBy: UInt64,
        issuedAtMs: Int64
    ) {
        self.id = id
        self.kind = kind
        self.jobId = jobId
        self.issuer = issuer
        self.targets = targets
        self.subject = subject
        self.predicate = predicate
        self.parameter = parameter
        self.value = value
        self.reason = reason
        self.issuedAtTick = issuedAtTick
        self.ackBy = ackBy
        self.issuedAtMs = issuedAtMs
    }

    public var author: ParticipantID { issuer }
}
