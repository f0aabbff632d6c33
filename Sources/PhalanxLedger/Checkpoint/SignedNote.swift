import Foundation
import PhalanxCore

/// A text signed by one or more keys, in the C2SP `signed-note` format (c2sp.org/signed-note), which is the format
/// of Go's `golang.org/x/mod/sumdb/note`:
///
/// ```
/// <text, every line ending in "\n">
/// <blank line>
/// — <key name> <base64(4-byte key ID ‖ signature)>
/// — <another key name> <base64(…)>
/// ```
///
/// The text includes its final newline but not the blank line; it may contain blank lines of its own, because the
/// signatures start after the *last* blank line. Only Ed25519 keys (signature type 0x01) can verify here; lines by
/// other keys or of other signature types are kept, rendered back unchanged, and ignored by ``verify(with:)``.
///
/// A parsed note is not trusted: its text means nothing until ``verify(with:)`` returns.
public struct SignedNote: Hashable, Sendable {
    /// The largest note (text and signature lines, in UTF-8 bytes) the parsers accept. The spec asks verifiers to
    /// accept at least 16 signatures, which with post-quantum signatures of nearly 5 kB is about 110 kB.
    public static let maximumSize = 1 << 20
    /// The most signature lines a note may have (Go's `sumdb/note` limit; the spec requires at least 16).
    public static let maximumSignatures = 100

    /// The signed text, ending in a newline, without the blank separator line.
    public let text: String
    /// The signature lines in note order, verified or not.
    public let signatures: [NoteSignature]

    private init(text: String, signatures: [NoteSignature]) {
        self.text = text
        self.signatures = signatures
    }

    /// Signs `text` with Ed25519 under the key name `name`.
    ///
    /// `text` must end with a newline and contain no control characters other than newlines.
    public static func sign(text: String, name: String, with identity: SigningIdentity) throws -> SignedNote {
        SignedNote(text: text, signatures: [try makeSignature(text: text, name: name, identity: identity)])
    }

    /// Adds (or replaces) the signature of `identity` under `name`: a cosignature of the same text.
    public func signed(name: String, with identity: SigningIdentity) throws -> SignedNote {
        adding(try Self.makeSignature(text: text, name: name, identity: identity))
    }

    private static func makeSignature(text: String, name: String, identity: SigningIdentity) throws -> NoteSignature {
        try NoteText.check(Array(text.utf8), as: .malformedNote, what: "note text")
        let key = try NoteVerifierKey(name: name, publicKey: identity.publicIdentity.publicKey)
        let signature = try identity.signature(for: Array(text.utf8))
        return try NoteSignature(name: name, keyID: key.keyID, signature: signature)
    }

    /// Parses a signed note from UTF-8 bytes, refusing invalid UTF-8 with the line where it is.
    public init(parsing bytes: some Collection<UInt8>) throws(NoteError) {
        try self.init(parsing: try NoteText.decode(bytes, as: .malformedNote))
    }

    /// Parses a signed note. Strict: every rule of the format is checked and the error names the line.
    ///
    /// Parsing does not verify anything; call ``verify(with:)``.
    public init(parsing note: String) throws(NoteError) {
        let bytes = Array(note.utf8)
        try NoteText.check(bytes, as: .malformedNote, what: "note")
        // The text ends at the last blank line: the last "\n\n".
        var split: Int?
        var i = bytes.count - 2
        while i >= 0 {
            if bytes[i] == 0x0A, bytes[i + 1] == 0x0A {
                split = i
                break
            }
            i -= 1
        }
        let lines = NoteText.lines(bytes)
        guard let split else {
            if let first = lines.firstIndex(where: { $0.starts(with: NoteSignature.prefix) }) {
                throw NoteError(
                    .malformedNote, line: first + 1,
                    "a signature line must come after a blank line that ends the text; there is no blank line")
            }
            throw NoteError(
                .malformedNote, line: lines.count + 1,
                "the note has no blank line followed by signature lines after its text")
        }
        let textBytes = bytes[...split]
        let textLines = textBytes.count { $0 == 0x0A }
        let signatureLines = NoteText.lines(Array(bytes[(split + 2)...]))
        guard !signatureLines.isEmpty else {
            throw NoteError(
                .malformedNote, line: textLines + 1, "the note has no signature lines after its last blank line")
        }
        guard signatureLines.count <= Self.maximumSignatures else {
            throw NoteError(
                .tooLarge, line: textLines + 2 + Self.maximumSignatures,
                "a note has at most \(Self.maximumSignatures) signature lines, this one has \(signatureLines.count)")
        }
        var signatures = [NoteSignature]()
        for (index, line) in signatureLines.enumerated() {
            signatures.append(try NoteSignature(parsingLine: line, lineNumber: textLines + 2 + index))
        }
        self.init(text: String(decoding: textBytes, as: UTF8.self), signatures: signatures)
    }

