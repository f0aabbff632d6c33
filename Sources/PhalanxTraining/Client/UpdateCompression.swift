import PhalanxCore

/// How an organization shrinks its update before sending it, and what the aggregator reconstructs.
///
/// - **Stochastic quantization** to `bits` per parameter (QSGD-style; Alistarh et al., NeurIPS 2017): the values
///   are mapped onto 2^bits − 1 even steps between their minimum and maximum, each rounded up with probability equal
///   to its fractional part, so the reconstruction is unbiased. Eight bits cut a Float32 update about 4×.
/// - **Top-k sparsification with error feedback** (Stich, Cordonnier & Jaggi, NeurIPS 2018): only the k
///   largest-magnitude entries are sent (as index and value); what was left out — and any quantization error — is
///   added to the next round's update, so nothing is lost for good, only delayed.
///
/// The two compose (top-k first, then the kept values quantized). Uncompressed updates count as Float32.
public struct UpdateCompression: Hashable, Sendable, Codable {
    /// Bits per sent value for stochastic quantization (1–16), or `nil` for Float32.
    public var quantizationBits: Int?
    /// The fraction of parameters top-k keeps (0 < f ≤ 1), or `nil` to send all.
    public var topKFraction: Double?

    public init(quantizationBits: Int? = nil, topKFraction: Double? = nil) {
        self.quantizationBits = quantizationBits
        self.topKFraction = topKFraction
    }

    public static let none = UpdateCompression()

    public var isNone: Bool { quantizationBits == nil && topKFraction == nil }

    /// A short description for reports: `none`, `8-bit`, `top-1%`, `top-1% 8-bit`.
    public var summary: String {
        var parts: [String] = []
        if let topKFraction { parts.append("top-\(Self.percent(topKFraction))") }
        if let quantizationBits { parts.append("\(quantizationBits)-bit") }
        return parts.isEmpty ? "none" : parts.joined(separator: " ")
    }

    private static func percent(_ f: Double) -> String {
        let p = f * 100
        return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
    }

    public func validate() throws(TrainingPlanError) {
        if let bits = quantizationBits, !(1...16).contains(bits) {
            throw TrainingPlanError("--quantize: bits per value must be within 1…16, got \(bits)")
        }
        if let f = topKFraction, !(f.isFinite && f > 0 && f <= 1) {
            throw TrainingPlanError("--top-k: the fraction of parameters kept must be in (0, 1], got \(f)")
        }
    }

    /// The bytes of an uncompressed update of `dimension` parameters.
    public static func uncompressedBytes(dimension: Int) -> Int { 4 * dimension }
}

/// One organization's compressor: it keeps the error-feedback residual between rounds.
public struct UpdateCompressor: Sendable {
    public let compression: UpdateCompression
    private var residual: [Double] = []
    private var dither: SplitMix64

    public init(compression: UpdateCompression, seed: UInt64) {
        self.compression = compression
        self.dither = SplitMix64(seed: seed)
    }

    /// What the aggregator reconstructs from the compressed `delta`, and the bytes sent.
    public mutating func compress(_ delta: [Double]) -> (reconstructed: [Double], bytes: Int) {
        let dimension = delta.count
        guard !compression.isNone else {
            return (delta.map { Double(Float($0)) }, UpdateCompression.uncompressedBytes(dimension: dimension))
        }
        var input = delta
        let feedback = compression.topKFraction != nil
        if feedback {
            if residual.count != dimension { residual = [Double](repeating: 0, count: dimension) }
            for i in 0..<dimension { input[i] += residual[i] }
        }
        // The positions sent, in increasing order.
        let positions: [Int]
        if let fraction = compression.topKFraction {
            let k = max(1, min(dimension, Int((fraction * Double(dimension)).rounded(.up))))
            positions = Self.largestMagnitudes(input, count: k).sorted()
        } else {
            positions = Array(0..<dimension)
        }
        var values = positions.map { input[$0] }
        let valueBytes: Int
        if let bits = compression.quantizationBits {
            values = quantize(values, bits: bits)
            valueBytes = (values.count * bits + 7) / 8 + 8  // the packed levels, then minimum and step as Float32
        } else {
            values = values.map { Double(Float($0)) }
            valueBytes = 4 * values.count
        }
        var reconstructed = [Double](repeating: 0, count: dimension)
        for (position, value) in zip(positions, values) { reconstructed[position] = value }
        if feedback {
            for i in 0..<dimension { residual[i] = input[i] - reconstructed[i] }
        }
        let indexBytes = compression.topKFraction == nil ? 0 : 4 * positions.count
        return (reconstructed, valueBytes + indexBytes)
    }

    /// Unbiased stochastic rounding onto 2^bits − 1 steps between the minimum and the maximum.
    private mutating func quantize(_ values: [Double], bits: Int) -> [Double] {
        guard let low = values.min(), let high = values.max(), high > low else {
            return values.map { Double(Float($0)) }
        }
        let lowF = Double(Float(low))
        let levels = Double((1 << bits) - 1)
        let step = Double(Float((high - lowF) / levels))
        guard step > 0 else { return values.map { Double(Float($0)) } }
        return values.map { value in
            let position = (value - lowF) / step
            let floor = position.rounded(.down)
            // A uniform draw in [0, 1) from the top 53 bits.
            let u = Double(dither.next() >> 11) * 0x1p-53
            let level = min(levels, max(0, u < position - floor ? floor + 1 : floor))
            return lowF + level * step
        }
    }

    /// The indices of the `count` entries of largest magnitude (ties broken by lower index).
    static func largestMagnitudes(_ values: [Double], count: Int) -> [Int] {
        guard count < values.count else { return Array(values.indices) }
        return values.indices.sorted { a, b in
            let (x, y) = (abs(values[a]), abs(values[b]))
            return x != y ? x > y : a < b
        }.prefix(count).map { $0 }
    }
}
