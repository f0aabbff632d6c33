import Foundation
import PhalanxCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// File reading and writing with the guarantees the CLI promises: clear errors, no overwriting of keys,
/// and no half-written files.
enum Files {
    /// Reads a whole file, or fails with exit code 66.
    static func read(_ path: String, what: String) throws -> [UInt8] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(.missingInput, "\(what) \(path) does not exist")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.missingInput, "cannot read \(what) \(path)", hint: "check the file's permissions")
        }
        return [UInt8](data)
    }

    /// Reads a key file into a zero-on-free buffer.
    static func readSecret(_ path: String) throws -> SecretBytes {
        var bytes = try read(path, what: "key file")
        defer { SecretBytes.wipe(&bytes) }
        return SecretBytes(bytes)
    }

    /// Writes `bytes` to `path` atomically: to a temporary file in the same directory, then renamed.
    /// Readers see either the old file or the complete new one.
    static func writeAtomically(_ bytes: some DataProtocol, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
        } catch {
            throw CLIError(.ioError, "cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Creates `path` exclusively with `mode` and writes `bytes`; refuses if it exists.
    /// On a failed write the partial file is removed.
    static func createExclusive(_ path: String, mode: mode_t, bytes: UnsafeRawBufferPointer) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let code = errno
            if code == EEXIST {
                throw CLIError(
                    .cannotCreate, "\(path) already exists; Phalanx never overwrites key files",
                    hint: "choose another --out directory or remove the old files yourself")
            }
            throw CLIError(.cannotCreate, "cannot create \(path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        // The process umask may have narrowed the mode; set it exactly.
        _ = fchmod(fd, mode)
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 {
                let code = errno
                unlink(path)
                throw CLIError(.ioError, "cannot write \(path): \(String(cString: strerror(code)))")
            }
            offset += n
        }
        guard fsync(fd) == 0 else {
            unlink(path)
            throw CLIError(.ioError, "cannot flush \(path) to disk")
        }
    }

    static func encodeJSON(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(value) + Data("\n".utf8)
        } catch {
            throw CLIError(.internalError, "cannot encode JSON: \(error)")
        }
    }

    /// One JSON document per line.
    static func encodeJSONLines(_ values: [some Encodable]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        for value in values {
            do {
                out += try encoder.encode(value)
            } catch {
                throw CLIError(.internalError, "cannot encode JSON: \(error)")
            }
            out += Data("\n".utf8)
        }
        return out
    }
}
