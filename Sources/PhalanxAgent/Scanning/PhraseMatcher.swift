/// Finds many phrase families at once in one pass over a text, matching word by word against an automaton compiled
/// from bracket patterns without expanding them.
///
/// Phrases and text are compared as sequences of *folded words*: a word is a maximal run of ASCII letters, digits,
/// hyphens and non-ASCII bytes, ASCII letters compared without case; every other ASCII character (spaces, punctuation,
/// line breaks) only separates words. Chinese and Japanese, written without spaces, are the exception: each of their
/// characters (U+3000–U+9FFF: CJK punctuation, kana, Han) is a word by itself, so their phrases are sequences of
/// characters. A hyphen joins words ("bomb-proof" does not contain "bomb"), and a match is
/// whole words only. So "Ignore   ALL previous\ninstructions!" matches the phrase "ignore all previous instructions",
/// and "designore" does not match "ignore".
///
/// Phrases are written with alternatives in brackets, an empty alternative making the group optional:
/// `"ignore [all |any |the |]previous instructions"` stands for four phrases. Expanding them is what the patterns must
/// not cost: the injection patterns alone stand for hundreds of thousands of phrases, and a character-level trie of
/// them took half a second and tens of MB to build on every start of the agent. Instead:
///
/// - **Words get ids.** Every word of every pattern is in a vocabulary keyed by its FNV-1a 64 hash, an
///   open-addressed table probed with the hash the scan computes as it reads the word's bytes — no `String` per
///   word. A word outside the vocabulary can be no part of a phrase, and most words of a text are outside it.
/// - **A pattern is a graph of word slots.** Each group becomes a trie of its alternatives' words between two
///   nodes, an empty alternative an ε-edge, literal text a chain of words; the graph is linear in the pattern's
///   length, not in the number of phrases it stands for. All patterns hang from one root and share the slots they
///   begin with. Epsilon closures are resolved when compiling, so a state's outgoing edges are one sorted array of
///   (word, target). The attack families, in eighteen languages, compile in a few milliseconds (tens in a debug build).
/// - **The scan is an NFA simulation** (Thompson, "Regular expression search algorithm", CACM 1968) over word ids.
///   Every pattern may start at every word, so the root's edges are indexed by word id; a live thread remembers the
///   byte where its match began. A word-level DFA would turn the step into one lookup, but
///   building it eagerly is the subset construction that explodes like the expansion did, and building it lazily
///   needs a cache mutated under a lock in a value shared across tasks. It would buy little: almost every word of a
///   text starts no thread, and live threads die within a word or two, so the active set is empty or a handful.
///
/// The scan costs one table lookup per byte and one hash probe per word, whatever the number of phrases, which keeps
/// a 1 KB message within a few microseconds; the standard library's `Regex` costs about that per byte *per pattern*.
struct PhraseMatcher: Sendable {
    struct Match: Hashable, Sendable {
        /// Index of the phrase family (the `families` array given to the initializer).
        let family: Int
        /// UTF-8 byte offsets of the match in the text that was scanned, first byte of the first word to last byte of
        /// the last word.
        let span: Range<Int>
    }

