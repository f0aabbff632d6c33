/// How a target's format nests: an opening and a closing fragment, e.g. `(` and `)`, or a one-element
/// CBOR array head `81` and nothing.
struct FuzzNesting: Sendable {
    var open: [UInt8]
    var close: [UInt8]

    init(_ open: String, _ close: String = "") {
        self.open = Array(open.utf8)
        self.close = Array(close.utf8)
    }

    init(bytes open: [UInt8], close: [UInt8] = []) {
        self.open = open
        self.close = close
    }
}

/// Changes valid inputs into nearly valid ones, where parsers break.
///
/// The operators are the classic ones of AFL and libFuzzer (bit flips, byte insertion, deletion and
/// duplication, splicing two inputs, interesting values) plus three aimed at the bugs parsers have:
/// numbers replaced with extremes (overflow, NaN, infinities), a chunk repeated many times (huge
/// lengths, quadratic paths) and deep nesting (stack exhaustion).
struct FuzzMutator: Sendable {
    enum Operator: String, CaseIterable, Sendable {
        case flipBit, setByte, insertBytes, deleteRange, duplicateRange, splice, extremeNumber, truncate
        case repeatChunk, deepNesting, insertToken
    }

    /// Fragments of the target's language (keywords, operators, CBOR heads) that insertions draw from.
    var dictionary: [[UInt8]]
    /// The ways the target's format nests.
    var nesting: [FuzzNesting]
    /// Inputs never grow beyond this many bytes.
    var maximumSize: Int
    /// Whether the target reads text: random bytes are then mostly printable ASCII, so that fewer
    /// mutations are refused at the UTF-8 check and more reach the parser.
    var textual: Bool

    /// Numbers that break arithmetic, as text: overflow of every integer width, non-finite and subnormal floats.
    static let extremeNumbers: [String] = [
        "0", "-0", "-1", "1e308", "1e309", "-1e309", "1.8e308", "4.9e-324", "1e-400", "2.5e-324",
        "127", "128", "255", "256", "32767", "65535", "65536", "2147483647", "2147483648", "4294967295",
        "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "18446744073709551616",
        "340282366920938463463374607431768211456", "1" + String(repeating: "0", count: 400),
        "0." + String(repeating: "0", count: 400) + "1", "NaN", "nan", ".nan", "inf", "-inf", ".inf", "-.inf",
        "Infinity", "1e", "1e+", ".5", "5.", "0x10", "0o17", "0b1", "1_000", "+1", "00", "1e-3",
    ]

    /// Bytes that sit on boundaries of CBOR heads, ASCII classes and UTF-8 sequences.
    static let interestingBytes: [UInt8] = [
        0x00, 0x01, 0x09, 0x0a, 0x0d, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x22, 0x27, 0x2d, 0x2e, 0x30,
        0x39, 0x3a, 0x5b, 0x5c, 0x5d, 0x60, 0x7b, 0x7d, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xdf, 0xe0, 0xed,
        0xef, 0xf0, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfe, 0xff,
    ]

    /// Integers at the edges of 8-, 16-, 32- and 64-bit ranges, written big-endian over the input.
    static let extremeIntegers: [UInt64] = [
        0, 1, 23, 24, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000,
        0xffff_ffff, 0x1_0000_0000, 0x7fff_ffff_ffff_ffff, 0x8000_0000_0000_0000, 0xffff_ffff_ffff_fffe, .max,
    ]

    /// Applies one to six operators in a row to `input`; `other` is the partner for splicing.
    func mutate(_ input: [UInt8], other: [UInt8], using rng: inout FuzzRandom) -> [UInt8] {
        var result = input
        for _ in 0..<(1 + rng.below(rng.chance(1, in: 4) ? 6 : 2)) {
            apply(rng.pick(Operator.allCases), to: &result, other: other, using: &rng)
            if result.count > maximumSize {
                result.removeLast(result.count - maximumSize)
            }
        }
        return result
    }

