import Crypto
import Foundation

/// A SHA-256 digest, written as 64 lowercase hexadecimal characters in JSON and in canonical encodings.
///
/// Digests name things in Phalanx: the manifest hash is the job's identifier, frame digests go into the
/// audit record, and a plug-in's IR digest pins the code a job runs.
public struct SHA256Digest: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps exactly 32 bytes.
    public init(bytes: [UInt8]) throws(DigestError) {
        guard bytes.count == 32 else { throw DigestError("a SHA-256 digest has 32 bytes, got \(bytes.count)") }
        self.bytes = bytes
    }

    /// Parses 64 lowercase hexadecimal characters.
    public init(hex: String) throws(DigestError) {
        guard let bytes = Hex.decode(hex), bytes.count == 32, hex == hex.lowercased() else {
            throw DigestError("expected 64 lowercase hexadecimal characters, got \"\(hex.prefix(80))\"")
        }
        self.bytes = bytes
    }

    /// Hashes `data` with SHA-256.
    public static func of(_ data: some DataProtocol) -> SHA256Digest {
        SHA256Digest(unchecked: Array(SHA256.hash(data: data)))
    }

    /// Hashes the canonical encoding of `value`.
    public static func ofCanonical(_ value: some Encodable) throws -> SHA256Digest {
        of(try CanonicalEncoding.encode(value))
    }

    init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    public var hex: String { Hex.encode(bytes) }
    /// The first 12 hex characters, for human-readable output only.
    public var short: String { String(hex.prefix(12)) }
    public var description: String { hex }

    public static func < (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(hex: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// A malformed digest.
public struct DigestError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Lowercase hexadecimal encoding.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out = [UInt8]()
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes upper- or lowercase hex; `nil` for odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
