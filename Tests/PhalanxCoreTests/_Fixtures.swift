import Foundation
import PhalanxCore

/// Fixed objects and keys shared by the core tests. Nothing here is random: vectors must be reproducible.
enum Fixtures {
    /// RFC 8032 §7.1, test 1: the secret key (seed) and its public key.
    static let rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let rfc8032Public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let rfc8032EmptySignature =
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    /// A second fixed seed (bytes 0x01…0x20) for the control plane.
    static let controlSeed = Hex.encode(Array(1...32) as [UInt8])

    static func id(_ s: String) -> ParticipantID { try! ParticipantID(s) }

    static func identity(_ name: String, _ role: Role, seedHex: String) -> SigningIdentity {
        try! SigningIdentity(id: id(name), role: role, seed: SecretBytes(Hex.decode(seedHex)!))
    }

    static var node: SigningIdentity { identity("hospital-a", .node, seedHex: rfc8032Seed) }
    static var control: SigningIdentity { identity("control", .control, seedHex: controlSeed) }

    static let jobId = try! SHA256Digest(hex: "4c8ef1b0a4d6a2f5e3c1b9a7d5f3e1c9b7a5d3f1e9c7b5a3d1f9e7c5b3a1d9f7")

    /// The seed's Appendix A example, as a frame of an FHE job.
    static var frame: TelemetryFrame {
        TelemetryFrame(
            nodeId: id("hospital-a"), seq: 17_429, manifestHash: jobId, tick: 42, state: "INF",
            metrics: ["levelsLeft": 3, "noiseBits": 29], lagMs: 135, opLatencyMs: 2.3, timestampMs: 1_747_305_474_000
        )
    }

    static var command: ACommand {
        ACommand(
            id: try! CommandID("0b7c8f0e-3d53-4b6a-9a51-2f0d6c1e8a47"), kind: .abortJob, jobId: jobId,
            issuer: id("control"),
            targets: [id("aggregator"), id("hospital-a"), id("hospital-b")], predicate: "dp-budget",
            reason: "max(epsilonSpent) = 1.2 > params.epsilonLimit = 1", issuedAtTick: 42, ackBy: 43,
            issuedAtMs: 1_747_305_474_250
        )
    }

    static var ack: CommandAck {
        CommandAck(
            commandId: command.id, jobId: jobId, participant: id("hospital-a"), outcome: .applied,
            detail: "aborted; provider secrets wiped", stateAfter: "ABORTED", tick: 42, timestampMs: 1_747_305_474_300
        )
    }

    /// The directory of this file, for reading and writing committed vectors.
    static var testsDirectory: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }
}
