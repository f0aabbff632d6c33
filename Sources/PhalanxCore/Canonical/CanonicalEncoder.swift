import Foundation

/// Turns an `Encodable` value into a ``CanonicalValue`` tree; the entry point is ``CanonicalEncoding/value(of:)``.
///
/// Mapping: Swift integers become CBOR integers, `Float`/`Double` become floats (even when integral: the
/// Swift type decides, never the value), `Data` becomes a byte string (`[UInt8]` stays an array of
/// integers), keyed containers become maps keyed by `CodingKey.stringValue`, and `encodeNil` writes null.
/// Stdlib collections whose iteration order is per-process hash order — `Set`, and `Dictionary` with keys
/// that are not `String`, `Int` or `CodingKeyRepresentable` — are sorted by the bytes of their elements'
/// (or keys') encodings, so their encoding is deterministic too.
enum CanonicalValueEncoder {
    static func value<T: Encodable>(of value: T) throws -> CanonicalValue {
        let state = CanonicalEncodingState()
        let slot = try box(value, at: [], state: state)
        if let misuse = state.misuse { throw misuse }
        return slot.finished()
    }

    /// Encodes `value` found at `path`, taking a shortcut for types with a fixed canonical form.
    static func box<T: Encodable>(
        _ value: T, at path: CanonicalCodingPath, state: CanonicalEncodingState
    ) throws -> CanonicalEncodingSlot {
        if let primitive = try primitive(value, at: path) {
            return .value(primitive)
        }
        let node = CanonicalEncodingNode()
        try value.encode(to: CanonicalEncoderImpl(node: node, codingPath: path, state: state))
        if let unordered = value as? any CanonicalHashOrderedCollection {
            try node.sortForDeterminism(type(of: unordered).canonicalOrdering, at: path)
        }
        return .node(node)
    }

    /// The canonical form of `value` if it is a type the encoding treats specially, else nil.
    ///
    /// Apart from `Data`, these only skip building a nested encoder; the result is what `encode(to:)` gives (for the
    /// integer arrays, what `Array.encode(to:)` gives through an unkeyed container; tested).
    private static func primitive<T: Encodable>(_ value: T, at path: CanonicalCodingPath) throws -> CanonicalValue? {
        // Dispatch on the static type first: a metatype comparison is cheap, while a chain of failing dynamic
        // casts (`value as? Data`, `as? String`, …) dominated the cost of encoding structs of many fields.
        switch ObjectIdentifier(T.self) {
        case ObjectIdentifier(String.self): return .text(value as! String)
        case ObjectIdentifier(Data.self): return .bytes(Array(value as! Data))
        case ObjectIdentifier(Bool.self): return .bool(value as! Bool)
        case ObjectIdentifier(Int.self): return integer(value as! Int)
        case ObjectIdentifier(Int64.self): return integer(value as! Int64)
        case ObjectIdentifier(UInt64.self): return integer(value as! UInt64)
        case ObjectIdentifier(UInt8.self): return integer(value as! UInt8)
        case ObjectIdentifier(Double.self): return try float(value as! Double, at: path)
        case ObjectIdentifier(Float.self): return try float(Double(value as! Float), at: path)
        // Vectors of integers (the `plain` provider's contributions, 65,537 of them a round in federated training):
        // element by element through an unkeyed container, each became a nested encoder's work.
        case ObjectIdentifier([Int64].self): return .array((value as! [Int64]).map(integer))
        case ObjectIdentifier([UInt64].self): return .array((value as! [UInt64]).map(integer))
        default: return nil
        }
    }

    /// The CBOR integer for a standard Swift integer (at most 64 bits wide).
    static func integer(_ value: some FixedWidthInteger) -> CanonicalValue {
        // For negative v, CBOR stores -1 - v, which is ~v and cannot overflow even for Int64.min.
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(~value))
    }

    /// The CBOR float for `value`, refusing NaN and infinities where the coding path is still known.
    static func float(_ value: Double, at path: CanonicalCodingPath) throws -> CanonicalValue {
        guard value.isFinite else {
            throw CanonicalEncodingError(
                .nonFiniteFloat, codingPath: CanonicalEncodingError.render(path),
                message: "\(value.isNaN ? "NaN" : "infinity") cannot be encoded")
        }
        return .float(value)
    }
}

