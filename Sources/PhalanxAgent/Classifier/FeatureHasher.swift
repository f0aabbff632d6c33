import Foundation

/// Turns a normalized text into a fixed-length sparse vector by the signed hashing trick (Weinberger et al., "Feature
/// Hashing for Large Scale Multitask Learning", ICML 2009), so that the classifier has a fixed number of weights — which
/// is what lets organizations average their weight vectors in federated training without agreeing on a vocabulary.
///
/// The features, all read from the UTF-8 bytes of the text after ASCII letters are lowercased and every run of ASCII
/// whitespace and control characters is folded to one space, with one space added at each end:
/// - character n-grams (default 4…6) over the whole folded text, *across* word boundaries. The padding spaces make
///   " ign" and "ore " mark a word's start and end, and n-grams that span a space ("re al") catch phrases whose words
///   are split or joined oddly. Punctuation is kept, so markup such as `<|im_start|>` or `### system` contributes.
///   For non-ASCII text n counts bytes, not characters; a split multi-byte character is still a consistent feature.
/// - word n-grams (default 1…2), a word being a maximal run of ASCII letters and digits and non-ASCII bytes.
///
/// Each feature is hashed with FNV-1a 64 from a basis derived from ``Configuration/seed`` and the feature family (so
/// the word "then" and the character 4-gram "then" land in different buckets), then mixed with MurmurHash3's 64-bit
/// finalizer: the low ``Configuration/bits`` bits pick the bucket and the top bit the sign, so that collisions cancel
/// in expectation instead of adding up. Swift's `Hasher` is not used: it is seeded per process, and a model must hash
/// the same way on every machine and in every run. A bucket's signed count c becomes sign(c)·(1 + ln|c|) (sublinear
/// term frequency, so a repeated phrase does not swamp the rest), and the vector is scaled to unit Euclidean length,
/// so that long and short texts are comparable.
///
/// The work is a pass over the bytes with no allocation per n-gram: counts go into a dense array of counters
/// borrowed from a pool (``DenseCounts``), or, above 2^20 buckets, an open-addressing table sized from the text.
public struct FeatureHasher: Hashable, Sendable {
    /// What the hasher extracts. Stored in the model file: a model is only meaningful with the hasher it was trained
    /// with, and changing any of these (or the hash functions) changes every feature.
    public struct Configuration: Codable, Hashable, Sendable {
        /// log2 of the number of buckets (the classifier's dimension), 8…24.
        public var bits: Int
        /// Lengths of the character n-grams, within 1…8; `nil` for none.
        public var characterNGrams: ClosedRange<Int>?
        /// Lengths of the word n-grams, within 1…4; `nil` for none.
        public var wordNGrams: ClosedRange<Int>?
        /// Selects the hash functions; a different seed gives a different (equally good) hashing.
        public var seed: UInt64

        /// The defaults: 2^18 buckets (a 1 MiB model; 2^16 to 2^22 scored the same on the project's corpus),
        /// character 4…6-grams and word 1…2-grams. On the corpus's unseen split (attack styles and sources the
        /// training split lacks), 4…6-grams beat 3…5, 2…5 and 3…6 (ROC AUC 0.69 against 0.65–0.67) and also scored
        /// best on the test split: 3-grams are mostly shared by both classes, and longer grams still match across
        /// inflections ("instruct" in "instructions", "istruzioni" sharing "stru"). Cross-validation over source
        /// groups later preferred 3…5 by 1.3 points of F1, but 3…5 doubled the false-positive rate on kilobyte-long
        /// benign messages (0.068 → 0.122) and lowered the unseen AUC (0.856 → 0.838): the shipped model keeps 4…6
        /// (docs/agent.md).
        public init(
            bits: Int = 18, characterNGrams: ClosedRange<Int>? = 4...6, wordNGrams: ClosedRange<Int>? = 1...2,
            seed: UInt64 = 0x5048_584D
        ) {
            self.bits = bits
            self.characterNGrams = characterNGrams
            self.wordNGrams = wordNGrams
            self.seed = seed
        }

        /// The number of buckets, 2^``bits``.
        public var dimension: Int { 1 << bits }