    /// Applies `operator` once; operators that need bytes to work on do nothing to an empty input.
    func apply(_ operator: Operator, to bytes: inout [UInt8], other: [UInt8], using rng: inout FuzzRandom) {
        switch `operator` {
        case .flipBit:
            guard !bytes.isEmpty else { return }
            // In text, the top bit mostly just breaks UTF-8; flip it only one time in four.
            let bit = textual && !rng.chance(1, in: 4) ? rng.below(7) : rng.below(8)
            bytes[rng.below(bytes.count)] ^= 1 << UInt8(bit)
        case .setByte:
            guard !bytes.isEmpty else { return }
            let value = rng.chance(1, in: 2) ? rng.pick(Self.interestingBytes) : randomByte(using: &rng)
            bytes[rng.below(bytes.count)] = value
        case .insertBytes:
            let count = 1 + rng.below(8)
            let value =
                rng.chance(1, in: 2)
                ? randomBytes(count, using: &rng) : Array(repeating: rng.pick(Self.interestingBytes), count: count)
            bytes.insert(contentsOf: value, at: rng.below(bytes.count + 1))
        case .deleteRange:
            guard !bytes.isEmpty else { return }
            let start = rng.below(bytes.count)
            let count = 1 + rng.below(min(bytes.count - start, rng.chance(1, in: 4) ? 256 : 8))
            bytes.removeSubrange(start..<start + count)
        case .duplicateRange:
            guard !bytes.isEmpty else { return }
            let range = randomRange(in: bytes.count, maximumLength: 64, using: &rng)
            bytes.insert(contentsOf: Array(bytes[range]), at: rng.below(bytes.count + 1))
        case .splice:
            guard !other.isEmpty else { return }
            let cut = rng.below(bytes.count + 1)
            bytes = Array(bytes[..<cut]) + Array(other[rng.below(other.count)...])
        case .extremeNumber:
            replaceNumber(in: &bytes, using: &rng)
        case .truncate:
            guard !bytes.isEmpty else { return }
            bytes.removeLast(1 + rng.below(bytes.count))
        case .repeatChunk:
            guard !bytes.isEmpty else { return }
            let range = randomRange(in: bytes.count, maximumLength: 16, using: &rng)
            let times = rng.chance(3, in: 4) ? 2 + rng.below(16) : 2 + rng.below(4_000)
            let budget = max(0, maximumSize - bytes.count) / max(1, range.count)
            let chunk = Array(bytes[range])
            var repeated: [UInt8] = []
            repeated.reserveCapacity(chunk.count * min(times, budget))
            for _ in 0..<min(times, budget) { repeated += chunk }
            bytes.insert(contentsOf: repeated, at: range.upperBound)
        case .deepNesting:
            guard !nesting.isEmpty else { return }
            let shape = rng.pick(nesting)
            let depths = [2, 8, 63, 64, 65, 100, 1_000, 1_001, 10_000, 1 + rng.below(20_000)]
            let unit = max(1, shape.open.count + shape.close.count)
            let depth = min(rng.pick(depths), max(0, maximumSize - bytes.count) / unit)
            let start = rng.below(bytes.count + 1)
            let end = start + rng.below(bytes.count - start + 1)
            var nested = Array(bytes[..<start])
            nested.reserveCapacity(bytes.count + depth * unit)
            for _ in 0..<depth { nested += shape.open }
            nested += bytes[start..<end]
            for _ in 0..<depth { nested += shape.close }
            nested += bytes[end...]
            bytes = nested
        case .insertToken:
            guard !dictionary.isEmpty else { return }
            let token = rng.pick(dictionary)
            let at = rng.below(bytes.count + 1)
            if rng.chance(1, in: 3), at < bytes.count {
                // Overwrite instead of inserting, keeping the length.
                let end = min(bytes.count, at + token.count)
                bytes.replaceSubrange(at..<end, with: token[..<(end - at)])
            } else {
                bytes.insert(contentsOf: token, at: at)
            }
        }
    }

    /// Any byte, or for a textual target mostly a printable ASCII character, a tab or a line break.
    func randomByte(using rng: inout FuzzRandom) -> UInt8 {
        guard textual, rng.chance(3, in: 4) else { return UInt8(truncatingIfNeeded: rng.next()) }
        return rng.chance(1, in: 16) ? rng.pick([0x09, 0x0a]) : UInt8(0x20 + rng.below(0x5f))
    }

    func randomBytes(_ count: Int, using rng: inout FuzzRandom) -> [UInt8] {
        (0..<count).map { _ in randomByte(using: &rng) }
    }

    /// A non-empty range of at most `maximumLength` positions in `0..<count` (`count` > 0).
    private func randomRange(in count: Int, maximumLength: Int, using rng: inout FuzzRandom) -> Range<Int> {
        let start = rng.below(count)
        return start..<start + 1 + rng.below(min(maximumLength, count - start))
    }

    /// Replaces a decimal number written in the input with an extreme one, or, when there is none (or one
    /// time in three), writes an extreme integer big-endian over 1, 2, 4 or 8 bytes.
    private func replaceNumber(in bytes: inout [UInt8], using rng: inout FuzzRandom) {
        let numbers = Self.decimalNumbers(in: bytes)
        if !numbers.isEmpty, !rng.chance(1, in: 3) {
            bytes.replaceSubrange(rng.pick(numbers), with: Array(rng.pick(Self.extremeNumbers).utf8))
            return
        }
        guard !bytes.isEmpty else { return }
        let width = rng.pick([1, 2, 4, 8])
        let value = rng.pick(Self.extremeIntegers)
        let start = rng.below(bytes.count)
        for offset in 0..<min(width, bytes.count - start) {
            bytes[start + offset] = UInt8(truncatingIfNeeded: value >> UInt64(8 * (width - 1 - offset)))
        }
    }

    /// The ranges of ASCII numbers in `bytes`: digits with an optional sign, decimal point and exponent.
    static func decimalNumbers(in bytes: [UInt8]) -> [Range<Int>] {
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isDigit(bytes[index]) else {
                index += 1
                continue
            }
            var start = index
            if start > 0, bytes[start - 1] == UInt8(ascii: "-") { start -= 1 }
            while index < bytes.count,
                isDigit(bytes[index]) || bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e")
                    || bytes[index] == UInt8(ascii: "E")
            {
                index += 1
            }
            ranges.append(start..<index)
        }
        return ranges
    }
}
