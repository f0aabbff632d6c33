import Foundation
import PhalanxCore
import Testing
import _TestSupport

@testable import PhalanxLedger

/// The published vectors in `Vectors/note/` (see its README for their sources) and the keys that go with them.
enum NoteVectors {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Vectors/note")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    static func lines(_ name: String) throws -> [String] {
        try text(name).split(separator: "\n").map(String.init)
    }

    /// The verifier key named `name` in `vkeys.txt`.
    static func vkey(_ name: String) throws -> NoteVerifierKey {
        let line = try #require(try lines("vkeys.txt").first { $0.hasPrefix(name + "+") })
        return try NoteVerifierKey(parsing: line)
    }

    /// A signing identity from a Go `PRIVATE+KEY+<name>+<id>+<base64(0x01 ‖ seed)>` line of `skeys.txt`.
    static func signer(_ name: String) throws -> SigningIdentity {
        let line = try #require(try lines("skeys.txt").first { $0.hasPrefix("PRIVATE+KEY+\(name)+") })
        let encoded = try #require(line.split(separator: "+", maxSplits: 4).last)
        let key = try #require(Base64.decode(Array(encoded.utf8)))
        #expect(key.count == 33 && key[0] == 0x01)
        return try SigningIdentity(
            id: ParticipantID("note-vector"), role: .control, seed: SecretBytes(key.dropFirst()))
    }
}

/// Deterministic identities for notes made in the tests.
enum NoteFixtures {
    /// RFC 8032 §7.1 TEST 1 and TEST 2 secret keys.
    static let log = identity("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    static let witness = identity("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")
    static let stranger = identity("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7")

    static let logName = "ledger.phalanx.example/federation-1"
    static let witnessName = "witness.phalanx.example/w1"

    static func identity(_ hex: String) -> SigningIdentity {
        try! SigningIdentity(id: ParticipantID("note-fixture"), role: .control, seed: SecretBytes(Hex.decode(hex)!))
    }

    static func key(_ name: String, _ identity: SigningIdentity) -> NoteVerifierKey {
        try! NoteVerifierKey(name: name, publicKey: identity.publicIdentity.publicKey)
    }

    static let text = "Phalanx audit ledger\nblock 7 sealed\n\nwith an empty line inside the text\n"
}

@Suite("Signed notes (C2SP signed-note, Go sumdb/note)")
struct SignedNoteTests {
    // MARK: - Published vectors

    @Test("the C2SP signed-note example parses byte for byte; its key is not published, so it cannot verify")
    func c2spSignedNoteExample() throws {
        let source = try NoteVectors.text("c2sp-signed-note-example.note")
        let note = try SignedNote(parsing: source)
        // The text keeps its own blank line: the signatures start after the *last* blank line.
        #expect(
            note.text == "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n")
        #expect(note.signatures.count == 1)
        #expect(note.signatures[0].name == "quasimodo.example/salvatore")
        #expect(note.signatures[0].keyID == [0x36, 0x7B, 0xA0, 0x4B])
        #expect(note.signatures[0].signature.count == 64)
        #expect(note.rendered == source)
        #expect(Array(note.rendered.utf8) == (try NoteVectors.bytes("c2sp-signed-note-example.note")))
        // A key with the same name but another public key has another key ID: the line is ignored.
        let impostor = NoteFixtures.key("quasimodo.example/salvatore", NoteFixtures.log)
        let error = #expect(throws: NoteError.self) { try note.verify(with: [impostor]) }
        #expect(error?.code == .noVerifiedSignature)
    }

    @Test("the C2SP tlog-checkpoint example: its key ID is sum.golang.org's, but the name differs, so it is ignored")
    func c2spCheckpointExample() throws {
        let source = try NoteVectors.text("c2sp-tlog-checkpoint-example.note")
        let note = try SignedNote(parsing: source)
        #expect(note.rendered == source)
        #expect(note.signatures.map(\.name) == ["example.com/behind-the-sofa"])
        let sumdb = try NoteVectors.vkey("sum.golang.org")
        #expect(note.signatures[0].keyID == sumdb.keyID)
        let error = #expect(throws: NoteError.self) { try note.verify(with: [sumdb]) }
        #expect(error?.code == .noVerifiedSignature)
    }

