import Foundation
import Synchronization

/// A text as detectors read it: invisible characters removed, compatibility forms folded (NFKC: fullwidth letters,
/// ligatures, mathematical alphanumerics), typographic quotes read as ASCII ones, and common homoglyphs mapped to the
/// Latin letters they imitate — so that "ig\u{200B}nore", "ｉｇｎｏｒｅ" and "іgnore" (Cyrillic і) all read "ignore".
/// What was removed or replaced is counted, because hiding text from a filter is itself a signal.
public struct NormalizedText: Sendable {
    public let original: String
    public let text: String
    /// ``text`` as UTF-8 bytes, made once: every detector reads them.
    public let bytes: [UInt8]
    /// Invisible format characters removed that are signs of a disguise (zero-width characters splitting a word,
    /// bidirectional overrides, tag characters); see ``isSuspicious(_:before:after:atStart:)``.
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
        // ASCII text has nothing to fold, remove or map: most traffic takes this path, at the cost of one pass.
        if bounded.utf8.allSatisfy({ $0 < 0x80 }) {
            text = bounded
            bytes = Array(text.utf8)
            invisibleRemoved = 0
            homoglyphsReplaced = 0
            return
        }
        // One pass decides whether anything below applies. Most non-ASCII text (accents, other scripts, emoji,
        // Chinese punctuation) needs nothing and is kept as it is: rebuilding it would only cost.
        // It reads UTF-8 and decodes only the non-ASCII characters: even non-Latin messages are mostly ASCII bytes.
        var needsFolding = false, hasInvisible = false, hasFullwidth = false, hasQuote = false, mixesScripts = false
        var utf8Text = bounded
        utf8Text.withUTF8 { utf8 in
            var previousIsLatinLetter = false, previousIsGreekOrCyrillic = false
            var index = 0
            while index < utf8.count {
                let byte = utf8[index]
                guard byte >= 0x80 else {
                    // A look-alike disguise puts Greek or Cyrillic letters next to Latin ones in a word.
                    let isLatinLetter = (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A
                    mixesScripts = mixesScripts || (previousIsGreekOrCyrillic && isLatinLetter)
                    previousIsLatinLetter = isLatinLetter
                    previousIsGreekOrCyrillic = false
                    index += 1
                    continue
                }
                let (scalar, length) = Self.decode(utf8, at: index)
                needsFolding = needsFolding || Self.hasCompatibilityForm(scalar)
                hasInvisible = hasInvisible || Self.isInvisible(scalar)
                hasFullwidth = hasFullwidth || Self.isFullwidth(scalar)
                hasQuote = hasQuote || Self.asciiQuote(for: scalar) != nil
                let isGreekOrCyrillic = Self.isGreekOrCyrillic(scalar)
                mixesScripts = mixesScripts || (previousIsLatinLetter && isGreekOrCyrillic)
                previousIsLatinLetter = false
                previousIsGreekOrCyrillic = isGreekOrCyrillic
                index += length
            }
        }
        guard needsFolding || hasInvisible || hasFullwidth || hasQuote || mixesScripts else {
            text = bounded
            bytes = Array(text.utf8)
            invisibleRemoved = 0
            homoglyphsReplaced = 0
            return
        }
        // Compatibility forms and fullwidth letters fold first; invisible characters go next, so that a look-alike
        // split from its word by one is still seen in the word. Both work on the UTF-8 bytes.
        var folded =
            needsFolding || hasFullwidth || hasQuote ? Self.compatibilityFolded(bounded) : Array(bounded.utf8)
        var invisible = 0
        if hasInvisible { (folded, invisible) = Self.removingInvisible(folded) }
        invisibleRemoved = invisible
        // A look-alike is replaced only inside a word that also has Latin letters: "іgnоre" (Cyrillic і and о) is a
        // disguise, "соляріс" is Ukrainian and stays as it is. Most texts have no look-alike at all and skip the
        // word segmentation (the look-alikes all lie in U+0391…U+051D).
        guard Self.containsHomoglyph(folded) else {
            text = String(decoding: folded, as: UTF8.self)
            bytes = folded
            homoglyphsReplaced = 0
            return
        }
        var visible = Array(String(decoding: folded, as: UTF8.self).unicodeScalars)
        var homoglyphs = 0
        var wordStart = 0
        while wordStart < visible.count {
            var wordEnd = wordStart
            while wordEnd < visible.count, visible[wordEnd].properties.isAlphabetic { wordEnd += 1 }
            if wordEnd == wordStart {
                wordStart += 1
                continue
            }
            let word = visible[wordStart..<wordEnd]
            if word.contains(where: { $0.isASCII }) {
                for index in wordStart..<wordEnd {
                    if let latin = Self.homoglyphs[visible[index]] {
                        homoglyphs += 1
                        visible[index] = latin
                    }
                }
            }
            wordStart = wordEnd
        }
        (text, bytes) = Self.encoded(visible)
        homoglyphsReplaced = homoglyphs
    }

