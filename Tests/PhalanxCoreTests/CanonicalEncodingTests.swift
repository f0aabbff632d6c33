import Foundation
import Testing
import _TestSupport

@testable import PhalanxCore

// MARK: - Helpers

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

private func bytes(_ hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
        index = next
    }
    return result
}

/// The canonical error thrown by `body`, or nil if it threw none (or another type).
private func canonicalError(_ body: () throws -> Void) -> CanonicalEncodingError? {
    do {
        try body()
        return nil
    } catch let error as CanonicalEncodingError {
        return error
    } catch {
        return nil
    }
}

/// A random value of the canonical data model, at most `depth` containers deep.
private func randomValue(_ rng: inout SplitMix64, depth: Int) -> CanonicalValue {
    let kinds = depth > 0 ? 11 : 9
    switch Int.random(in: 0..<kinds, using: &rng) {
    case 0:
        // Bias towards the boundaries between head widths.
        let boundaries: [UInt64] = [0, 23, 24, 255, 256, 65535, 65536, 0xffff_ffff, 0x1_0000_0000, .max]
        return .unsigned(Bool.random(using: &rng) ? boundaries.randomElement(using: &rng) ?? 0 : rng.next())
    case 1:
        return .negative(rng.next() >> UInt64.random(in: 0...63, using: &rng))
    case 2:
        return .bytes((0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
    case 3:
        return .text(randomText(&rng))
    case 4:
        return .bool(Bool.random(using: &rng))
    case 5:
        return .null
    case 6:
        // Random bit patterns cover doubles that need all 64 bits.
        let double = Double(bitPattern: rng.next())
        return .float(double.isFinite ? double : 1.5)
    case 7:
        let single = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
        return .float(single.isFinite ? Double(single) : -0.0)
    case 8:
        let half = UInt16(truncatingIfNeeded: rng.next())
        return .float(CanonicalFloat.double(fromHalf: half) ?? 65504)
    case 9:
        return .array((0..<Int.random(in: 0...5, using: &rng)).map { _ in randomValue(&rng, depth: depth - 1) })
    default:
        var map = CanonicalMap()
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            map[randomText(&rng)] = randomValue(&rng, depth: depth - 1)
        }
        return .map(map)
    }
}

private func randomText(_ rng: inout SplitMix64) -> String {
    // ASCII, Latin-1, CJK and astral scalars: one- to four-byte UTF-8 sequences.
    let ranges: [ClosedRange<UInt32>] = [0x20...0x7e, 0xa0...0xff, 0x4e00...0x4e80, 0x1f600...0x1f64f]
    var text = ""
    for _ in 0..<Int.random(in: 0...8, using: &rng) {
        let range = ranges.randomElement(using: &rng) ?? ranges[0]
        if let scalar = Unicode.Scalar(UInt32.random(in: range, using: &rng)) {
            text.unicodeScalars.append(scalar)
        }
    }
    return text
}

// MARK: - RFC 8949 Appendix A

@Suite("Canonical encoding: RFC 8949 Appendix A")
struct CanonicalRFCVectorTests {
    static let vectors: [(CanonicalValue, String)] = [
        (0, "00"), (1, "01"), (10, "0a"), (23, "17"), (24, "1818"), (25, "1819"), (100, "1864"),
        (1000, "1903e8"), (1_000_000, "1a000f4240"), (1_000_000_000_000, "1b000000e8d4a51000"),
        (.unsigned(18_446_744_073_709_551_615), "1bffffffffffffffff"),
        (.negative(18_446_744_073_709_551_615), "3bffffffffffffffff"),
        (-1, "20"), (-10, "29"), (-100, "3863"), (-1000, "3903e7"),
        (0.0, "f90000"), (.float(-0.0), "f98000"), (1.0, "f93c00"), (1.1, "fb3ff199999999999a"), (1.5, "f93e00"),
        (65504.0, "f97bff"), (100000.0, "fa47c35000"), (3.4028234663852886e+38, "fa7f7fffff"),
        (1.0e+300, "fb7e37e43c8800759c"), (5.960464477539063e-8, "f90001"), (0.00006103515625, "f90400"),
        (-4.0, "f9c400"), (-4.1, "fbc010666666666666"),
        (false, "f4"), (true, "f5"), (nil, "f6"),
        ("", "60"), ("a", "6161"), ("IETF", "6449455446"), ("\"\\", "62225c"), ("\u{00fc}", "62c3bc"),
        ("\u{6c34}", "63e6b0b4"), ("\u{10151}", "64f0908591"),
        (.bytes([]), "40"), (.bytes([1, 2, 3, 4]), "4401020304"),
        ([], "80"), ([1, 2, 3], "83010203"), ([1, [2, 3], [4, 5]], "8301820203820405"),
        (
            .array((1...25).map { CanonicalValue(Int64($0)) }),
            "98190102030405060708090a0b0c0d0e0f101112131415161718181819"
        ),
        ([:], "a0"), (["a": 1, "b": [2, 3]], "a26161016162820203"), (["a", ["b": "c"]], "826161a161626163"),
        (["a": "A", "b": "B", "c": "C", "d": "D", "e": "E"], "a56161614161626142616361436164614461656145"),
    ]

    @Test("encodes to the RFC's bytes and decodes back", arguments: vectors)
    func vector(value: CanonicalValue, expected: String) throws {
        #expect(hex(try value.encoded()) == expected)
        #expect(try CanonicalValue(decoding: bytes(expected)) == value)
    }

    @Test("Swift types encode through Codable to the RFC's bytes")
    func codableVectors() throws {
        #expect(hex(try CanonicalEncoding.encode(UInt64.max)) == "1bffffffffffffffff")
        #expect(hex(try CanonicalEncoding.encode(-1000)) == "3903e7")
        #expect(hex(try CanonicalEncoding.encode(1.1)) == "fb3ff199999999999a")
        #expect(hex(try CanonicalEncoding.encode(Float(100000))) == "fa47c35000")
        #expect(hex(try CanonicalEncoding.encode(-0.0)) == "f98000")
        #expect(hex(try CanonicalEncoding.encode("\u{6c34}")) == "63e6b0b4")
        #expect(hex(try CanonicalEncoding.encode([1, 2, 3])) == "83010203")
        #expect(hex(try CanonicalEncoding.encode(Data([1, 2, 3, 4]))) == "4401020304")
        #expect(hex(try CanonicalEncoding.encode(["a": [1], "b": [2, 3]])) == "a26161810161628202" + "03")
        #expect(hex(try CanonicalEncoding.encode(Int?.none)) == "f6")
    }

    /// An array of integers encoded and decoded element by element, as `Array`'s own `Codable` conformance does
    /// through an unkeyed container: the path that the shortcut for `[Int64]` and `[UInt64]` skips.
    private struct ElementByElement<Element: Codable & FixedWidthInteger>: Codable, Equatable {
        var elements: [Element]

        init(_ elements: [Element]) { self.elements = elements }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            for element in elements { try container.encode(element) }
        }

        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            elements = []
            while !container.isAtEnd { elements.append(try container.decode(Element.self)) }
        }
    }

    @Test("[Int64] and [UInt64] take a shortcut that gives what Array's element-by-element Codable gives")
    func integerArraysShortcut() throws {
        var rng = SplitMix64(state: 0x1A7E_6E25)
        let edges: [Int64] = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 1 << 32, .max, -1, -24, -25, -256, -257, .min]
        for length in [0, 1, 2, 17, 300] {
            let signed = (0..<length).map { index in
                index < edges.count ? edges[index] : Int64(bitPattern: rng.next()) >> (rng.next() % 64)
            }
            let unsigned = signed.map { UInt64(bitPattern: $0) }
            let signedBytes = try CanonicalEncoding.encode(signed)
            let unsignedBytes = try CanonicalEncoding.encode(unsigned)
            #expect(signedBytes == (try CanonicalEncoding.encode(ElementByElement(signed))))
            #expect(unsignedBytes == (try CanonicalEncoding.encode(ElementByElement(unsigned))))
            #expect(try CanonicalEncoding.decode([Int64].self, from: signedBytes) == signed)
            #expect(try CanonicalEncoding.decode([UInt64].self, from: unsignedBytes) == unsigned)
            #expect(
                try CanonicalEncoding.decode(ElementByElement<Int64>.self, from: signedBytes).elements == signed)
        }
        // What does not fit is refused with the element's place, exactly as element by element: an integer out of
        // range either way, a text where an integer belongs, and something that is not an array at all.
        for value: CanonicalValue in [
            .array([.unsigned(1), .unsigned(UInt64(Int64.max) + 1)]), .array([.negative(UInt64(Int64.max) + 1)]),
            .array([.unsigned(1), .text("x")]),
        ] {
            try expectSameRefusal(value, as: Int64.self)
        }
        for value: CanonicalValue in [.array([.unsigned(1), .negative(0)]), .unsigned(7)] {
            try expectSameRefusal(value, as: UInt64.self)
        }

        func expectSameRefusal<E: Codable & FixedWidthInteger>(_ value: CanonicalValue, as _: E.Type) throws {
            let encoded = try value.encoded()
            let shortcut = message { try CanonicalEncoding.decode([E].self, from: encoded) }
            let elementwise = message { try CanonicalEncoding.decode(ElementByElement<E>.self, from: encoded) }
            #expect(
                !shortcut.isEmpty && shortcut == elementwise.replacingOccurrences(of: "ElementByElement", with: "Array")
            )
        }

        func message(_ body: () throws -> Any) -> String {
            do {
                _ = try body()
                return ""
            } catch { return "\(error)" }
        }
    }

    @Test("the Swift type decides: an integral Double is still a float, [UInt8] is still an array")
    func typeDecides() throws {
        #expect(hex(try CanonicalEncoding.encode(2.0)) == "f94000")
        #expect(hex(try CanonicalEncoding.encode(2)) == "02")
        #expect(hex(try CanonicalEncoding.encode([UInt8]([1, 2, 3]))) == "83010203")
        #expect(hex(try CanonicalEncoding.encode(Data([1, 2, 3]))) == "43010203")
    }
}

