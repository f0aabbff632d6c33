/// Strict standard base64 (RFC 4648 §4) decoding into a plain array, so callers can wipe the result.
///
/// Foundation's decoder returns `Data` that may be copied behind our back; key files need a buffer we own.
/// Padding is required, whitespace is not accepted, and non-zero trailing bits are rejected so that each
/// byte string has exactly one encoding.
public enum Base64 {
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(text.count / 4 * 3)
        var i = 0
        while i < text.count {
            let chunk = text[i..<i + 4]
            let isLast = i + 4 == text.count
            let pad = chunk.reversed().prefix(while: { $0 == 0x3D }).count
            guard pad <= 2, pad == 0 || isLast else { return nil }
            var v: UInt32 = 0
            for (k, c) in chunk.enumerated() {
                let value: UInt32
                if k >= 4 - pad {
                    value = 0
                } else if let d = digit(c) {
                    value = d
                } else {
                    return nil
                }
                v = v << 6 | value
            }
            if pad == 2, v & 0xFFFF != 0 { return nil }
            if pad == 1, v & 0xFF != 0 { return nil }
            out.append(UInt8(v >> 16))
            if pad < 2 { out.append(UInt8(v >> 8 & 0xFF)) }
            if pad < 1 { out.append(UInt8(v & 0xFF)) }
            i += 4
        }
        return out
    }

    private static func digit(_ c: UInt8) -> UInt32? {
        switch c {
        case 0x41...0x5A: return UInt32(c - 0x41)
        case 0x61...0x7A: return UInt32(c - 0x61 + 26)
        case 0x30...0x39: return UInt32(c - 0x30 + 52)
        case 0x2B: return 62
        case 0x2F: return 63
        default: return nil
        }
    }
}