    /// The string of `scalars` and its UTF-8 bytes, encoded once (appending scalars to a `String` one by one costs
    /// several times more).
    private static func encoded(_ scalars: [Unicode.Scalar]) -> (String, [UInt8]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(scalars.count * 2)
        for scalar in scalars { UTF8.encode(scalar) { bytes.append($0) } }
        return (String(decoding: bytes, as: UTF8.self), bytes)
    }

    /// `utf8` without its invisible characters, and how many of them were signs of a disguise (see
    /// ``isSuspicious(_:before:after:atStart:)``, which only asks whether a neighbour is an ASCII letter or digit,
    /// so a non-ASCII neighbour is passed as `nil`).
    static func removingInvisible(_ utf8: [UInt8]) -> (visible: [UInt8], suspicious: Int) {
        var visible: [UInt8] = []
        visible.reserveCapacity(utf8.count)
        var suspicious = 0
        utf8.withUnsafeBufferPointer { utf8 in
            var index = 0
            while index < utf8.count {
                guard utf8[index] >= 0x80 else {
                    visible.append(utf8[index])
                    index += 1
                    continue
                }
                let (scalar, length) = decode(utf8, at: index)
                defer { index += length }
                guard isInvisible(scalar) else {
                    visible.append(contentsOf: utf8[index..<(index + length)])
                    continue
                }
                func ascii(at position: Int) -> Unicode.Scalar? {
                    guard position >= 0, position < utf8.count, utf8[position] < 0x80 else { return nil }
                    return Unicode.Scalar(utf8[position])
                }
                if isSuspicious(
                    scalar, before: ascii(at: index - 1), after: ascii(at: index + length), atStart: index == 0)
                {
                    suspicious += 1
                }
            }
        }
        return (visible, suspicious)
    }

    /// Whether `utf8` holds a Greek or Cyrillic look-alike of a Latin letter (all lie in U+0391…U+051D, two-byte
    /// sequences led by 0xCE…0xD4).
    static func containsHomoglyph(_ utf8: [UInt8]) -> Bool {
        utf8.withUnsafeBufferPointer { utf8 in
            var index = 0
            while index + 1 < utf8.count {
                if utf8[index] >= 0xCE, utf8[index] <= 0xD4 {
                    let (scalar, _) = decode(utf8, at: index)
                    if homoglyphs[scalar] != nil { return true }
                }
                index += 1
            }
            return false
        }
    }

    // MARK: - Compatibility folding