// MARK: - Hash-ordered collections

/// How a hash-ordered stdlib collection must be reordered to encode deterministically.
enum CanonicalOrdering {
    /// Encodes through a keyed container, whose keys the encoder sorts anyway.
    case alreadyDeterministic
    /// An array of elements (`Set`): sort the elements by their encodings.
    case sortElements
    /// An array of alternating keys and values (`Dictionary` with other keys): sort pairs by key encoding.
    case sortPairs
}

/// A stdlib collection whose `encode(to:)` writes elements in per-process hash order.
protocol CanonicalHashOrderedCollection {
    static var canonicalOrdering: CanonicalOrdering { get }
}

extension Set: CanonicalHashOrderedCollection {
    static var canonicalOrdering: CanonicalOrdering { .sortElements }
}

extension Dictionary: CanonicalHashOrderedCollection {
    static var canonicalOrdering: CanonicalOrdering {
        // Mirrors the choice in Dictionary.encode(to:): these key types use a keyed container.
        if Key.self == String.self || Key.self == Int.self || Key.self is any CodingKeyRepresentable.Type {
            return .alreadyDeterministic
        }
        return .sortPairs
    }
}

// MARK: - Tree under construction

/// State shared by all containers of one encoding run.
final class CanonicalEncodingState {
    /// The first inconsistent use of containers; reported when encoding finishes, because
    /// `container(keyedBy:)` and friends cannot throw.
    var misuse: CanonicalEncodingError?

    func recordMisuse(_ message: String, at path: CanonicalCodingPath) {
        if misuse == nil {
            misuse = CanonicalEncodingError(
                .encoderMisuse, codingPath: CanonicalEncodingError.render(path), message: message)
        }
    }
}

/// One position in the tree: a finished value, or a node that containers are still filling.
enum CanonicalEncodingSlot {
    case value(CanonicalValue)
    case node(CanonicalEncodingNode)

    func finished() -> CanonicalValue {
        switch self {
        case .value(let value): return value
        case .node(let node): return node.finished()
        }
    }
}

/// A map key compared and hashed by UTF-8 bytes, so canonically equivalent but different strings stay apart.
struct CanonicalUTF8Key: Hashable {
    let string: String

    static func == (lhs: CanonicalUTF8Key, rhs: CanonicalUTF8Key) -> Bool {
        CanonicalMap.sameBytes(lhs.string, rhs.string)
    }

    func hash(into hasher: inout Hasher) { CanonicalMap.hashUTF8(string, into: &hasher) }
}

/// A value being built by an encoder's containers; a class because nested containers write into it later.
final class CanonicalEncodingNode {
    enum Kind {
        case unset, single, array, map
    }

    private(set) var kind = Kind.unset
    private var single = CanonicalValue.null
    private var elements: [CanonicalEncodingSlot] = []
    private var entries: [CanonicalUTF8Key: CanonicalEncodingSlot] = [:]

    /// Makes this node a map, or keeps it one; a node may be re-opened as the same kind (as class hierarchies do).
    func becomeMap(state: CanonicalEncodingState, path: CanonicalCodingPath) {
        become(.map, state: state, path: path, name: "a keyed container")
    }

    func becomeArray(state: CanonicalEncodingState, path: CanonicalCodingPath) {
        become(.array, state: state, path: path, name: "an unkeyed container")
    }

    private func become(_ wanted: Kind, state: CanonicalEncodingState, path: CanonicalCodingPath, name: String) {
        if kind == .unset {
            kind = wanted
        } else if kind != wanted {
            state.recordMisuse("requested \(name) for a value that was already encoded as something else", at: path)
        }
    }

