import Foundation
import PhalanxCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The agent's signing key in its state directory: `agent.key` (PKCS#8 PEM, mode 0600) and `agent.pub`.
///
/// Created on first start; afterwards it must be the same agent's key and readable by its owner only — a key others
/// can read is refused rather than used, since anyone holding it can sign acknowledgements and ledger checkpoints
/// as the agent.
enum AgentKeyFile {
    static func loadOrCreate(directory: String, agent: ParticipantID) throws(AgentServerError) -> SigningIdentity {
        let path = directory + "/agent.key"
        if FileManager.default.fileExists(atPath: path) { return try load(path: path, agent: agent) }
        let identity = SigningIdentity.generate(id: agent, role: .node)
        let secret = KeyFile.privateKeyFile(for: identity)
        do {
            try secret.withUnsafeBytes { bytes in try createExclusive(path, bytes: bytes) }
        } catch let error as AgentServerError {
            throw error
        } catch {
            throw AgentServerError(file: path, message: "cannot create the agent's key: \(error)")
        }
        let publicPath = directory + "/agent.pub"
        do {
            try Data(KeyFile.publicKeyFile(for: identity.publicIdentity).utf8).write(
                to: URL(fileURLWithPath: publicPath), options: .atomic)
        } catch {
            throw AgentServerError(file: publicPath, message: "cannot write the agent's public key: \(error)")
        }
        return identity
    }

    static func load(path: String, agent: ParticipantID) throws(AgentServerError) -> SigningIdentity {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw AgentServerError(file: path, message: "cannot read the agent's key")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw AgentServerError(
                file: path,
                message: "the agent's key is readable by others (mode \(String(status.st_mode & 0o777, radix: 8))); "
                    + "run chmod 600 on it, or remove it and its ledger to start a new identity")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentServerError(file: path, message: "cannot read the agent's key")
        }
        let identity: SigningIdentity
        do { identity = try KeyFile.parsePrivateKey(SecretBytes(data)) } catch {
            throw AgentServerError(file: path, line: error.line, message: error.message)
        }
        guard identity.id == agent else {
            throw AgentServerError(
                file: path,
                message: "this is the key of \"\(identity.id)\", but the configuration's agent is \"\(agent)\"")
        }
        return identity
    }

    /// Creates `path` with mode 0600 and writes `bytes`, or fails without leaving a partial file.
    static func createExclusive(_ path: String, bytes: UnsafeRawBufferPointer) throws(AgentServerError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw AgentServerError(
                file: path, message: "cannot create the agent's key: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let written = write(fd, base + offset, bytes.count - offset)
            guard written > 0 else {
                unlink(path)
                throw AgentServerError(file: path, message: "cannot write the agent's key")
            }
            offset += written
        }
        guard fsync(fd) == 0 else {
            unlink(path)
            throw AgentServerError(file: path, message: "cannot flush the agent's key to disk")
        }
    }
}
