import ArgumentParser
import Foundation

/// The exit codes of `phalanx`, documented in `docs/cli.md`. They follow the BSD `sysexits.h` convention.
public enum PhalanxExit: Int32, CaseIterable, Sendable {
    /// Success.
    case ok = 0
    /// The command ran, and what it checked failed: a signature or chain did not verify, a job was refused
    /// at admission, or the demo's job did not end the way its scenario expects.
    case checkFailed = 1
    /// Wrong command-line usage (argument parser).
    case usage = 64
    /// An input file is malformed (manifest, frame, guardrails.yaml, key file…).
    case malformedInput = 65
    /// An input file does not exist or cannot be read.
    case missingInput = 66
    /// A bug in Phalanx.
    case internalError = 70
    /// An output file already exists (Phalanx never overwrites keys) or cannot be created.
    case cannotCreate = 73
    /// Writing an output failed midway; nothing partial is left behind.
    case ioError = 74

    public var meaning: String {
        switch self {
        case .ok: "success"
        case .checkFailed: "what was checked failed (verification, admission, or the demo's expected outcome)"
        case .usage: "wrong command-line usage"
        case .malformedInput: "an input file is malformed"
        case .missingInput: "an input file is missing or unreadable"
        case .internalError: "internal error (please report it)"
        case .cannotCreate: "an output already exists or cannot be created"
        case .ioError: "an output could not be written"
        }
    }
}

/// An error the CLI reports as one clear message, a hint on what to do next, and a documented exit code.
public struct CLIError: Error, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public let exit: PhalanxExit

    public init(_ exit: PhalanxExit, _ message: String, hint: String? = nil) {
        self.exit = exit
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

/// Runs a command body, turning ``CLIError`` into a message on stderr and its exit code.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as CLIError {
        var text = "error: \(error.message)\n"
        if let hint = error.hint { text += "hint: \(hint)\n" }
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(error.exit.rawValue)
    }
}