// MARK: - Deterministic map order

@Suite("Canonical encoding: map key order")
struct CanonicalMapOrderTests {
    struct Keys: Codable, Equatable {
        var b = 1
        var a = 2
        var aa = 3
        var empty = 4

        enum CodingKeys: String, CodingKey {
            case b, a, aa
            case empty = ""
        }
    }

    @Test("keys sort shorter first, then bytewise: \"\", \"a\", \"b\", \"aa\"")
    func order() throws {
        let expected = "a4" + "6004" + "616102" + "616201" + "62616103"
        #expect(hex(try CanonicalEncoding.encode(Keys())) == expected)
        #expect(
            hex(try CanonicalEncoding.encode(["b": 1, "a": 2, "aa": 3, "": 4])) == "a4" + "6004616102616201"
                + "62616103")
        let map: CanonicalMap = ["b": 1, "a": 2, "aa": 3, "": 4]
        #expect(map.keys == ["", "a", "b", "aa"])
        #expect(try CanonicalEncoding.decode(Keys.self, from: bytes(expected)) == Keys())
    }

    @Test("integer dictionary keys are text keys in canonical order")
    func integerKeys() throws {
        let value: [Int: String] = [10: "x", 9: "y", -1: "z"]
        // "9" (1 byte) < "-1" (2 bytes, '-' = 0x2d) < "10" (2 bytes, '1' = 0x31).
        #expect(hex(try CanonicalEncoding.encode(value)) == "a3" + "61396179" + "622d31617a" + "6231306178")
        #expect(try CanonicalEncoding.decode([Int: String].self, from: CanonicalEncoding.encode(value)) == value)
    }

    @Test("keys that Swift considers equal but whose UTF-8 differs stay distinct")
    func unicodeEquivalentKeys() throws {
        let composed = "\u{e9}"
        let decomposed = "e\u{301}"
        var map = CanonicalMap()
        map[composed] = 1
        map[decomposed] = 2
        #expect(map.count == 2)
        let encoded = try CanonicalValue.map(map).encoded()
        #expect(try CanonicalValue(decoding: encoded) == .map(map))
        #expect(composed == decomposed)  // Swift's String equality...
        #expect(CanonicalValue.text(composed) != CanonicalValue.text(decomposed))  // ...is not encoding equality.
    }

    @Test("building a map with a repeated key is refused")
    func duplicateKeys() {
        let error = canonicalError { _ = try CanonicalMap([(key: "a", value: 1), (key: "a", value: 2)]) }
        #expect(error?.code == .duplicateMapKey)
    }

    @Test("Set and Dictionary with non-text keys encode identically whatever their hash order")
    func hashOrderedCollections() throws {
        let set = Set((0..<200).map { $0 * 7919 % 1000 })
        let rebuilt = Set(set.shuffled())
        let encoded = try CanonicalEncoding.encode(set)
        #expect(encoded == (try CanonicalEncoding.encode(rebuilt)))
        #expect(try CanonicalEncoding.decode(Set<Int>.self, from: encoded) == set)
        // Sorted by encoded bytes, which for non-negative integers is numeric order.
        #expect(try CanonicalEncoding.decode([Int].self, from: encoded) == set.sorted())

        let dictionary: [Double: String] = [2.5: "b", -1: "a", 1e300: "c", 0.1: "d"]
        let encodedDictionary = try CanonicalEncoding.encode(dictionary)
        #expect(try CanonicalEncoding.decode([Double: String].self, from: encodedDictionary) == dictionary)
        #expect(
            try CanonicalEncoding.encode(Dictionary(uniqueKeysWithValues: dictionary.shuffled())) == encodedDictionary)
    }
}