        /// Checks the ranges above; a model file's header is checked with this before it is used.
        public func validate() throws(ClassifierError) {
            guard (8...24).contains(bits) else {
                throw ClassifierError("feature configuration: bits must be within 8…24, got \(bits)")
            }
            if let range = characterNGrams, range.lowerBound < 1 || range.upperBound > 8 {
                throw ClassifierError(
                    "feature configuration: character n-gram lengths must be within 1…8, got \(range)")
            }
            if let range = wordNGrams, range.lowerBound < 1 || range.upperBound > 4 {
                throw ClassifierError("feature configuration: word n-gram lengths must be within 1…4, got \(range)")
            }
            guard characterNGrams != nil || wordNGrams != nil else {
                throw ClassifierError("feature configuration: at least one of character and word n-grams is needed")
            }
        }
    }

    public let configuration: Configuration
    private let characterBasis: UInt64
    private let wordBasis: UInt64

    /// A hasher with a checked configuration.
    public init(configuration: Configuration = Configuration()) throws(ClassifierError) {
        try configuration.validate()
        self.configuration = configuration
        characterBasis = Self.fnvOffsetBasis ^ Self.mix(configuration.seed ^ 0x6368_6172)  // "char"
        wordBasis = Self.fnvOffsetBasis ^ Self.mix(configuration.seed ^ 0x776F_7264)  // "word"
    }

    /// The number of buckets, the dimension of every vector this hasher returns.
    public var dimension: Int { configuration.dimension }

    /// The features of a text as the agent sees it (see ``NormalizedText``).
    public func features(of text: NormalizedText) -> SparseVector { features(ofNormalized: text.text) }

    /// The features of a string that is already normalized (the trainer normalizes each example once).
    /// `countingDensely: false` forces the hash table (what dimensions above 2^20 use), so tests can check that both
    /// ways of counting give the same vector.
    func features(ofNormalized text: String, countingDensely: Bool = true) -> SparseVector {
        var text = text
        return text.withUTF8 { features(ofBytes: $0, countingDensely: countingDensely) }
    }

    // MARK: - Hashing

