#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Best-effort overwriting of temporary buffers that held secret material (polynomial coefficients, chunks of a
/// secret, keystream), before they are released.
///
/// Swift may have copied an array before it reaches here, so this narrows the window rather than closing it.
enum Wipe {
    /// Overwrites the elements of `array` with zero bytes, in place.
    static func array<Element: BitwiseCopyable>(_ array: inout [Element]) {
        array.withUnsafeMutableBytes { bytes($0) }
    }

    /// Overwrites `buffer` with zero bytes in a way the optimiser does not remove as a dead store.
    static func bytes(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        #if canImport(Glibc) || canImport(Musl)
        explicit_bzero(base, buffer.count)
        #elseif canImport(Darwin)
        _ = memset_s(base, buffer.count, 0, buffer.count)
        #else
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        #endif
    }
}