// MARK: - Codable round trips

private struct Metrics: Codable, Equatable {
    var loss: Double
    var noiseBits: Float
    var steps: UInt32
}

private enum Command: Codable, Equatable {
    case pause
    case resume(after: Int64, reason: String?)
    case reweight([String: Double])
    case rotate(Data, UInt64)
}

private struct Frame: Codable, Equatable {
    var node: String
    var sequence: UInt64
    var offset: Int64
    var metrics: Metrics
    var digest: Data
    var raw: [UInt8]
    var commands: [Command]
    var note: String?
    var counts: [String: Int]
    var byShard: [Int: [Int8]]
    var tags: Set<String>
    var nested: [[Bool?]]
}

private struct ExplicitNull: Codable, Equatable {
    var value: Int?

    init(value: Int?) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(value, forKey: .value)
    }
}

private class Base: Codable {
    var id: Int
    init(id: Int) { self.id = id }
}

private final class Derived: Base {
    var name: String

    init(id: Int, name: String) {
        self.name = name
        super.init(id: id)
    }

    enum CodingKeys: String, CodingKey { case name }

    required init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        try super.init(from: container.superDecoder())
    }

    override func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try super.encode(to: container.superEncoder())
    }
}

@Suite("Canonical encoding: Codable round trips")
struct CanonicalCodableTests {
    fileprivate static let frame = Frame(
        node: "node-\u{6c34}", sequence: .max, offset: .min,
        metrics: Metrics(loss: 0.125, noiseBits: -3.5, steps: 4_000_000_000),
        digest: Data((0..<32).map { UInt8($0) }), raw: [0, 255],
        commands: [
            .pause, .resume(after: -42, reason: nil), .resume(after: 7, reason: "ok"),
            .reweight(["a": 0.5, "bb": -0.0]), .rotate(Data([9, 8]), 1 << 40),
        ],
        note: nil, counts: ["x": 1, "y": -1], byShard: [3: [-128, 127], 12: []],
        tags: ["b", "a", "c"], nested: [[true, nil], [], [false]])

