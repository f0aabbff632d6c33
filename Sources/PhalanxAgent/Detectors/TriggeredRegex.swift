import Foundation

/// A regular expression that runs only near cheap byte-level triggers, on a window of the text around each.
///
/// The standard library's `Regex` costs tens of microseconds per pattern on a kilobyte of text (Unicode word
/// boundaries are expensive), and the secret and personal-data detectors have eighteen patterns. Almost all traffic
/// contains none of what they look for, and every pattern has something cheap that must be present — a provider's
/// prefix (`AKIA`, `ghp_`, `sk-`), an `@`, thirteen digits written together — so the scan looks for that with a plain
/// loop over the bytes and runs the expression only on a window around it. A match that reaches the edge of its
/// window may have been cut short, so then the expression runs on the whole text instead.
struct TriggeredRegex: @unchecked Sendable {
    // `@unchecked Sendable`: a compiled `Regex` is only read; the standard library compiles its program once,
    // atomically, so sharing it between threads is safe.

    /// Something cheap that a match must contain.
    enum Trigger: Sendable {
        /// These exact bytes (ASCII case folded when `caseInsensitive`).
        case literal(String, caseInsensitive: Bool = false)
        /// A run of digits, spaces and hyphens (how card, account and social-security numbers are written) that
        /// holds at least `count` digits. Digits separated by anything else — a file listing, a timestamp, prose
        /// with numbers — do not trigger.
        case digitRun(count: Int)
        /// Two ASCII capitals followed by two digits (an IBAN's country code and check digits).
        case capitalsThenDigits
        /// Two ASCII capitals, an optional space, then a digit (a UK National Insurance number's prefix).
        case capitalsThenDigit
    }

    let regex: Regex<AnyRegexOutput>
    let triggers: [Trigger]
    /// Bytes of context on each side of a trigger; longer than any match the expression is meant to find.
    let reach: Int
    /// The bytes a match can consist of, when the pattern says so (an e-mail address is letters, digits and
    /// `._%+-@`). The window is then the run of such bytes around the trigger (within ``reach``), plus one
    /// character on each side so that `\b` sees the neighbours: the expression has nothing else to try, and its
    /// work follows the length of the candidate instead of the window's (a regex engine tries every start in it).
    let alphabet: (@Sendable (UInt8) -> Bool)?
    /// The length of the shortest match, in bytes: with an ``alphabet``, a run shorter than this is not tried (nine
    /// digits written together trigger the SSN pattern, whose shortest match is eleven bytes; a `+` between spaces
    /// triggers the phone pattern).
    let minimumLength: Int
    /// Something every match holds, checked on an ``alphabet`` run before the expression runs on it: a match lies
    /// inside its run, so a run without it has none ("617-555-3847" has no `ddd-dd-dddd`, "TX 78704" no six digits).
    /// Only runs that end before the ``reach`` (or at the text's edge) are skipped; a longer one may hold a match
    /// beyond what was looked at.
    let requirement: (@Sendable (ArraySlice<UInt8>) -> Bool)?

    init(
        _ source: String, triggers: [Trigger], reach: Int = 320, alphabet: (@Sendable (UInt8) -> Bool)? = nil,
        minimumLength: Int = 1, requirement: (@Sendable (ArraySlice<UInt8>) -> Bool)? = nil
    ) {
        // The sources are constants of this module, checked by the tests; a syntax error is a build defect.
        // The patterns are about ASCII shapes (digits, Latin letters, `@`), so they match with ASCII classes and
        // simple word boundaries (between \w and \W): the standard library's default, Unicode word-break rules,
        // costs tens of microseconds on a window of non-Latin text, and would only let \d match Arabic-Indic digits
        // that no checksum below reads. (Unicode-scalar semantics would be cheaper still, but together with simple
        // word boundaries the Swift 6.3 engine misses matches: "\b(?:\d[ -]?){12,18}\d\b" finds no card number
        // in "card 4111 1111 1111 1111 exp".)
        let parsed: Regex<AnyRegexOutput>
        do { parsed = try Regex(source) } catch { preconditionFailure("invalid pattern \(source): \(error)") }
        regex = parsed.asciiOnlyCharacterClasses().wordBoundaryKind(.simple)
        self.triggers = triggers
        self.reach = reach
        self.alphabet = alphabet
        self.minimumLength = minimumLength
        self.requirement = requirement
    }

