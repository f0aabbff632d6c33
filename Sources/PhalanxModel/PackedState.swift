/// A global state packed into 512 bits: what the explorer stores and hashes (64 bytes, no heap allocation).
struct PackedState: Hashable, Sendable {
    var words: SIMD8<UInt64>

    static let capacityBits = 512
}

/// Appends fixed-width fields (at most 32 bits each) to a ``PackedState``.
struct BitWriter {
    private var words = SIMD8<UInt64>.zero
    /// Bits written so far.
    private(set) var offset = 0
    /// The word being filled.
    private var current: UInt64 = 0

    var packed: PackedState {
        var result = words
        if offset & 63 != 0 { result[offset >> 6] = current }
        return PackedState(words: result)
    }

    mutating func write(_ value: Int, bits: Int) {
        guard bits > 0 else { return }
        precondition(value >= 0 && value < 1 << bits, "field value \(value) does not fit in \(bits) bits")
        precondition(offset + bits <= PackedState.capacityBits, "the state does not fit in 512 bits")
        let shift = offset & 63
        current |= UInt64(value) &<< UInt64(shift)
        if shift + bits >= 64 {
            words[offset >> 6] = current
            current = shift + bits == 64 ? 0 : UInt64(value) &>> UInt64(64 - shift)
        }
        offset += bits
    }

    mutating func write(_ flag: Bool) { write(flag ? 1 : 0, bits: 1) }
}

/// Reads the fields a ``BitWriter`` wrote, in the same order.
struct BitReader {
    private let packed: PackedState
    private var offset = 0
    private var current: UInt64

    init(_ packed: PackedState) {
        self.packed = packed
        current = packed.words[0]
    }

    mutating func read(bits: Int) -> Int {
        guard bits > 0 else { return 0 }
        let shift = offset & 63
        var value = current &>> UInt64(shift)
        offset += bits
        if shift + bits >= 64, offset < PackedState.capacityBits {
            current = packed.words[offset >> 6]
            if shift + bits > 64 { value |= current &<< UInt64(64 - shift) }
        }
        return Int(value & ((1 &<< UInt64(bits)) &- 1))
    }

    mutating func readFlag() -> Bool { read(bits: 1) == 1 }
}

/// Bits needed for the values `0...maximum`.
func bitWidth(_ maximum: Int) -> Int {
    maximum <= 0 ? 0 : Int.bitWidth - maximum.leadingZeroBitCount
}
