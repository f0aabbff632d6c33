/// A value in Phalanx's canonical data model: the subset of CBOR that signatures and hashes cover.
///
/// ``encoded()`` writes deterministic CBOR as defined by RFC 8949 §4.2.1 ("Core Deterministic Encoding
/// Requirements"): shortest heads, definite lengths, map keys sorted by the bytes of their encodings, and
/// floats in the shortest of half, single and double precision that holds them exactly.
/// ``init(decoding:)`` accepts exactly the bytes that ``encoded()`` can produce and nothing else, so
/// `try CanonicalValue(decoding: b).encoded() == b` whenever decoding succeeds. See `docs/canonical-encoding.md`.
///
/// Equality is equality of encodings: text compares by UTF-8 bytes (Swift's `String ==` would treat
/// "é" and "e\u{301}" as equal though they encode differently) and floats compare by bit pattern
/// (so `-0.0 != 0.0`).
public indirect enum CanonicalValue: Sendable {
    /// A non-negative integer (major type 0).
    case unsigned(UInt64)
    /// A negative integer whose value is `-1 - n`, as CBOR major type 1 stores it.
    case negative(UInt64)
    /// A byte string (major type 2).
    case bytes([UInt8])
    /// A UTF-8 text string (major type 3), kept exactly as given (no Unicode normalisation).
    case text(String)
    /// A definite-length array (major type 4).
    case array([CanonicalValue])
    /// A definite-length map with text keys (major type 5), kept in canonical key order.
    case map(CanonicalMap)
    /// `false` (`f4`) or `true` (`f5`).
    case bool(Bool)
    /// `null` (`f6`).
    case null
    /// A finite float (major type 7), written in its shortest exact width.
    case float(Double)

    /// The deepest nesting of arrays and maps that is encoded or accepted; the top-level container is depth 1.
    ///
    /// Bounding depth keeps the recursive reader's stack use small on hostile input.
    public static let maximumDepth = 64

    /// Creates the integer value `value`.
    public init(_ value: Int64) {
        // -1 - value cannot overflow for negative Int64, and its magnitude fits UInt64.
        self = value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-1 - value))
    }
}

// MARK: - Equality of encodings

extension CanonicalValue: Hashable {
    public static func == (lhs: CanonicalValue, rhs: CanonicalValue) -> Bool {
        switch (lhs, rhs) {
        case (.unsigned(let a), .unsigned(let b)), (.negative(let a), .negative(let b)):
            return a == b
        case (.bytes(let a), .bytes(let b)):
            return a == b
        case (.text(let a), .text(let b)):
            return a.utf8.elementsEqual(b.utf8)
        case (.array(let a), .array(let b)):
            return a == b
        case (.map(let a), .map(let b)):
            return a == b
        case (.bool(let a), .bool(let b)):
            return a == b
        case (.null, .null):
            return true
        case (.float(let a), .float(let b)):
            return a.bitPattern == b.bitPattern
        default:
            return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .unsigned(let n):
            hasher.combine(0 as UInt8)
            hasher.combine(n)
        case .negative(let n):
            hasher.combine(1 as UInt8)
            hasher.combine(n)
        case .bytes(let b):
            hasher.combine(2 as UInt8)
            hasher.combine(b)
        case .text(let s):
            hasher.combine(3 as UInt8)
            CanonicalMap.hashUTF8(s, into: &hasher)
        case .array(let a):
            hasher.combine(4 as UInt8)
            hasher.combine(a)
        case .map(let m):
            hasher.combine(5 as UInt8)
            hasher.combine(m)
        case .bool(let b):
            hasher.combine(6 as UInt8)
            hasher.combine(b)
        case .null:
            hasher.combine(7 as UInt8)
        case .float(let d):
            hasher.combine(8 as UInt8)
            hasher.combine(d.bitPattern)
        }
    }
}

// MARK: - Literals

extension CanonicalValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(integerLiteral value: Int64) { self.init(value) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: CanonicalValue...) { self = .array(elements) }
    /// Creates a map from a literal; a key written twice is a programming error and traps.
    public init(dictionaryLiteral elements: (String, CanonicalValue)...) {
        self = .map(CanonicalMap(literalElements: elements))
    }
}

// MARK: - Map

