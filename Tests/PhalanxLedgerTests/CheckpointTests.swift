import Foundation
import PhalanxCore
import Testing
import _TestSupport

@testable import PhalanxLedger

@Suite("Checkpoints (C2SP tlog-checkpoint)")
struct CheckpointTests {
    static let sofaRoot = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="

    static func root(_ base64: String) -> SHA256Digest {
        try! SHA256Digest(bytes: Base64.decode(Array(base64.utf8))!)
    }

    /// The RFC 6962 §2.1 Merkle tree hash of three leaves: H(0x01 ‖ H(0x01 ‖ h0 ‖ h1) ‖ h2),
    /// where hᵢ = H(0x00 ‖ leafᵢ).
    static func rfc6962Root(_ leaves: [String]) -> SHA256Digest {
        precondition(leaves.count == 3)
        let hashes = leaves.map { SHA256Digest.of([0x00] + Array($0.utf8)).bytes }
        let left = SHA256Digest.of([0x01] + hashes[0] + hashes[1]).bytes
        return SHA256Digest.of([0x01] + left + hashes[2])
    }

    @Test("the C2SP example body parses and renders back byte for byte")
    func c2spExample() throws {
        let note = try SignedNote(parsing: try NoteVectors.text("c2sp-tlog-checkpoint-example.note"))
        let checkpoint = try Checkpoint(parsing: note.text)
        #expect(checkpoint.origin == "example.com/behind-the-sofa")
        #expect(checkpoint.size == 20_852_163)
        #expect(checkpoint.root == Self.root(Self.sofaRoot))
        #expect(checkpoint.extensions.isEmpty)
        #expect(checkpoint.text == note.text)
        let made = try Checkpoint(
            origin: "example.com/behind-the-sofa", size: 20_852_163, root: Self.root(Self.sofaRoot))
        #expect(made.text == "example.com/behind-the-sofa\n20852163\n\(Self.sofaRoot)\n")
        #expect(made == checkpoint)
    }