    func setSingle(_ value: CanonicalValue, state: CanonicalEncodingState, path: CanonicalCodingPath) {
        guard kind == .unset else {
            state.recordMisuse("a single-value container encoded more than one value", at: path)
            return
        }
        kind = .single
        single = value
    }

    /// Stores `slot` under `key`; a key encoded twice keeps the last value, as Foundation's encoders do.
    func set(_ slot: CanonicalEncodingSlot, forKey key: String) {
        entries[CanonicalUTF8Key(string: key)] = slot
    }

    /// The node stored under `key`, created if absent, so that nested containers for one key share a value.
    func child(forKey key: String) -> CanonicalEncodingNode {
        if case .node(let existing) = entries[CanonicalUTF8Key(string: key)] {
            return existing
        }
        let node = CanonicalEncodingNode()
        entries[CanonicalUTF8Key(string: key)] = .node(node)
        return node
    }

    func append(_ slot: CanonicalEncodingSlot) {
        elements.append(slot)
    }

    var elementCount: Int { elements.count }

    func finished() -> CanonicalValue {
        switch kind {
        case .single:
            return single
        case .array:
            return .array(elements.map { $0.finished() })
        case .map:
            let sorted = entries.map { (key: $0.key.string, value: $0.value.finished()) }
                .sorted { CanonicalMap.precedes($0.key, $1.key) }
            return .map(CanonicalMap(alreadySorted: sorted))
        case .unset:
            // A type that encoded nothing (an empty struct, a case without payload) is an empty map.
            return .map(CanonicalMap())
        }
    }

    /// Reorders a hash-ordered collection's array by the bytes of the encodings (keys for pairs).
    func sortForDeterminism(_ ordering: CanonicalOrdering, at path: CanonicalCodingPath) throws {
        guard kind == .array, ordering != .alreadyDeterministic else { return }
        let values = elements.map { $0.finished() }
        let stride = ordering == .sortPairs ? 2 : 1
        guard values.count % stride == 0 else { return }
        var groups: [(sortKey: [UInt8], values: ArraySlice<CanonicalValue>)] = []
        for start in Swift.stride(from: 0, to: values.count, by: stride) {
            let sortKey: [UInt8]
            do {
                sortKey = try values[start].encoded()
            } catch let error as CanonicalEncodingError {
                throw error.prefixed(by: CanonicalEncodingError.render(path + [CanonicalIndexKey(start)]))
            }
            groups.append((sortKey, values[start..<start + stride]))
        }
        groups.sort { $0.sortKey.lexicographicallyPrecedes($1.sortKey) }
        elements = groups.flatMap { $0.values.map(CanonicalEncodingSlot.value) }
    }
}

/// The coding key of an array position; renders as `[n]` in error paths.
struct CanonicalIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "Index \(intValue ?? 0)" }

    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

/// A coding key with a fixed string, used for `super`.
struct CanonicalNamedKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

// MARK: - Encoder and containers

/// The `Encoder` handed to `encode(to:)`; it writes into one ``CanonicalEncodingNode``.
final class CanonicalEncoderImpl: Encoder {
    let node: CanonicalEncodingNode
    let codingPath: CanonicalCodingPath
    let state: CanonicalEncodingState

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: CanonicalEncodingNode, codingPath: CanonicalCodingPath, state: CanonicalEncodingState) {
        self.node = node
        self.codingPath = codingPath
        self.state = state
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.becomeMap(state: state, path: codingPath)
        return KeyedEncodingContainer(CanonicalKeyedEncodingContainer(node: node, codingPath: codingPath, state: state))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.becomeArray(state: state, path: codingPath)
        return CanonicalUnkeyedEncodingContainer(node: node, codingPath: codingPath, state: state)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CanonicalSingleValueEncodingContainer(node: node, codingPath: codingPath, state: state)
    }
}

