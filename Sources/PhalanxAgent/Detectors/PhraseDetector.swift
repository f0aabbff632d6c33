/// A family of phrases that signal one kind of attack, with how strongly one occurrence signals it.
public struct PhraseFamily: Sendable, Hashable {
    /// The detector id findings carry, e.g. `injection.override`.
    public let id: String
    public let category: SafetyCategory
    /// The score of a finding from this family alone, in [0, 1].
    public let weight: Double
    /// Bracket patterns (see ``PhraseMatcher``).
    public let patterns: [String]
    /// Words that, right after a match, make it something else: "how to make a bomb" is a weapons request, "how to
    /// make a bomb shelter" is not. Lowercase ASCII; compared with the next word of the text, case folded.
    public let exceptWhenFollowedBy: Set<String>

    public init(
        id: String, category: SafetyCategory, weight: Double, patterns: [String],
        exceptWhenFollowedBy: Set<String> = []
    ) {
        self.id = id
        self.category = category
        self.weight = weight
        self.patterns = patterns
        self.exceptWhenFollowedBy = exceptWhenFollowedBy
    }
}

/// Finds phrase families in normalized text, one finding per family that occurs (at its first occurrence).
///
/// The phrases are the canonical forms of attacks — "ignore all previous instructions", "developer mode enabled",
/// "how do I make a pipe bomb" — matched after folding case, punctuation and spacing. They are the explainable half
/// of the scanner: they name what they saw. The trained classifier is the other half, for the paraphrases that no
/// list anticipates.
public struct PhraseDetector: TextDetector {
    public let families: [PhraseFamily]
    private let matcher: PhraseMatcher

    public init(families: [PhraseFamily]) {
        self.families = families
        matcher = PhraseMatcher(families: families.map(\.patterns))
    }

    public func findings(in text: NormalizedText) -> [ScanFinding] {
        var seen = Set<Int>()
        var found: [ScanFinding] = []
        let matches = text.bytes.withUnsafeBufferPointer { matcher.matches(inUTF8: $0) }
        for match in matches where !seen.contains(match.family) {
            let family = families[match.family]
            if !family.exceptWhenFollowedBy.isEmpty,
                let next = Self.word(in: text.bytes, after: match.span.upperBound),
                family.exceptWhenFollowedBy.contains(next)
            {
                continue  // A later match of the family may still count.
            }
            seen.insert(match.family)
            let phrase = text.bytes[match.span]
            found.append(
                ScanFinding(
                    category: family.category, detector: family.id, score: family.weight, span: match.span,
                    evidence: "\"\(String(decoding: phrase.prefix(80), as: UTF8.self))\""))
        }
        return found
    }

    /// The word that follows `end` in `bytes` (after spaces and punctuation), ASCII letters lowercased, or nil at the
    /// end of the text. A word here is what ``PhraseMatcher`` calls one: letters, digits, hyphens, non-ASCII bytes.
    static func word(in bytes: [UInt8], after end: Int) -> String? {
        func isWordByte(_ byte: UInt8) -> Bool {
            byte >= 0x80 || byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
        }
        var start = end
        while start < bytes.count && !isWordByte(bytes[start]) { start += 1 }
        guard start < bytes.count else { return nil }
        var stop = start
        while stop < bytes.count && isWordByte(bytes[stop]) && stop - start < 64 { stop += 1 }
        return String(
            decoding: bytes[start..<stop].map { $0 < 0x80 && $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
