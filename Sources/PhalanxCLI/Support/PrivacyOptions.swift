import ArgumentParser

/// `--epsilon` and `--delta`: the (ε, δ) a job on `dp` or `dp+secagg` is calibrated for, all rounds composed.
struct PrivacyOptions: ParsableArguments {
    @Option(name: .long, help: "dp, dp+secagg: ε of the whole job (all rounds).")
    var epsilon = 1.0

    @Option(name: .long, help: "dp, dp+secagg: δ of the whole job.")
    var delta = 1e-6

    func validate() throws {
        guard epsilon.isFinite, epsilon > 0 else { throw ValidationError("--epsilon must be a positive number") }
        guard delta.isFinite, delta > 0, delta < 1 else { throw ValidationError("--delta must be in (0, 1)") }
    }
}