private struct CanonicalKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: CanonicalEncodingNode
    let codingPath: CanonicalCodingPath
    let state: CanonicalEncodingState

    private func put(_ value: CanonicalValue, _ key: Key) {
        node.set(.value(value), forKey: key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws { put(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(.text(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        put(try CanonicalValueEncoder.float(value, at: codingPath + [key]), key)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        put(try CanonicalValueEncoder.float(Double(value), at: codingPath + [key]), key)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(CanonicalValueEncoder.integer(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.set(try CanonicalValueEncoder.box(value, at: codingPath + [key], state: state), forKey: key.stringValue)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: key.stringValue)
        child.becomeMap(state: state, path: codingPath + [key])
        return KeyedEncodingContainer(
            CanonicalKeyedEncodingContainer<NestedKey>(node: child, codingPath: codingPath + [key], state: state))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: key.stringValue)
        child.becomeArray(state: state, path: codingPath + [key])
        return CanonicalUnkeyedEncodingContainer(node: child, codingPath: codingPath + [key], state: state)
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(named: CanonicalNamedKey("super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(named: key)
    }

    private func superEncoder(named key: any CodingKey) -> any Encoder {
        CanonicalEncoderImpl(node: node.child(forKey: key.stringValue), codingPath: codingPath + [key], state: state)
    }
}

private struct CanonicalUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let node: CanonicalEncodingNode
    let codingPath: CanonicalCodingPath
    let state: CanonicalEncodingState

    var count: Int { node.elementCount }

    private var nextPath: CanonicalCodingPath { codingPath + [CanonicalIndexKey(count)] }

    private func put(_ value: CanonicalValue) { node.append(.value(value)) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.text(value)) }
    mutating func encode(_ value: Double) throws { put(try CanonicalValueEncoder.float(value, at: nextPath)) }
    mutating func encode(_ value: Float) throws { put(try CanonicalValueEncoder.float(Double(value), at: nextPath)) }
    mutating func encode(_ value: Int) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: Int8) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: Int16) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: Int32) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: Int64) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { put(CanonicalValueEncoder.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        node.append(try CanonicalValueEncoder.box(value, at: nextPath, state: state))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let child = CanonicalEncodingNode()
        child.becomeMap(state: state, path: path)
        node.append(.node(child))
        return KeyedEncodingContainer(
            CanonicalKeyedEncodingContainer<NestedKey>(node: child, codingPath: path, state: state))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let child = CanonicalEncodingNode()
        child.becomeArray(state: state, path: path)
        node.append(.node(child))
        return CanonicalUnkeyedEncodingContainer(node: child, codingPath: path, state: state)
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        let child = CanonicalEncodingNode()
        node.append(.node(child))
        return CanonicalEncoderImpl(node: child, codingPath: path, state: state)
    }
}

private struct CanonicalSingleValueEncodingContainer: SingleValueEncodingContainer {
    let node: CanonicalEncodingNode
    let codingPath: CanonicalCodingPath
    let state: CanonicalEncodingState

    private func put(_ value: CanonicalValue) { node.setSingle(value, state: state, path: codingPath) }

    mutating func encodeNil() throws { put(.null) }
    mutating func encode(_ value: Bool) throws { put(.bool(value)) }
    mutating func encode(_ value: String) throws { put(.text(value)) }
    mutating func encode(_ value: Double) throws { put(try CanonicalValueEncoder.float(value, at: codingPath)) }
    mutating func encode(_ value: Float) throws { put(try CanonicalValueEncoder.float(Double(value), at: codingPath)) }
    mutating func encode(_ value: Int) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: Int8) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: Int16) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: Int32) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: Int64) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt8) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt16) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt32) throws { put(CanonicalValueEncoder.integer(value)) }
    mutating func encode(_ value: UInt64) throws { put(CanonicalValueEncoder.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        guard node.kind == .unset else {
            state.recordMisuse("a single-value container encoded more than one value", at: codingPath)
            return
        }
        // Encode the value straight into this node, so that e.g. a wrapper around Data stays a byte string.
        switch try CanonicalValueEncoder.box(value, at: codingPath, state: state) {
        case .value(let primitive):
            put(primitive)
        case .node(let inner):
            put(inner.finished())
        }
    }
}
