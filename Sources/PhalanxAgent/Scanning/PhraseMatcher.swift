/// Finds many phrases at once in one pass over a text: an Aho–Corasick automaton compiled to a dense table.
///
/// Phrases and text are compared in their *folded* form — ASCII letters lowercased, digits kept, every run of other
/// ASCII characters (spaces, punctuation, line breaks) collapsed to one space, non-ASCII bytes kept as one class —
/// and a match must begin and end at a word boundary (a hyphen joins words: "bomb-proof" does not contain "bomb"). So "Ignore   ALL previous\ninstructions!" matches the phrase
/// "ignore all previous instructions", and "designore" does not match "ignore".
///
/// Phrases are written with alternatives in brackets, an empty alternative making the group optional:
/// `"ignore [all |any |the |]previous instructions"` stands for four phrases. The scan costs one table lookup per
/// byte whatever the number of phrases, which is what keeps a 1 KB message well under the agent's latency budget;
/// the standard library's `Regex` costs about that per byte *per pattern*.
struct PhraseMatcher: Sendable {
    struct Match: Hashable, Sendable {
        /// Index of the phrase family (the `families` array given to the initializer).
        let family: Int
        /// UTF-8 byte offsets of the match in the text that was scanned.
        let span: Range<Int>
    }

    /// The folded alphabet: space, a–z, 0–9, and one class for every non-ASCII byte.
    private static let classCount = 38
    private static let byteClass: [UInt8] = (0...255).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt8(byte) - UInt8(ascii: "a") + 1
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): UInt8(byte) - UInt8(ascii: "A") + 1
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(byte) - UInt8(ascii: "0") + 27
        // A hyphen joins words ("bomb-proof" is not "bomb"); non-ASCII bytes are letters of other scripts.
        case 0x80...0xFF, UInt8(ascii: "-"): 37
        default: 0
        }
    }

    /// `next[state * classCount + class]`: the automaton with failure links resolved into the table.
    private let next: [Int32]
    /// For each state, the phrases that end there (its own and those of its failure chain): (family, length).
    private let outputs: [[(family: Int32, length: Int32)]]

    /// Compiles the phrase families; each family is a list of bracket patterns.
    init(families: [[String]]) {
        var goto: [[Int32]] = [Array(repeating: -1, count: Self.classCount)]
        var own: [[(Int32, Int32)]] = [[]]
        for (family, patterns) in families.enumerated() {
            for pattern in patterns {
                for phrase in Self.expand(pattern) {
                    let classes = Self.fold(Array(phrase.utf8)).classes
                    guard !classes.isEmpty else { continue }
                    var state = 0
                    for symbol in classes {
                        if goto[state][Int(symbol)] < 0 {
                            goto[state][Int(symbol)] = Int32(goto.count)
                            goto.append(Array(repeating: -1, count: Self.classCount))
                            own.append([])
                        }
                        state = Int(goto[state][Int(symbol)])
                    }
                    own[state].append((Int32(family), Int32(classes.count)))
                }
            }
        }
        // Breadth-first: resolve failure links into the table, and inherit the outputs of the failure state.
        var table = [Int32](repeating: 0, count: goto.count * Self.classCount)
        var failure = [Int](repeating: 0, count: goto.count)
        var outputs = own.map { $0.map { (family: $0.0, length: $0.1) } }
        var queue: [Int] = []
        for symbol in 0..<Self.classCount {
            let child = goto[0][symbol]
            table[symbol] = max(child, 0)
            if child > 0 { queue.append(Int(child)) }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            outputs[state] += outputs[failure[state]].filter { inherited in
                !outputs[state].contains { $0.family == inherited.family && $0.length == inherited.length }
            }
            for symbol in 0..<Self.classCount {
                let child = goto[state][symbol]
                if child >= 0 {
                    failure[Int(child)] = Int(table[failure[state] * Self.classCount + symbol])
                    table[state * Self.classCount + symbol] = child
                    queue.append(Int(child))
                } else {
                    table[state * Self.classCount + symbol] = table[failure[state] * Self.classCount + symbol]
                }
            }
        }
        self.next = table
        self.outputs = outputs
    }

    /// Every match, leftmost first; overlapping matches of different families are all reported.
    func matches(in text: String) -> [Match] {
        var bytes = text
        return bytes.withUTF8 { matches(inUTF8: $0) }
    }

    func matches(inUTF8 utf8: UnsafeBufferPointer<UInt8>) -> [Match] {
        let folded = Self.fold(utf8)
        var found: [Match] = []
        var state = 0
        let classes = folded.classes
        for index in classes.indices {
            state = Int(next[state * Self.classCount + Int(classes[index])])
            let ends = outputs[state]
            if ends.isEmpty { continue }
            // A phrase must end at a word boundary: the next folded symbol is a space, or the text ends.
            let endsAtBoundary = index + 1 == classes.count || classes[index + 1] == 0
            guard endsAtBoundary else { continue }
            for end in ends {
                let start = index + 1 - Int(end.length)
                guard start == 0 || classes[start - 1] == 0 else { continue }
                found.append(
                    Match(
                        family: Int(end.family),
                        span: Int(folded.origin[start])..<Int(folded.originEnd[index])))
            }
        }
        return found
    }

    /// Folds UTF-8 bytes into the matcher's alphabet; keeps each folded symbol's byte range in the input.
    static func fold(_ bytes: some Collection<UInt8>) -> (classes: [UInt8], origin: [Int32], originEnd: [Int32]) {
        var classes: [UInt8] = []
        var origin: [Int32] = []
        var originEnd: [Int32] = []
        classes.reserveCapacity(bytes.count)
        origin.reserveCapacity(bytes.count)
        originEnd.reserveCapacity(bytes.count)
        var offset: Int32 = 0
        for byte in bytes {
            let symbol = byteClass[Int(byte)]
            if symbol == 0 {
                // A run of separators is one space; none at the start.
                if let last = classes.last, last != 0 {
                    classes.append(0)
                    origin.append(offset)
                    originEnd.append(offset + 1)
                } else if !classes.isEmpty {
                    originEnd[originEnd.count - 1] = offset + 1
                }
            } else {
                classes.append(symbol)
                origin.append(offset)
                originEnd.append(offset + 1)
            }
            offset += 1
        }
        if classes.last == 0 {
            classes.removeLast()
            origin.removeLast()
            originEnd.removeLast()
        }
        return (classes, origin, originEnd)
    }

    /// Expands `[a|b|]` groups (not nested) into every phrase they stand for.
    static func expand(_ pattern: String) -> [String] {
        var results = [""]
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "[") {
            let literal = rest[..<open]
            guard let close = rest[open...].firstIndex(of: "]") else { break }
            let alternatives = rest[rest.index(after: open)..<close].split(
                separator: "|", omittingEmptySubsequences: false)
            results = results.flatMap { prefix in alternatives.map { prefix + literal + $0 } }
            rest = rest[rest.index(after: close)...]
        }
        return results.map { $0 + rest }
    }
}
