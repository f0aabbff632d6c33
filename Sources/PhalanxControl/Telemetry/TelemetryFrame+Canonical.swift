import PhalanxCore

extension TelemetryFrame {
    /// The keys of a frame's canonical map in canonical order, as the canonical encoder writes them (taken from it).
    private static let canonicalKeys: [[UInt8]] = {
        let sample = TelemetryFrame(
            nodeId: try! ParticipantID("n"), seq: 0, manifestHash: SHA256Digest.of([]), tick: 0, state: "",
            metrics: [:], lagMs: 0, opLatencyMs: 0, timestampMs: 0)
        guard case .map(let map) = try! CanonicalEncoding.value(of: sample) else { preconditionFailure("not a map") }
        return map.keys.map { Array($0.utf8) }
    }()

    /// Reads a frame straight from its canonical bytes with Core's ``CanonicalReader`` (the checks of
    /// `CanonicalValue(decoding:)`, without building a value tree, about twice as fast): a fast path, never a second
    /// definition of a frame. It returns `nil` for anything but exactly the shape ``CanonicalEncoding`` gives a frame
    /// (its nine fields in canonical order, each of the kind the canonical encoder writes for it, a lowercase hex
    /// digest, metric keys distinct as Swift strings) and the caller then decodes the general way, which decides.
    /// Where it returns a frame, that frame equals what the `Codable` decoder returns: keys match by UTF-8 bytes as
    /// there, and the per-kind rules are the same (an integer from an integer only, a double from a float only,
    /// identifiers through their validating initializer).
    init?(canonicalBytes bytes: [UInt8]) {
        var reader = CanonicalReader(bytes: bytes)
        do {
            guard try reader.readMapCount() == Self.canonicalKeys.count else { return nil }
            var fields = Fields()
            for (key, field) in Self.canonicalFields {
                guard try reader.readText(matching: key), let field else { return nil }
                guard try fields.read(field, from: &reader) else { return nil }
            }
            guard reader.isAtEnd, let frame = fields.frame else { return nil }
            self = frame
        } catch {
            return nil
        }
    }

    /// A frame's fields by their keys' names.
    private enum Field: String {
        case nodeId, seq, manifestHash, tick, state, metrics, lagMs, opLatencyMs, timestampMs
    }

    /// Each key of the canonical map, in order, with its field.
    private static let canonicalFields = canonicalKeys.map {
        ($0, Field(rawValue: String(decoding: $0, as: UTF8.self)))
    }

    /// The fields of a frame as ``init(canonicalBytes:)`` reads them, by key, with the rules of
    /// ``init(canonical:)``.
    private struct Fields {
        var nodeId: ParticipantID?
        var seq: UInt64?
        var manifestHash: SHA256Digest?
        var tick: UInt64?
        var state: String?
        var metrics: [String: Double]?
        var lagMs: Double?
        var opLatencyMs: Double?
        var timestampMs: Int64?

        /// Reads the value of `key`; `false` when it is not of the kind the canonical encoder writes for it.
        mutating func read(_ field: Field, from reader: inout CanonicalReader) throws -> Bool {
            switch field {
            case .nodeId: nodeId = try? ParticipantID(try reader.readText())
            case .seq: seq = try reader.readUnsigned()
            case .manifestHash: manifestHash = TelemetryFrame.lowercaseHexDigest(try reader.readText())
            case .tick: tick = try reader.readUnsigned()
            case .state: state = try reader.readText()
            case .metrics:
                let count = try reader.readMapCount()
                var values: [String: Double] = [:]
                values.reserveCapacity(count)
                var previous: String?
                for _ in 0..<count {
                    let name = try reader.readMapKey(after: previous)
                    // Two keys equal as Swift strings but not byte for byte: left to the general decoder.
                    guard values.updateValue(try reader.readFloat(), forKey: name) == nil else { return false }
                    previous = name
                }
                metrics = values
            case .lagMs: lagMs = try reader.readFloat()
            case .opLatencyMs: opLatencyMs = try reader.readFloat()
            case .timestampMs: timestampMs = try reader.readInt64()
            }
            return true
        }

        var frame: TelemetryFrame? {
            guard let nodeId, let seq, let manifestHash, let tick, let state, let metrics, let lagMs, let opLatencyMs,
                let timestampMs
            else { return nil }
            return TelemetryFrame(
                nodeId: nodeId, seq: seq, manifestHash: manifestHash, tick: tick, state: state, metrics: metrics,
                lagMs: lagMs, opLatencyMs: opLatencyMs, timestampMs: timestampMs)
        }
    }

    /// 64 lowercase hexadecimal digits as a digest (what `SHA256Digest(hex:)` accepts), else `nil`.
    static func lowercaseHexDigest(_ text: String) -> SHA256Digest? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        var high: UInt8?
        for character in text.utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil, bytes.count == 32 else { return nil }
        return try? SHA256Digest(bytes: bytes)
    }
}
