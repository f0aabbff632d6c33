import ArgumentParser
import Foundation
import PhalanxDP

struct DPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dp",
        abstract: "Differential-privacy accounting, calibration and budgets.",
        discussion: """
            ε for a noise level, the least noise for an ε, and the privacy budgets a federation has spent. The \
            accountants reproduce Google's dp-accounting 0.6.0 (add-or-remove-one neighbours): docs/dp-accounting.md.
            """,
        subcommands: [DPEpsilonCommand.self, DPCalibrateCommand.self, DPBudgetCommand.self, DPWindowsCommand.self]
    )

    static func printJSON(_ value: some Encodable) throws {
        print(String(decoding: try Files.encodeJSON(value), as: UTF8.self), terminator: "")
    }
}

/// The accountant that measures ε.
enum DPAccountantName: String, ExpressibleByArgument, CaseIterable, Encodable {
    /// Rényi DP (``RDPAccountant``): fast, an upper bound a few percent loose.
    case rdp
    /// Privacy loss distributions (``PLDAccountant``, interval 1e-4): tight, slower.
    case pld
}

/// A mechanism as named on the command line.
enum DPMechanismName: String, ExpressibleByArgument, CaseIterable {
    case gaussian
    case laplace
    case subsampledGaussian = "subsampled-gaussian"
}

/// The options that describe what ran — mechanism, sampling, steps — and the δ and accountant to judge it with;
/// shared by `dp epsilon` and `dp calibrate`.
///
/// `gaussian` and `laplace` run on a Poisson sample when `--sampling-rate` is below 1 (as a job's DP plan means
/// them); `subsampled-gaussian` is `gaussian` with the sampling rate required. Poisson-sampled Laplace noise is
/// analysed by the PLD accountant only.
struct DPEventOptions: ParsableArguments {
    @Option(name: .long, help: "rdp (Rényi DP, fast upper bound) or pld (privacy loss distribution, tight).")
    var accountant: DPAccountantName = .rdp

    @Option(
        name: .long,
        help: """
            gaussian, laplace or subsampled-gaussian. gaussian and laplace run on a Poisson sample when \
            --sampling-rate is below 1.
            """)
    var mechanism: DPMechanismName

    @Option(
        name: .long, parsing: .unconditional,
        help: "Poisson sampling rate q in (0, 1]: each record is in a step's sample with probability q (default 1).")
    var samplingRate: Double?

    @Option(name: .long, parsing: .unconditional, help: "How many times the mechanism runs (≥ 1).")
    var steps = 1

    @Option(name: .long, parsing: .unconditional, help: "δ in (0, 1).")
    var delta: Double

    /// The sampling rate the event uses: the given one, or 1.
    var rate: Double { samplingRate ?? 1 }

    /// The library's mechanism (sampling is carried by ``rate``).
    var libraryMechanism: NoiseCalibration.Mechanism {
        switch mechanism {
        case .gaussian, .subsampledGaussian: .gaussian
        case .laplace: .laplace
        }
    }

    /// The name of what is accounted, for output: `subsampled-` when the rate is below 1.
    var accountedMechanism: String {
        "\(rate < 1 ? "subsampled-" : "")\(libraryMechanism.rawValue)"
    }

    func validate() throws {
        if let samplingRate {
            guard samplingRate.isFinite, samplingRate > 0, samplingRate <= 1 else {
                throw ValidationError("--sampling-rate must be in (0, 1], got \(samplingRate)")
            }
        } else if mechanism == .subsampledGaussian {
            throw ValidationError("--mechanism subsampled-gaussian needs --sampling-rate Q, with Q in (0, 1]")
        }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        try DPValidation.requireOpenUnitInterval(delta, "--delta")
        if mechanism == .laplace, rate < 1, accountant == .rdp {
            throw ValidationError(
                """
                --accountant rdp cannot analyse Laplace noise on a Poisson sample (--sampling-rate \(rate)); \
                use --accountant pld
                """)
        }
    }

    /// `steps` runs of the mechanism.
    func event(noiseMultiplier: Double) -> PrivacyEvent {
        libraryMechanism.event(noiseMultiplier: noiseMultiplier, samplingRate: rate, steps: steps)
    }

    /// The library's accountant choice, for calibration.
    var calibrationAccountant: NoiseCalibration.Accountant {
        switch accountant {
        case .rdp: .rdp
        case .pld: .pld
        }
    }
}

/// Checks of option values, with the wording of ``DPError``'s messages and the option's name.
enum DPValidation {
    static func requirePositive(_ value: Double, _ option: String) throws {
        guard value.isFinite, value > 0 else { throw ValidationError("\(option) must be finite and > 0, got \(value)") }
    }

    static func requireOpenUnitInterval(_ value: Double, _ option: String) throws {
        guard value.isFinite, value > 0, value < 1 else {
            throw ValidationError("\(option) must be in (0, 1), got \(value)")
        }
    }

    /// A ``DPError`` from the accountants as a usage error naming the option, with what to do next.
    static func usageError(_ error: DPError) -> CLIError {
        let options = [
            "delta": "--delta", "samplingRate": "--sampling-rate", "noiseMultiplier": "--noise-multiplier",
            "targetEpsilon": "--epsilon", "steps": "--steps", "count": "--steps", "mechanism": "--mechanism",
            "event": "--mechanism",
        ]
        let option = error.parameter.flatMap { options[$0] }
        let hint: String? =
            switch error.code {
            case .distributionTooLarge: "use fewer --steps, or --accountant rdp"
            case .calibrationFailed: "raise --epsilon or --delta, or use fewer --steps"
            case .unsupportedEvent: "use --accountant pld"
            default: nil
            }
        return CLIError(.usage, option.map { "\($0): \(error.message)" } ?? error.message, hint: hint)
    }
}

extension Double {
    /// ε for people: six decimals, `∞` when there is no finite ε.
    var epsilonText: String { isFinite ? String(format: "%.6f", self) : "∞" }

    /// `nil` for ∞ (JSON has no infinity).
    var finiteOrNil: Double? { isFinite ? self : nil }
}
