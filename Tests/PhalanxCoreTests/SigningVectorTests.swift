import Foundation
import Testing

@testable import PhalanxCore

/// The committed vectors pin the canonical encoding and the signature scheme: a change that alters one byte
/// of a payload, a signed message or a signature for these fixed keys and objects fails here. The same file
/// is verified independently in Python by `scripts/interop/phalanx_verify.py`.
@Suite("Canonical signing vectors (Tests/PhalanxCoreTests/Vectors/signing-v1.json)")
struct SigningVectorTests {
    struct Vector: Codable, Equatable {
        var description: String
        var seed: String
        var publicKey: String
        var payloadType: String
        var payload: String
        var message: String
        var signature: String
        var object: JSONValue
    }

    struct File: Codable, Equatable {
        var vectors: [Vector]
    }

    static var path: URL { Fixtures.testsDirectory.appendingPathComponent("Vectors/signing-v1.json") }

    static func make<T: SignedPayload>(
        _ value: T, signer: SigningIdentity, seed: String, description: String
    ) throws -> Vector {
        let signed = try Signed(signing: value, with: signer)
        let message = try SignatureMessage.bytes(payloadType: T.payloadType, payload: [UInt8](signed.payload))
        let json = try JSONEncoder().encode(value)
        return Vector(
            description: description, seed: seed, publicKey: Hex.encode(signer.publicIdentity.publicKey),
            payloadType: T.payloadType, payload: Hex.encode(signed.payload), message: Hex.encode(message),
            signature: Hex.encode(signed.signature), object: try JSONDecoder().decode(JSONValue.self, from: json)
        )
    }

    static func generate() throws -> File {
        File(vectors: [
            try make(
                Fixtures.frame, signer: Fixtures.node, seed: Fixtures.rfc8032Seed,
                description: "telemetry frame (seed 003 Appendix A example)"),
            try make(
                Fixtures.command, signer: Fixtures.control, seed: Fixtures.controlSeed,
                description: "A-ABORT_JOB command"),
            try make(
                Fixtures.ack, signer: Fixtures.node, seed: Fixtures.rfc8032Seed,
                description: "acknowledgement of the command"),
        ])
    }

    @Test("regenerating the vectors gives the committed bytes exactly")
    func vectorsAreStable() throws {
        let generated = try Self.generate()
        if ProcessInfo.processInfo.environment["PHALANX_WRITE_VECTORS"] == "1" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try FileManager.default.createDirectory(
                at: Self.path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (encoder.encode(generated) + Data("\n".utf8)).write(to: Self.path)
        }
        let committed = try JSONDecoder().decode(File.self, from: Data(contentsOf: Self.path))
        #expect(committed.vectors.count == 3)
        for (mine, theirs) in zip(generated.vectors, committed.vectors) {
            #expect(mine.payload == theirs.payload, "\(mine.description): canonical payload changed")
            #expect(mine.message == theirs.message, "\(mine.description): signed message changed")
            #expect(mine.signature == theirs.signature, "\(mine.description): signature changed")
            #expect(mine.publicKey == theirs.publicKey)
        }
    }

    @Test("the frame vector's exact signature", arguments: [0])
    func exactFrameSignature(_: Int) throws {
        // Written out so that a reader sees one complete vector: key + object -> these 64 bytes.
        let signed = try Signed(signing: Fixtures.frame, with: Fixtures.node)
        let committed = try JSONDecoder().decode(File.self, from: Data(contentsOf: Self.path))
        #expect(Hex.encode(signed.signature) == committed.vectors[0].signature)
        #expect(Hex.encode(signed.payload) == committed.vectors[0].payload)
    }
}

/// Any JSON value, to carry the vectors' `object` view without a schema.
indirect enum JSONValue: Codable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}