    @Test("a nested struct with enums, optionals, dictionaries, Data and extreme integers round-trips")
    func frameRoundTrip() throws {
        let encoded = try CanonicalEncoding.encode(Self.frame)
        #expect(try CanonicalEncoding.decode(Frame.self, from: encoded) == Self.frame)
        // Encoding is a function of the value: a second run gives the same bytes.
        #expect(try CanonicalEncoding.encode(Self.frame) == encoded)
        // Decoded bytes are canonical, so the value tree re-encodes to them.
        #expect(try CanonicalValue(decoding: encoded).encoded() == encoded)
    }

    @Test("value(of:) shows the tree: absent optionals omitted, Data as bytes, Int64.min as major type 1")
    func valueTree() throws {
        guard case .map(let map) = try CanonicalEncoding.value(of: Self.frame) else {
            Issue.record("a struct must encode as a map")
            return
        }
        #expect(map["note"] == nil)
        #expect(map["offset"] == .negative(UInt64(Int64.max)))
        #expect(map["sequence"] == .unsigned(.max))
        #expect(map["digest"] == .bytes((0..<32).map { UInt8($0) }))
        #expect(map["raw"] == [0, 255])
        #expect(map["tags"] == ["a", "b", "c"])
        #expect(map["commands"]?.encodedHexPrefix == "85a1657061757365a0")
    }

    @Test("extreme integers and floats round-trip through their Swift types")
    func extremes() throws {
        for value in [Int64.min, Int64.max, -1, 0, -24, -25, -256, -257] {
            #expect(try CanonicalEncoding.decode(Int64.self, from: CanonicalEncoding.encode(value)) == value)
        }
        #expect(try CanonicalEncoding.decode(UInt64.self, from: CanonicalEncoding.encode(UInt64.max)) == .max)
        let doubles: [Double] = [
            -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.leastNormalMagnitude, 0x1p-24, 0x1p-25,
            65504, 65505, 1.0 / 3, Double(Float.greatestFiniteMagnitude), Double(Float.leastNonzeroMagnitude),
        ]
        for value in doubles {
            let decoded = try CanonicalEncoding.decode(Double.self, from: CanonicalEncoding.encode(value))
            #expect(decoded.bitPattern == value.bitPattern)
        }
        let floats: [Float] = [-0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1, 1e-8]
        for value in floats {
            let decoded = try CanonicalEncoding.decode(Float.self, from: CanonicalEncoding.encode(value))
            #expect(decoded.bitPattern == value.bitPattern)
        }
    }