    /// The matches in `text`, as UTF-8 byte ranges of `text` with the matched substring.
    func matches(in text: String, bytes: [UInt8]) -> [(span: Range<Int>, match: Substring)] {
        matches(in: text, bytes: bytes, triggeredAt: triggers.flatMap { Self.positions(of: $0, in: bytes) })
    }

    /// The matches, given where the triggers are (found by the caller, e.g. with a ``LiteralTriggerIndex`` shared by
    /// several patterns).
    func matches(
        in text: String, bytes: [UInt8], triggeredAt positions: [Int]
    ) -> [(span: Range<Int>, match: Substring)] {
        let windows = self.windows(in: bytes, around: positions)
        guard !windows.isEmpty else { return [] }
        var found: [(Range<Int>, Substring)] = []
        for window in windows {
            let piece = String(decoding: bytes[window], as: UTF8.self)
            for match in piece.matches(of: regex) {
                let start = piece.utf8.distance(from: piece.startIndex, to: match.range.lowerBound)
                let end = piece.utf8.distance(from: piece.startIndex, to: match.range.upperBound)
                let cutAtStart = start == 0 && window.lowerBound > 0
                let cutAtEnd = end == window.count && window.upperBound < bytes.count
                if cutAtStart || cutAtEnd { return wholeTextMatches(in: text) }
                found.append((window.lowerBound + start..<window.lowerBound + end, piece[match.range]))
            }
        }
        return found
    }

    /// The expression's matches over the whole text, with no trigger or window: what a cut match falls back to, and
    /// the reference the tests hold the windowed search and the hand-written scanners to.
    func wholeTextMatches(in text: String) -> [(span: Range<Int>, match: Substring)] {
        text.matches(of: regex).map { match in
            let start = text.utf8.distance(from: text.startIndex, to: match.range.lowerBound)
            let end = text.utf8.distance(from: text.startIndex, to: match.range.upperBound)
            return (start..<end, text[match.range])
        }
    }

    /// Merged windows around the given trigger positions, widened to UTF-8 scalar boundaries.
    func windows(in bytes: [UInt8], around positions: [Int]) -> [Range<Int>] {
        guard !positions.isEmpty else { return [] }
        let positions = positions.sorted()
        var windows: [Range<Int>] = []
        for position in positions {
            var lower = max(0, position - reach)
            var upper = min(bytes.count, position + reach)
            if let alphabet {
                let run = Self.run(around: position, in: bytes, within: lower..<upper, of: alphabet)
                guard run.count >= minimumLength else { continue }
                // The run is all there is when it stops before the reach on each side, or at the text's edge.
                let isWhole =
                    (run.lowerBound > lower || lower == 0) && (run.upperBound < upper || upper == bytes.count)
                if let requirement, isWhole, !requirement(bytes[run]) { continue }
                lower = max(lower, run.lowerBound - 1)
                upper = min(upper, run.upperBound + 1)
            }
            while lower > 0, bytes[lower] & 0xC0 == 0x80 { lower -= 1 }
            while upper < bytes.count, bytes[upper] & 0xC0 == 0x80 { upper += 1 }
            if let last = windows.last, lower <= last.upperBound {
                windows[windows.count - 1] = last.lowerBound..<max(last.upperBound, upper)
            } else {
                windows.append(lower..<upper)
            }
        }
        return windows
    }

    /// The run of `alphabet` bytes that holds `position`, within `bounds`.
    static func run(
        around position: Int, in bytes: [UInt8], within bounds: Range<Int>, of alphabet: (UInt8) -> Bool
    ) -> Range<Int> {
        var lower = position
        while lower > bounds.lowerBound, alphabet(bytes[lower - 1]) { lower -= 1 }
        var upper = position
        while upper < bounds.upperBound, alphabet(bytes[upper]) { upper += 1 }
        return lower..<upper
    }

