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

    /// Reads a frame straight out of its canonical value tree, without the `Codable` machinery (about 9 µs a frame
    /// on the benchmark machine, where the Ed25519 verification itself takes 68 µs).
    ///
    /// This is a fast path, never a second definition of a frame: it returns `nil` for anything but exactly the
    /// shape ``CanonicalEncoding`` gives a frame (its nine fields in canonical order, each of the kind the canonical
    /// encoder writes for it, a lowercase hex digest, metric keys distinct as Swift strings), and the caller then
    /// decodes `value` with `CanonicalEncoding.decode(_:fromValue:)`, which decides. Where it returns a frame, that
    /// frame equals what the `Codable` decoder returns: keys match by UTF-8 bytes as there, and the per-kind rules
    /// are the same (an integer from an integer only, a double from a float only, identifiers through their
    /// validating initializer).
    init?(canonical value: CanonicalValue) {
        guard case .map(let map) = value, map.count == Self.canonicalKeys.count else { return nil }
        var nodeId: ParticipantID?
        var seq: UInt64?
        var manifestHash: SHA256Digest?
        var tick: UInt64?
        var state: String?
        var metrics: [String: Double]?
        var lagMs: Double?
        var opLatencyMs: Double?
        var timestampMs: Int64?
        for (index, entry) in map.enumerated() {
            guard entry.key.utf8.elementsEqual(Self.canonicalKeys[index]) else { return nil }
            switch (entry.key, entry.value) {
            case ("nodeId", .text(let text)): nodeId = try? ParticipantID(text)
            case ("seq", .unsigned(let n)): seq = n
            case ("manifestHash", .text(let text)): manifestHash = Self.lowercaseHexDigest(text)
            case ("tick", .unsigned(let n)): tick = n
            case ("state", .text(let text)): state = text
            case ("metrics", .map(let entries)): metrics = Self.metrics(entries)
            case ("lagMs", .float(let x)): lagMs = x
            case ("opLatencyMs", .float(let x)): opLatencyMs = x
            case ("timestampMs", let integer): timestampMs = Self.int64(integer)
            default: return nil
            }
        }
        guard let nodeId, let seq, let manifestHash, let tick, let state, let metrics, let lagMs, let opLatencyMs,
            let timestampMs
        else { return nil }
        self.init(
            nodeId: nodeId, seq: seq, manifestHash: manifestHash, tick: tick, state: state, metrics: metrics,
            lagMs: lagMs, opLatencyMs: opLatencyMs, timestampMs: timestampMs)
    }

    /// The metrics map, or `nil` for a value that is not a float or for two keys equal as Swift strings but not
    /// byte for byte (e.g. "é" composed and decomposed): `Dictionary`'s decoder would let the later one overwrite the
    /// earlier, so such frames are left to it.
    private static func metrics(_ entries: CanonicalMap) -> [String: Double]? {
        var metrics: [String: Double] = [:]
        metrics.reserveCapacity(entries.count)
        for (key, entry) in entries {
            guard case .float(let metric) = entry, metrics.updateValue(metric, forKey: key) == nil else { return nil }
        }
        return metrics
    }

    /// 64 lowercase hexadecimal digits as a digest (what `SHA256Digest(hex:)` accepts), else `nil`.
    private static func lowercaseHexDigest(_ text: String) -> SHA256Digest? {
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

    /// An `Int64` as the canonical decoder reads one: any integer that fits.
    private static func int64(_ value: CanonicalValue) -> Int64? {
        switch value {
        case .unsigned(let n): Int64(exactly: n)
        // The value is -1 - n, which is ~n as a signed number when n <= Int64.max.
        case .negative(let n): n <= UInt64(Int64.max) ? ~Int64(n) : nil
        default: nil
        }
    }
}