    /// NFKC, applied where it changes something: each character with a compatibility form (see
    /// ``hasCompatibilityForm(_:)``), together with the combining marks that follow it, is replaced by its NFKC
    /// form; everything else is kept as it is, and fullwidth ASCII and typographic quotes are folded directly.
    ///
    /// Foundation's NFKC costs about 90 µs per kilobyte on Linux, and a single "…" in a message would make it run
    /// over the whole text. Folding per character gives the same result as whole-text NFKC except where a folded
    /// character would compose with its neighbour that is not a combining mark (compatibility Hangul jamo into a
    /// syllable), and it leaves decomposed sequences elsewhere in the text alone, as a text without any
    /// compatibility form always was. Neither imitates a Latin letter, which is what this folding is for.
    static func compatibilityFolded(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { utf8 in
            var folded: [UInt8] = []
            folded.reserveCapacity(utf8.count + 16)
            func append(_ scalars: some Sequence<Unicode.Scalar>) {
                for scalar in scalars { UTF8.encode(fullwidthToASCII(scalar)) { folded.append($0) } }
            }
            var index = 0
            while index < utf8.count {
                let lead = utf8[index]
                guard lead >= 0x80 else {
                    folded.append(lead)
                    index += 1
                    continue
                }
                let (scalar, length) = Self.decode(utf8, at: index)
                if let quote = asciiQuote(for: scalar) {
                    folded.append(quote)
                    index += length
                    continue
                }
                guard hasCompatibilityForm(scalar) || isFullwidth(scalar) else {
                    folded.append(contentsOf: utf8[index..<(index + length)])
                    index += length
                    continue
                }
                // The combining marks that follow fold with it, as whole-text NFKC would compose them.
                var end = index + length
                while end < utf8.count, utf8[end] >= 0x80 {
                    let (mark, markLength) = Self.decode(utf8, at: end)
                    guard mark.properties.canonicalCombiningClass != .notReordered else { break }
                    end += markLength
                }
                if end == index + length {
                    append(isFullwidth(scalar) ? [scalar] : compatibilityForm(of: scalar))
                } else {
                    let cluster = String(decoding: UnsafeBufferPointer(rebasing: utf8[index..<end]), as: UTF8.self)
                    append(cluster.precomposedStringWithCompatibilityMapping.unicodeScalars)
                }
                index = end
            }
            return folded
        }
    }

