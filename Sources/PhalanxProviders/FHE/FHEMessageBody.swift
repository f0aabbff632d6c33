import Foundation
import PhalanxCore
import PhalanxFHE

/// The body of an `fhe` protocol message: a small header of 32-bit words, then serialized FHE objects
/// (``FHESerialization``), each prefixed by its length.
///
/// Layout, little-endian: `u32 header word count ‖ words ‖ u32 object count ‖ (u32 length ‖ bytes)*`. Lengths are
/// checked against what is left before anything is allocated.
struct FHEMessageBody: Equatable {
    var header: [UInt32]
    var objects: [[UInt8]]

    /// At most this many objects in one message (a 1,000,000-component vector is 123 ciphertexts at N = 8192).
    static let maximumObjects = 4096

    func encoded() -> Data {
        var data = Data()
        data.reserveCapacity(8 + 4 * header.count + objects.reduce(0) { $0 + 4 + $1.count })
        func append(_ word: UInt32) { withUnsafeBytes(of: word.littleEndian) { data.append(contentsOf: $0) } }
        append(UInt32(header.count))
        for word in header { append(word) }
        append(UInt32(objects.count))
        for object in objects {
            append(UInt32(object.count))
            data.append(contentsOf: object)
        }
        return data
    }

    init(header: [UInt32] = [], objects: [[UInt8]]) {
        self.header = header
        self.objects = objects
    }

    init(decoding data: Data) throws {
        let bytes = [UInt8](data)
        var offset = 0
        func word(_ what: String) throws -> UInt32 {
            guard bytes.count - offset >= 4 else {
                throw ProviderError(
                    provider: FHEProvider.name, message: "message truncated at byte \(offset) reading \(what)")
            }
            let value = bytes[offset..<(offset + 4)].enumerated().reduce(UInt32(0)) {
                $0 | UInt32($1.element) << (8 * UInt32($1.offset))
            }
            offset += 4
            return value
        }
        let headerCount = Int(try word("the header length"))
        guard headerCount <= 16 else {
            throw ProviderError(provider: FHEProvider.name, message: "message header of \(headerCount) words")
        }
        header = try (0..<headerCount).map { try word("header word \($0)") }
        let count = Int(try word("the object count"))
        guard count <= Self.maximumObjects else {
            throw ProviderError(
                provider: FHEProvider.name, message: "message carries \(count) objects, at most \(Self.maximumObjects)")
        }
        var objects: [[UInt8]] = []
        for index in 0..<count {
            let length = Int(try word("the length of object \(index)"))
            guard bytes.count - offset >= length else {
                throw ProviderError(
                    provider: FHEProvider.name,
                    message: "object \(index) at byte \(offset) claims \(length) bytes, \(bytes.count - offset) left")
            }
            objects.append(Array(bytes[offset..<(offset + length)]))
            offset += length
        }
        guard offset == bytes.count else {
            throw ProviderError(
                provider: FHEProvider.name, message: "\(bytes.count - offset) trailing bytes in message")
        }
        self.objects = objects
    }

    /// Decodes every object as `T`, naming the sender and the object on failure.
    func decode<T: FHESerializable>(_ type: T.Type, context: BFVContext, from sender: String) throws -> [T] {
        try objects.enumerated().map { index, bytes in
            do {
                return try T.deserialize(bytes, context: context)
            } catch {
                throw ProviderError(provider: FHEProvider.name, message: "\(sender): object \(index): \(error)")
            }
        }
    }
}

extension FHESerializable {
    /// Serialized bytes, as a provider error if the object does not belong to `context`.
    func encodedForMessage(context: BFVContext) throws -> [UInt8] {
        try fheOperation { () throws(FHEError) in try serialized(context: context) }
    }
}