    @Test("encodeIfPresent omits the key, encodeNil writes null, and both decode to nil")
    func optionals() throws {
        struct Synthesized: Codable, Equatable { var value: Int? }
        #expect(hex(try CanonicalEncoding.encode(Synthesized(value: nil))) == "a0")
        #expect(hex(try CanonicalEncoding.encode(ExplicitNull(value: nil))) == "a16576616c7565f6")
        #expect(try CanonicalEncoding.decode(Synthesized.self, from: bytes("a0")) == Synthesized(value: nil))
        #expect(
            try CanonicalEncoding.decode(Synthesized.self, from: bytes("a16576616c7565f6")) == Synthesized(value: nil))
        #expect(
            try CanonicalEncoding.decode(Synthesized.self, from: bytes("a16576616c756505")) == Synthesized(value: 5))
    }

    @Test("class hierarchies round-trip through superEncoder and superDecoder")
    func superCoders() throws {
        let encoded = try CanonicalEncoding.encode(Derived(id: 7, name: "n"))
        #expect(hex(encoded) == "a2646e616d65616e657375706572a162696407")
        let decoded = try CanonicalEncoding.decode(Derived.self, from: encoded)
        #expect(decoded.id == 7 && decoded.name == "n")
    }

    @Test("nested and unkeyed containers written by hand round-trip")
    func handWrittenContainers() throws {
        struct Matrix: Codable, Equatable {
            var rows: [[Int]]
            var label: String

            init(rows: [[Int]], label: String) {
                self.rows = rows
                self.label = label
            }

            enum CodingKeys: String, CodingKey { case body }
            enum BodyKeys: String, CodingKey { case label, rows }

            func encode(to encoder: any Encoder) throws {
                var outer = encoder.container(keyedBy: CodingKeys.self)
                var body = outer.nestedContainer(keyedBy: BodyKeys.self, forKey: .body)
                try body.encode(label, forKey: .label)
                var rowsContainer = body.nestedUnkeyedContainer(forKey: .rows)
                for row in rows {
                    var rowContainer = rowsContainer.nestedUnkeyedContainer()
                    for element in row { try rowContainer.encode(element) }
                }
                var extra = rowsContainer.nestedContainer(keyedBy: BodyKeys.self)
                try extra.encode("end", forKey: .label)
            }

            init(from decoder: any Decoder) throws {
                let outer = try decoder.container(keyedBy: CodingKeys.self)
                let body = try outer.nestedContainer(keyedBy: BodyKeys.self, forKey: .body)
                label = try body.decode(String.self, forKey: .label)
                var rowsContainer = try body.nestedUnkeyedContainer(forKey: .rows)
                var rows: [[Int]] = []
                while let count = rowsContainer.count, rowsContainer.currentIndex < count - 1 {
                    var rowContainer = try rowsContainer.nestedUnkeyedContainer()
                    var row: [Int] = []
                    while !rowContainer.isAtEnd { row.append(try rowContainer.decode(Int.self)) }
                    rows.append(row)
                }
                let extra = try rowsContainer.nestedContainer(keyedBy: BodyKeys.self)
                guard try extra.decode(String.self, forKey: .label) == "end" else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .label, in: extra, debugDescription: "missing end marker")
                }
                self.rows = rows
            }
        }
        let matrix = Matrix(rows: [[1, 2], [], [-3]], label: "m")
        let encoded = try CanonicalEncoding.encode(matrix)
        #expect(try CanonicalEncoding.decode(Matrix.self, from: encoded) == matrix)
    }

    @Test("a decoded value tree decodes into Swift types without going back to bytes")
    func fromValue() throws {
        let tree = try CanonicalEncoding.value(of: Self.frame)
        #expect(try CanonicalEncoding.decode(Frame.self, fromValue: tree) == Self.frame)
    }

    @Test("CanonicalValue literals and the Int64 initialiser agree with the wire form")
    func literals() throws {
        #expect(CanonicalValue(Int64.min) == .negative(UInt64(Int64.max)))
        #expect(CanonicalValue(-1) == .negative(0))
        let value: CanonicalValue = ["k": [nil, true, 1.5, -2, "t"]]
        #expect(hex(try value.encoded()) == "a1616b85f6f5f93e00216174")
    }
}

extension CanonicalValue {
    /// The first 9 bytes of the encoding in hex, for spot checks of large values.
    fileprivate var encodedHexPrefix: String? {
        (try? encoded()).map { hex(Array($0.prefix(9))) }
    }
}

// MARK: - Float widths

@Suite("Canonical encoding: float widths")
struct CanonicalFloatWidthTests {
    @Test("every finite half-precision pattern converts to Double and back to the same bits")
    func exhaustiveHalf() {
        var finite = 0
        var mismatches: [UInt16] = []
        for bits in UInt16.min...UInt16.max {
            guard let value = CanonicalFloat.double(fromHalf: bits) else { continue }
            finite += 1
            if CanonicalFloat.halfBits(exactly: value) != bits { mismatches.append(bits) }
        }
        // 2 × 1024 patterns with exponent 31 are infinities and NaNs.
        #expect(finite == 65536 - 2048)
        #expect(mismatches.isEmpty)
    }

    #if !(os(macOS) && arch(x86_64))
    @Test("the hand-written half conversion agrees with Float16 on 100,000 doubles near half values")
    func agreesWithFloat16() {
        var rng = SplitMix64(state: 0xF16)
        for round in 0..<100_000 {
            let value: Double
            switch round % 3 {
            case 0:
                let half = Double(Float16(bitPattern: UInt16.random(in: 0...0x7bff, using: &rng)))
                value = [half, half.nextUp, half.nextDown, -half].randomElement(using: &rng) ?? half
            case 1:
                let scale = Double(sign: .plus, exponent: Int.random(in: -40...8, using: &rng), significand: 1)
                value = Double(Int.random(in: -70_000...70_000, using: &rng)) * scale
            default:
                value = Double(bitPattern: rng.next() & 0xbfff_ffff_ffff_ffff | 0x3e00_0000_0000_0000)
            }
            let hardware = Float16(value)
            let exact = Double(hardware) == value
            let bits = CanonicalFloat.halfBits(exactly: value)
            #expect(bits == (exact ? hardware.bitPattern : nil), "value \(value)")
        }
    }
    #endif

    @Test("each value takes the narrowest exact width")
    func widths() throws {
        let cases: [(Double, UInt8)] = [
            (0, 0xf9), (65504, 0xf9), (65505, 0xfa), (0x1p-24, 0xf9), (0x1p-25, 0xfa), (0x1.ff8p-15, 0xf9),
            (0x1.ffcp-15, 0xfa), (1 + 0x1p-10, 0xf9), (1 + 0x1p-11, 0xfa), (1 + 0x1p-23, 0xfa), (1 + 0x1p-24, 0xfb),
            (0x1p-149, 0xfa), (0x1p-150, 0xfb), (Double(Float.greatestFiniteMagnitude), 0xfa), (0x1p128, 0xfb),
        ]
        for (value, marker) in cases {
            let encoded = try CanonicalValue.float(value).encoded()
            #expect(encoded.first == marker, "\(value)")
            #expect(try CanonicalValue(decoding: encoded) == .float(value))
        }
    }
}

