/// A stretch of a text that was encoded or transformed to hide what it says, and what it reads as once decoded.
///
/// Encoding an instruction is the oldest way past a filter that reads only the surface: "decode this and do what it
/// says", followed by hex or base64 the model reads fluently. The scanner decodes what ``PayloadDecoder`` recognizes
/// and reads the result again with the phrase detectors and the classifier.
public struct DecodedPayload: Sendable {
    public let encoding: PayloadEncoding
    /// Where the payload lies in the normalized text's bytes; the whole text for a transform of the whole text.
    public let span: Range<Int>
    /// The decoded text as detectors read it, normalized once here for the phrase detectors and the classifier.
    public let normalized: NormalizedText

    /// The decoded text, readable (mostly printable UTF-8 with at least one space).
    public var text: String { normalized.original }
}

/// The encodings and transforms ``PayloadDecoder`` undoes.
public enum PayloadEncoding: String, Sendable, CaseIterable {
    case base64
    case base32
    case hex
    /// Adobe ASCII85 (`<~…~>`, as PostScript and PDF write it).
    case ascii85
    /// RFC 1924 base85 (Python's `b85encode`, Git's binary patches).
    case base85
    /// Bytes written as groups of eight 0s and 1s.
    case binary
    /// International Morse code: letters separated by spaces, words by " / " or several spaces.
    case morse
    /// URL percent-encoding ("Ignore%20all%20previous…").
    case percentEncoding = "percent-encoding"
    /// `\u0049`-style and `\x49`-style escapes, as in JSON and source code.
    case escapes
    /// ROT13 over the whole text.
    case rot13
    /// The whole text written backwards.
    case reversed
    /// Digits and symbols for letters inside words ("1gn0r3 4ll pr3v10u5 1n57ruc710n5").
    case leetspeak

    /// Whether text in this form is a sign of a disguise by itself, whatever it decodes to. Readable text hidden in
    /// base64, hex, base85, binary or Morse, or written backwards or in ROT13, has no everyday reason to be there; percent
    /// escapes (a URL's query), backslash escapes (JSON, source code) and digits inside words (mp3, b2b, h264) do,
    /// so they count only when what they decode to is itself an attack.
    public var isSuspiciousByItself: Bool {
        switch self {
        case .base64, .base32, .hex, .ascii85, .base85, .binary, .morse, .rot13, .reversed: true
        case .percentEncoding, .escapes, .leetspeak: false
        }
    }
}
