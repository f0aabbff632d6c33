/// A privacy accountant based on Rényi differential privacy, reproducing dp-accounting 0.6.0's `RdpAccountant`
/// (add-or-remove-one neighbours).
///
/// It keeps the RDP value of the composition at each order (composition adds them) and converts to (ε, δ) with
/// the bound of Canonne, Kamath, Steinke 2020, Prop. 12 (see ``RDPAccountant/epsilonAndOptimalOrder(delta:)``),
/// minimized over the orders. The result is an upper bound on the privacy loss; the ``PLDAccountant`` is tighter.
///
/// Supported events: ``PrivacyEvent/gaussian(noiseMultiplier:)``, ``PrivacyEvent/laplace(noiseMultiplier:)``,
/// ``PrivacyEvent/poissonSampledGaussian(samplingRate:noiseMultiplier:)``,
/// ``PrivacyEvent/distributedDiscreteGaussian(localSigma:contributors:l1Sensitivity:l2Sensitivity:dimension:)`` and
/// compositions of them.
/// ``PrivacyEvent/poissonSampledLaplace(samplingRate:noiseMultiplier:)`` is refused with
/// ``DPError/Code/unsupportedEvent``, as in dp-accounting.
public struct RDPAccountant: PrivacyAccountant, Hashable {
    /// dp-accounting's default orders: 1.1, 1.2, …, 10.9, then 11, 12, …, 63, then 128, 256, 512, 1024.
    public static let defaultOrders: [Double] = RenyiDivergence.defaultOrders

    /// The largest order accepted (the integer-order series has α + 1 terms).
    public static let maximumOrder = 100_000.0

    /// The Rényi orders α at which the privacy loss is tracked.
    public let orders: [Double]
    /// The RDP value of everything composed so far at each of ``orders``.
    public private(set) var rdp: [Double]

    /// An empty accountant tracking ``defaultOrders``.
    public init() {
        orders = Self.defaultOrders
        rdp = [Double](repeating: 0, count: orders.count)
    }

    /// An empty accountant tracking the given orders.
    ///
    /// - Throws: ``DPError`` (parameter `orders`) if the list is empty or an order is not finite, not > 1 or above
    ///   ``maximumOrder``.
    public init(orders: [Double]) throws(DPError) {
        guard !orders.isEmpty else {
            throw DPError(.invalidParameter, parameter: "orders", "at least one Rényi order is needed")
        }
        for order in orders where !(order.isFinite && order > 1 && order <= Self.maximumOrder) {
            throw DPError(
                .invalidParameter, parameter: "orders",
                "Rényi orders must be finite, > 1 and ≤ \(Self.maximumOrder), got \(order)")
        }
        self.orders = orders
        rdp = [Double](repeating: 0, count: orders.count)
    }

    public mutating func compose(_ event: PrivacyEvent, count: Int) throws(DPError) {
        try DPError.requireCount(count, "count")
        let mechanisms = try PrivacyEvent.selfComposed(event, count: count).mechanisms()
        for (mechanism, _) in mechanisms {
            if case .poissonSampledLaplace = mechanism {
                throw DPError(
                    .unsupportedEvent, parameter: "event",
                    "the RDP accountant supports Poisson sampling of the Gaussian mechanism only; "
                        + "use the PLD accountant"
                )
            }
        }
        var updated = rdp
        for (mechanism, times) in mechanisms {
            let weight = Double(times)
            for (index, order) in orders.enumerated() {
                let value: Double
                switch mechanism {
                case .gaussian(let sigma):
                    value = RenyiDivergence.gaussian(noiseMultiplier: sigma, order: order)
                case .laplace(let scale):
                    value = RenyiDivergence.laplace(noiseMultiplier: scale, order: order)
                case .poissonSampledGaussian(let q, let sigma):
                    value = RenyiDivergence.poissonSampledGaussian(
                        samplingRate: q, noiseMultiplier: sigma, order: order)
                case .poissonSampledLaplace:
                    value = .infinity  // refused above
                case .distributedDiscreteGaussian(let sigma, let n, let l1, let l2, let d):
                    value = RenyiDivergence.distributedDiscreteGaussian(
                        localSigma: sigma, contributors: n, l1Sensitivity: l1, l2Sensitivity: l2, dimension: d,
                        order: order)
                }
                updated[index] += weight * value
            }
        }
        rdp = updated
    }

    public func epsilon(delta: Double) throws(DPError) -> Double {
        try epsilonAndOptimalOrder(delta: delta).epsilon
    }

    /// The smallest ε over the orders for which the composition is (ε, `delta`)-DP, and the order attaining it.
    ///
    /// At each order α with RDP value r: ε(α) = r + log(1 − 1/α) − log(δα)/(α − 1) for α > 1.01 (Canonne, Kamath,
    /// Steinke 2020, Prop. 12; also Asoodeh et al. 2020, Eq. 20), and ε = 0 where δ ≥ √(1 − e^{−r})
    /// (the KL bound); this is dp-accounting's `compute_epsilon`.
    ///
    /// - Throws: ``DPError`` if `delta` is not in (0, 1).
    public func epsilonAndOptimalOrder(delta: Double) throws(DPError) -> (epsilon: Double, order: Double) {
        try DPError.requireOpenUnitInterval(delta, "delta")
        return RenyiDivergence.epsilon(orders: orders, rdp: rdp, delta: delta)
    }

    public func delta(epsilon: Double) throws(DPError) -> Double {
        try deltaAndOptimalOrder(epsilon: epsilon).delta
    }

    /// The smallest δ over the orders for which the composition is (`epsilon`, δ)-DP, and the order attaining it
    /// (dp-accounting's `compute_delta`): min(√(1 − e^{−r}), e^{(α−1)(r − ε + log(1 − 1/α)) − log α}).
    ///
    /// - Throws: ``DPError`` if `epsilon` is not finite and > 0.
    public func deltaAndOptimalOrder(epsilon: Double) throws(DPError) -> (delta: Double, order: Double) {
        try DPError.requirePositive(epsilon, "epsilon")
        return RenyiDivergence.delta(orders: orders, rdp: rdp, epsilon: epsilon)
    }
}