    /// A byte as it is compared: ASCII letters lowercased, digits, hyphen and non-ASCII bytes kept, 0 for a byte that
    /// separates words (NUL is one anyway).
    private static let foldedByte: [UInt8] = (0...255).map { value in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte - UInt8(ascii: "A") + UInt8(ascii: "a")
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return byte
        // A hyphen joins words ("bomb-proof" is not "bomb"); non-ASCII bytes are letters of other scripts.
        case UInt8(ascii: "-"), 0x80...0xFF: return byte
        default: return 0
        }
    }

    private static let fnvOffset: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    private let vocabulary: Vocabulary
    /// `edgeStart[state]..<edgeStart[state + 1]`: the edges out of a state (its ε-closure's), sorted by word.
    private let edgeStart: [Int32]
    private let edgeWord: [Int32]
    private let edgeTarget: [Int32]
    /// `acceptFamily[acceptStart[state]..<acceptStart[state + 1]]`: the families whose phrase ends at a state.
    private let acceptStart: [Int32]
    private let acceptFamily: [Int32]
    /// `rootTarget[rootStart[word]..<rootStart[word + 1]]`: the root's edges on a word, found without a search.
    private let rootStart: [Int32]
    private let rootTarget: [Int32]

    /// Compiles the phrase families; each family is a list of bracket patterns.
    init(families: [[String]]) {
        var vocabulary = Vocabulary.Builder()
        var graph = Graph()
        for (family, patterns) in families.enumerated() {
            for pattern in patterns {
                let slots = Self.wordSlots(of: pattern).map { $0.map { $0.map { vocabulary.id(of: $0) } } }
                graph.add(slots, family: Int32(family))
            }
        }
        let compiled = graph.resolvingEpsilons()
        self.vocabulary = vocabulary.build()
        edgeStart = compiled.edgeStart
        edgeWord = compiled.edgeWord
        edgeTarget = compiled.edgeTarget
        acceptStart = compiled.acceptStart
        acceptFamily = compiled.acceptFamily
        // Every word of a text may start a phrase, so the root is stepped once per word: index its edges by word.
        var rootStart = [Int32](repeating: 0, count: self.vocabulary.count + 1)
        let rootEdges = Int(compiled.edgeStart[Int(Graph.root)])..<Int(compiled.edgeStart[Int(Graph.root) + 1])
        for edge in rootEdges { rootStart[Int(compiled.edgeWord[edge]) + 1] += 1 }
        for word in 0..<self.vocabulary.count { rootStart[word + 1] += rootStart[word] }
        self.rootStart = rootStart
        rootTarget = Array(compiled.edgeTarget[rootEdges])
    }

    /// Every match, leftmost end first (at one end, the earliest start first); overlapping matches of different
    /// families are all reported, and a family may match several times.
    func matches(in text: String) -> [Match] {
        var bytes = text
        return bytes.withUTF8 { matches(inUTF8: $0) }
    }

    /// A thread of the NFA simulation: a state reached, and the byte offset where its phrase began.
    private struct Thread: Equatable {
        var state: Int32
        var start: Int
    }

    func matches(inUTF8 utf8: UnsafeBufferPointer<UInt8>) -> [Match] {
        Self.foldedByte.withUnsafeBufferPointer { foldedByte in
            var found: [Match] = []
            var threads: [Thread] = []
            var reached: [Thread] = []
            var index = 0
            while index < utf8.count {
                guard foldedByte[Int(utf8[index])] != 0 else {
                    index += 1
                    continue
                }
                let wordStart = index
                var hash = Self.fnvOffset
                if Self.isUnspacedLead(utf8[index]) {
                    // A character of a script written without spaces is a word by itself.
                    let end = min(index + 3, utf8.count)
                    while index < end {
                        hash = (hash ^ UInt64(utf8[index])) &* Self.fnvPrime
                        index += 1
                    }
                } else {
                    while index < utf8.count {
                        let byte = utf8[index]
                        let folded = foldedByte[Int(byte)]
                        if folded == 0 || Self.isUnspacedLead(byte) { break }
                        hash = (hash ^ UInt64(folded)) &* Self.fnvPrime
                        index += 1
                    }
                }
                let word = vocabulary.id(
                    hash: hash, of: UnsafeBufferPointer(rebasing: utf8[wordStart..<index]), folding: foldedByte)
                guard let word else {
                    // No phrase has this word: every thread dies, and none starts here.
                    if !threads.isEmpty { threads.removeAll(keepingCapacity: true) }
                    continue
                }
                // Threads are kept in the order of their start, so the matches come out earliest start first.
                reached.removeAll(keepingCapacity: true)
                for thread in threads {
                    let end = Int(edgeStart[Int(thread.state) + 1])
                    var edge = firstEdge(from: thread.state, on: word)
                    while edge < end && edgeWord[edge] == word {
                        reached.append(Thread(state: edgeTarget[edge], start: thread.start))
                        edge += 1
                    }
                }
                for root in Int(rootStart[Int(word)])..<Int(rootStart[Int(word) + 1]) {
                    reached.append(Thread(state: rootTarget[root], start: wordStart))
                }
                threads.removeAll(keepingCapacity: true)
                let firstFound = found.count
                for thread in reached {
                    let state = Int(thread.state)
                    for accept in Int(acceptStart[state])..<Int(acceptStart[state + 1]) {
                        let match = Match(family: Int(acceptFamily[accept]), span: thread.start..<index)
                        // Two paths of one family (two of its patterns, or two readings of one) can end in one span.
                        if !found[firstFound...].contains(match) { found.append(match) }
                    }
                    // A state with no way on has reported what it could; two paths to one state are one thread.
                    if edgeStart[state] != edgeStart[state + 1] && !threads.contains(thread) {
                        threads.append(thread)
                    }
                }
                if found.count - firstFound > 1 {
                    found[firstFound...].sort { ($0.span.lowerBound, $0.family) < ($1.span.lowerBound, $1.family) }
                }
            }
            return found
        }
    }

    /// The first edge out of `state` on `word` (binary search), or the end of the state's edges if it has none.
    private func firstEdge(from state: Int32, on word: Int32) -> Int {
        var low = Int(edgeStart[Int(state)])
        var high = Int(edgeStart[Int(state) + 1])
        while low < high {
            let middle = (low + high) / 2
            if edgeWord[middle] < word { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Expands `[a|b|]` groups (not nested) into every phrase they stand for.
    static func expand(_ pattern: String) -> [String] {
        segments(of: pattern).reduce([""]) { prefixes, alternatives in
            prefixes.flatMap { prefix in alternatives.map { prefix + $0 } }
        }
    }

    /// A pattern cut at its groups: a literal is a segment with one alternative, a group one with each of its own.
    ///
    /// An opening bracket without a closing one is literal text, like the rest of the pattern after it.
    static func segments(of pattern: String) -> [[Substring]] {
        var segments: [[Substring]] = []
        var rest = Substring(pattern)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            segments.append([rest[..<open]])
            segments.append(
                rest[rest.index(after: open)..<close].split(separator: "|", omittingEmptySubsequences: false))
            rest = rest[rest.index(after: close)...]
        }
        segments.append([rest])
        return segments
    }

    /// The pattern as a sequence of slots, each a list of alternatives, each a sequence of folded words.
    ///
    /// Segments concatenate as characters, so a word can straddle two of them: `"role[ |]play"` stands for
    /// "role play" and "roleplay". Wherever some path through the pattern has word bytes on both sides of a segment
    /// boundary, the two segments are merged (each alternative of one joined to each of the other) before being cut
    /// into words; every other boundary is a word boundary on every path. The merged products are as small as the
    /// groups written without a space between them.
    static func wordSlots(of pattern: String) -> [[[[UInt8]]]] {
        let segments = segments(of: pattern).map { $0.map { Array($0.utf8) } }
        let isWordByte = { (byte: UInt8) in foldedByte[Int(byte)] != 0 }
        // endsInWord[i]: some path through segments 0...i ends with a word byte (an empty alternative looks further
        // back); startsInWord[i]: some path through segments i... starts with one.
        var endsInWord: [Bool] = []
        // A character of a script without spaces is a word by itself, so it joins with nothing on either side.
        for segment in segments {
            let before = endsInWord.last ?? false
            endsInWord.append(
                segment.contains { piece in
                    piece.last.map { isWordByte($0) && !endsWithUnspacedCharacter(piece) } ?? before
                })
        }
        var startsInWord = [Bool](repeating: false, count: segments.count)
        for index in segments.indices.reversed() {
            let after = index + 1 < segments.count ? startsInWord[index + 1] : false
            startsInWord[index] = segments[index].contains { piece in
                piece.first.map { isWordByte($0) && !isUnspacedLead($0) } ?? after
            }
        }
        var merged: [[[UInt8]]] = []
        for (index, segment) in segments.enumerated() {
            if index > 0 && endsInWord[index - 1] && startsInWord[index] {
                merged[merged.count - 1] = merged[merged.count - 1].flatMap { prefix in segment.map { prefix + $0 } }
            } else {
                merged.append(segment)
            }
        }
        return merged.map { $0.map(words(in:)) }
    }

    /// The folded words of a text, cut as the scan cuts them.
    static func words(in bytes: [UInt8]) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var position = 0
        while let next = word(in: bytes, from: position) {
            words.append(next.folded)
            position = next.end
        }
        return words
    }

    /// The folded word that follows `end` in `bytes`, after any separators; `nil` at the end of the text. What a
    /// family's exceptions are compared with ("a bomb *shelter*").
    static func word(in bytes: [UInt8], after end: Int) -> [UInt8]? { word(in: bytes, from: end)?.folded }

    /// The first word at or after `position`, cut as the scan cuts words (a Chinese or Japanese character is one by
    /// itself), folded, with the offset just past it.
    private static func word(in bytes: [UInt8], from position: Int) -> (folded: [UInt8], end: Int)? {
        var start = position
        while start < bytes.count && foldedByte[Int(bytes[start])] == 0 { start += 1 }
        guard start < bytes.count else { return nil }
        if isUnspacedLead(bytes[start]) {
            let end = min(start + 3, bytes.count)
            return (Array(bytes[start..<end]), end)
        }
        var end = start
        while end < bytes.count, foldedByte[Int(bytes[end])] != 0, !isUnspacedLead(bytes[end]) { end += 1 }
        return (bytes[start..<end].map { foldedByte[Int($0)] }, end)
    }

    /// Whether `byte` leads the UTF-8 of a character in U+3000–U+9FFF: CJK punctuation, kana, Han ideographs —
    /// scripts written without spaces between words. Each such character is a word of its own, so a Chinese or
    /// Japanese phrase is matched as a sequence of characters; Hangul, which Korean writes with spaces, is not in
    /// the range and forms words like Latin letters.
    @inline(__always) static func isUnspacedLead(_ byte: UInt8) -> Bool { byte &- 0xE3 < 7 }

    /// Whether `bytes` (a piece of a pattern) ends with such a character, after which a word always ends.
    private static func endsWithUnspacedCharacter(_ bytes: [UInt8]) -> Bool {
        guard var index = bytes.indices.last else { return false }
        while index > 0 && bytes[index] & 0xC0 == 0x80 { index -= 1 }
        return isUnspacedLead(bytes[index])
    }
}