    static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a 64 (Fowler, Noll & Vo) of `bytes`, continuing from `basis`.
    static func fnv1a64(_ bytes: some Sequence<UInt8>, basis: UInt64 = fnvOffsetBasis) -> UInt64 {
        var hash = basis
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* fnvPrime }
        return hash
    }

    /// MurmurHash3's 64-bit finalizer (Appleby): every input bit affects every output bit, which FNV's low bits —
    /// the ones that pick a bucket — lack on their own.
    static func mix(_ value: UInt64) -> UInt64 {
        var k = value
        k ^= k >> 33
        k &*= 0xFF51_AFD7_ED55_8CCD
        k ^= k >> 33
        k &*= 0xC4CE_B9FE_1A85_EC53
        k ^= k >> 33
        return k
    }

    /// The bucket (its low bits, `mask` being the dimension less one) and sign a finished feature hash maps to.
    @inline(__always) static func bucket(_ hash: UInt64, mask: UInt32) -> (index: UInt32, negative: Bool) {
        let mixed = mix(hash)
        return (UInt32(truncatingIfNeeded: mixed) & mask, mixed >> 63 == 1)
    }

    // MARK: - Extraction

    /// ASCII whitespace and control characters, which fold to one space.
    @inline(__always) private static func isSpace(_ byte: UInt8) -> Bool { byte <= 0x20 || byte == 0x7F }

    /// Bytes that belong to a word: ASCII letters and digits (already lowercased) and every non-ASCII byte.
    @inline(__always) private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte >= 0x80
    }

    func features(ofBytes bytes: UnsafeBufferPointer<UInt8>, countingDensely: Bool = true) -> SparseVector {
        Self.withFolded(bytes) { folded in
            guard let folded else { return SparseVector.zero(dimension: dimension) }
            return features(ofFolded: folded, countingDensely: countingDensely)
        }
    }

    /// The margin `initial + w·x` of a linear model with weights `w` (one per bucket) for x = ``features(of:)``,
    /// computed without building x: each non-zero entry of x is multiplied into the sum as it is weighed. The sum is
    /// taken in the same order and with the same roundings as ``LogisticRegression/score(_:)`` on x, so the two give
    /// the same `Double`, bit for bit (tested); this path only saves x's two arrays and the second walk over them,
    /// which is what the agent's scan needs.
    ///
    /// - Precondition: `weights.count == dimension`.
    func margin(of text: NormalizedText, weights: UnsafeBufferPointer<Float>, initial: Double) -> Double {
        precondition(weights.count == dimension, "weights of dimension \(weights.count), features of \(dimension)")
        var text = text.text
        return text.withUTF8 { bytes in
            Self.withFolded(bytes) { folded in
                guard let folded else { return initial }
                return withDenseCounts(of: folded) { sink in sink.margin(weights: weights, initial: initial) }
                    ?? Self.margin(of: features(ofFolded: folded, countingDensely: false), weights, initial)
            }
        }
    }

    /// `initial + w·x` accumulated as ``LogisticRegression/score(_:)`` accumulates it.
    private static func margin(of x: SparseVector, _ weights: UnsafeBufferPointer<Float>, _ initial: Double) -> Double {
        var sum = initial
        for entry in 0..<x.indices.count { sum += Double(weights[Int(x.indices[entry])]) * Double(x.values[entry]) }
        return sum
    }

    /// Calls `body` with the text folded for hashing: ASCII letters lowercased, each run of whitespace and control
    /// characters one space, one space at each end; `nil` when nothing but spaces remains.
    private static func withFolded<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>?) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count + 2) { folded in
            var length = 0
            folded[0] = 0x20
            length = 1
            for byte in bytes {
                if isSpace(byte) {
                    if folded[length - 1] != 0x20 {
                        folded[length] = 0x20
                        length += 1
                    }
                } else {
                    folded[length] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                    length += 1
                }
            }
            if folded[length - 1] != 0x20 {
                folded[length] = 0x20
                length += 1
            }
            return body(length > 1 ? UnsafeBufferPointer(rebasing: folded[0..<length]) : nil)
        }
    }

    /// Counts every n-gram of the folded text, then weighs and normalizes. The counts go into a dense array of
    /// ``dimension`` counters borrowed from ``DenseCounts`` (one write per n-gram, no probing); when none can be had
    /// (a dimension above 2^20), into an open-addressing table sized from the text. Both list the buckets in the
    /// order they were first hit, so both give the same vector, bit for bit.
    private func features(ofFolded text: UnsafeBufferPointer<UInt8>, countingDensely: Bool) -> SparseVector {
        if countingDensely, let vector = withDenseCounts(of: text, { $0.weighted(dimension: dimension) }) {
            return vector
        }
        let emitted = maximumFeatures(of: text)
        var tableSize = 16
        while 2 * tableSize < 3 * emitted { tableSize <<= 1 }
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: tableSize) { slots in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: emitted) { used in
                slots.initialize(repeating: 0)
                var table = CountTable(slots: slots, used: used)
                countNGrams(text, into: &table)
                return table.weighted(dimension: dimension)
            }
        }
    }

    /// An upper bound on the features a folded text emits, and so on its distinct buckets, which sizes the table at
    /// load factor ≤ 2/3 (about 0.4 on English text, where a third of the n-grams repeat). There are no more distinct
    /// buckets than the dimension either. Keeping the scratch small matters: past about 128 KiB, the C allocator
    /// hands memory back to the kernel on every call and page faults cost more than the hashing.
    private func maximumFeatures(of text: UnsafeBufferPointer<UInt8>) -> Int {
        let maximumWords = text.count / 2
        return min(
            (configuration.characterNGrams.map { text.count * $0.count } ?? 0)
                + (configuration.wordNGrams.map { maximumWords * $0.count } ?? 0),
            dimension)
    }

    /// Counts the n-grams of a folded text in a borrowed dense array and hands the counts to `body`, which reads them
    /// out (and so resets the array); `nil` when there is no array for this dimension (above 2^20) or the text is too
    /// long for the dense counters, which hold a count below 2^30 (``DenseCounts/Sink/bias``): hundreds of megabytes,
    /// far beyond what the agent accepts.
    private func withDenseCounts<Result>(
        of text: UnsafeBufferPointer<UInt8>, _ body: (DenseCounts.Sink) -> Result
    ) -> Result? {
        guard text.count < Int(DenseCounts.Sink.bias) / 8, let counts = DenseCounts.borrow(dimension: dimension)
        else { return nil }
        defer { DenseCounts.giveBack(counts) }
        // One slot more than the buckets that can be listed: the sink writes the next slot before it knows whether
        // the bucket is new.
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: maximumFeatures(of: text) + 1) { used in
            var sink = DenseCounts.Sink(counts: counts, used: used)
            countNGrams(text, into: &sink)
            return body(sink)
        }
    }

    /// Every n-gram the configuration asks for: character n-grams first, then word n-grams.
    private func countNGrams<Sink: FeatureSink>(_ text: UnsafeBufferPointer<UInt8>, into sink: inout Sink) {
        if let lengths = configuration.characterNGrams { countCharacterNGrams(text, lengths: lengths, into: &sink) }
        if let lengths = configuration.wordNGrams { countWordNGrams(text, lengths: lengths, into: &sink) }
    }

    /// The character n-grams of `text`, in order of start, then of length. The default lengths (4…6) take a
    /// straight-line loop; any others the general one. Both emit the same buckets in the same order (tested).
    private func countCharacterNGrams<Sink: FeatureSink>(
        _ text: UnsafeBufferPointer<UInt8>, lengths: ClosedRange<Int>, into table: inout Sink
    ) {
        if lengths == 4...6 {
            countCharacterNGrams4To6(text, into: &table)
        } else {
            countCharacterNGramsGeneral(text, lengths: lengths, into: &table)
        }
    }

    /// Character 4-, 5- and 6-grams with the FNV chain written out: the loops of the general walker, whose trip
    /// counts are only known at run time, cost about a tenth of the features' time.
    func countCharacterNGrams4To6<Sink: FeatureSink>(_ text: UnsafeBufferPointer<UInt8>, into table: inout Sink) {
        guard text.count >= 4 else { return }
        let mask = UInt32(dimension - 1)
        @inline(__always) func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 { (hash ^ UInt64(byte)) &* Self.fnvPrime }
        if text.count >= 6 {
            for start in 0...(text.count - 6) {
                var hash = step(
                    step(step(step(characterBasis, text[start]), text[start + 1]), text[start + 2]), text[start + 3])
                table.add(Self.bucket(hash, mask: mask))
                hash = step(hash, text[start + 4])
                table.add(Self.bucket(hash, mask: mask))
                hash = step(hash, text[start + 5])
                table.add(Self.bucket(hash, mask: mask))
            }
        }
        // The last starts, where fewer than six bytes remain.
        for start in max(0, text.count - 5)...(text.count - 4) {
            var hash = characterBasis
            for position in start..<(start + 4) { hash = step(hash, text[position]) }
            table.add(Self.bucket(hash, mask: mask))
            for position in (start + 4)..<text.count {
                hash = step(hash, text[position])
                table.add(Self.bucket(hash, mask: mask))
            }
        }
    }

    /// Character n-grams of any lengths: from each start, one FNV chain that emits at every length in range.
    func countCharacterNGramsGeneral<Sink: FeatureSink>(
        _ text: UnsafeBufferPointer<UInt8>, lengths: ClosedRange<Int>, into table: inout Sink
    ) {
        let shortest = lengths.lowerBound, longest = lengths.upperBound
        guard text.count >= shortest else { return }
        let mask = UInt32(dimension - 1)
        for start in 0...(text.count - shortest) {
            // The first `shortest` bytes emit nothing; every byte after them ends one n-gram. Two loops instead of
            // a test per byte keep the loop body free of branches.
            var hash = characterBasis
            for position in start..<(start + shortest) { hash = (hash ^ UInt64(text[position])) &* Self.fnvPrime }
            table.add(Self.bucket(hash, mask: mask))
            for position in (start + shortest)..<min(start + longest, text.count) {
                hash = (hash ^ UInt64(text[position])) &* Self.fnvPrime
                table.add(Self.bucket(hash, mask: mask))
            }
        }
    }

    /// The word n-grams of `text`, in order of first word, then of length. Unigrams and bigrams (the default) take
    /// one pass over the bytes; longer n-grams the general walker. Both emit the same buckets in the same order
    /// (tested).
    private func countWordNGrams<Sink: FeatureSink>(
        _ text: UnsafeBufferPointer<UInt8>, lengths: ClosedRange<Int>, into table: inout Sink
    ) {
        if lengths.upperBound <= 2 {
            countWordUnigramsAndBigrams(text, lengths: lengths, into: &table)
        } else {
            countWordNGramsGeneral(text, lengths: lengths, into: &table)
        }
    }

    /// Word unigrams and bigrams in one pass: while a word is read, its bytes extend both its own hash and the
    /// bigram begun by the previous word (that word's hash, then a space). At its end the bigram is emitted before
    /// the unigram, which is the general walker's order: u₁, b₁₂, u₂, b₂₃, u₃…
    func countWordUnigramsAndBigrams<Sink: FeatureSink>(
        _ text: UnsafeBufferPointer<UInt8>, lengths: ClosedRange<Int>, into table: inout Sink
    ) {
        let mask = UInt32(dimension - 1)
        let emitsUnigrams = lengths.lowerBound <= 1, emitsBigrams = lengths.upperBound >= 2
        var unigram = wordBasis, bigram: UInt64 = 0
        var inWord = false, afterWord = false
        for byte in text {
            if Self.isWordByte(byte) {
                unigram = (unigram ^ UInt64(byte)) &* Self.fnvPrime
                bigram = (bigram ^ UInt64(byte)) &* Self.fnvPrime
                inWord = true
            } else if inWord {
                if emitsBigrams, afterWord { table.add(Self.bucket(bigram, mask: mask)) }
                if emitsUnigrams { table.add(Self.bucket(unigram, mask: mask)) }
                bigram = (unigram ^ 0x20) &* Self.fnvPrime
                unigram = wordBasis
                inWord = false
                afterWord = true
            }
        }
        if inWord {
            if emitsBigrams, afterWord { table.add(Self.bucket(bigram, mask: mask)) }
            if emitsUnigrams { table.add(Self.bucket(unigram, mask: mask)) }
        }
    }

    /// Word n-grams of any lengths: word boundaries first, then from each word one FNV chain over the next words.
    func countWordNGramsGeneral<Sink: FeatureSink>(
        _ text: UnsafeBufferPointer<UInt8>, lengths: ClosedRange<Int>, into table: inout Sink
    ) {
        let mask = UInt32(dimension - 1)
        // Word boundaries first, as (start, end) byte offsets, so that n-grams can be hashed from each start.
        withUnsafeTemporaryAllocation(of: (start: Int32, end: Int32).self, capacity: text.count / 2 + 1) { words in
            var wordCount = 0
            var position = 0
            while position < text.count {
                guard Self.isWordByte(text[position]) else {
                    position += 1
                    continue
                }
                let start = position
                while position < text.count, Self.isWordByte(text[position]) { position += 1 }
                words[wordCount] = (Int32(truncatingIfNeeded: start), Int32(truncatingIfNeeded: position))
                wordCount += 1
            }
            for first in 0..<wordCount {
                var hash = wordBasis
                for offset in 0..<min(lengths.upperBound, wordCount - first) {
                    if offset > 0 { hash = (hash ^ 0x20) &* Self.fnvPrime }
                    let word = words[first + offset]
                    for index in Int(word.start)..<Int(word.end) {
                        hash = (hash ^ UInt64(text[index])) &* Self.fnvPrime
                    }
                    if offset + 1 >= lengths.lowerBound { table.add(Self.bucket(hash, mask: mask)) }
                }
            }
        }
    }
}

