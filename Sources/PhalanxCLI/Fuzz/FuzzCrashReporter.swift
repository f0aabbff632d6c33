#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// When a fuzzed input crashes the process, prints that input as base64 before the process dies, so that
/// `phalanx fuzz TARGET --replay BASE64` reproduces it.
///
/// The fuzzing loop copies each input into a buffer allocated up front; a handler for the fatal signals
/// (SIGSEGV and SIGBUS, which a stack overflow raises, SIGILL and SIGTRAP, which Swift's runtime traps
/// raise, SIGABRT and SIGFPE) runs on an alternate stack, writes the buffer with `write(2)` only — nothing
/// that allocates or locks — then puts back the previous handler and raises the signal again, so the
/// process dies as it would have (with the runtime's backtrace, when enabled).
enum FuzzCrashReporter {
    private static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE]
    private static let alternateStackSize = 256 * 1_024

    // Written by the fuzzing loop between inputs and read by the signal handler on the same thread, which
    // interrupts that loop; no other thread touches them, so there is no data race to guard against.
    nonisolated(unsafe) private static var capacity = 0
    nonisolated(unsafe) private static var input: UnsafeMutablePointer<UInt8>?
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static var index = 0
    nonisolated(unsafe) private static var encoded: UnsafeMutablePointer<UInt8>?
    nonisolated(unsafe) private static var previous: UnsafeMutablePointer<sigaction>?
    nonisolated(unsafe) private static var reported = false
    nonisolated(unsafe) private static var command: UnsafeMutableBufferPointer<UInt8>?

    /// Installs the handlers for inputs of up to `maximumInputSize` bytes of `target`, on the calling thread's
    /// alternate stack; call it on the thread that runs the fuzzing loop. The buffers live as long as the
    /// process and are never freed.
    static func install(target: String, maximumInputSize: Int) {
        let replay = Array("phalanx fuzz \(target) --replay ".utf8)
        command = .allocate(capacity: replay.count)
        _ = command!.initialize(from: replay)
        capacity = maximumInputSize
        input = .allocate(capacity: max(1, maximumInputSize))
        encoded = .allocate(capacity: 4 * (maximumInputSize / 3 + 1))
        previous = .allocate(capacity: signals.count)
        var stack = stack_t()
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: alternateStackSize, alignment: 16)
        stack.ss_size = alternateStackSize
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
        for (slot, signal) in signals.enumerated() {
            var action = sigaction()
            #if os(Linux)
            action.__sigaction_handler.sa_handler = handler
            #else
            action.__sigaction_u.__sa_handler = handler
            #endif
            action.sa_flags = Int32(SA_ONSTACK)
            sigemptyset(&action.sa_mask)
            sigaction(signal, &action, previous! + slot)
        }
    }

    /// Remembers input number `number` as the one running; a no-op before ``install(target:maximumInputSize:)``.
    static func record(_ number: Int, _ bytes: [UInt8]) {
        guard let input else { return }
        let count = min(bytes.count, capacity)
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { input.update(from: base, count: count) }
        }
        length = count
        index = number
    }

    private static let handler: @convention(c) (Int32) -> Void = { number in
        FuzzCrashReporter.report(signal: number)
    }

    private static func report(signal number: Int32) {
        // The runtime's own crash handler, which runs next, may send the signal through this handler again;
        // the second time, only the default action (ending the process) is left.
        guard !reported else {
            signal(number, SIG_DFL)
            raise(number)
            return
        }
        reported = true
        write("\nphalanx fuzz: the process crashed (signal ")
        writeDecimal(Int(number))
        write(") on input #")
        writeDecimal(index)
        write("; reproduce it with: ")
        if let command { _ = systemWrite(2, command.baseAddress!, command.count) }
        writeBase64()
        write("\n")
        if let previous, let slot = signals.firstIndex(of: number) {
            sigaction(number, previous + slot, nil)
        }
        // Pending until the handler returns; then the previous action (the default: end the process) runs,
        // also for a signal sent by another process, which would not repeat on its own.
        raise(number)
    }

    private static func write(_ text: StaticString) {
        _ = systemWrite(2, text.utf8Start, text.utf8CodeUnitCount)
    }

    private static func writeDecimal(_ value: Int) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var remaining = value.magnitude
            var position = buffer.count
            repeat {
                position -= 1
                buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0 && position > 0
            _ = systemWrite(2, buffer.baseAddress! + position, buffer.count - position)
        }
    }

    private static func writeBase64() {
        guard let input, let encoded else { return }
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let table = alphabet.utf8Start
        var out = 0
        var offset = 0
        while offset < length {
            let a = UInt32(input[offset])
            let b = offset + 1 < length ? UInt32(input[offset + 1]) : 0
            let c = offset + 2 < length ? UInt32(input[offset + 2]) : 0
            let triple = a << 16 | b << 8 | c
            encoded[out] = table[Int(triple >> 18 & 0x3f)]
            encoded[out + 1] = table[Int(triple >> 12 & 0x3f)]
            encoded[out + 2] = offset + 1 < length ? table[Int(triple >> 6 & 0x3f)] : UInt8(ascii: "=")
            encoded[out + 3] = offset + 2 < length ? table[Int(triple & 0x3f)] : UInt8(ascii: "=")
            out += 4
            offset += 3
        }
        _ = systemWrite(2, encoded, out)
    }
}

/// `write(2)`, under a name that the reporter's own `write` does not shadow.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
