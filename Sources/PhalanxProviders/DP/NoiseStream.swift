import PhalanxCore
import PhalanxDP

/// A cryptographically secure stream of random words for one session's noise: AES-256-CTR keyed with 32 bytes from
/// the operating system's generator. Dropping the stream wipes the key and the buffered keystream (on abort, or
/// when the job ends), so noise already added can never be recomputed from what the process keeps.
final class NoiseStream {
    private var generator: SeededSecureRandom

    init() throws {
        var seed = SecureRandom().bytes(SeededSecureRandom.seedByteCount)
        defer { seed.withUnsafeMutableBytes { _ = $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        generator = try SeededSecureRandom(seed: seed)
    }

    func gaussian(_ distribution: DiscreteGaussian, count: Int) -> [Int64] {
        distribution.samples(count, using: &generator)
    }

    func laplace(_ distribution: DiscreteLaplace, count: Int) -> [Int64] {
        distribution.samples(count, using: &generator)
    }
}

/// The noise the aggregator adds to each completed sum (central DP).
enum AggregatorNoise {
    case gaussian(DiscreteGaussian)
    case laplace(DiscreteLaplace)

    func draw(_ count: Int, from stream: NoiseStream) -> [Int64] {
        switch self {
        case .gaussian(let d): stream.gaussian(d, count: count)
        case .laplace(let d): stream.laplace(d, count: count)
        }
    }
}

/// A node's share of distributed noise: N_ℤ(0, σ²/m) per component, clamped to ±`clamp` so that the 32-bit
/// secure sum cannot wrap (the probability of clamping is charged to δ by the plan).
struct NoiseShares {
    let distribution: DiscreteGaussian
    let clamp: Int64

    init(variance: Rational, clamp: Int64) throws {
        distribution = try DiscreteGaussian(sigmaSquared: variance)
        self.clamp = clamp
    }

    func draw(_ count: Int, from stream: NoiseStream) -> [Int64] {
        stream.gaussian(distribution, count: count).map { min(max($0, -clamp), clamp) }
    }
}

extension [Int64] {
    /// Adds `noise` componentwise, refusing (rather than wrapping) on overflow.
    func adding(_ noise: [Int64], provider: String) throws -> [Int64] {
        try zip(self, noise).enumerated().map { i, pair in
            let (sum, overflow) = pair.0.addingReportingOverflow(pair.1)
            guard !overflow else {
                throw ProviderError(provider: provider, message: "adding noise overflows Int64 at component \(i)")
            }
            return sum
        }
    }
}
