import Foundation

/// Reads a `Decodable` value out of a ``CanonicalValue`` tree; the entry point is ``CanonicalEncoding``.
///
/// The mapping mirrors ``CanonicalValueEncoder`` and is just as strict about kinds: an integer never
/// decodes as a float or the reverse, an integer must fit the Swift type, a `Float` must hold the decoded
/// value exactly, and `Data` comes only from a byte string. Problems are thrown as `DecodingError`s with the
/// coding path, as Codable code expects; ``CanonicalEncoding`` converts them to ``CanonicalEncodingError``.
enum CanonicalValueDecoder {
    static func decode<T: Decodable>(
        _ type: T.Type, from value: CanonicalValue, at path: CanonicalCodingPath
    ) throws -> T {
        if T.self == Data.self {
            guard case .bytes(let bytes) = value else { throw mismatch(T.self, want: "a byte string", value, path) }
            if let data = Data(bytes) as? T { return data }
        }
        if let primitive = try primitive(type, from: value, at: path) {
            return primitive
        }
        return try T(from: CanonicalDecoderImpl(value: value, codingPath: path))
    }

    /// Decodes the commonest leaf types directly instead of through a nested decoder; same rules, less work.
    private static func primitive<T>(
        _ type: T.Type, from value: CanonicalValue, at path: CanonicalCodingPath
    ) throws -> T? {
        if type == String.self { return try string(value, at: path) as? T }
        if type == Int.self { return try integer(Int.self, value, at: path) as? T }
        if type == Double.self { return try double(value, at: path) as? T }
        if type == Bool.self { return try bool(value, at: path) as? T }
        if type == Float.self { return try float(value, at: path) as? T }
        if type == UInt8.self { return try integer(UInt8.self, value, at: path) as? T }
        if type == Int64.self { return try integer(Int64.self, value, at: path) as? T }
        if type == UInt64.self { return try integer(UInt64.self, value, at: path) as? T }
        if type == [Int64].self { return integers(Int64.self, value) as? T }
        if type == [UInt64].self { return integers(UInt64.self, value) as? T }
        return nil
    }

    /// An array whose every element is an integer that fits `T`, decoded in one pass; `nil` otherwise, so that the
    /// nested decoder goes through it and reports the problem with its element's coding path.
    private static func integers<T: FixedWidthInteger>(_: T.Type, _ value: CanonicalValue) -> [T]? {
        guard case .array(let elements) = value else { return nil }
        var result: [T] = []
        result.reserveCapacity(elements.count)
        for element in elements {
            guard let integer = try? integer(T.self, element, at: []) else { return nil }
            result.append(integer)
        }
        return result
    }

    static func bool(_ value: CanonicalValue, at path: CanonicalCodingPath) throws -> Bool {
        guard case .bool(let bool) = value else { throw mismatch(Bool.self, want: "a boolean", value, path) }
        return bool
    }

    static func string(_ value: CanonicalValue, at path: CanonicalCodingPath) throws -> String {
        guard case .text(let text) = value else { throw mismatch(String.self, want: "a text string", value, path) }
        return text
    }

    static func double(_ value: CanonicalValue, at path: CanonicalCodingPath) throws -> Double {
        guard case .float(let double) = value else { throw mismatch(Double.self, want: "a float", value, path) }
        return double
    }

    static func float(_ value: CanonicalValue, at path: CanonicalCodingPath) throws -> Float {
        guard case .float(let double) = value else { throw mismatch(Float.self, want: "a float", value, path) }
        guard let float = Float(exactly: double) else {
            throw outOfRange("float \(double) is not exactly representable as Float", path)
        }
        return float
    }

    static func integer<T: FixedWidthInteger>(
        _: T.Type, _ value: CanonicalValue, at path: CanonicalCodingPath
    ) throws -> T {
        switch value {
        case .unsigned(let n):
            guard let result = T(exactly: n) else { throw outOfRange("\(n) does not fit in \(T.self)", path) }
            return result
        case .negative(let n):
            // The value is -1 - n, which is ~n as a signed number when n <= Int64.max.
            guard n <= UInt64(Int64.max), let result = T(exactly: ~Int64(n)) else {
                let value = n < .max ? "-\(n + 1)" : "-18446744073709551616"
                throw outOfRange("\(value) does not fit in \(T.self)", path)
            }
            return result
        default:
            throw mismatch(T.self, want: "an integer", value, path)
        }
    }

    /// A type mismatch, or `valueNotFound` for null, which is how Codable reports a missing non-optional.
    static func mismatch(
        _ type: Any.Type, want: String, _ value: CanonicalValue, _ path: CanonicalCodingPath
    ) -> DecodingError {
        let context = DecodingError.Context(
            codingPath: path, debugDescription: "expected \(want) for \(type), found \(value.kindName)")
        if case .null = value {
            return .valueNotFound(type, context)
        }
        return .typeMismatch(type, context)
    }