    /// The note as text: the text, a blank line, and one line per signature.
    public var rendered: String {
        text + "\n" + signatures.map(\.line).joined()
    }

    /// Verifies the note with `keys` and returns the signatures that verify, one per key, in note order.
    ///
    /// As C2SP `signed-note` requires, a signature line whose key name and key ID do not both match one of `keys`
    /// is ignored; a line that matches must verify, or the whole note is refused with ``NoteError/Code/badSignature``;
    /// and if no line matches, the note is refused with ``NoteError/Code/noVerifiedSignature``. Every matching line
    /// is checked, including repeats by the same key.
    public func verify(with keys: [NoteVerifierKey]) throws(NoteError) -> [NoteSignature] {
        let firstSignatureLine = text.utf8.count { $0 == 0x0A } + 2
        var verified = [NoteSignature]()
        for (index, signature) in signatures.enumerated() {
            let matching = Set(keys.filter { $0.matches(signature) })
            guard let key = matching.first else { continue }
            guard matching.count == 1 else {
                throw NoteError(
                    .ambiguousKey, line: firstSignatureLine + index,
                    "\(matching.count) different verifier keys are named \(signature.keyName); the key list is wrong")
            }
            guard key.isValidSignature(signature.signature, for: text) else {
                throw NoteError(
                    .badSignature, line: firstSignatureLine + index,
                    "the signature by \(signature.keyName) does not verify; the note is refused")
            }
            if !verified.contains(where: { $0.name == signature.name && $0.keyID == signature.keyID }) {
                verified.append(signature)
            }
        }
        guard !verified.isEmpty else {
            let signers = signatures.prefix(5).map(\.keyName).joined(separator: ", ")
            let more = signatures.count > 5 ? " and \(signatures.count - 5) more" : ""
            throw NoteError(
                .noVerifiedSignature,
                "none of the note's signatures (\(signers)\(more)) is by one of the \(keys.count) known keys")
        }
        return verified
    }

    /// The note with `other` added after the existing signatures, replacing an earlier one by the same key (name and
    /// key ID). The signature is not checked here; ``verify(with:)`` checks it.
    public func adding(_ other: NoteSignature) -> SignedNote {
        var signatures = signatures.filter { !($0.name == other.name && $0.keyID == other.keyID) }
        signatures.append(other)
        return SignedNote(text: text, signatures: signatures)
    }
}

/// One signature line of a signed note: `— <key name> <base64(4-byte key ID ‖ signature)>`.
public struct NoteSignature: Hashable, Sendable, CustomStringConvertible {
    /// "— ": an em dash (U+2014) and a space.
    static let prefix: [UInt8] = [0xE2, 0x80, 0x94, 0x20]

    public let name: String
    /// The 4-byte key ID, big-endian.
    public let keyID: [UInt8]
    /// The signature bytes after the key ID (64 for Ed25519; other signature types have other lengths).
    public let signature: [UInt8]

    /// Makes a signature line; the name must be a valid key name, the key ID 4 bytes and the signature non-empty.
    public init(name: String, keyID: some Collection<UInt8>, signature: some Collection<UInt8>) throws(NoteError) {
        if let problem = NoteVerifierKey.problem(withName: name) {
            throw NoteError(.badKeyName, "key name \(NoteError.quote(name)) \(problem)")
        }
        guard keyID.count == 4 else { throw NoteError(.malformedNote, "a key ID has 4 bytes, got \(keyID.count)") }
        guard !signature.isEmpty else { throw NoteError(.malformedNote, "a signature cannot be empty") }
        self.name = name
        self.keyID = Array(keyID)
        self.signature = Array(signature)
    }