/// Where the n-gram walkers put each feature: its bucket and sign.
protocol FeatureSink {
    mutating func add(_ bucket: (index: UInt32, negative: Bool))
}

/// Signed counts per bucket in open addressing with linear probing. A slot holds the bucket index plus one in its
/// high 32 bits (zero marks an empty slot) and the signed count in its low 32 bits, so a lookup touches one word. The
/// bucket indices are already uniformly mixed, so their low bits serve as the slot. The slots in use are listed as
/// they are taken, so that reading the table out costs the number of features, not the table's size.
private struct CountTable: FeatureSink {
    let slots: UnsafeMutableBufferPointer<UInt64>
    let used: UnsafeMutableBufferPointer<Int32>
    let mask: Int
    var usedCount = 0

    init(slots: UnsafeMutableBufferPointer<UInt64>, used: UnsafeMutableBufferPointer<Int32>) {
        self.slots = slots
        self.used = used
        mask = slots.count - 1
    }

    @inline(__always) mutating func add(_ bucket: (index: UInt32, negative: Bool)) {
        let key = UInt64(bucket.index &+ 1) << 32
        let sign: UInt32 = bucket.negative ? UInt32.max : 1  // −1 or +1 in two's complement
        var slot = Int(bucket.index) & mask
        while true {
            let entry = slots[slot]
            if entry & 0xFFFF_FFFF_0000_0000 == key {
                slots[slot] = key | UInt64(UInt32(truncatingIfNeeded: entry) &+ sign)
                return
            }
            if entry == 0 {
                slots[slot] = key | UInt64(sign)
                used[usedCount] = Int32(truncatingIfNeeded: slot)
                usedCount += 1
                return
            }
            slot = (slot + 1) & mask
        }
    }