// MARK: - Strictness

@Suite("Canonical decoding is strict")
struct CanonicalStrictnessTests {
    /// (input, rule, offset of the offending item).
    static let rejected: [(String, CanonicalEncodingError.Code, Int)] = [
        // Non-shortest heads, for integers and lengths.
        ("1817", .nonShortestHead, 0), ("190017", .nonShortestHead, 0), ("1a0000ffff", .nonShortestHead, 0),
        ("1b00000000ffffffff", .nonShortestHead, 0), ("3800", .nonShortestHead, 0), ("780161", .nonShortestHead, 0),
        ("8201980000", .nonShortestHead, 2), ("b800", .nonShortestHead, 0), ("590000", .nonShortestHead, 0),
        // Indefinite lengths and stray breaks.
        ("5f4101ff", .indefiniteLength, 0), ("7f6161ff", .indefiniteLength, 0), ("9f01ff", .indefiniteLength, 0),
        ("bf616101ff", .indefiniteLength, 0), ("ff", .indefiniteLength, 0), ("8101ff", .trailingBytes, 2),
        // Map keys: order, duplicates, kinds.
        ("a2616201616102", .unsortedMapKeys, 4), ("a2626161016162" + "02", .unsortedMapKeys, 5),
        ("a360016161026003", .unsortedMapKeys, 6),
        ("a2616101616102", .duplicateMapKey, 4), ("a10102", .nonTextMapKey, 1), ("a141610102", .nonTextMapKey, 1),
        ("a1f601", .nonTextMapKey, 1), ("a1810102", .nonTextMapKey, 1),
        // Floats: shortest exact width only, never NaN or infinities.
        ("fa3f800000", .nonShortestFloat, 0), ("fa80000000", .nonShortestFloat, 0),
        ("fb3ff0000000000000", .nonShortestFloat, 0), ("fb40f86a0000000000", .nonShortestFloat, 0),
        ("fb3ff8000000000000", .nonShortestFloat, 0), ("fa33800000", .nonShortestFloat, 0),
        ("f97e00", .nonFiniteFloat, 0), ("f97c00", .nonFiniteFloat, 0), ("f9fc00", .nonFiniteFloat, 0),
        ("fa7fc00000", .nonFiniteFloat, 0), ("fb7ff0000000000000", .nonFiniteFloat, 0), ("f97c01", .nonFiniteFloat, 0),
        // Tags, undefined and other simple values, reserved additional information.
        ("c11a514b67b0", .tag, 0), ("c249010000000000000000", .tag, 0), ("d82076", .tag, 0), ("8201c0", .tag, 2),
        ("f7", .unsupportedSimpleValue, 0), ("f0", .unsupportedSimpleValue, 0), ("f820", .unsupportedSimpleValue, 0),
        ("e0", .unsupportedSimpleValue, 0), ("f818", .unsupportedSimpleValue, 0),
        ("1c", .reservedAdditionalInfo, 0), ("3d", .reservedAdditionalInfo, 0), ("5e", .reservedAdditionalInfo, 0),
        ("7c", .reservedAdditionalInfo, 0), ("9d", .reservedAdditionalInfo, 0), ("be", .reservedAdditionalInfo, 0),
        ("fc", .reservedAdditionalInfo, 0), ("fe", .reservedAdditionalInfo, 0), ("1f", .reservedAdditionalInfo, 0),
        // Lengths beyond the input, and truncation.
        ("4201", .lengthExceedsInput, 0), ("636162", .lengthExceedsInput, 0), ("9affffffff", .lengthExceedsInput, 0),
        ("5bffffffffffffffff", .lengthExceedsInput, 0), ("bbffffffffffffffff", .lengthExceedsInput, 0),
        ("9bffffffffffffffff", .lengthExceedsInput, 0), ("a36161016162", .lengthExceedsInput, 0),
        ("", .unexpectedEndOfInput, 0), ("18", .unexpectedEndOfInput, 0), ("1b0000", .unexpectedEndOfInput, 0),
        ("a16161", .unexpectedEndOfInput, 3), ("f93c", .unexpectedEndOfInput, 0),
        // Nesting deeper than 64.
        (String(repeating: "81", count: 65) + "00", .nestingTooDeep, 64),
        (String(repeating: "a16161", count: 64) + "a0", .nestingTooDeep, 192),
        // Invalid UTF-8: lone continuation, truncated sequence, surrogate, overlong, beyond U+10FFFF.
        ("61ff", .invalidUTF8, 0), ("6180", .invalidUTF8, 0), ("62c328", .invalidUTF8, 0),
        ("63eda080", .invalidUTF8, 0),
        ("62c080", .invalidUTF8, 0), ("64f4908080", .invalidUTF8, 0), ("a162c0806161", .invalidUTF8, 1),
        // Trailing bytes after the top-level item.
        ("0000", .trailingBytes, 1), ("f6f6", .trailingBytes, 1), ("80ff", .trailingBytes, 1),
    ]