extension PhraseMatcher {
    /// The words of the patterns, found by the FNV-1a 64 hash of their folded bytes.
    private struct Vocabulary: Sendable {
        /// Open addressing with linear probing; `slotWord` is -1 where empty. Twice as many slots as words or more.
        let slotHash: [UInt64]
        let slotWord: [Int32]
        /// `bytes[offsets[word]..<offsets[word + 1]]`: the folded word, compared on a hash hit, so that a word
        /// crafted to collide with "ignore" is not taken for it.
        let bytes: [UInt8]
        let offsets: [Int32]
        let longest: Int

        var count: Int { offsets.count - 1 }

        /// The id of the word whose bytes are `word` and whose bytes folded by `folding` hash to `hash`.
        func id(hash: UInt64, of word: UnsafeBufferPointer<UInt8>, folding: UnsafeBufferPointer<UInt8>) -> Int32? {
            guard word.count <= longest else { return nil }
            let mask = slotWord.count - 1
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask
            while slotWord[slot] >= 0 {
                if slotHash[slot] == hash && matches(Int(slotWord[slot]), word, folding: folding) {
                    return slotWord[slot]
                }
                slot = (slot + 1) & mask
            }
            return nil
        }

        private func matches(
            _ id: Int, _ word: UnsafeBufferPointer<UInt8>, folding: UnsafeBufferPointer<UInt8>
        ) -> Bool {
            let start = Int(offsets[id])
            guard Int(offsets[id + 1]) - start == word.count else { return false }
            for index in word.indices where folding[Int(word[index])] != bytes[start + index] {
                return false
            }
            return true
        }

