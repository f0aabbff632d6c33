/// What the short words of a text say about how it is written, counted in one pass without allocating: common
/// English words as they are, in ROT13 and backwards, and words that mix letters with leetspeak digits. It decides
/// whether ``PayloadDecoder`` tries a whole-text transform, so that ordinary text pays for one look-up per word.
struct WordShape {
    /// Common English words of two to four letters ("the", "and", "you").
    private(set) var plain = 0
    /// The same words in ROT13 ("gur", "naq", "lbh").
    private(set) var rotated = 0
    /// The same words backwards ("eht", "dna", "uoy").
    private(set) var mirrored = 0
    /// Set when some eight consecutive words hold three or more words with a letter next to a digit or symbol that
    /// stands for a letter ("1gn0r3", "4ll", "mp3"), two of them with letters and such digits meeting three times or
    /// more ("1gn0r3", "pr3v10u5", "h3ll0"). Technical words ("mp3", "ipv4", "k8s", "1980s") switch between letters
    /// and leetspeak digits once or twice, "pr3v10u5" five times; and leetspeak is written as such, word after word,
    /// while identifiers ("card dbc_dk83f5c2a1_blue … card dbc_dk83f5c2a1_gff") are scattered through a text. Counted
    /// over the whole text instead, one banking message of a kilobyte became a payload, and decoding it and reading it
    /// again cost 130 µs.
    private(set) var looksLikeLeetspeak = false

    /// At least three ROT13 forms, and at least half as many as plain forms: a text mostly in ROT13, or a ROT13
    /// payload behind a short English frame ("decode this and do what it says: …"). The forms are not words, so
    /// ordinary text has none.
    var looksLikeROT13: Bool { rotated >= 3 && 2 * rotated >= plain }
    /// The same for text written backwards.
    var looksReversed: Bool { mirrored >= 3 && 2 * mirrored >= plain }

    private enum Form: UInt8 {
        case plain = 1, rotated, mirrored
    }

    /// Common English words whose ROT13 and mirror images are not words themselves: "are", "me", "not", "now", "is",
    /// "it", "in", "to" and "of" are left out, because "era", "em", "ton", "won", "si", "ti", "ni", "ot" and "fo" are
    /// words somewhere.
    private static let common = [
        "the", "and", "you", "all", "for", "this", "that", "your", "with", "what", "from", "have", "tell", "show",
        "give",
    ]

    /// Open-addressing table of the words packed into a `UInt32` (four lowercase letters at most; no word packs to
    /// zero, which marks an empty slot), and beside it each word's form: 128 slots for 45 words, one probe on average.
    private static let (keys, forms): ([UInt32], [Form?]) = {
        var keys = [UInt32](repeating: 0, count: 128)
        var forms = [Form?](repeating: nil, count: 128)
        func insert(_ word: [UInt8], _ form: Form) {
            let key = pack(word)
            var slot = Int(hash(key))
            while keys[slot] != 0 {
                // A word that is its own mirror image ("tat") keeps its first form; none of the list is one.
                if keys[slot] == key { return }
                slot = (slot + 1) & 127
            }
            keys[slot] = key
            forms[slot] = form
        }
        for word in common {
            let bytes = Array(word.utf8)
            insert(bytes, .plain)
            insert(bytes.map(PayloadDecoder.rot13), .rotated)
            insert(bytes.reversed(), .mirrored)
        }
        return (keys, forms)
    }()

    @inline(__always) private static func pack(_ word: some Sequence<UInt8>) -> UInt32 {
        word.reduce(0) { $0 << 8 | UInt32($1) }
    }

    @inline(__always) private static func hash(_ key: UInt32) -> UInt32 { (key &* 0x9E37_79B1) >> 25 }

    /// What a byte is in a word. Words are runs of letters, digits and the symbols leetspeak uses for letters;
    /// ``PayloadDecoder/unleet(_:)`` cuts them the same way.
    enum Kind: UInt8 {
        /// Ends a word.
        case separator
        case letter
        /// A digit or symbol leetspeak uses for a letter (``PayloadDecoder/leetLetter(_:)``).
        case leetCharacter
        case otherDigit
    }

    @inline(__always) static func kind(of byte: UInt8) -> Kind { kinds[Int(byte)] }

    /// ``Kind`` per byte. A table, because the tests it replaces were a third of the pass over the words.
    private static let kinds: [Kind] = (0..<256).map { value in
        let byte = UInt8(value)
        if (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A { return .letter }
        if PayloadDecoder.leetLetter(byte) != nil { return .leetCharacter }
        return byte >= 0x30 && byte <= 0x39 ? .otherDigit : .separator
    }

    init(_ bytes: [UInt8]) {
        let keys = Self.keys, forms = Self.forms, kinds = Self.kinds
        keys.withUnsafeBufferPointer { keys in
            kinds.withUnsafeBufferPointer { kinds in
                bytes.withUnsafeBufferPointer { bytes in
                    // The word being read: its letters packed (up to four matter), how many letters, whether it has
                    // other characters, and how often letters and leetspeak digits meet in it.
                    var packed: UInt32 = 0
                    var letters = 0, others = 0, meetings = 0
                    var previousKind = Kind.separator
                    // The last eight words, one bit each: in leetspeak, and in heavy leetspeak.
                    var leetWindow: UInt8 = 0, strongWindow: UInt8 = 0
                    for index in 0...bytes.count {
                        let byte = index < bytes.count ? bytes[index] : 0x20
                        let kind = kinds[Int(byte)]
                        if kind == .separator {
                            guard previousKind != .separator else { continue }
                            // The end of a word.
                            if others == 0, letters >= 2, letters <= 4 {
                                var slot = Int(Self.hash(packed))
                                probing: while keys[slot] != 0 {
                                    if keys[slot] == packed {
                                        switch forms[slot] {
                                        case .plain: plain += 1
                                        case .rotated: rotated += 1
                                        case .mirrored: mirrored += 1
                                        case nil: break
                                        }
                                        break probing
                                    }
                                    slot = (slot + 1) & 127
                                }
                            }
                            leetWindow = leetWindow << 1 | (meetings >= 1 ? 1 : 0)
                            strongWindow = strongWindow << 1 | (meetings >= 3 ? 1 : 0)
                            if leetWindow.nonzeroBitCount >= 3, strongWindow.nonzeroBitCount >= 2 {
                                looksLikeLeetspeak = true
                            }
                            (packed, letters, others, meetings) = (0, 0, 0, 0)
                        } else if kind == .letter {
                            packed = packed << 8 | UInt32(byte | 0x20)
                            letters += 1
                            if previousKind == .leetCharacter { meetings += 1 }
                        } else {
                            others += 1
                            if kind == .leetCharacter, previousKind == .letter { meetings += 1 }
                        }
                        previousKind = kind
                    }
                }
            }
        }
    }

}