    @Test("each non-canonical input is rejected with its rule and offset", arguments: rejected)
    func rejects(input: String, code: CanonicalEncodingError.Code, offset: Int) {
        let error = canonicalError { _ = try CanonicalValue(decoding: bytes(input)) }
        #expect(error?.code == code, "input \(input) gave \(String(describing: error))")
        #expect(error?.offset == offset, "input \(input) gave \(String(describing: error))")
        // The same bytes are refused when decoding a Codable type too.
        let typed = canonicalError { _ = try CanonicalEncoding.decode(CanonicalProbe.self, from: bytes(input)) }
        #expect(typed?.code == code)
    }

    @Test("64 levels of nesting are accepted, and the error text names offset and problem")
    func limitsAndMessages() throws {
        let deepest = bytes(String(repeating: "81", count: 64) + "00")
        #expect(try CanonicalValue(decoding: deepest).encoded() == deepest)
        let error = canonicalError { _ = try CanonicalValue(decoding: bytes("a3" + "616101" + "616302" + "616203")) }
        #expect(error?.description == "canonical encoding: at byte 7: map keys are not in canonical order")
    }

    @Test("integers are range-checked against the Swift type")
    func integerRanges() {
        let cases: [(String, any Decodable.Type)] = [
            ("190100", UInt8.self), ("3880", Int8.self), ("1880", Int8.self), ("20", UInt.self),
            ("3b8000000000000000", Int64.self), ("1b8000000000000000", Int64.self), ("3a80000000", Int32.self),
            ("1a00010000", UInt16.self),
        ]
        for (input, type) in cases {
            let error = canonicalError { _ = try CanonicalEncoding.decode(type, from: bytes(input)) }
            #expect(error?.code == .valueOutOfRange, "\(input) as \(type)")
        }
        #expect((try? CanonicalEncoding.decode(Int8.self, from: bytes("387f"))) == -128)
        #expect((try? CanonicalEncoding.decode(Int64.self, from: bytes("3b7fffffffffffffff"))) == .min)
    }

    @Test("integers and floats never stand in for each other")
    func numberKinds() {
        #expect(
            canonicalError { _ = try CanonicalEncoding.decode(Int.self, from: bytes("f93c00")) }?.code == .typeMismatch)
        #expect(
            canonicalError { _ = try CanonicalEncoding.decode(Double.self, from: bytes("01")) }?.code == .typeMismatch)
        #expect(
            canonicalError { _ = try CanonicalEncoding.decode(Float.self, from: bytes("01")) }?.code == .typeMismatch)
        // 1.1 as a double is not exactly a Float.
        let inexact = canonicalError { _ = try CanonicalEncoding.decode(Float.self, from: bytes("fb3ff199999999999a")) }
        #expect(inexact?.code == .valueOutOfRange)
        // Any float width decodes into Double exactly.
        #expect((try? CanonicalEncoding.decode(Double.self, from: bytes("fa47c35000"))) == 100000)
        #expect(
            canonicalError { _ = try CanonicalEncoding.decode(Data.self, from: bytes("83010203")) }?.code
                == .typeMismatch)
        #expect(
            canonicalError { _ = try CanonicalEncoding.decode([UInt8].self, from: bytes("43010203")) }?.code
                == .typeMismatch)
    }

    @Test("Codable errors name the coding path")
    func decodingPaths() {
        // {"frames": [{"node": 1}]}
        struct Inner: Decodable { var node: String }
        struct Outer: Decodable { var frames: [Inner] }
        let mismatch = canonicalError {
            _ = try CanonicalEncoding.decode(Outer.self, from: bytes("a1666672616d6573" + "81a1646e6f646501"))
        }
        #expect(mismatch?.codingPath == "frames[0].node")
        #expect(mismatch?.code == .typeMismatch)
        #expect(mismatch?.description.hasPrefix("canonical encoding: at frames[0].node: ") == true)
        let missing = canonicalError {
            _ = try CanonicalEncoding.decode(Outer.self, from: bytes("a1666672616d657381a0"))
        }
        #expect(missing?.code == .keyNotFound)
        #expect(missing?.codingPath == "frames[0].node")
        let null = canonicalError {
            _ = try CanonicalEncoding.decode(Outer.self, from: bytes("a1666672616d657381a1646e6f6465f6"))
        }
        #expect(null?.code == .valueNotFound)
    }
}

/// Decodes any value, so strictness tests can run the typed path on arbitrary input.
private struct CanonicalProbe: Decodable {
    init(from decoder: any Decoder) throws {}
}

// MARK: - Encoder errors

@Suite("Canonical encoding refuses what has no canonical form")
struct CanonicalEncoderErrorTests {
    struct Report: Codable {
        var metrics: Noise
        var samples: [Double]
    }

    struct Noise: Codable {
        var noiseBits: Double
    }