        struct Builder {
            private var ids: [[UInt8]: Int32] = [:]
            private var words: [[UInt8]] = []

            mutating func id(of word: [UInt8]) -> Int32 {
                if let id = ids[word] { return id }
                let id = Int32(words.count)
                ids[word] = id
                words.append(word)
                return id
            }

            func build() -> Vocabulary {
                var size = 16
                while size < 2 * words.count { size *= 2 }
                var slotHash = [UInt64](repeating: 0, count: size)
                var slotWord = [Int32](repeating: -1, count: size)
                for (id, word) in words.enumerated() {
                    let hash = word.reduce(PhraseMatcher.fnvOffset) { ($0 ^ UInt64($1)) &* PhraseMatcher.fnvPrime }
                    var slot = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & (size - 1)
                    while slotWord[slot] >= 0 { slot = (slot + 1) & (size - 1) }
                    slotHash[slot] = hash
                    slotWord[slot] = Int32(id)
                }
                var offsets: [Int32] = [0]
                for word in words { offsets.append(offsets[offsets.count - 1] + Int32(word.count)) }
                return Vocabulary(
                    slotHash: slotHash, slotWord: slotWord, bytes: words.flatMap { $0 }, offsets: offsets,
                    longest: words.map(\.count).max() ?? 0)
            }
        }
    }

