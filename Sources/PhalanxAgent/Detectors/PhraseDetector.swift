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
                let next = PhraseMatcher.word(in: text.bytes, after: match.span.upperBound),
                family.exceptWhenFollowedBy.contains(String(decoding: next, as: UTF8.self))
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
}