/// The entries of a ``CanonicalValue/map(_:)``: unique text keys, always kept in canonical order.
///
/// Canonical order is the bytewise order of the keys' CBOR encodings (RFC 8949 §4.2.1). For text keys
/// that means shorter UTF-8 first, then bytewise: `""`, `"a"`, `"b"`, `"aa"`. Keys are unique by UTF-8
/// bytes, not by Swift's `String ==`, which identifies canonically equivalent Unicode sequences.
public struct CanonicalMap: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: CanonicalValue)

    /// The entries in canonical key order.
    private var entries: [Element]

    /// Creates an empty map.
    public init() { entries = [] }

    /// Creates a map from key-value pairs in any order; throws if a key occurs twice.
    public init(_ pairs: some Sequence<(key: String, value: CanonicalValue)>) throws {
        var sorted = Array(pairs)
        sorted.sort { Self.precedes($0.key, $1.key) }
        for index in sorted.indices.dropFirst() where Self.sameBytes(sorted[index - 1].key, sorted[index].key) {
            throw CanonicalEncodingError(
                .duplicateMapKey, codingPath: sorted[index].key, message: "map key occurs more than once")
        }
        entries = sorted
    }

    /// Adopts entries that the caller guarantees are already unique and in canonical order.
    init(alreadySorted entries: [Element]) { self.entries = entries }

    /// Creates a map from a literal; a key written twice is a programming error and traps.
    public init(dictionaryLiteral elements: (String, CanonicalValue)...) {
        self.init(literalElements: elements)
    }

    init(literalElements elements: [(String, CanonicalValue)]) {
        do {
            try self.init(elements.map { (key: $0.0, value: $0.1) })
        } catch {
            preconditionFailure("duplicate key in CanonicalMap literal")
        }
    }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Element { entries[position] }

    /// The keys in canonical order.
    public var keys: [String] { entries.map(\.key) }

    /// The value for `key` (matched by UTF-8 bytes); setting `nil` removes the entry.
    public subscript(key: String) -> CanonicalValue? {
        get {
            guard case .found(let index) = search(key) else { return nil }
            return entries[index].value
        }
        set {
            switch (search(key), newValue) {
            case (.found(let index), .some(let value)):
                entries[index].value = value
            case (.found(let index), .none):
                entries.remove(at: index)
            case (.insertionPoint(let index), .some(let value)):
                entries.insert((key: key, value: value), at: index)
            case (.insertionPoint, .none):
                break
            }
        }
    }

    private enum SearchResult {
        case found(Int)
        case insertionPoint(Int)
    }

    /// Binary search in canonical order, so decoding a map of n keyed fields costs O(n log n), not O(n²).
    private func search(_ key: String) -> SearchResult {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = low + (high - low) / 2
            let candidate = entries[middle].key
            if Self.precedes(candidate, key) {
                low = middle + 1
            } else if Self.precedes(key, candidate) {
                high = middle
            } else {
                return .found(middle)
            }
        }
        return .insertionPoint(low)
    }

    /// Whether `a` sorts before `b` in canonical order: by UTF-8 length, then bytewise.
    ///
    /// A text string's encoding is a head that grows with its length followed by its bytes, so comparing
    /// encodings bytewise is the same as comparing lengths first and then bytes.
    public static func precedes(_ a: String, _ b: String) -> Bool {
        let aCount = a.utf8.count
        let bCount = b.utf8.count
        if aCount != bCount { return aCount < bCount }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func sameBytes(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    static func hashUTF8(_ string: String, into hasher: inout Hasher) {
        hasher.combine(string.utf8.count)
        for byte in string.utf8 {
            hasher.combine(byte)
        }
    }

    public static func == (lhs: CanonicalMap, rhs: CanonicalMap) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { sameBytes($0.key, $1.key) && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(entries.count)
        for entry in entries {
            Self.hashUTF8(entry.key, into: &hasher)
            hasher.combine(entry.value)
        }
    }
}

// MARK: - Writing

extension CanonicalValue {
    /// The deterministic CBOR encoding of this value.
    ///
    /// Throws for NaN or infinite floats and for nesting deeper than ``maximumDepth``, because the strict
    /// reader would refuse those bytes; the error's `codingPath` locates the value (`metrics.noiseBits`).
    public func encoded() throws -> [UInt8] {
        var writer = CanonicalWriter()
        try writer.write(self, depth: 0)
        return writer.bytes
    }
}

/// Appends deterministic CBOR to a byte buffer.
private struct CanonicalWriter {
    var bytes: [UInt8] = []

    mutating func write(_ value: CanonicalValue, depth: Int) throws {
        switch value {
        case .unsigned(let n):
            writeHead(major: 0, argument: n)
        case .negative(let n):
            writeHead(major: 1, argument: n)
        case .bytes(let b):
            writeHead(major: 2, argument: UInt64(b.count))
            bytes.append(contentsOf: b)
        case .text(let s):
            writeHead(major: 3, argument: UInt64(s.utf8.count))
            bytes.append(contentsOf: s.utf8)
        case .array(let elements):
            try checkDepth(depth)
            writeHead(major: 4, argument: UInt64(elements.count))
            for (index, element) in elements.enumerated() {
                do {
                    try write(element, depth: depth + 1)
                } catch let error as CanonicalEncodingError {
                    throw error.prefixed(by: "[\(index)]")
                }
            }
        case .map(let map):
            try checkDepth(depth)
            writeHead(major: 5, argument: UInt64(map.count))
            // CanonicalMap keeps its entries sorted and unique, so they can be written as they are.
            for (key, element) in map {
                writeHead(major: 3, argument: UInt64(key.utf8.count))
                bytes.append(contentsOf: key.utf8)
                do {
                    try write(element, depth: depth + 1)
                } catch let error as CanonicalEncodingError {
                    throw error.prefixed(by: key)
                }
            }
        case .bool(let b):
            bytes.append(b ? 0xf5 : 0xf4)
        case .null:
            bytes.append(0xf6)
        case .float(let d):
            try writeFloat(d)
        }
    }

    private func checkDepth(_ depth: Int) throws {
        if depth >= CanonicalValue.maximumDepth {
            throw CanonicalEncodingError(
                .nestingTooDeep,
                message: "arrays and maps nest deeper than \(CanonicalValue.maximumDepth) levels")
        }
    }

    /// Writes the shortest head for `argument` (RFC 8949 §4.2.1, first bullet).
    mutating func writeHead(major: UInt8, argument: UInt64) {
        let type = major << 5
        switch argument {
        case 0..<24:
            bytes.append(type | UInt8(argument))
        case 24...0xff:
            bytes.append(type | 24)
            bytes.append(UInt8(argument))
        case 0x100...0xffff:
            bytes.append(type | 25)
            appendBigEndian(argument, count: 2)
        case 0x1_0000...0xffff_ffff:
            bytes.append(type | 26)
            appendBigEndian(argument, count: 4)
        default:
            bytes.append(type | 27)
            appendBigEndian(argument, count: 8)
        }
    }

    private mutating func appendBigEndian(_ value: UInt64, count: Int) {
        for shift in stride(from: (count - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Writes `value` in the narrowest of half, single and double that holds it exactly.
    private mutating func writeFloat(_ value: Double) throws {
        guard value.isFinite else {
            throw CanonicalEncodingError(
                .nonFiniteFloat, message: "\(value.isNaN ? "NaN" : "infinity") cannot be encoded")
        }
        if let half = CanonicalFloat.halfBits(exactly: value) {
            bytes.append(0xf9)
            appendBigEndian(UInt64(half), count: 2)
        } else if let single = Float(exactly: value) {
            bytes.append(0xfa)
            appendBigEndian(UInt64(single.bitPattern), count: 4)
        } else {
            bytes.append(0xfb)
            appendBigEndian(value.bitPattern, count: 8)
        }
    }
}

/// IEEE 754 half-precision conversions done by hand, so the result does not depend on `Float16` support.
enum CanonicalFloat {
    /// The half-precision bit pattern of `value` if it is finite and representable exactly, else nil.
    static func halfBits(exactly value: Double) -> UInt16? {
        guard value.isFinite else { return nil }
        let sign: UInt16 = value.sign == .minus ? 0x8000 : 0
        if value == 0 { return sign }
        let magnitude = value.magnitude
        let exponent = Int(magnitude.exponent)
        // Bits needed after the binary point of the significand; 0 for powers of two.
        let fractionBits = magnitude.significandWidth
        if exponent >= -14 && exponent <= 15 {
            // Normal half: 10 fraction bits, biased exponent 1…30.
            guard fractionBits <= 10 else { return nil }
            let fraction = UInt16(truncatingIfNeeded: magnitude.significandBitPattern >> 42)
            return sign | UInt16(exponent + 15) << 10 | fraction
        }
        if exponent >= -24 && exponent < -14 {
            // Subnormal half: a multiple of 2^-24 below 2^-14.
            guard exponent - fractionBits >= -24 else { return nil }
            return sign | UInt16(magnitude * 0x1p24)
        }
        return nil
    }

    /// The value of a half-precision bit pattern; nil for NaN and infinities.
    static func double(fromHalf bits: UInt16) -> Double? {
        let exponent = Int(bits >> 10 & 0x1f)
        let fraction = Double(bits & 0x3ff)
        let magnitude: Double
        switch exponent {
        case 0:
            magnitude = fraction * 0x1p-24
        case 31:
            return nil
        default:
            magnitude = (1024 + fraction) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
        }
        return bits & 0x8000 != 0 ? -magnitude : magnitude
    }
}

// MARK: - Strict reading

extension CanonicalValue {
    /// Decodes `bytes`, accepting only the deterministic encoding of a value in the canonical data model.
    ///
    /// Rejects, with the offset of the offending item: non-shortest heads, indefinite lengths, unsorted or
    /// duplicate or non-text map keys, floats not in their shortest exact width, NaN and infinities, tags,
    /// simple values other than false/true/null, reserved additional information, lengths beyond the end
    /// of the input, nesting deeper than ``maximumDepth``, invalid UTF-8 and trailing bytes. Memory use is
    /// bounded by the input size whatever the declared lengths.
    public init(decoding bytes: some Collection<UInt8>) throws {
        var reader = CanonicalReader(bytes: Array(bytes))
        let value = try reader.readValue(depth: 0)
        if reader.position != reader.bytes.count {
            throw CanonicalEncodingError(
                .trailingBytes, offset: reader.position,
                message: "\(reader.bytes.count - reader.position) bytes follow the top-level item")
        }
        self = value
    }
}

/// Reads canonical CBOR, every check naming the offset of the item it rejects: the reader behind
/// ``CanonicalValue/init(decoding:)``, and, one item at a time, for callers that know the shape they expect and want
/// no value tree (the telemetry collector reads every frame this way). The typed reads apply exactly the checks of
/// the tree reader — they are its parts — and throw `typeMismatch` when the next item is of another kind.
public struct CanonicalReader {
    let bytes: [UInt8]
    var position = 0

    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { position == bytes.count }

    /// Reads the head of a map and returns its number of entries (not their content).
    public mutating func readMapCount() throws -> Int {
        let start = try expect(major: 5, what: "a map")
        let length = try readArgument(info: bytes[start] & 0x1f, major: 5, itemStart: start)
        return try checkLength(length, bytesPerUnit: 2, itemStart: start, what: "map")
    }

    /// Reads a text string.
    public mutating func readText() throws -> String {
        let start = try expect(major: 3, what: "a text string")
        position = start
        guard case .text(let text) = try readValue(depth: CanonicalValue.maximumDepth) else {
            throw fail(.typeMismatch, at: start, "expected a text string")
        }
        return text
    }

    /// Reads a text string and returns whether its UTF-8 is exactly `expected` (an ASCII key, say), without making a
    /// `String` of it.
    public mutating func readText(matching expected: [UInt8]) throws -> Bool {
        let start = try expect(major: 3, what: "a text string")
        let length = try readArgument(info: bytes[start] & 0x1f, major: 3, itemStart: start)
        let count = try checkLength(length, bytesPerUnit: 1, itemStart: start, what: "text string")
        let content = bytes[position..<position + count]
        guard content.elementsEqual(expected) else {
            guard String(validating: content, as: UTF8.self) != nil else {
                throw fail(.invalidUTF8, at: start, "text string is not valid UTF-8")
            }
            position += count
            return false
        }
        position += count
        return true
    }

    /// Reads a map key that must follow `previous` (canonical order, no repeat), as the tree reader checks them.
    public mutating func readMapKey(after previous: String?) throws -> String {
        let start = position
        guard position < bytes.count, bytes[position] >> 5 == 3 else {
            throw fail(.nonTextMapKey, at: start, "map keys must be text strings")
        }
        let key = try readText()
        if let previous {
            if CanonicalMap.sameBytes(previous, key) {
                throw fail(.duplicateMapKey, at: start, "map key occurs more than once")
            }
            if !CanonicalMap.precedes(previous, key) {
                throw fail(.unsortedMapKeys, at: start, "map keys are not in canonical order")
            }
        }
        return key
    }

    /// Reads an unsigned integer (major type 0).
    public mutating func readUnsigned() throws -> UInt64 {
        let start = try expect(major: 0, what: "an unsigned integer")
        return try readArgument(info: bytes[start] & 0x1f, major: 0, itemStart: start)
    }

    /// Reads an integer (major type 0 or 1) as an `Int64`, or `nil` when it does not fit one.
    public mutating func readInt64() throws -> Int64? {
        let start = position
        guard position < bytes.count, bytes[position] >> 5 <= 1 else {
            throw fail(.typeMismatch, at: start, "expected an integer")
        }
        switch try readValue(depth: CanonicalValue.maximumDepth) {
        case .unsigned(let n): return Int64(exactly: n)
        // -1 - n, which is ~n as a signed number when n <= Int64.max.
        case .negative(let n): return n <= UInt64(Int64.max) ? ~Int64(n) : nil
        default: throw fail(.typeMismatch, at: start, "expected an integer")
        }
    }

    /// Reads a float (major type 7, in its shortest exact width, finite).
    public mutating func readFloat() throws -> Double {
        let start = try expect(major: 7, what: "a float")
        guard case .float(let value) = try readSimpleOrFloat(info: bytes[start] & 0x1f, start: start) else {
            throw fail(.typeMismatch, at: start, "expected a float")
        }
        return value
    }

    /// Checks that the next item has major type `major` and steps past its initial byte; returns where it starts.
    private mutating func expect(major: UInt8, what: String) throws -> Int {
        let start = position
        guard position < bytes.count else {
            throw fail(.unexpectedEndOfInput, at: start, "input ends where \(what) was expected")
        }
        guard bytes[position] >> 5 == major else { throw fail(.typeMismatch, at: start, "expected \(what)") }
        position += 1
        return start
    }

    private var remaining: Int { bytes.count - position }

    private typealias Code = CanonicalEncodingError.Code

    private func fail(_ code: Code, at offset: Int, _ message: String) -> CanonicalEncodingError {
        CanonicalEncodingError(code, offset: offset, message: message)
    }

    /// Reads `count` bytes big-endian, failing if the input ends first.
    private mutating func readBigEndian(count: Int, itemStart: Int) throws -> UInt64 {
        guard remaining >= count else {
            throw fail(.unexpectedEndOfInput, at: itemStart, "input ends inside the head of an item")
        }
        var value: UInt64 = 0
        for byte in bytes[position..<position + count] {
            value = value << 8 | UInt64(byte)
        }
        position += count
        return value
    }

    /// Reads the argument of a head with additional information `info` (24…27 read 1, 2, 4 or 8 bytes).
    private mutating func readArgument(info: UInt8, major: UInt8, itemStart: Int) throws -> UInt64 {
        switch info {
        case 0..<24:
            return UInt64(info)
        case 24...27:
            let width = 1 << Int(info - 24)
            let argument = try readBigEndian(count: width, itemStart: itemStart)
            // The smallest argument that needs this width; anything below must use a shorter head.
            let minimum: UInt64 = info == 24 ? 24 : 1 << UInt64(4 * width)
            guard argument >= minimum else {
                throw fail(
                    .nonShortestHead, at: itemStart,
                    "argument \(argument) is written in \(width) bytes but has a shorter form")
            }
            return argument
        case 31 where (2...5).contains(major):
            throw fail(.indefiniteLength, at: itemStart, "indefinite-length items are not allowed")
        default:
            throw fail(
                .reservedAdditionalInfo, at: itemStart,
                "additional information \(info) is reserved or invalid for major type \(major)")
        }
    }

    /// Checks a declared length against what is left, before anything is allocated for it.
    private func checkLength(_ length: UInt64, bytesPerUnit: UInt64, itemStart: Int, what: String) throws -> Int {
        let available = UInt64(remaining)
        guard length <= available / bytesPerUnit else {
            throw fail(
                .lengthExceedsInput, at: itemStart,
                "\(what) declares length \(length) but only \(available) bytes remain")
        }
        return Int(length)
    }

    mutating func readValue(depth: Int) throws -> CanonicalValue {
        let start = position
        guard position < bytes.count else {
            throw fail(.unexpectedEndOfInput, at: start, "input ends where an item was expected")
        }
        let initial = bytes[position]
        position += 1
        let major = initial >> 5
        let info = initial & 0x1f
        switch major {
        case 0:
            return .unsigned(try readArgument(info: info, major: major, itemStart: start))
        case 1:
            return .negative(try readArgument(info: info, major: major, itemStart: start))
        case 2:
            let length = try readArgument(info: info, major: major, itemStart: start)
            let count = try checkLength(length, bytesPerUnit: 1, itemStart: start, what: "byte string")
            let content = Array(bytes[position..<position + count])
            position += count
            return .bytes(content)
        case 3:
            let length = try readArgument(info: info, major: major, itemStart: start)
            let count = try checkLength(length, bytesPerUnit: 1, itemStart: start, what: "text string")
            guard let text = String(validating: bytes[position..<position + count], as: UTF8.self) else {
                throw fail(.invalidUTF8, at: start, "text string is not valid UTF-8")
            }
            position += count
            return .text(text)
        case 4:
            let length = try readArgument(info: info, major: major, itemStart: start)
            try checkDepth(depth, at: start)
            // Every element takes at least one byte.
            let count = try checkLength(length, bytesPerUnit: 1, itemStart: start, what: "array")
            var elements: [CanonicalValue] = []
            elements.reserveCapacity(count)
            for _ in 0..<count {
                elements.append(try readValue(depth: depth + 1))
            }
            return .array(elements)
        case 5:
            let length = try readArgument(info: info, major: major, itemStart: start)
            try checkDepth(depth, at: start)
            // Every entry takes at least two bytes: a key and a value.
            let count = try checkLength(length, bytesPerUnit: 2, itemStart: start, what: "map")
            return .map(try readMapEntries(count: count, depth: depth))
        case 6:
            throw fail(.tag, at: start, "tags are not allowed")
        default:
            return try readSimpleOrFloat(info: info, start: start)
        }
    }

    private func checkDepth(_ depth: Int, at offset: Int) throws {
        if depth >= CanonicalValue.maximumDepth {
            throw fail(
                .nestingTooDeep, at: offset,
                "arrays and maps nest deeper than \(CanonicalValue.maximumDepth) levels")
        }
    }

    private mutating func readMapEntries(count: Int, depth: Int) throws -> CanonicalMap {
        var entries: [CanonicalMap.Element] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let keyStart = position
            guard case .text(let key) = try readValue(depth: depth + 1) else {
                throw fail(.nonTextMapKey, at: keyStart, "map keys must be text strings")
            }
            if let previous = entries.last?.key {
                if CanonicalMap.sameBytes(previous, key) {
                    throw fail(.duplicateMapKey, at: keyStart, "map key occurs more than once")
                }
                if !CanonicalMap.precedes(previous, key) {
                    throw fail(.unsortedMapKeys, at: keyStart, "map keys are not in canonical order")
                }
            }
            entries.append((key: key, value: try readValue(depth: depth + 1)))
        }
        return CanonicalMap(alreadySorted: entries)
    }

    private mutating func readSimpleOrFloat(info: UInt8, start: Int) throws -> CanonicalValue {
        switch info {
        case 20: return .bool(false)
        case 21: return .bool(true)
        case 22: return .null
        case 25:
            let bits = UInt16(try readBigEndian(count: 2, itemStart: start))
            guard let value = CanonicalFloat.double(fromHalf: bits) else {
                throw fail(.nonFiniteFloat, at: start, "NaN and infinities are not allowed")
            }
            return .float(value)
        case 26:
            let single = Float(bitPattern: UInt32(try readBigEndian(count: 4, itemStart: start)))
            guard single.isFinite else {
                throw fail(.nonFiniteFloat, at: start, "NaN and infinities are not allowed")
            }
            let value = Double(single)
            guard CanonicalFloat.halfBits(exactly: value) == nil else {
                throw fail(.nonShortestFloat, at: start, "single-precision float \(value) fits in half precision")
            }
            return .float(value)
        case 27:
            let value = Double(bitPattern: try readBigEndian(count: 8, itemStart: start))
            guard value.isFinite else {
                throw fail(.nonFiniteFloat, at: start, "NaN and infinities are not allowed")
            }
            guard Float(exactly: value) == nil else {
                throw fail(.nonShortestFloat, at: start, "double-precision float \(value) fits in a shorter width")
            }
            return .float(value)
        case 23:
            throw fail(.unsupportedSimpleValue, at: start, "undefined is not allowed")
        case 0..<20, 24:
            throw fail(
                .unsupportedSimpleValue, at: start, "simple values other than false, true and null are not allowed")
        case 31:
            throw fail(.indefiniteLength, at: start, "break code outside an indefinite-length item")
        default:
            throw fail(.reservedAdditionalInfo, at: start, "additional information \(info) is reserved")
        }
    }
}
