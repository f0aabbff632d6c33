#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A heap buffer for key material that is overwritten with zeros when freed and never printed.
///
/// Swift arrays may be copied silently, so secrets read from files are moved into a `SecretBytes` as early
/// as possible and the temporary buffers are wiped with ``SecretBytes/wipe(_:)``.
public final class SecretBytes: @unchecked Sendable {
    // @unchecked: the buffer is written only in `init` and read-only afterwards; `deinit` runs when no
    // reference is left, so no two threads can observe a mutation.
    private let storage: UnsafeMutableRawBufferPointer

    /// Copies `bytes` into a new zero-on-free buffer.
    public init(_ bytes: some Collection<UInt8>) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: Swift.max(bytes.count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        storage.copyBytes(from: bytes)
    }

    /// The number of secret bytes.
    public var count: Int { storage.count }

    /// Gives read-only access to the bytes for the duration of `body`.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(storage))
    }

    deinit {
        Self.zero(storage)
        storage.deallocate()
    }

    /// Overwrites an array that held secret bytes, in place, before it is released.
    public static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { zero($0) }
    }

    /// Overwrites `buffer` with zeros in a way the optimiser does not remove as a dead store.
    public static func zero(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        #if canImport(Glibc) || canImport(Musl)
        explicit_bzero(base, buffer.count)  // not removed by dead-store elimination
        #elseif canImport(Darwin)
        _ = memset_s(base, buffer.count, 0, buffer.count)
        #else
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        #endif
    }
}

extension SecretBytes: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SecretBytes(\(count) bytes, redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
