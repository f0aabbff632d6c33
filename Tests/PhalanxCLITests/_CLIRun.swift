import ArgumentParser

@testable import PhalanxCLI

/// Runs `phalanx` in process, as the binary does, for the command tests.
enum CLIRun {
    /// Parses and runs `arguments`; returns the exit code and, for a failure, the message argument-parser prints
    /// (a `CLIError` is printed to stderr inside the command).
    static func outcome(_ arguments: [String]) async -> (code: Int32, message: String) {
        do {
            var command = try PhalanxCommand.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return (0, "")
        } catch {
            return (PhalanxCommand.exitCode(for: error).rawValue, PhalanxCommand.message(for: error))
        }
    }

    /// The exit code of `arguments`.
    static func exitCode(_ arguments: [String]) async -> Int32 { await outcome(arguments).code }
}
