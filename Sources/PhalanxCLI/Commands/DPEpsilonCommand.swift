import ArgumentParser
import Foundation
import PhalanxDP

/// `phalanx dp epsilon`: the ε of a mechanism run `--steps` times, at a δ.
struct DPEpsilonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "epsilon",
        abstract: "Compute ε for a noise multiplier, sampling rate, number of steps and δ.",
        discussion: """
            Prints the smallest ε for which --steps runs of the mechanism are (ε, δ)-DP, and for the RDP \
            accountant the Rényi order attaining it. Example (DP-SGD): --mechanism subsampled-gaussian \
            --noise-multiplier 1.1 --sampling-rate 0.01 --steps 1000 --delta 1e-5 gives ε = 1.711770 (order 9.6).
            """
    )

    @OptionGroup var event: DPEventOptions

    @Option(
        name: .long, parsing: .unconditional,
        help: "Noise scale ÷ sensitivity (L2 for Gaussian noise, L1 for Laplace noise); > 0.")
    var noiseMultiplier: Double

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        try DPValidation.requirePositive(noiseMultiplier, "--noise-multiplier")
    }

    /// What `dp epsilon --json` prints (docs/cli.md).
    struct Report: Encodable, Equatable {
        var accountant: DPAccountantName
        /// What was accounted: `gaussian`, `laplace`, `subsampled-gaussian` or `subsampled-laplace`.
        var mechanism: String
        var noiseMultiplier: Double
        var samplingRate: Double
        var steps: Int
        var delta: Double
        /// `nil` (JSON `null`) when no finite ε exists at this δ.
        var epsilon: Double?
        /// The Rényi order attaining ε (RDP only; `nil` for PLD or an infinite ε).
        var order: Double?

        enum CodingKeys: String, CodingKey {
            case accountant, mechanism, noiseMultiplier, samplingRate, steps, delta, epsilon, order
        }

        func encode(to encoder: any Encoder) throws {
            // Explicit nulls: the object has the same keys whatever the accountant.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(accountant, forKey: .accountant)
            try container.encode(mechanism, forKey: .mechanism)
            try container.encode(noiseMultiplier, forKey: .noiseMultiplier)
            try container.encode(samplingRate, forKey: .samplingRate)
            try container.encode(steps, forKey: .steps)
            try container.encode(delta, forKey: .delta)
            try container.encode(epsilon, forKey: .epsilon)
            try container.encode(order, forKey: .order)
        }

        var text: String {
            let accountantLine =
                switch (accountant, order) {
                case (.rdp, let order?): "rdp (optimal Rényi order \(order))"
                case (let other, _): other.rawValue
                }
            let sampling = samplingRate < 1 ? ", sampling rate \(samplingRate)" : ""
            return """
                epsilon:          \(epsilon?.epsilonText ?? "∞ (no finite ε at this δ)")
                delta:            \(delta)
                accountant:       \(accountantLine)
                mechanism:        \(mechanism)\(sampling)
                noise multiplier: \(noiseMultiplier)
                steps:            \(steps)

                """
        }
    }

    /// Computes the report; nothing is printed.
    func report() throws -> Report {
        let composed = event.event(noiseMultiplier: noiseMultiplier)
        let epsilon: Double
        var order: Double?
        do throws(DPError) {
            switch event.accountant {
            case .rdp:
                var accountant = RDPAccountant()
                try accountant.compose(composed)
                let optimal = try accountant.epsilonAndOptimalOrder(delta: event.delta)
                (epsilon, order) = (optimal.epsilon, optimal.order)
            case .pld:
                var accountant = try PLDAccountant()
                try accountant.compose(composed)
                epsilon = try accountant.epsilon(delta: event.delta)
            }
        } catch {
            throw DPValidation.usageError(error)
        }
        return Report(
            accountant: event.accountant, mechanism: event.accountedMechanism, noiseMultiplier: noiseMultiplier,
            samplingRate: event.rate, steps: event.steps, delta: event.delta, epsilon: epsilon.finiteOrNil,
            order: epsilon.isFinite ? order : nil)
    }

    func run() async throws {
        try await reportingErrors {
            let report = try report()
            if json { return try DPCommand.printJSON(report) }
            print(report.text, terminator: "")
        }
    }
}