    static func positions(of trigger: Trigger, in bytes: [UInt8]) -> [Int] {
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        func isCapital(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
        var found: [Int] = []
        switch trigger {
        case .literal(let literal, let caseInsensitive):
            let needle = Array(literal.utf8)
            guard let first = needle.first, bytes.count >= needle.count else { return [] }
            func fold(_ b: UInt8) -> UInt8 { caseInsensitive && b >= 65 && b <= 90 ? b + 32 : b }
            // The first byte is found with memchr (vectorized), in both cases when folding case.
            let firsts = caseInsensitive && first >= 97 && first <= 122 ? [first, first - 32] : [first]
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                for firstByte in firsts {
                    var index = 0
                    while index + needle.count <= buffer.count,
                        let hit = memchr(base + index, Int32(firstByte), buffer.count - index)
                    {
                        let position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                        guard position + needle.count <= buffer.count else { break }
                        var k = 1
                        while k < needle.count, fold(buffer[position + k]) == fold(needle[k]) { k += 1 }
                        if k == needle.count { found.append(position) }
                        index = position + 1
                    }
                }
            }
            found.sort()
        case .digitRun(let count):
            bytes.withUnsafeBufferPointer { bytes in
                var index = 0
                while index < bytes.count {
                    guard isDigit(bytes[index]) else {
                        index += 1
                        continue
                    }
                    var end = index
                    var digits = 0
                    while end < bytes.count, isDigit(bytes[end]) || bytes[end] == 32 || bytes[end] == 45 {
                        if isDigit(bytes[end]) { digits += 1 }
                        end += 1
                    }
                    if digits >= count { found.append(index) }
                    index = end
                }
            }
        case .capitalsThenDigits:
            bytes.withUnsafeBufferPointer { bytes in
                guard bytes.count >= 4 else { return }
                for index in 0...(bytes.count - 4)
                where isCapital(bytes[index]) && isCapital(bytes[index + 1]) && isDigit(bytes[index + 2])
                    && isDigit(bytes[index + 3])
                {
                    found.append(index)
                }
            }
        case .capitalsThenDigit:
            bytes.withUnsafeBufferPointer { bytes in
                guard bytes.count >= 3 else { return }
                for index in 0...(bytes.count - 3) where isCapital(bytes[index]) && isCapital(bytes[index + 1]) {
                    let next = bytes[index + 2]
                    if isDigit(next) || (next == 32 && index + 3 < bytes.count && isDigit(bytes[index + 3])) {
                        found.append(index)
                    }
                }
            }
        }
        return found
    }
}

/// Maximal runs of bytes that satisfy `member`, at least `minimum` long, in order.
///
/// Any `minimum` consecutive positions hold exactly one multiple of `minimum`, so every run long enough covers one:
/// only those positions are probed, and a probe that lands on a member byte is widened both ways to its run. In
/// ordinary text the runs (words) are short, so about a third of the bytes are looked at instead of all of them.
/// Inlined so that `member` is inlined too.
@inline(__always)
func byteRuns(in bytes: [UInt8], minimum: Int, where member: (UInt8) -> Bool) -> [Range<Int>] {
    let minimum = max(1, minimum)
    var runs: [Range<Int>] = []
    bytes.withUnsafeBufferPointer { buffer in
        var probe = minimum - 1
        while probe < buffer.count {
            guard member(buffer[probe]) else {
                probe += minimum
                continue
            }
            var start = probe
            while start > 0, member(buffer[start - 1]) { start -= 1 }
            var end = probe + 1
            while end < buffer.count, member(buffer[end]) { end += 1 }
            if end - start >= minimum { runs.append(start..<end) }
            // The next probe past this run: the first multiple of `minimum` (less one) at or after its end.
            probe = ((end + 1 + minimum - 1) / minimum) * minimum - 1
        }
    }
    return runs
}