    func weighted(dimension: Int) -> SparseVector {
        weightedCounts(dimension: dimension, count: usedCount) { position in
            let entry = slots[Int(used[position])]
            return (UInt32(truncatingIfNeeded: entry >> 32) - 1, Int32(truncatingIfNeeded: entry))
        }
    }
}

/// 1 + ln(c) for small counts, which are nearly all of them (a logarithm costs more than the rest of a feature).
private let sublinearWeights: [Float] = (0..<64).map { $0 == 0 ? 0 : Float(1 + log(Double($0))) }

/// sign(c)·(1 + ln|c|) for a non-zero signed count c. The count's sign bit goes onto the weight: a branch on a sign
/// that is a coin flip cost more than the rest of the weighing.
@inline(__always) private func sublinearWeight(_ count: Int32, table sublinear: UnsafeBufferPointer<Float>) -> Float {
    let size = Int(count.magnitude)
    let weight = size < sublinear.count ? sublinear[size] : Float(1 + log(Double(size)))
    return Float(bitPattern: weight.bitPattern | (UInt32(bitPattern: count) & 0x8000_0000))
}

/// sign(c)·(1 + ln|c|) per non-zero bucket, in the order given, then scaled to unit length. `entry(i)` gives the
/// i-th bucket and its signed count, for i below `count`; a count of zero (signs that cancelled out) is skipped.
@inline(__always) func weightedCounts(
    dimension: Int, count: Int, entry: (Int) -> (index: UInt32, count: Int32)
) -> SparseVector {
    var sumOfSquares = 0.0
    var written = 0
    var indices: [UInt32] = []
    let values = [Float](unsafeUninitializedCapacity: count) { values, valueCount in
        indices = [UInt32](unsafeUninitializedCapacity: count) { indices, indexCount in
            sublinearWeights.withUnsafeBufferPointer { sublinear in
                for position in 0..<count {
                    let (index, count) = entry(position)
                    guard count != 0 else { continue }
                    let weight = sublinearWeight(count, table: sublinear)
                    indices[written] = index
                    values[written] = weight
                    sumOfSquares += Double(weight) * Double(weight)
                    written += 1
                }
            }
            indexCount = written
        }
        if sumOfSquares > 0 {
            let scale = Float(1 / sumOfSquares.squareRoot())
            for index in 0..<written { values[index] *= scale }
        }
        valueCount = written
    }
    return SparseVector(dimension: dimension, indices: indices, values: values)
}