    /// Parses one signature line (without its newline) of a note; `lineNumber` is for errors.
    init(parsingLine line: ArraySlice<UInt8>, lineNumber: Int) throws(NoteError) {
        guard line.starts(with: Self.prefix) else {
            throw NoteError(
                .malformedNote, line: lineNumber,
                "a signature line starts with an em dash and a space (\"— \"), got "
                    + NoteError.quote(String(decoding: line, as: UTF8.self)))
        }
        let rest = line.dropFirst(Self.prefix.count)
        guard let space = rest.firstIndex(of: 0x20) else {
            throw NoteError(.malformedNote, line: lineNumber, "expected \"— <key name> <base64 signature>\"")
        }
        let name = String(decoding: rest[..<space], as: UTF8.self)
        if let problem = NoteVerifierKey.problem(withName: name) {
            throw NoteError(.malformedNote, line: lineNumber, "the key name \(NoteError.quote(name)) \(problem)")
        }
        guard let decoded = Base64.decode(Array(rest[(space + 1)...])) else {
            throw NoteError(
                .malformedNote, line: lineNumber,
                "the signature by \(NoteError.quote(name)) is not padded standard base64")
        }
        guard decoded.count >= 5 else {
            throw NoteError(
                .malformedNote, line: lineNumber,
                "a signature is a 4-byte key ID and at least one signature byte, got \(decoded.count) bytes")
        }
        self.name = name
        self.keyID = Array(decoded.prefix(4))
        self.signature = Array(decoded.dropFirst(4))
    }

    /// The signature line, ending in a newline.
    public var line: String {
        "— \(name) \(Data(keyID + signature).base64EncodedString())\n"
    }

    /// `name+keyid`, as Go writes a key in its errors.
    var keyName: String { "\(name)+\(Hex.encode(keyID))" }

    public var description: String { "NoteSignature(\(keyName), \(signature.count) bytes)" }
}

/// The line rules shared by notes and checkpoint bodies.
enum NoteText {
    /// Refuses input over ``SignedNote/maximumSize`` bytes, ASCII control characters other than newline, and a
    /// missing final newline.
    static func check(_ bytes: [UInt8], as code: NoteError.Code, what: String) throws(NoteError) {
        guard bytes.count <= SignedNote.maximumSize else {
            throw NoteError(
                .tooLarge, "the \(what) has \(bytes.count) bytes; at most \(SignedNote.maximumSize) are accepted")
        }
        var line = 1
        for byte in bytes {
            if byte == 0x0A {
                line += 1
            } else if byte < 0x20 {
                throw NoteError(
                    code, line: line,
                    "control character U+00\(Hex.encode([byte]).uppercased()) is not allowed (only newlines are)")
            }
        }
        guard bytes.last == 0x0A else {
            throw NoteError(code, line: line, "the \(what) must end with a newline")
        }
    }

    /// The lines of `bytes`, each without its newline; text after the last newline is not a line.
    static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var result = [ArraySlice<UInt8>]()
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0A {
            result.append(bytes[start..<index])
            start = index + 1
        }
        return result
    }

    /// Decodes UTF-8, refusing an invalid sequence with the line it is on.
    static func decode(_ bytes: some Collection<UInt8>, as code: NoteError.Code) throws(NoteError) -> String {
        let array = Array(bytes)
        guard array.count <= SignedNote.maximumSize else {
            throw NoteError(
                .tooLarge, "the input has \(array.count) bytes; at most \(SignedNote.maximumSize) are accepted")
        }
        if let text = String(validating: array, as: UTF8.self) { return text }
        var iterator = array.makeIterator()
        var decoder = UTF8()
        var line = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): if scalar == "\n" { line += 1 }
            case .emptyInput: return String(decoding: array, as: UTF8.self)
            case .error: throw NoteError(code, line: line, "the input is not valid UTF-8")
            }
        }
    }
}
