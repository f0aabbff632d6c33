/// Phalanx's canonical byte encoding of Codable values: what every signature and every hash covers.
///
/// The encoding is deterministic CBOR (RFC 8949 §4.2.1) restricted to the data model of ``CanonicalValue``.
/// Equal values always give identical bytes, and decoding accepts only those bytes, so a signature can be
/// checked over the bytes received and another language can reproduce them (see
/// `scripts/interop/phalanx_verify.py` and `docs/canonical-encoding.md`).
///
/// All failures are thrown as ``CanonicalEncodingError``, except errors that a type's own `encode(to:)` or
/// `init(from:)` throws, which pass through unchanged.
public enum CanonicalEncoding {
    /// The canonical bytes of `value`.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        try Self.value(of: value).encoded()
    }

    /// Decodes a `T` from `bytes`, which must be exactly a canonical encoding (no trailing bytes).
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try decode(type, fromValue: CanonicalValue(decoding: bytes))
    }

    /// Decodes a `T` from an already-decoded value tree.
    public static func decode<T: Decodable>(_ type: T.Type, fromValue value: CanonicalValue) throws -> T {
        do {
            return try CanonicalValueDecoder.decode(type, from: value, at: [])
        } catch let error as DecodingError {
            throw CanonicalEncodingError(error)
        }
    }

    /// The value tree that `value` encodes to, before it is written as bytes.
    public static func value<T: Encodable>(of value: T) throws -> CanonicalValue {
        do {
            return try CanonicalValueEncoder.value(of: value)
        } catch let error as EncodingError {
            throw CanonicalEncodingError(error)
        }
    }
}