    @Test("NaN and infinities are refused with the coding path", arguments: [Double.nan, .infinity, -.infinity])
    func nonFinite(value: Double) {
        let direct = canonicalError {
            _ = try CanonicalEncoding.encode(Report(metrics: Noise(noiseBits: value), samples: []))
        }
        #expect(direct?.code == .nonFiniteFloat)
        #expect(direct?.codingPath == "metrics.noiseBits")
        let name = value.isNaN ? "NaN" : "infinity"
        #expect(direct?.description == "canonical encoding: at metrics.noiseBits: \(name) cannot be encoded")
        let inArray = canonicalError {
            _ = try CanonicalEncoding.encode(Report(metrics: Noise(noiseBits: 0), samples: [1, value]))
        }
        #expect(inArray?.codingPath == "samples[1]")
        let tree = canonicalError { _ = try CanonicalValue.map(["a": [.float(0), .float(value)]]).encoded() }
        #expect(tree?.code == .nonFiniteFloat)
        #expect(tree?.codingPath == "a[1]")
        #expect(canonicalError { _ = try CanonicalEncoding.encode(Float(value)) }?.code == .nonFiniteFloat)
    }

    @Test("trees deeper than 64 levels are refused by the writer too")
    func depth() {
        var value = CanonicalValue.null
        for _ in 0..<64 { value = [value] }
        #expect((try? value.encoded()) != nil)
        value = [value]
        #expect(canonicalError { _ = try value.encoded() }?.code == .nestingTooDeep)
    }

    @Test("inconsistent container use is reported rather than silently encoded")
    func misuse() {
        struct TwoValues: Encodable {
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(1)
                try container.encode(2)
            }
        }
        struct MixedContainers: Encodable {
            func encode(to encoder: any Encoder) throws {
                var keyed = encoder.container(keyedBy: CanonicalNamedKey.self)
                try keyed.encode(1, forKey: CanonicalNamedKey("a"))
                var unkeyed = encoder.unkeyedContainer()
                try unkeyed.encode(2)
            }
        }
        #expect(canonicalError { _ = try CanonicalEncoding.encode(TwoValues()) }?.code == .encoderMisuse)
        #expect(canonicalError { _ = try CanonicalEncoding.encode(MixedContainers()) }?.code == .encoderMisuse)
    }

    @Test("a type's own EncodingError becomes a CanonicalEncodingError with its path")
    func ownErrors() {
        struct Refuses: Encodable {
            func encode(to encoder: any Encoder) throws {
                throw EncodingError.invalidValue(
                    0, EncodingError.Context(codingPath: encoder.codingPath, debugDescription: "no"))
            }
        }
        struct Holder: Encodable { var inner: [Refuses] }
        let error = canonicalError { _ = try CanonicalEncoding.encode(Holder(inner: [Refuses()])) }
        #expect(error?.code == .invalidValue)
        #expect(error?.codingPath == "inner[0]")
    }
}

// MARK: - Robustness

@Suite("Canonical decoding survives hostile input")
struct CanonicalRobustnessTests {
    @Test("20,000 random byte strings decode or throw, and whatever decodes re-encodes to the same bytes")
    func randomBytes() throws {
        var rng = SplitMix64(state: 0x5048_414c_414e_5801)
        var decoded = 0
        for round in 0..<20_000 {
            let count = Int.random(in: 0...(round % 4 == 0 ? 64 : 8), using: &rng)
            var input = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if round % 2 == 1 {
                // Half the inputs start with a container head, to get past the first byte more often.
                input.insert([0x81, 0x82, 0xa1, 0x9a, 0xbb, 0x5b].randomElement(using: &rng) ?? 0x81, at: 0)
            }
            if let value = try? CanonicalValue(decoding: input) {
                decoded += 1
                #expect(try value.encoded() == input)
            }
            _ = try? CanonicalEncoding.decode(Frame.self, from: input)
        }
        #expect(decoded > 100)
    }

    @Test("every proper prefix of a valid encoding is rejected, and every single-byte change is handled")
    func prefixesAndMutations() throws {
        let encoded = try CanonicalEncoding.encode(CanonicalCodableTests.frame)
        for end in 0..<encoded.count {
            let error = canonicalError { _ = try CanonicalValue(decoding: encoded[0..<end]) }
            #expect(error?.code == .unexpectedEndOfInput || error?.code == .lengthExceedsInput)
            _ = try? CanonicalEncoding.decode(Frame.self, from: encoded[0..<end])
        }
        var rng = SplitMix64(state: 17)
        for _ in 0..<2_000 {
            var mutated = encoded
            mutated[Int.random(in: 0..<mutated.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            if let value = try? CanonicalValue(decoding: mutated) {
                #expect(try value.encoded() == mutated)
            }
            _ = try? CanonicalEncoding.decode(Frame.self, from: mutated)
        }
    }

    @Test("decode(encode(x)) == x for 2,000 random values")
    func randomValues() throws {
        var rng = SplitMix64(state: 0xC0FF_EE00_1234_5678)
        for _ in 0..<2_000 {
            let value = randomValue(&rng, depth: 4)
            let encoded = try value.encoded()
            #expect(try CanonicalValue(decoding: encoded) == value)
        }
    }

    @Test("a huge declared length allocates nothing and fails at once")
    func hugeLengths() {
        for head in ["9b", "bb", "5b", "7b"] {
            let error = canonicalError { _ = try CanonicalValue(decoding: bytes(head + "00ffffffffffffff" + "00")) }
            #expect(error?.code == .lengthExceedsInput)
        }
    }
}