    @Test("Go sumdb/note: PeterNeumann's note verifies with his vkey")
    func goPeterNeumann() throws {
        let note = try SignedNote(parsing: try NoteVectors.text("go-note-peterneumann.note"))
        let peter = try NoteVectors.vkey("PeterNeumann")
        #expect(peter.keyID == [0xC7, 0x4F, 0x20, 0xA3])
        #expect(try note.verify(with: [peter]) == note.signatures)
        #expect(
            note.text == Self.peterText
        )
    }

    @Test("Go sumdb/note: signing with PeterNeumann's published private key gives the published note byte for byte")
    func goPeterNeumannSigning() throws {
        let expected = try NoteVectors.text("go-note-peterneumann.note")
        let text = String(expected.prefix { $0 != "—" }.dropLast())
        let note = try SignedNote.sign(text: text, name: "PeterNeumann", with: try NoteVectors.signer("PeterNeumann"))
        #expect(note.rendered == expected)
    }

    @Test("Go sumdb/note: the two-signature note verifies with either key or both; with neither it is refused")
    func goTwoSignatures() throws {
        let note = try SignedNote(parsing: try NoteVectors.text("go-note-peterneumann-enochroot.note"))
        let peter = try NoteVectors.vkey("PeterNeumann")
        let enoch = try NoteVectors.vkey("EnochRoot")
        #expect(try note.verify(with: [peter]).map(\.name) == ["PeterNeumann"])
        #expect(try note.verify(with: [enoch]).map(\.name) == ["EnochRoot"])
        #expect(try note.verify(with: [enoch, peter]).map(\.name) == ["PeterNeumann", "EnochRoot"])
        let error = #expect(throws: NoteError.self) { try note.verify(with: []) }
        #expect(error?.code == .noVerifiedSignature)
    }

    @Test("a real sum.golang.org checkpoint and its cosignatures (transparency-dev/formats) verify")
    func goSumDBCheckpoint() throws {
        let source = try NoteVectors.text("go-sumdb-checkpoint-cosigned.note")
        let note = try SignedNote(parsing: source)
        #expect(note.rendered == source)
        let keys = try ["sum.golang.org", "monkeys", "bananas", "witness"].map(NoteVectors.vkey)
        // random1 and random2 reuse the witness's signature bytes under unknown names: ignored, not errors.
        #expect(try note.verify(with: keys).map(\.name) == ["sum.golang.org", "monkeys", "bananas", "witness"])
        #expect(try note.verify(with: [keys[2]]).map(\.name) == ["bananas"])
    }

    // MARK: - Verifier keys

    @Test("every published vkey parses and renders back identically")
    func vkeyRoundTrip() throws {
        for line in try NoteVectors.lines("vkeys.txt") {
            let key = try NoteVerifierKey(parsing: line)
            #expect(key.vkey == line)
            #expect(try NoteVerifierKey(name: key.name, publicKey: key.publicKey) == key)
        }
    }

    @Test("the key ID is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]; Go's private keys give Go's vkeys")
    func keyIDComputation() throws {
        for name in ["PeterNeumann", "Log", "Known", "KnownAgain", "Unknown"] {
            let identity = try NoteVectors.signer(name)
            let key = try NoteVerifierKey(name: name, publicKey: identity.publicIdentity.publicKey)
            #expect(key == (try NoteVectors.vkey(name)), "\(name)")
            let preimage = Array(name.utf8) + [0x0A, 0x01] + [UInt8](identity.publicIdentity.publicKey)
            #expect(key.keyID == Array(SHA256Digest.of(preimage).bytes.prefix(4)))
        }
    }

    @Test("Go's TestNewVerifier manglings: every proper substring and every byte changed by one are refused")
    func vkeyManglings() throws {
        let vkey = Array("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW".utf8)
        #expect((try? NoteVerifierKey(parsing: String(decoding: vkey, as: UTF8.self))) != nil)
        func refused(_ bytes: some Collection<UInt8>) -> Bool {
            (try? NoteVerifierKey(parsing: String(decoding: bytes, as: UTF8.self))) == nil
        }
        for i in 0...vkey.count {
            for j in (i + 1)..<(vkey.count + 1) where i != 0 || j != vkey.count {
                #expect(refused(vkey[i..<j]), "substring \(i)..<\(j)")
            }
        }
        for i in vkey.indices {
            var mangled = vkey
            mangled[i] &+= 1
            #expect(refused(mangled), "byte \(i) + 1")
        }
        // A wrong-length key and an unknown algorithm, each with a key ID adjusted to match.
        #expect(refused(Array("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==".utf8)))
        #expect(refused(Array("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW".utf8)))
    }

    @Test(
        "key names: non-empty, no '+', no Unicode space",
        arguments: ["", "a+b", "a b", "a\tb", "tab\u{00A0}nbsp", "ideographic\u{3000}space", "line\u{2028}sep"])
    func badKeyNames(_ name: String) {
        let error = #expect(throws: NoteError.self) {
            try NoteVerifierKey(name: name, publicKey: NoteFixtures.log.publicIdentity.publicKey)
        }
        #expect(error?.code == .badKeyName)
        #expect(throws: NoteError.self) { try SignedNote.sign(text: "hi\n", name: name, with: NoteFixtures.log) }
    }

    @Test("vkey refusals say what is wrong")
    func vkeyRefusals() {
        let cases: [(String, NoteError.Code)] = [
            ("PeterNeumann", .malformedVerifierKey),
            ("PeterNeumann+c74f20a3", .malformedVerifierKey),
            ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", .badKeyName),
            ("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", .malformedVerifierKey),
            ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", .malformedVerifierKey),
            ("PeterNeumann+c74f20a3+", .malformedVerifierKey),
        ]
        for (vkey, code) in cases {
            let error = #expect(throws: NoteError.self) { try NoteVerifierKey(parsing: vkey) }
            #expect(error?.code == code, "\(vkey)")
        }
        let error = #expect(throws: NoteError.self) {
            try NoteVerifierKey(name: "short", publicKey: [UInt8](repeating: 1, count: 31))
        }
        #expect(error?.code == .malformedVerifierKey)
    }

    // MARK: - Round trips

    @Test("sign → render → parse → verify")
    func roundTrip() throws {
        let note = try SignedNote.sign(text: NoteFixtures.text, name: NoteFixtures.logName, with: NoteFixtures.log)
        let parsed = try SignedNote(parsing: note.rendered)
        #expect(parsed == note)
        #expect(try SignedNote(parsing: Array(note.rendered.utf8)) == note)
        let key = NoteFixtures.key(NoteFixtures.logName, NoteFixtures.log)
        #expect(try parsed.verify(with: [key]) == note.signatures)
        #expect(note.signatures[0].keyID == key.keyID)
        #expect(note.rendered.hasSuffix("\n\n" + note.signatures[0].line))
        #expect(note.signatures[0].line.hasPrefix("\u{2014} \(NoteFixtures.logName) "))
    }

    @Test("a cosigned note verifies with either key, and the unknown-key-only case fails")
    func cosignature() throws {
        let logKey = NoteFixtures.key(NoteFixtures.logName, NoteFixtures.log)
        let witnessKey = NoteFixtures.key(NoteFixtures.witnessName, NoteFixtures.witness)
        let byLog = try SignedNote.sign(text: NoteFixtures.text, name: NoteFixtures.logName, with: NoteFixtures.log)
        let byWitness = try SignedNote.sign(
            text: NoteFixtures.text, name: NoteFixtures.witnessName, with: NoteFixtures.witness)
        let both = byLog.adding(byWitness.signatures[0])
        #expect(both == (try byLog.signed(name: NoteFixtures.witnessName, with: NoteFixtures.witness)))
        let parsed = try SignedNote(parsing: both.rendered)
        #expect(try parsed.verify(with: [logKey]).map(\.name) == [NoteFixtures.logName])
        #expect(try parsed.verify(with: [witnessKey]).map(\.name) == [NoteFixtures.witnessName])
        #expect(try parsed.verify(with: [witnessKey, logKey]).count == 2)
        let error = #expect(throws: NoteError.self) {
            try byWitness.verify(with: [logKey, NoteFixtures.key("stranger", NoteFixtures.stranger)])
        }
        #expect(error?.code == .noVerifiedSignature)
        // Adding a signature by the same key again replaces it instead of repeating it.
        #expect(both.adding(byWitness.signatures[0]).signatures.count == 2)
    }

    @Test("a key that shares only the name or only the key ID with a signature line does not match it")
    func nameAndIDMustBothMatch() throws {
        let note = try SignedNote.sign(text: NoteFixtures.text, name: NoteFixtures.logName, with: NoteFixtures.log)
        // Same key ID, other name: relabel the line (the key ID stays), as an attacker could.
        let relabelled = try NoteSignature(
            name: "other.example/log", keyID: note.signatures[0].keyID, signature: note.signatures[0].signature)
        let onlyRelabelled = try SignedNote(parsing: NoteFixtures.text + "\n" + relabelled.line)
        let key = NoteFixtures.key(NoteFixtures.logName, NoteFixtures.log)
        let error = #expect(throws: NoteError.self) { try onlyRelabelled.verify(with: [key]) }
        #expect(error?.code == .noVerifiedSignature)
        // Same name, other key: other key ID, so ignored.
        let other = NoteFixtures.key(NoteFixtures.logName, NoteFixtures.stranger)
        let error2 = #expect(throws: NoteError.self) { try note.verify(with: [other]) }
        #expect(error2?.code == .noVerifiedSignature)
    }

    @Test("a known key's bad signature rejects the note even when another known key's signature is good")
    func badKnownSignatureIsNotSkipped() throws {
        let logKey = NoteFixtures.key(NoteFixtures.logName, NoteFixtures.log)
        let witnessKey = NoteFixtures.key(NoteFixtures.witnessName, NoteFixtures.witness)
        let note = try SignedNote.sign(text: NoteFixtures.text, name: NoteFixtures.logName, with: NoteFixtures.log)
        var forged = note.signatures[0].signature
        forged[0] ^= 0x01
        let bad = note.adding(
            try NoteSignature(name: NoteFixtures.witnessName, keyID: witnessKey.keyID, signature: forged))
        let error = #expect(throws: NoteError.self) { try bad.verify(with: [logKey, witnessKey]) }
        #expect(error?.code == .badSignature)
        #expect(error?.line == 7)
        // A known key's signature of the wrong length (63 bytes) is a bad signature too.
        let short = note.adding(
            try NoteSignature(name: NoteFixtures.witnessName, keyID: witnessKey.keyID, signature: forged.dropLast()))
        #expect(throws: NoteError.self) { try short.verify(with: [logKey, witnessKey]) }
        // The same line repeated by a known key is verified each time and reported once.
        let twice = try SignedNote(parsing: note.rendered + note.signatures[0].line)
        #expect(try twice.verify(with: [logKey]).count == 1)
    }

    @Test("every single byte changed in the rendered note, the signature or the key ID makes it fail")
    func tampering() throws {
        let key = NoteFixtures.key(NoteFixtures.logName, NoteFixtures.log)
        let note = try SignedNote.sign(text: NoteFixtures.text, name: NoteFixtures.logName, with: NoteFixtures.log)
        let rendered = Array(note.rendered.utf8)
        for index in rendered.indices {
            for flip: UInt8 in [0x01, 0x20, 0x80] {
                var bytes = rendered
                bytes[index] ^= flip
                let accepted = (try? SignedNote(parsing: bytes).verify(with: [key])) != nil
                #expect(!accepted, "byte \(index) ^ \(flip)")
            }
        }
        let signature = note.signatures[0]
        for index in signature.signature.indices {
            var forged = signature.signature
            forged[index] ^= 0x01
            let changed = try NoteSignature(name: signature.name, keyID: signature.keyID, signature: forged)
            let error = #expect(throws: NoteError.self) { try note.adding(changed).verify(with: [key]) }
            #expect(error?.code == .badSignature)
        }
        for index in signature.keyID.indices {
            var keyID = signature.keyID
            keyID[index] ^= 0x01
            let changed = try NoteSignature(name: signature.name, keyID: keyID, signature: signature.signature)
            let tampered = try SignedNote(parsing: note.text + "\n" + changed.line)
            let error = #expect(throws: NoteError.self) { try tampered.verify(with: [key]) }
            #expect(error?.code == .noVerifiedSignature)
        }
    }

    // MARK: - Malformed notes

    static let peterText =
        "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let peterBase64 =
        "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
    static let peterSig = "— PeterNeumann \(peterBase64)\n"

    @Test(
        "malformed notes are refused with the line number (Go's bad messages and more)",
        arguments: [
            (peterText, 3, "no blank line"),
            (peterText + "\n", 3, "nothing after the blank line"),
            (peterText + "\n" + String(peterSig.dropLast()), 4, "no final newline"),
            ("\u{01}" + peterText + "\n" + peterSig, 1, "control character"),
            (peterText + "\n" + "— Bad Name \(peterBase64)\n", 4, "name with a space"),
            (peterText + "\n" + peterSig + "Unexpected line.\n", 5, "a line that is not a signature"),
            (peterText + peterSig, 3, "signature without a blank line before it"),
            (peterText + "\n" + "—  \(peterBase64)\n", 4, "empty name"),
            (peterText + "\n" + "— Peter+Neumann \(peterBase64)\n", 4, "name with a plus"),
            (peterText + "\n" + "— PeterNeumann\n", 4, "no signature"),
            (peterText + "\n" + "— PeterNeumann \(peterBase64.dropLast())\n", 4, "unpadded base64"),
            (peterText + "\n" + "— PeterNeumann \(peterBase64.dropLast(2))N=\n", 4, "non-canonical base64"),
            (peterText + "\n" + "— PeterNeumann \(peterBase64) \n", 4, "trailing space"),
            (peterText + "\n" + "— PeterNeumann x08g\n", 4, "3 bytes: shorter than a key ID"),
            (peterText + "\n" + "- PeterNeumann \(peterBase64)\n", 4, "hyphen instead of em dash"),
            (peterText.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n" + peterSig, 1, "CRLF line ends"),
            ("", 1, "empty input"),
        ])
    func malformed(note: String, line: Int, why: String) {
        let error = #expect(throws: NoteError.self, "\(why)") { try SignedNote(parsing: note) }
        #expect(error?.code == .malformedNote, "\(why)")
        #expect(error?.line == line, "\(why): \(error.map(String.init(describing:)) ?? "")")
    }

    @Test("invalid UTF-8 is refused with its line; more than 100 signature lines are too many")
    func limits() throws {
        let bytes = Array("first\nsecond\n".utf8) + [0xFF] + Array(("\n\n" + Self.peterSig).utf8)
        let error = #expect(throws: NoteError.self) { try SignedNote(parsing: bytes) }
        #expect(error?.code == .malformedNote)
        #expect(error?.line == 3)
        let many = Self.peterText + "\n" + String(repeating: Self.peterSig, count: 101)
        let tooMany = #expect(throws: NoteError.self) { try SignedNote(parsing: many) }
        #expect(tooMany?.code == .tooLarge)
        #expect(tooMany?.line == 104)
        let peter = try NoteVectors.vkey("PeterNeumann")
        let hundred = try SignedNote(parsing: Self.peterText + "\n" + String(repeating: Self.peterSig, count: 100))
        #expect(try hundred.verify(with: [peter]).count == 1)
        // Five bytes (a key ID and one byte) is a well-formed line; by a known key it is a bad signature.
        let tiny = try SignedNote(parsing: Self.peterText + "\n" + "— PeterNeumann x08go/8=\n")
        #expect(tiny.signatures[0].signature == [0xFF])
        #expect(throws: NoteError.self) { try tiny.verify(with: [peter]) }
        // The text may itself contain blank lines and lines that look like signatures: the last blank line splits.
        let nested = try SignedNote(parsing: Self.peterText + "\n" + Self.peterSig + "\n" + Self.peterSig)
        #expect(nested.text == Self.peterText + "\n" + Self.peterSig)
        #expect(nested.signatures.count == 1)
        let huge = String(repeating: "a", count: SignedNote.maximumSize) + "\n\n" + Self.peterSig
        #expect((try? SignedNote(parsing: huge)) == nil)
        let tooBig = #expect(throws: NoteError.self) { try SignedNote(parsing: huge) }
        #expect(tooBig?.code == .tooLarge)
    }

    @Test("signing refuses a text without a final newline or with control characters")
    func signingRefusals() {
        for text in ["", "no newline", "tab\there\n", "carriage\r\n"] {
            let error = #expect(throws: NoteError.self, "\(text.debugDescription)") {
                try SignedNote.sign(text: text, name: "log", with: NoteFixtures.log)
            }
            #expect(error?.code == .malformedNote)
        }
    }

    // MARK: - Robustness

    @Test("random byte strings never crash the parsers, and whatever parses renders back to its input")
    func randomInput() {
        var rng = SplitMix64(state: 0x5EED_0001)
        let pieces: [[UInt8]] = [
            Array("\n".utf8), Array("\n\n".utf8), Array("— ".utf8), Array("+".utf8), Array("=".utf8),
            Array("x08go/ZJ".utf8), Array("0".utf8), Array("12".utf8), Array(" ".utf8), [0xE2, 0x80], [0xFF], [0x00],
            Array("PeterNeumann".utf8), Array("AAAA".utf8),
        ]
        for _ in 0..<3000 {
            var bytes = [UInt8]()
            for _ in 0..<Int.random(in: 0...40, using: &rng) {
                if Bool.random(using: &rng) {
                    bytes += pieces.randomElement(using: &rng)!
                } else {
                    bytes.append(UInt8.random(in: 0...255, using: &rng))
                }
            }
            if let note = try? SignedNote(parsing: bytes) {
                #expect(Array(note.rendered.utf8) == bytes)
            }
            if let checkpoint = try? Checkpoint(parsing: String(decoding: bytes, as: UTF8.self)) {
                #expect(Array(checkpoint.text.utf8) == bytes)
            }
            _ = try? NoteVerifierKey(parsing: String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test("every prefix and every single-byte mutation of valid notes never crash the parser")
    func prefixesAndMutations() throws {
        var rng = SplitMix64(state: 0x5EED_0002)
        let keys = try ["sum.golang.org", "monkeys", "bananas", "witness", "PeterNeumann", "EnochRoot"].map(
            NoteVectors.vkey)
        for name in ["go-sumdb-checkpoint-cosigned.note", "go-note-peterneumann-enochroot.note"] {
            let bytes = try NoteVectors.bytes(name)
            for end in 0..<bytes.count {
                let prefix = Array(bytes[..<end])
                if let note = try? SignedNote(parsing: prefix) {
                    // Only prefixes that end after a whole signature line parse.
                    #expect(Array(note.rendered.utf8) == prefix)
                    #expect(prefix.last == 0x0A)
                }
            }
            for _ in 0..<2000 {
                var mutated = bytes
                let index = Int.random(in: mutated.indices, using: &rng)
                let replacement = UInt8.random(in: 0...255, using: &rng)
                guard mutated[index] != replacement else { continue }
                mutated[index] = replacement
                guard let note = try? SignedNote(parsing: mutated) else { continue }
                #expect(Array(note.rendered.utf8) == mutated)
                // A mutation may turn a signature by a known key into one by an unknown key (the note still
                // verifies by the others), but it never yields a verified signature over a changed text.
                if let verified = try? note.verify(with: keys) {
                    let original = try SignedNote(parsing: bytes)
                    #expect(note.text == original.text)
                    #expect(verified.allSatisfy { original.signatures.contains($0) })
                }
            }
        }
    }
}
