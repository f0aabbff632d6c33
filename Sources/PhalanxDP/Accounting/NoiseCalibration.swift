/// Finds the smallest noise multiplier that keeps a mechanism within a privacy budget, like dp-accounting's
/// `mechanism_calibration.calibrate_dp_mechanism`: ε is decreasing in the noise, so the multiplier is bracketed
/// by doubling steps from [0, 1] and then bisected until the bracket is narrower than the tolerance. The upper
/// end of the final bracket is returned, so the result always meets the target (ε ≤ target) and is within the
/// tolerance of the smallest multiplier that does.
public enum NoiseCalibration {
    /// A noise mechanism to calibrate.
    public enum Mechanism: String, Sendable, Hashable, CaseIterable {
        /// Gaussian noise (on a Poisson sample when the sampling rate is below 1).
        case gaussian
        /// Laplace noise (on a Poisson sample when the sampling rate is below 1; PLD accountant only).
        case laplace

        /// The mechanism with this name (`"gaussian"` or `"laplace"`, as in a job's configuration).
        ///
        /// - Throws: ``DPError`` with code ``DPError/Code/unknownMechanism`` (parameter `mechanism`) for any
        ///   other name.
        public init(name: String) throws(DPError) {
            guard let mechanism = Self(rawValue: name) else {
                throw DPError(
                    .unknownMechanism, parameter: "mechanism",
                    "unknown mechanism \"\(name)\"; known: \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self = mechanism
        }

        /// The event of `steps` runs of this mechanism with the given noise multiplier and sampling rate.
        public func event(noiseMultiplier: Double, samplingRate: Double, steps: Int) -> PrivacyEvent {
            let single: PrivacyEvent
            switch (self, samplingRate == 1) {
            case (.gaussian, true): single = .gaussian(noiseMultiplier: noiseMultiplier)
            case (.gaussian, false):
                single = .poissonSampledGaussian(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
            case (.laplace, true): single = .laplace(noiseMultiplier: noiseMultiplier)
            case (.laplace, false):
                single = .poissonSampledLaplace(samplingRate: samplingRate, noiseMultiplier: noiseMultiplier)
            }
            return .selfComposed(single, count: steps)
        }
    }

    /// Which accountant measures ε during the search.
    public enum Accountant: Sendable, Hashable {
        /// ``RDPAccountant`` with these orders.
        case rdp(orders: [Double] = RDPAccountant.defaultOrders)
        /// ``PLDAccountant`` with this discretization interval.
        case pld(valueDiscretizationInterval: Double = PrivacyLossDistribution.defaultValueDiscretizationInterval)

        /// ``RDPAccountant`` with the default orders.
        public static let rdp = Accountant.rdp()
        /// ``PLDAccountant`` with the default interval 1e-4.
        public static let pld = Accountant.pld()
    }

    /// The outcome of a calibration.
    public struct Result: Sendable, Hashable {
        /// The noise multiplier found: ε(noiseMultiplier) ≤ target, and some multiplier within the tolerance
        /// below it misses the target.
        public let noiseMultiplier: Double
        /// ε at ``noiseMultiplier`` for the requested δ.
        public let epsilon: Double
        /// How many times ε was computed.
        public let evaluations: Int
    }

    /// dp-accounting's default tolerance for continuous parameters.
    public static let defaultTolerance = 1e-6

    /// The smallest noise multiplier (within `tolerance`) for which `steps` runs of `mechanism` at
    /// `samplingRate` are (`targetEpsilon`, `delta`)-DP under `accountant`.
    ///
    /// - Throws: ``DPError`` for a target ε ≤ 0, δ outside (0, 1), a sampling rate outside (0, 1], steps < 1, a
    ///   tolerance ≤ 0, an unsupported mechanism/accountant pair, or no multiplier found within 30 doublings of
    ///   the bracket (about 2³¹).
    public static func noiseMultiplier(
        targetEpsilon: Double, delta: Double, mechanism: Mechanism, samplingRate: Double = 1, steps: Int,
        accountant: Accountant = .rdp, tolerance: Double = defaultTolerance
    ) throws(DPError) -> Result {
        try DPError.requireSamplingRate(samplingRate, "samplingRate")
        try DPError.requireCount(steps, "steps")
        if mechanism == .laplace, samplingRate < 1, case .rdp = accountant {
            throw DPError(
                .unsupportedEvent, parameter: "mechanism",
                "the RDP accountant cannot analyse Poisson-sampled Laplace noise; use the PLD accountant")
        }
        let makeEvent = { (z: Double) in mechanism.event(noiseMultiplier: z, samplingRate: samplingRate, steps: steps) }
        switch accountant {
        case .rdp(let orders):
            let fresh = try RDPAccountant(orders: orders)
            return try smallestParameter(
                targetEpsilon: targetEpsilon, delta: delta, tolerance: tolerance, accountant: fresh, event: makeEvent)
        case .pld(let interval):
            let fresh = try PLDAccountant(valueDiscretizationInterval: interval)
            return try smallestParameter(
                targetEpsilon: targetEpsilon, delta: delta, tolerance: tolerance, accountant: fresh, event: makeEvent)
        }
    }

    /// The smallest positive parameter `z` (within `tolerance`) for which `accountant` with `event(z)` composed
    /// reports ε ≤ `targetEpsilon` at `delta`. ε must be non-increasing in `z`, and `z → 0` must mean no privacy.
    ///
    /// - Throws: ``DPError`` for invalid targets, errors from composing the events, or no `z` below about 2³¹
    ///   meeting the target.
    public static func smallestParameter<A: PrivacyAccountant>(
        targetEpsilon: Double, delta: Double, tolerance: Double = defaultTolerance, accountant: A,
        event: (Double) -> PrivacyEvent
    ) throws(DPError) -> Result {
        try DPError.requirePositive(targetEpsilon, "targetEpsilon")
        try DPError.requireOpenUnitInterval(delta, "delta")
        try DPError.requirePositive(tolerance, "tolerance")
        var evaluations = 0
        func epsilon(_ z: Double) throws(DPError) -> Double {
            evaluations += 1
            var fresh = accountant
            try fresh.compose(event(z))
            return try fresh.epsilon(delta: delta)
        }
        // Bracket like dp-accounting's LowerEndpointAndGuess(0, 1): [0, 1], then [1, 3], [3, 7], … ε at 0 is ∞.
        var low = 0.0
        var high = 1.0
        var gap = 1.0
        var highEpsilon = try epsilon(high)
        var tries = 0
        while highEpsilon > targetEpsilon {
            tries += 1
            guard tries <= 30 else {
                throw DPError(
                    .calibrationFailed, parameter: "targetEpsilon",
                    "no noise multiplier below \(high) reaches ε=\(targetEpsilon) at δ=\(delta)")
            }
            gap *= 2
            low = high
            high += gap
            highEpsilon = try epsilon(high)
        }
        while high - low > tolerance {
            let middle = (low + high) / 2
            guard middle > low, middle < high else { break }
            let middleEpsilon = try epsilon(middle)
            if middleEpsilon > targetEpsilon {
                low = middle
            } else {
                high = middle
                highEpsilon = middleEpsilon
            }
        }
        return Result(noiseMultiplier: high, epsilon: highEpsilon, evaluations: evaluations)
    }
}