    @Test("a real sum.golang.org checkpoint verifies with the log's key and parses")
    func sumDBCheckpoint() throws {
        let note = try SignedNote(parsing: try NoteVectors.text("go-sumdb-checkpoint.note"))
        let key = try NoteVectors.vkey("sum.golang.org")
        let checkpoint = try Checkpoint(verifying: note, origin: "go.sum database tree", logKey: key)
        #expect(checkpoint.size == 6_476_701)
        #expect(checkpoint.root == Self.root("mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk="))
        let error = #expect(throws: NoteError.self) {
            try Checkpoint(verifying: note, origin: "Go rocks but I might have the wrong ID", logKey: key)
        }
        #expect(error?.code == .originMismatch)
        // Cosignatures by other keys do not stand in for the log's own signature.
        let cosigned = try SignedNote(parsing: try NoteVectors.text("go-sumdb-checkpoint-cosigned.note"))
        #expect(try Checkpoint(verifying: cosigned, origin: "go.sum database tree", logKey: key) == checkpoint)
        let noLog = #expect(throws: NoteError.self) {
            try Checkpoint(
                verifying: SignedNote(parsing: note.text + "\n" + cosigned.signatures[3].line),
                origin: "go.sum database tree", logKey: key)
        }
        #expect(noLog?.code == .noVerifiedSignature)
    }

    static let roundTripCases: [(UInt64, [String])] = [
        (0, []), (1, []), (20_852_163, ["extension one", "— looks like a signature, is not"]), (UInt64.max, ["x"]),
    ]

    @Test("round trip: text → parse gives the same checkpoint", arguments: roundTripCases)
    func roundTrip(size: UInt64, extensions: [String]) throws {
        let checkpoint = try Checkpoint(
            origin: "example.com/log42", size: size, root: SHA256Digest.of(Array("leaf".utf8)),
            extensions: extensions)
        let parsed = try Checkpoint(parsing: checkpoint.text)
        #expect(parsed == checkpoint)
        #expect(parsed.text == checkpoint.text)
        #expect(checkpoint.text.split(separator: "\n", omittingEmptySubsequences: false)[1] == "\(size)")
    }

    @Test(
        "malformed checkpoints are refused with the line number",
        arguments: [
            ("example.com/log\n012\n\(sofaRoot)\n", 2, "leading zero"),
            ("example.com/log\n00\n\(sofaRoot)\n", 2, "zero written twice"),
            ("example.com/log\n+12\n\(sofaRoot)\n", 2, "sign"),
            ("example.com/log\n-1\n\(sofaRoot)\n", 2, "negative"),
            ("example.com/log\n 12\n\(sofaRoot)\n", 2, "space"),
            ("example.com/log\n0x10\n\(sofaRoot)\n", 2, "hexadecimal"),
            ("example.com/log\n\n\(sofaRoot)\n", 2, "empty size"),
            ("example.com/log\n18446744073709551616\n\(sofaRoot)\n", 2, "2^64"),
            ("example.com/log\n12\nThisIsn'tBase64\n", 3, "not base64"),
            ("example.com/log\n12\nYmFuYW5hcw==\n", 3, "7 bytes"),
            ("example.com/log\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", 3, "no padding"),
            ("example.com/log\n12\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", 3, "non-zero spare bits"),
            ("example.com/log\n12\n" + Data(count: 33).base64EncodedString() + "\n", 3, "33 bytes"),
            ("example.com/log\n12\n" + Data(count: 31).base64EncodedString() + "\n", 3, "31 bytes"),
            ("example.com/log\n12\n\(sofaRoot)", 3, "no final newline"),
            ("example.com/log\n12\n\(sofaRoot)\n\n", 4, "empty extension line"),
            ("example.com/log\n12\n\(sofaRoot)\nextension\n\nmore\n", 5, "empty extension line in the middle"),
            ("\n12\n\(sofaRoot)\n", 1, "empty origin"),
            ("example.com/log\n", 2, "no size"),
            ("example.com/log\n12\n", 3, "no root"),
            ("example.com/log", 1, "no newline at all"),
            ("", 1, "empty"),
            ("example.com/log\r\n12\r\n\(sofaRoot)\r\n", 1, "CRLF"),
            ("example.com/log\n12\n\(sofaRoot)\nnul\u{0}\n", 4, "control character in an extension"),
        ])
    func malformed(text: String, line: Int, why: String) {
        let error = #expect(throws: NoteError.self, "\(why)") { try Checkpoint(parsing: text) }
        #expect(error?.code == .malformedCheckpoint, "\(why)")
        #expect(error?.line == line, "\(why): \(error.map(String.init(describing:)) ?? "")")
    }

    @Test("the initializer refuses an origin or an extension that is not one non-empty line")
    func initializerRefusals() {
        let root = SHA256Digest.of(Array("x".utf8))
        let cases: [(String, [String], Int)] = [
            ("", [], 1), ("two\nlines", [], 1), ("tab\t", [], 1), ("ok", [""], 4), ("ok", ["a", "b\nc"], 5),
        ]
        for (origin, extensions, line) in cases {
            let error = #expect(throws: NoteError.self) {
                try Checkpoint(origin: origin, size: 1, root: root, extensions: extensions)
            }
            #expect(error?.code == .malformedCheckpoint)
            #expect(error?.line == line)
        }
    }

    @Test("a signed checkpoint: the log signs, a witness cosigns, a verifier checks the log's signature")
    func signedCheckpoint() throws {
        let logKey = NoteFixtures.key(NoteFixtures.logName, NoteFixtures.log)
        let witnessKey = NoteFixtures.key(NoteFixtures.witnessName, NoteFixtures.witness)
        let checkpoint = try Checkpoint(
            origin: NoteFixtures.logName, size: 3, root: Self.rfc6962Root(["entry 0", "entry 1", "entry 2"]))
        let note = try SignedNote.sign(text: checkpoint.text, name: NoteFixtures.logName, with: NoteFixtures.log)
            .signed(name: NoteFixtures.witnessName, with: NoteFixtures.witness)
        let received = try SignedNote(parsing: note.rendered)
        #expect(try Checkpoint(verifying: received, origin: NoteFixtures.logName, logKey: logKey) == checkpoint)
        #expect(try received.verify(with: [logKey, witnessKey]).count == 2)
        // Signed by the witness alone, the checkpoint is not the log's.
        let witnessOnly = try SignedNote.sign(
            text: checkpoint.text, name: NoteFixtures.witnessName, with: NoteFixtures.witness)
        let error = #expect(throws: NoteError.self) {
            try Checkpoint(verifying: witnessOnly, origin: NoteFixtures.logName, logKey: logKey)
        }
        #expect(error?.code == .noVerifiedSignature)
        // A validly signed note whose text is not a checkpoint.
        let prose = try SignedNote.sign(text: "hello\n", name: NoteFixtures.logName, with: NoteFixtures.log)
        let notCheckpoint = #expect(throws: NoteError.self) {
            try Checkpoint(verifying: prose, origin: NoteFixtures.logName, logKey: logKey)
        }
        #expect(notCheckpoint?.code == .malformedCheckpoint)
        #expect(notCheckpoint?.line == 2)
        // A checkpoint followed by a signature line with no blank line in between is not a note.
        let glued = checkpoint.text + note.signatures[0].line
        let noBlank = #expect(throws: NoteError.self) { try SignedNote(parsing: glued) }
        #expect(noBlank?.code == .malformedNote)
        #expect(noBlank?.line == 4)
    }

    @Test("the example in docs/ledger-checkpoints.md is what this code produces")
    func documentedExample() throws {
        let checkpoint = try Checkpoint(
            origin: NoteFixtures.logName, size: 3, root: Self.rfc6962Root(["entry 0", "entry 1", "entry 2"]))
        let note = try SignedNote.sign(text: checkpoint.text, name: NoteFixtures.logName, with: NoteFixtures.log)
            .signed(name: NoteFixtures.witnessName, with: NoteFixtures.witness)
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/ledger-checkpoints.md")
        let page = String(decoding: try Data(contentsOf: docs), as: UTF8.self)
        let logKey = NoteFixtures.key(NoteFixtures.logName, NoteFixtures.log)
        let witnessKey = NoteFixtures.key(NoteFixtures.witnessName, NoteFixtures.witness)
        let expected = ["```\n" + note.rendered + "```\n", logKey.vkey, witnessKey.vkey]
        for snippet in expected {
            #expect(page.contains(snippet), "docs/ledger-checkpoints.md should contain:\n\(snippet)")
        }
    }

    @Test("every prefix of a checkpoint and random lines never crash the parser")
    func robustness() throws {
        let text = Array("example.com/log\n20852163\n\(Self.sofaRoot)\next one\next two\n".utf8)
        for end in 0...text.count {
            let prefix = String(decoding: text[..<end], as: UTF8.self)
            if let checkpoint = try? Checkpoint(parsing: prefix) {
                #expect(checkpoint.text == prefix)
            }
        }
        var rng = SplitMix64(state: 0x5EED_0003)
        let alphabet = Array("0123456789+-=/ \nAaZz\u{0}\u{2014}".unicodeScalars)
        for _ in 0..<3000 {
            var lines = ["example.com/log", "12", Self.sofaRoot]
            let index = Int.random(in: 0..<4, using: &rng)
            let line = String(
                String.UnicodeScalarView(
                    (0..<Int.random(in: 0...46, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }))
            if index == 3 { lines.append(line) } else { lines[index] = line }
            let candidate = lines.joined(separator: "\n") + (Bool.random(using: &rng) ? "\n" : "")
            if let checkpoint = try? Checkpoint(parsing: candidate) {
                #expect(checkpoint.text == candidate)
            }
        }
    }
}