/// `initial + w·x` for the x that ``weightedCounts(dimension:count:entry:)`` would build from the same entries,
/// accumulated in x's order with x's roundings (each weight rounded to `Float`, then scaled in `Float`), so that the
/// result equals ``LogisticRegression/score(_:)`` on x bit for bit. The weighed entries are kept on the stack
/// between the pass that finds the length and the pass that sums.
@inline(__always) func weightedMargin(
    count: Int, weights: UnsafeBufferPointer<Float>, initial: Double, entry: (Int) -> (index: UInt32, count: Int32)
) -> Double {
    withUnsafeTemporaryAllocation(of: (index: UInt32, value: Float).self, capacity: count) { entries in
        var sumOfSquares = 0.0
        var written = 0
        sublinearWeights.withUnsafeBufferPointer { sublinear in
            for position in 0..<count {
                let (index, count) = entry(position)
                guard count != 0 else { continue }
                let weight = sublinearWeight(count, table: sublinear)
                entries[written] = (index, weight)
                sumOfSquares += Double(weight) * Double(weight)
                written += 1
            }
        }
        let scale = sumOfSquares > 0 ? Float(1 / sumOfSquares.squareRoot()) : 1
        var sum = initial
        for position in 0..<written {
            let (index, weight) = entries[position]
            sum += Double(weights[Int(index)]) * Double(weight * scale)
        }
        return sum
    }
}
