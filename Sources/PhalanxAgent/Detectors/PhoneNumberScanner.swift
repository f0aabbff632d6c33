/// Finds international phone numbers exactly as ``expression`` would over the whole text, without running it where
/// the text around a candidate is ASCII — nearly always.
///
/// Why: on the benchmark's kilobyte messages, the slowest one carried a phone number, and the standard library's
/// `Regex` spent about ten microseconds on its 20-byte window (building the match state, and a Unicode look-up at each
/// step of the word boundary). The expression is small enough to follow by hand, in the order a backtracking engine
/// tries it: every quantifier is greedy, so the longest choice is tried first and shorter ones only when what follows
/// fails, and an optional part is tried present before absent. The first path that reaches the final word boundary
/// is the match. Among starts (a `+`), the leftmost wins, and the next match is looked for after the end of the last.
///
/// Around a candidate with a non-ASCII byte in reach, just before the `+` included — where the engine reads grapheme
/// clusters ("1" and a combining accent are one character, not a digit) — the expression itself runs. A test compares
/// both on random texts.
enum PhoneNumberScanner {
    /// The expression the scanner follows (and falls back to): a `+`, a country code, an optional separator, an
    /// optional area code in parentheses, then two to five groups of two to four digits.
    static let expression = TriggeredRegex(
        #"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}\b"#, triggers: [.literal("+")],
        reach: 48, alphabet: { isDigit($0) || " .-()+".utf8.contains($0) }, minimumLength: 6)

    /// The longest match the expression can make, plus the byte after it that the word boundary reads: `+`, three
    /// digits, a separator, four digits in parentheses and a separator, then five groups of four digits and four
    /// separators.
    static let longestMatch = 1 + 3 + 1 + 6 + 1 + 4 + 4 * 5

    static func matches(in text: String, bytes: [UInt8]) -> [(span: Range<Int>, match: Substring)] {
        var found: [(span: Range<Int>, match: Substring)] = []
        var searchFrom = 0
        for start in TriggeredRegex.positions(of: .literal("+"), in: bytes) where start >= searchFrom {
            // From the byte before the `+` (a prepended mark would join it into one character) to the one after the
            // longest match.
            let reach = max(0, start - 1)..<min(bytes.count, start + longestMatch + 1)
            guard bytes[reach].allSatisfy({ $0 < 0x80 }) else { return expression.matches(in: text, bytes: bytes) }
            guard let end = match(at: start, in: bytes) else { continue }
            found.append((start..<end, Substring(String(decoding: bytes[start..<end], as: UTF8.self))))
            searchFrom = end
        }
        return found
    }

    /// Where the match that starts with the `+` at `start` ends, if there is one.
    static func match(at start: Int, in bytes: [UInt8]) -> Int? {
        guard start < bytes.count, bytes[start] == UInt8(ascii: "+") else { return nil }
        // The number of digits written together from `index`, up to `limit`.
        func digits(at index: Int, limit: Int) -> Int {
            var count = 0
            while count < limit, index + count < bytes.count, isDigit(bytes[index + count]) { count += 1 }
            return count
        }
        // `[ .-]?`: after the separator at `index` if there is one, then at `index`.
        func separatorChoices(at index: Int) -> [Int] {
            index < bytes.count && isSeparator(bytes[index]) ? [index + 1, index] : [index]
        }
        // `(?:\(\d{1,4}\)[ .-]?)?`: the ends of the group, present, then `index` (absent).
        func areaCodeChoices(at index: Int) -> [Int] {
            var ends: [Int] = []
            if index < bytes.count, bytes[index] == UInt8(ascii: "(") {
                for count in stride(from: digits(at: index + 1, limit: 4), through: 1, by: -1) {
                    let close = index + 1 + count
                    if close < bytes.count, bytes[close] == UInt8(ascii: ")") {
                        ends += separatorChoices(at: close + 1)
                    }
                }
            }
            return ends + [index]
        }
        // `(?:[ .-]?\d{2,4}){1,4}\b` after `done` groups: one more group first, then the boundary.
        func groups(from index: Int, done: Int) -> Int? {
            if done < 4 {
                for afterSeparator in separatorChoices(at: index) {
                    for count in stride(from: digits(at: afterSeparator, limit: 4), through: 2, by: -1) {
                        if let end = groups(from: afterSeparator + count, done: done + 1) { return end }
                    }
                }
            }
            return done >= 1 && isBoundary(index) ? index : nil
        }
        // A word character as the expression's \b sees it (ASCII letters, digits and `_`; the caller checked that the
        // bytes in reach are ASCII).
        func isWord(_ index: Int) -> Bool {
            guard index >= 0, index < bytes.count else { return false }
            let byte = bytes[index]
            return isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte == UInt8(ascii: "_")
        }
        func isBoundary(_ index: Int) -> Bool { isWord(index - 1) != isWord(index) }

        for countryDigits in stride(from: digits(at: start + 1, limit: 3), through: 1, by: -1) {
            for afterCountry in separatorChoices(at: start + 1 + countryDigits) {
                for afterAreaCode in areaCodeChoices(at: afterCountry) {
                    for count in stride(from: digits(at: afterAreaCode, limit: 4), through: 2, by: -1) {
                        if let end = groups(from: afterAreaCode + count, done: 0) { return end }
                    }
                }
            }
        }
        return nil
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    /// `[ .-]`.
    static func isSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x2E || byte == 0x2D }
}
