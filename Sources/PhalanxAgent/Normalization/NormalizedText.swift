import Foundation

/// A text as detectors read it: invisible characters removed, compatibility forms folded (NFKC: fullwidth letters,
/// ligatures, mathematical alphanumerics), and common homoglyphs mapped to the Latin letters they imitate — so that
/// "ig\u{200B}nore", "ｉｇｎｏｒｅ" and "іgnore" (Cyrillic і) all read "ignore". What was removed or replaced is counted,
/// because hiding text from a filter is itself a signal.
public struct NormalizedText: Sendable {
    public let original: String
    public let text: String
    /// Zero-width, bidirectional-control and other invisible format characters removed.
    public let invisibleRemoved: Int
    /// Characters replaced by the Latin letter they imitate.
    public let homoglyphsReplaced: Int

    /// The largest input normalized in full; the rest is cut (the agent's API refuses larger bodies before this).
    public static let maximumBytes = 1 << 20

    public init(_ original: String) {
        let bounded =
            original.utf8.count > Self.maximumBytes
            ? String(decoding: original.utf8.prefix(Self.maximumBytes), as: UTF8.self) : original
        self.original = original
        var invisible = 0
        var homoglyphs = 0
        var scalars = String.UnicodeScalarView()
        for scalar in bounded.precomposedStringWithCompatibilityMapping.unicodeScalars {
            if Self.isInvisible(scalar) {
                invisible += 1
                continue
            }
            if let latin = Self.homoglyphs[scalar] {
                homoglyphs += 1
                scalars.append(latin)
            } else {
                scalars.append(scalar)
            }
        }
        text = String(scalars)
        invisibleRemoved = invisible
        homoglyphsReplaced = homoglyphs
    }

    /// Format characters that render as nothing: zero-width space/joiners, word joiner, BOM, soft hyphen,
    /// bidirectional embeddings, overrides and isolates, and the Unicode tag block (used to smuggle hidden text).
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF, 0x00AD, 0x180E,
            0xE0000...0xE007F:
            true
        default:
            false
        }
    }

    /// Cyrillic and Greek letters that look like Latin ones (the confusables most used in filter evasion).
    static let homoglyphs: [Unicode.Scalar: Unicode.Scalar] = {
        let pairs: [(UInt32, Character)] = [
            (0x0430, "a"), (0x0435, "e"), (0x043E, "o"), (0x0440, "p"), (0x0441, "c"), (0x0443, "y"), (0x0445, "x"),
            (0x0456, "i"), (0x0458, "j"), (0x0455, "s"), (0x04BB, "h"), (0x0501, "d"), (0x051B, "q"), (0x051D, "w"),
            (0x0410, "A"), (0x0412, "B"), (0x0415, "E"), (0x041A, "K"), (0x041C, "M"), (0x041D, "H"), (0x041E, "O"),
            (0x0420, "P"), (0x0421, "C"), (0x0422, "T"), (0x0425, "X"), (0x0406, "I"), (0x0408, "J"), (0x0405, "S"),
            (0x03BF, "o"), (0x03B1, "a"), (0x03B5, "e"), (0x03B9, "i"), (0x03BD, "v"), (0x03C1, "p"), (0x03C4, "t"),
            (0x039F, "O"), (0x0391, "A"), (0x0392, "B"), (0x0395, "E"), (0x0396, "Z"), (0x0397, "H"), (0x0399, "I"),
            (0x039A, "K"), (0x039C, "M"), (0x039D, "N"), (0x03A1, "P"), (0x03A4, "T"), (0x03A5, "Y"), (0x03A7, "X"),
        ]
        var map: [Unicode.Scalar: Unicode.Scalar] = [:]
        for (code, latin) in pairs {
            if let scalar = Unicode.Scalar(code), let target = latin.unicodeScalars.first { map[scalar] = target }
        }
        return map
    }()

    /// UTF-8 byte offsets of `range` in ``text``.
    func span(of range: Range<String.Index>) -> Range<Int> {
        text.utf8.distance(
            from: text.startIndex, to: range.lowerBound)..<text.utf8.distance(
                from: text.startIndex, to: range.upperBound)
    }
}
