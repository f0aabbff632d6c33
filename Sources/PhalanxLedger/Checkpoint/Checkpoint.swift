import Foundation
import PhalanxCore

/// A transparency-log checkpoint: the note text of C2SP `tlog-checkpoint` (c2sp.org/tlog-checkpoint), which commits
/// to the log's Merkle tree (RFC 6962) at one size.
///
/// ```
/// <origin>
/// <tree size in decimal, no leading zeros>
/// <base64 of the 32-byte root hash>
/// <extension line>…
/// ```
///
/// Every line ends in a newline. A checkpoint is signed as a ``SignedNote`` whose text is ``text``; the log's key
/// name should be the origin. Use ``init(verifying:origin:logKey:)`` to accept one from someone else.
public struct Checkpoint: Hashable, Sendable, CustomStringConvertible {
    /// The log's identity, conventionally a schema-less URL such as `example.com/log42`. Clients must not assume any
    /// format beyond "non-empty, one line".
    public private(set) var origin: String
    /// The number of leaves in the tree.
    public var size: UInt64
    /// The RFC 6962 Merkle tree hash of the first `size` leaves.
    public var root: SHA256Digest
    /// Opaque, non-empty lines after the root hash. C2SP does not recommend them: log monitors cannot audit them.
    public private(set) var extensions: [String]

    /// Makes a checkpoint, refusing an origin or an extension line that is empty or is not a single line of text.
    public init(origin: String, size: UInt64, root: SHA256Digest, extensions: [String] = []) throws(NoteError) {
        try Self.checkLine(origin, number: 1, what: "the origin")
        for (index, line) in extensions.enumerated() {
            try Self.checkLine(line, number: 4 + index, what: "an extension line")
        }
        self.origin = origin
        self.size = size
        self.root = root
        self.extensions = extensions
        let count = text.utf8.count
        guard count <= SignedNote.maximumSize else {
            throw NoteError(
                .tooLarge, "the checkpoint has \(count) bytes; at most \(SignedNote.maximumSize) are accepted")
        }
    }

    /// Parses a checkpoint body strictly; errors name the 1-based line and what is wrong with it.
    public init(parsing text: String) throws(NoteError) {
        let bytes = Array(text.utf8)
        try NoteText.check(bytes, as: .malformedCheckpoint, what: "checkpoint")
        let lines = NoteText.lines(bytes)
        guard let first = lines.first, !first.isEmpty else {
            throw NoteError(.malformedCheckpoint, line: 1, "the origin line is empty")
        }
        guard lines.count >= 2 else {
            throw NoteError(.malformedCheckpoint, line: 2, "the tree size line is missing")
        }
        guard lines.count >= 3 else {
            throw NoteError(.malformedCheckpoint, line: 3, "the root hash line is missing")
        }
        let size = try Self.parseSize(lines[1])
        let root = try Self.parseRoot(lines[2])
        var extensions = [String]()
        for (index, line) in lines.dropFirst(3).enumerated() {
            guard !line.isEmpty else {
                throw NoteError(.malformedCheckpoint, line: 4 + index, "an extension line cannot be empty")
            }
            extensions.append(String(decoding: line, as: UTF8.self))
        }
        self.origin = String(decoding: first, as: UTF8.self)
        self.size = size
        self.root = root
        self.extensions = extensions
    }

    /// Verifies `note` with the log's key and parses its text: the note must carry a valid signature by `logKey`
    /// (other signatures, such as witness cosignatures, are ignored here) and the checkpoint's origin must be
    /// `origin`.
    public init(verifying note: SignedNote, origin: String, logKey: NoteVerifierKey) throws(NoteError) {
        _ = try note.verify(with: [logKey])
        let checkpoint = try Checkpoint(parsing: note.text)
        guard checkpoint.origin == origin else {
            throw NoteError(
                .originMismatch, line: 1,
                "the checkpoint is for \(NoteError.quote(checkpoint.origin)), expected \(NoteError.quote(origin))")
        }
        self = checkpoint
    }

    /// The note text: the three lines and the extension lines, each ending in a newline.
    public var text: String {
        var lines = [origin, String(size), Data(root.bytes).base64EncodedString()]
        lines += extensions
        return lines.map { $0 + "\n" }.joined()
    }

    public var description: String { "Checkpoint(\(origin), size \(size), root \(root.short))" }

    private static func checkLine(_ line: String, number: Int, what: String) throws(NoteError) {
        guard !line.isEmpty else { throw NoteError(.malformedCheckpoint, line: number, "\(what) cannot be empty") }
        if let byte = line.utf8.first(where: { $0 < 0x20 }) {
            let problem = byte == 0x0A ? "a newline" : "control character U+00\(Hex.encode([byte]).uppercased())"
            throw NoteError(.malformedCheckpoint, line: number, "\(what) contains \(problem)")
        }
    }

    /// ASCII decimal, no sign, no leading zeros (except the size 0 itself), at most 2⁶⁴ − 1.
    private static func parseSize(_ line: ArraySlice<UInt8>) throws(NoteError) -> UInt64 {
        let shown = NoteError.quote(String(decoding: line, as: UTF8.self))
        guard !line.isEmpty else { throw NoteError(.malformedCheckpoint, line: 2, "the tree size line is empty") }
        guard line.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw NoteError(.malformedCheckpoint, line: 2, "the tree size \(shown) is not a decimal number")
        }
        guard line.count == 1 || line.first != 0x30 else {
            throw NoteError(.malformedCheckpoint, line: 2, "the tree size \(shown) has a leading zero")
        }
        var value: UInt64 = 0
        for digit in line {
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - 0x30))
            guard !overflow1, !overflow2 else {
                throw NoteError(.malformedCheckpoint, line: 2, "the tree size \(shown) is larger than 2^64 - 1")
            }
            value = sum
        }
        return value
    }

    /// Standard padded base64 of exactly 32 bytes.
    private static func parseRoot(_ line: ArraySlice<UInt8>) throws(NoteError) -> SHA256Digest {
        guard let bytes = Base64.decode(Array(line)) else {
            throw NoteError(
                .malformedCheckpoint, line: 3,
                "the root hash \(NoteError.quote(String(decoding: line, as: UTF8.self))) is not standard base64")
        }
        do {
            return try SHA256Digest(bytes: bytes)
        } catch {
            throw NoteError(
                .malformedCheckpoint, line: 3, "the root hash has \(bytes.count) bytes; a SHA-256 root hash has 32")
        }
    }
}
