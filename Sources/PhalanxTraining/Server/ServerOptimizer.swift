/// How the server turns the aggregated update Δ into the next global model. FedAvg is plain SGD on −Δ with step
/// 1; the adaptive ones are those of Reddi et al., "Adaptive Federated Optimization" (ICLR 2021), which help when
/// organizations' data differ and their updates point different ways.
public enum ServerOptimizerKind: Hashable, Sendable, Codable {
    /// x ← x + η·m with m = β·m + Δ (β = 0: FedAvg; β > 0: FedAvgM, Hsu et al. 2019).
    case sgd(learningRate: Double, momentum: Double)
    /// FedAdam: m = β₁m + (1 − β₁)Δ, v = β₂v + (1 − β₂)Δ², x ← x + η·m / (√v + τ).
    case adam(learningRate: Double, beta1: Double, beta2: Double, tau: Double)
    /// FedYogi: as FedAdam, but v = v − (1 − β₂)·Δ²·sign(v − Δ²), which grows v more slowly.
    case yogi(learningRate: Double, beta1: Double, beta2: Double, tau: Double)

    public static let fedAvg = ServerOptimizerKind.sgd(learningRate: 1, momentum: 0)
    public static let fedAdam = ServerOptimizerKind.adam(learningRate: 0.05, beta1: 0.9, beta2: 0.99, tau: 1e-3)
    public static let fedYogi = ServerOptimizerKind.yogi(learningRate: 0.05, beta1: 0.9, beta2: 0.99, tau: 1e-3)

    public var name: String {
        switch self {
        case .sgd(let eta, let beta): beta == 0 ? "SGD (η = \(eta))" : "SGD with momentum (η = \(eta), β = \(beta))"
        case .adam(let eta, _, _, let tau): "Adam (η = \(eta), τ = \(tau))"
        case .yogi(let eta, _, _, let tau): "Yogi (η = \(eta), τ = \(tau))"
        }
    }

    /// What is wrong with the settings, or `nil`.
    public var problem: String? {
        func unit(_ x: Double) -> Bool { x.isFinite && x >= 0 && x < 1 }
        switch self {
        case .sgd(let eta, let beta):
            return eta.isFinite && eta > 0 && unit(beta) ? nil : "server SGD needs η > 0 and momentum in [0, 1)"
        case .adam(let eta, let b1, let b2, let tau), .yogi(let eta, let b1, let b2, let tau):
            return eta.isFinite && eta > 0 && unit(b1) && unit(b2) && tau.isFinite && tau > 0
                ? nil : "the server optimizer needs η > 0, β₁ and β₂ in [0, 1) and τ > 0"
        }
    }
}

/// A server optimizer with its state (moments) across rounds.
public struct ServerOptimizer: Sendable {
    public let kind: ServerOptimizerKind
    private var first: [Double] = []
    private var second: [Double] = []

    public init(_ kind: ServerOptimizerKind) { self.kind = kind }

    /// Moves `model` by the aggregated update `delta`.
    public mutating func step(_ model: inout [Double], delta: [Double]) {
        precondition(model.count == delta.count, "update and model of different dimensions")
        let n = model.count
        if first.count != n { first = [Double](repeating: 0, count: n) }
        switch kind {
        case .sgd(let eta, let beta):
            for i in 0..<n {
                first[i] = beta * first[i] + delta[i]
                model[i] += eta * first[i]
            }
        case .adam(let eta, let b1, let b2, let tau), .yogi(let eta, let b1, let b2, let tau):
            if second.count != n { second = [Double](repeating: tau * tau, count: n) }
            let yogi = if case .yogi = kind { true } else { false }
            for i in 0..<n {
                let d = delta[i]
                first[i] = b1 * first[i] + (1 - b1) * d
                let square = d * d
                if yogi {
                    let sign: Double = second[i] > square ? 1 : (second[i] < square ? -1 : 0)
                    second[i] -= (1 - b2) * square * sign
                } else {
                    second[i] = b2 * second[i] + (1 - b2) * square
                }
                model[i] += eta * first[i] / (second[i].squareRoot() + tau)
            }
        }
    }
}
