/// Small fixed-capacity vectors of bytes, stored inline (no heap, no reference counting), so that a global
/// state is a plain value that copies with a `memcpy`.
typealias Bytes4 = SIMD4<UInt8>
typealias Bytes8 = SIMD8<UInt8>
typealias Bytes32 = SIMD32<UInt8>
typealias Bytes64 = SIMD64<UInt8>

extension SIMD where Scalar == UInt8 {
    /// Lexicographic order of the first `count` lanes.
    func precedes(_ other: Self, count: Int) -> Bool {
        for i in 0..<count where self[i] != other[i] { return self[i] < other[i] }
        return false
    }
}
