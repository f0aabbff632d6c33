import ArgumentParser
import Foundation
import PhalanxDP

/// `phalanx dp calibrate`: the least noise multiplier that keeps a mechanism within (ε, δ).
struct DPCalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Find the smallest noise multiplier for which --steps runs stay within (ε, δ).",
        discussion: """
            Brackets and bisects like dp-accounting's calibrate_dp_mechanism, to within 1e-6 of the smallest \
            multiplier that meets the target; the multiplier printed always meets it (the ε it achieves is \
            printed too). Example: --epsilon 1 --mechanism subsampled-gaussian --sampling-rate 0.01 --steps 1000 \
            --delta 1e-5 needs a noise multiplier of about 1.513122 under RDP.
            """
    )

    @Option(name: .long, parsing: .unconditional, help: "The target ε (> 0).")
    var epsilon: Double

    @OptionGroup var event: DPEventOptions

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        try DPValidation.requirePositive(epsilon, "--epsilon")
    }

    /// What `dp calibrate --json` prints (docs/cli.md).
    struct Report: Encodable, Equatable {
        var accountant: DPAccountantName
        /// What was accounted: `gaussian`, `laplace`, `subsampled-gaussian` or `subsampled-laplace`.
        var mechanism: String
        var samplingRate: Double
        var steps: Int
        var delta: Double
        var targetEpsilon: Double
        /// The multiplier found, in full precision: ε(noiseMultiplier) ≤ targetEpsilon.
        var noiseMultiplier: Double
        /// ε at ``noiseMultiplier``.
        var epsilon: Double
        /// The search's tolerance on the multiplier.
        var tolerance: Double
        /// How many times ε was computed.
        var evaluations: Int

        var text: String {
            let sampling = samplingRate < 1 ? ", sampling rate \(samplingRate)" : ""
            return """
                noise multiplier: \(noiseMultiplier)
                epsilon:          \(epsilon.epsilonText) (target \(targetEpsilon))
                delta:            \(delta)
                accountant:       \(accountant.rawValue)
                mechanism:        \(mechanism)\(sampling)
                steps:            \(steps)
                search:           \(evaluations) evaluations, tolerance \(tolerance)

                """
        }
    }

    /// Computes the report; nothing is printed.
    func report() throws -> Report {
        let tolerance = NoiseCalibration.defaultTolerance
        let result: NoiseCalibration.Result
        do throws(DPError) {
            result = try NoiseCalibration.noiseMultiplier(
                targetEpsilon: epsilon, delta: event.delta, mechanism: event.libraryMechanism,
                samplingRate: event.rate, steps: event.steps, accountant: event.calibrationAccountant,
                tolerance: tolerance)
        } catch {
            throw DPValidation.usageError(error)
        }
        return Report(
            accountant: event.accountant, mechanism: event.accountedMechanism, samplingRate: event.rate,
            steps: event.steps, delta: event.delta, targetEpsilon: epsilon, noiseMultiplier: result.noiseMultiplier,
            epsilon: result.epsilon, tolerance: tolerance, evaluations: result.evaluations)
    }

    func run() async throws {
        try await reportingErrors {
            let report = try report()
            if json { return try DPCommand.printJSON(report) }
            print(report.text, terminator: "")
        }
    }
}