    /// The patterns' word graph as it is built: word edges and ε-edges between states, from one root.
    ///
    /// Patterns share what they begin with: a word two patterns start with is one trie node, and a slot that two
    /// patterns reach from the same state (the `howTo` group that begins six) is compiled once, so one word of the
    /// text starts one thread however many patterns begin with it. Only a pattern's last slot is its own.
    private struct Graph {
        static let root: Int32 = 0
        private var edges: [[(word: Int32, target: Int32)]] = []
        private var epsilons: [[Int32]] = []
        private var accepting: [[Int32]] = []
        /// The trie child of a state on a word, keyed `state << 32 | word`.
        private var children: [Int64: Int32] = [:]
        /// Where a slot compiled from a state ends.
        private var slotEnds: [SlotKey: Int32] = [:]

        private struct SlotKey: Hashable {
            let state: Int32
            let alternatives: [[Int32]]
        }

        init() { _ = newState() }

        private mutating func newState() -> Int32 {
            edges.append([])
            epsilons.append([])
            accepting.append([])
            return Int32(edges.count - 1)
        }

        /// Adds a pattern's slots from the root as a chain of tries.
        mutating func add(_ slots: [[[Int32]]], family: Int32) {
            // A slot of one empty alternative (the literal between two groups, or none) is an ε-edge: skip it.
            let slots = slots.filter { $0 != [[]] }
            var current = Self.root
            for (index, alternatives) in slots.enumerated() {
                let isLast = index == slots.count - 1
                let key = SlotKey(state: current, alternatives: alternatives)
                if !isLast, let end = slotEnds[key] {
                    current = end
                    continue
                }
                let end = newState()
                for words in alternatives {
                    var state = current
                    for word in words {
                        let key = Int64(state) << 32 | Int64(word)
                        if let child = children[key] {
                            state = child
                        } else {
                            let child = newState()
                            edges[Int(state)].append((word, child))
                            children[key] = child
                            state = child
                        }
                    }
                    if !epsilons[Int(state)].contains(end) { epsilons[Int(state)].append(end) }
                }
                if !isLast { slotEnds[key] = end }
                current = end
            }
            // A pattern of no words matches nothing: the root is never reported.
            accepting[Int(current)].append(family)
        }

        /// Each state's edges and accepted families become those of its ε-closure, sorted.
        func resolvingEpsilons() -> (
            edgeStart: [Int32], edgeWord: [Int32], edgeTarget: [Int32], acceptStart: [Int32], acceptFamily: [Int32]
        ) {
            var edgeStart: [Int32] = [0]
            var edgeWord: [Int32] = []
            var edgeTarget: [Int32] = []
            var acceptStart: [Int32] = [0]
            var acceptFamily: [Int32] = []
            for state in edges.indices {
                var closure = [Int32(state)]
                var head = 0
                while head < closure.count {
                    for target in epsilons[Int(closure[head])] where !closure.contains(target) {
                        closure.append(target)
                    }
                    head += 1
                }
                let out = closure.flatMap { edges[Int($0)] }.sorted { ($0.word, $0.target) < ($1.word, $1.target) }
                for (index, edge) in out.enumerated() where index == 0 || out[index - 1] != edge {
                    edgeWord.append(edge.word)
                    edgeTarget.append(edge.target)
                }
                edgeStart.append(Int32(edgeWord.count))
                acceptFamily += Set(closure.flatMap { accepting[Int($0)] }).sorted()
                acceptStart.append(Int32(acceptFamily.count))
            }
            return (edgeStart, edgeWord, edgeTarget, acceptStart, acceptFamily)
        }
    }
}