    /// The scalar whose UTF-8 encoding starts at `index` of valid UTF-8, and the encoding's length.
    @inline(__always) static func decode(
        _ utf8: UnsafeBufferPointer<UInt8>, at index: Int
    ) -> (Unicode.Scalar, Int) {
        let lead = UInt32(utf8[index])
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        var value = length == 1 ? lead : lead & (0x7F >> UInt32(length))
        for offset in 1..<max(1, length) { value = value << 6 | UInt32(utf8[index + offset] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The ASCII quote a typographic one stands for: ‘ ’ ‛ ′ for `'`, “ ” „ ‟ ″ for `"`. Phones and word processors
    /// type "don’t" and “quotes” by default; read as they are, "don’t tell the user" would be one word "don’t" to
    /// the phrase matcher, which splits "don't" at the apostrophe, and a phrase with an apostrophe would be missed.
    static func asciiQuote(for scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x2018, 0x2019, 0x201B, 0x2032: UInt8(ascii: "'")
        case 0x201C, 0x201D, 0x201E, 0x201F, 0x2033: UInt8(ascii: "\"")
        default: nil
        }
    }

    static func isFullwidth(_ scalar: Unicode.Scalar) -> Bool {
        (0xFF01...0xFF5E).contains(scalar.value) || scalar.value == 0x3000
    }

    /// The NFKC form of one character (fullwidth ASCII in it folded too), computed by Foundation once per character
    /// and kept: there are a few thousand characters with a compatibility form, so the cache is bounded.
    static func compatibilityForm(of scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        if let known = compatibilityForms.withLock({ $0[scalar.value] }) { return known }
        let form = String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars.map(fullwidthToASCII)
        compatibilityForms.withLock { $0[scalar.value] = form }
        return form
    }

    private static let compatibilityForms = Mutex<[UInt32: [Unicode.Scalar]]>([:])

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

    static func isGreekOrCyrillic(_ scalar: Unicode.Scalar) -> Bool { (0x0370...0x052F).contains(scalar.value) }

    /// Whether NFKC would change `scalar` into something else (a compatibility form: ligatures, superscripts,
    /// mathematical and enclosed letters, non-breaking and typographic spaces, the ellipsis…). Unicode's
    /// NFKC_Casefold property says whether NFKC *or* case folding changes a character; when case folding alone does
    /// not, the change is NFKC's. Compatibility forms of Latin letters that have a case mapping too (enclosed
    /// alphanumerics Ⓐ, ligatures ﬁ, Roman numerals Ⅳ, the long s ſ) are listed. Common typography (•, —, £, ©)
    /// needs nothing, and text made of it is kept as it is; typographic quotes are folded to ASCII apart from this
    /// (``asciiQuote(for:)``).
    ///
    /// Two kinds of character have that property and still need no NFKC: fullwidth ASCII and the ideographic space,
    /// which ``fullwidthToASCII(_:)`` folds directly (Chinese and Japanese punctuation is everywhere in CJK text), and
    /// default-ignorable characters (zero-width joiners, variation selectors), which NFKC_Casefold deletes but NFKC
    /// keeps; the invisible ones that matter are removed by ``isInvisible(_:)``. (NFKC maps two Hangul fillers to a
    /// third; none of them imitates anything.)
    static func hasCompatibilityForm(_ scalar: Unicode.Scalar) -> Bool {
        guard !scalar.isASCII else { return false }
        if scalar.value < 0x1_0000 {
            return compatibilityFormsInBMP[Int(scalar.value >> 6)] & (1 << (scalar.value & 63)) != 0
        }
        return computeHasCompatibilityForm(scalar)
    }

    /// ``hasCompatibilityForm(_:)`` for every character of the Basic Multilingual Plane, one bit each (8 KiB), made
    /// once on first use (about 2 ms): the Unicode property lookups behind it cost tens of nanoseconds a character,
    /// which was a third of normalizing a kilobyte of non-Latin text.
    private static let compatibilityFormsInBMP: [UInt64] = (0..<1024).map { word in
        var bits: UInt64 = 0
        for bit in 0..<64 {
            if let scalar = Unicode.Scalar(UInt32(word * 64 + bit)), computeHasCompatibilityForm(scalar) {
                bits |= 1 << UInt64(bit)
            }
        }
        return bits
    }

    /// ``hasCompatibilityForm(_:)`` from the Unicode properties (what the table above is made of).
    static func computeHasCompatibilityForm(_ scalar: Unicode.Scalar) -> Bool {
        guard !scalar.isASCII else { return false }
        // Compatibility forms of Latin letters that case folding changes too, so the rule below misses them:
        // enclosed alphanumerics (Ⓐ), Latin ligatures (ﬁ), Roman numerals (Ⅰ) and the long s (ſ).
        switch scalar.value {
        case 0x2460...0x24FF, 0x1F100...0x1F1FF, 0xFB00...0xFB06, 0x2160...0x217F, 0x017F: return true
        default: break
        }
        if (0xFF01...0xFF5E).contains(scalar.value) || scalar.value == 0x3000 { return false }
        let properties = scalar.properties
        return properties.changesWhenNFKCCaseFolded && !properties.changesWhenCaseFolded
            && !properties.isDefaultIgnorableCodePoint
    }

    /// Fullwidth ASCII (U+FF01…U+FF5E) and the ideographic space, folded as NFKC would, without NFKC: Chinese and
    /// Japanese text uses fullwidth punctuation all the time, and `ｉｇｎｏｒｅ` is a classic disguise.
    static func fullwidthToASCII(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0xFF01...0xFF5E: Unicode.Scalar(scalar.value - 0xFEE0) ?? scalar
        case 0x3000: " "
        default: scalar
        }
    }

    /// Whether removing an invisible character says the text was disguised. Zero-width characters and direction marks
    /// have honest uses — the joiner inside emoji sequences, the non-joiner in Persian and Indic scripts, the
    /// zero-width space between Thai or Chinese words, marks in Arabic and Hebrew text, a byte-order mark opening a
    /// file — so they count only between ASCII letters or digits, where they split a word to hide it from a filter.
    static func isSuspicious(
        _ scalar: Unicode.Scalar, before: Unicode.Scalar?, after: Unicode.Scalar?, atStart: Bool
    ) -> Bool {
        switch scalar.value {
        case 0x202A...0x202E, 0x2066...0x2069, 0xE0000...0xE007F:
            // Bidirectional overrides and isolates reorder what is displayed ("Trojan Source"); tag characters
            // carry text that is not displayed at all.
            return true
        default:
            func asciiWord(_ s: Unicode.Scalar?) -> Bool {
                guard let s, s.isASCII else { return false }
                return s.properties.isAlphabetic || ("0"..."9").contains(s)
            }
            return !atStart && asciiWord(before) && asciiWord(after)
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
}