    static func outOfRange(_ message: String, _ path: CanonicalCodingPath) -> DecodingError {
        .dataCorrupted(
            DecodingError.Context(
                codingPath: path, debugDescription: message,
                underlyingError: CanonicalEncodingError(.valueOutOfRange, message: message)))
    }
}

extension CanonicalValue {
    /// A short name of this value's kind for error messages (never its content).
    var kindName: String {
        switch self {
        case .unsigned, .negative: return "an integer"
        case .bytes: return "a byte string"
        case .text: return "a text string"
        case .array: return "an array"
        case .map: return "a map"
        case .bool: return "a boolean"
        case .null: return "null"
        case .float: return "a float"
        }
    }
}

/// The `Decoder` handed to `init(from:)`; also its own single-value container.
struct CanonicalDecoderImpl: Decoder, SingleValueDecodingContainer {
    let value: CanonicalValue
    let codingPath: CanonicalCodingPath

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .map(let map) = value else {
            throw CanonicalValueDecoder.mismatch(
                [String: CanonicalValue].self, want: "a map", value, codingPath)
        }
        return KeyedDecodingContainer(CanonicalKeyedDecodingContainer<Key>(map: map, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let elements) = value else {
            throw CanonicalValueDecoder.mismatch([CanonicalValue].self, want: "an array", value, codingPath)
        }
        return CanonicalUnkeyedDecodingContainer(elements: elements, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }
    func decode(_ type: Bool.Type) throws -> Bool { try CanonicalValueDecoder.bool(value, at: codingPath) }
    func decode(_ type: String.Type) throws -> String { try CanonicalValueDecoder.string(value, at: codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try CanonicalValueDecoder.double(value, at: codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try CanonicalValueDecoder.float(value, at: codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try CanonicalValueDecoder.decode(type, from: value, at: codingPath)
    }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        try CanonicalValueDecoder.integer(type, value, at: codingPath)
    }
}

private struct CanonicalKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let map: CanonicalMap
    let codingPath: CanonicalCodingPath

    var allKeys: [Key] { map.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { map[key.stringValue] != nil }

    private func value(for key: Key) throws -> CanonicalValue {
        guard let value = map[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, DecodingError.Context(codingPath: codingPath, debugDescription: "required key is absent"))
        }
        return value
    }

    private func decoder(for key: any CodingKey, value: CanonicalValue) -> CanonicalDecoderImpl {
        CanonicalDecoderImpl(value: value, codingPath: codingPath + [key])
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(for: key) == .null }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try primitive(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try primitive(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try primitive(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try primitive(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try primitive(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try primitive(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try primitive(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try primitive(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try primitive(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try primitive(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try primitive(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try primitive(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try primitive(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try primitive(type, key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try CanonicalValueDecoder.decode(type, from: value(for: key), at: codingPath + [key])
    }

    /// Primitives go through their single-value container, which holds the per-type rules.
    private func primitive<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        try decoder(for: key, value: value(for: key)).decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder(for: key, value: value(for: key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder(for: key, value: value(for: key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let key = CanonicalNamedKey("super")
        // As in Foundation, an absent super key yields a decoder over null rather than an error.
        return decoder(for: key, value: map[key.stringValue] ?? .null)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder(for: key, value: map[key.stringValue] ?? .null)
    }
}

private struct CanonicalUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let elements: [CanonicalValue]
    let codingPath: CanonicalCodingPath
    private(set) var currentIndex = 0

    init(elements: [CanonicalValue], codingPath: CanonicalCodingPath) {
        self.elements = elements
        self.codingPath = codingPath
    }

    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    /// A decoder for the current element; the index advances only once decoding succeeded.
    private func current(_ type: Any.Type) throws -> CanonicalDecoderImpl {
        let path = codingPath + [CanonicalIndexKey(currentIndex)]
        guard currentIndex < elements.count else {
            throw DecodingError.valueNotFound(
                type,
                DecodingError.Context(codingPath: path, debugDescription: "array has only \(elements.count) elements"))
        }
        return CanonicalDecoderImpl(value: elements[currentIndex], codingPath: path)
    }

    mutating func decodeNil() throws -> Bool {
        guard try current(Never.self).value == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type) }

    private mutating func next<T: Decodable>(_ type: T.Type) throws -> T {
        let decoder = try current(type)
        let result = try decoder.decode(type)
        currentIndex += 1
        return result
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let container = try current(CanonicalMap.self).container(keyedBy: type)
        currentIndex += 1
        return container
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let container = try current([CanonicalValue].self).unkeyedContainer()
        currentIndex += 1
        return container
    }

    mutating func superDecoder() throws -> any Decoder {
        let decoder = try current(CanonicalValue.self)
        currentIndex += 1
        return decoder
    }
}
