import Foundation
import PhalanxCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the files of a PKI directory with the guarantees the PKI promises: errors name the
/// file, a reader never sees half a file, and private keys are created with mode 0600 from the first byte.
enum PKIFiles {
    /// Reads a whole file; `what` names it in errors ("CA certificate", "TLS key"…).
    static func read(_ path: String, what: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PKIError(.missingFile, path: path, "\(what) does not exist")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PKIError(.missingFile, path: path, "cannot read the \(what); check the file's permissions")
        }
        return [UInt8](data)
    }

    /// Reads a private key file straight into a zero-on-free buffer, wiping the temporary copy.
    static func readSecret(_ path: String, what: String) throws -> SecretBytes {
        var bytes = try read(path, what: what)
        defer { SecretBytes.wipe(&bytes) }
        return SecretBytes(bytes)
    }

    /// Reads a UTF-8 text file (a PEM certificate, JSON).
    static func readText(_ path: String, what: String) throws -> String {
        let bytes = try read(path, what: what)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PKIError(.malformedFile, path: path, "the \(what) is not UTF-8 text")
        }
        return text
    }

    /// Writes `bytes` to `path` atomically: into a temporary file in the same directory (created with `mode`,
    /// flushed to disk), then moved into place. With `exclusive`, an existing `path` is never replaced: the
    /// temporary file is hard-linked to `path`, which fails atomically if `path` exists.
    static func store(
        _ bytes: UnsafeRawBufferPointer, to path: String, mode: mode_t, exclusive: Bool = false
    ) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temporary = (directory as NSString).appendingPathComponent(".\(name).tmp-\(UInt64.random(in: 0 ... .max))")
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw PKIError(.ioFailure, path: path, "cannot create a temporary file next to it: \(errorText())")
        }
        // The process umask may have narrowed the mode; set it exactly.
        _ = fchmod(fd, mode)
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 {
                let reason = errorText()
                close(fd)
                unlink(temporary)
                throw PKIError(.ioFailure, path: path, "cannot write: \(reason)")
            }
            offset += n
        }
        guard fsync(fd) == 0 else {
            let reason = errorText()
            close(fd)
            unlink(temporary)
            throw PKIError(.ioFailure, path: path, "cannot flush to disk: \(reason)")
        }
        close(fd)
        if exclusive {
            let linked = link(temporary, path)
            let code = errno
            unlink(temporary)
            guard linked == 0 else {
                if code == EEXIST {
                    throw PKIError(.alreadyExists, path: path, "already exists; Phalanx never overwrites it")
                }
                throw PKIError(.ioFailure, path: path, "cannot create: \(String(cString: strerror(code)))")
            }
        } else if rename(temporary, path) != 0 {
            let reason = errorText()
            unlink(temporary)
            throw PKIError(.ioFailure, path: path, "cannot move the new file into place: \(reason)")
        }
        syncDirectory(directory)
    }

    /// Stores public text (a certificate, JSON) atomically.
    static func store(_ text: String, to path: String, mode: mode_t = 0o644, exclusive: Bool = false) throws {
        try Array(text.utf8).withUnsafeBytes { try store($0, to: path, mode: mode, exclusive: exclusive) }
    }

    /// Stores a private key atomically with mode 0600, without copying it out of its zero-on-free buffer.
    static func store(_ secret: SecretBytes, to path: String, exclusive: Bool = false) throws {
        try secret.withUnsafeBytes { try store($0, to: path, mode: 0o600, exclusive: exclusive) }
    }

    /// Creates `path` (and its parents) if missing, with `mode` on the directories it creates.
    static func makeDirectory(_ path: String, mode: mode_t) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: Int(mode)])
        } catch {
            throw PKIError(.ioFailure, path: path, "cannot create the directory: \(error.localizedDescription)")
        }
    }

    /// Runs `body` holding an exclusive `flock(2)` on `directory/.lock`, so that two `phalanx pki` processes
    /// cannot interleave their read-modify-write of `index.json` and `revocations.json`.
    static func withLock<R>(_ directory: String, _ body: () throws -> R) throws -> R {
        let lockPath = (directory as NSString).appendingPathComponent(".lock")
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw PKIError(.ioFailure, path: lockPath, "cannot open the lock file: \(errorText())")
        }
        defer { close(fd) }  // closing releases the lock
        guard flock(fd, LOCK_EX) == 0 else {
            throw PKIError(.ioFailure, path: lockPath, "cannot lock: \(errorText())")
        }
        return try body()
    }

    /// Flushes a directory so that a rename into it survives a crash.
    private static func syncDirectory(_ directory: String) {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
