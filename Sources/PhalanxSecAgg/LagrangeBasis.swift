/// The Lagrange coefficients that interpolate a polynomial of degree `xs.count − 1` at 0 from its values at `xs`.
///
/// Building a basis costs O(t²) multiplications and one field inversion for t abscissas; applying it to one chunk
/// costs t multiplications. A server that reconstructs many secrets (every surviving client's mask seed, every
/// dropped client's key) from the same share holders builds the basis once and passes it to
/// ``Shamir/reconstruct(_:using:secretLength:)`` for each secret (Bonawitz et al., CCS 2017, §4 "Unmasking").
public struct LagrangeBasis: Sendable {
    /// The abscissas the basis interpolates from, in the order of ``coefficients``.
    public let xs: [UInt64]
    /// `coefficients[i]` is ℓᵢ(0) = Πₖ≠ᵢ xₖ / (xₖ − xᵢ); the secret is Σᵢ coefficients[i] · yᵢ.
    public let coefficients: [Field61]
    private let indexOfX: [UInt64: Int]

    /// Builds the basis for interpolating at 0 from these distinct, non-zero abscissas below 2⁶¹ − 1.
    public init(xs: [UInt64]) throws(ShamirError) {
        let nodes = try InterpolationNodes(xs: xs)
        self.init(nodes: nodes)
    }

    init(nodes: InterpolationNodes) {
        self.xs = nodes.xs.map(\.value)
        self.coefficients = nodes.coefficients(at: .zero)
        var indexOfX: [UInt64: Int] = [:]
        for (index, x) in xs.enumerated() { indexOfX[x] = index }
        self.indexOfX = indexOfX
    }

    /// The number of abscissas, which is the threshold of the sharings this basis reconstructs.
    public var count: Int { xs.count }

    /// The position of `x` in ``xs``, or `nil` when the basis does not use it.
    public func index(of x: UInt64) -> Int? { indexOfX[x] }

    /// Returns Σᵢ coefficients[i] · values[i], the value at 0 of the polynomial through `(xs[i], values[i])`.
    ///
    /// - Precondition: `values.count == count`.
    public func interpolate(_ values: [Field61]) -> Field61 {
        precondition(values.count == coefficients.count, "one value per abscissa of the basis")
        var sum = Field61.zero
        for index in values.indices { sum += coefficients[index] * values[index] }
        return sum
    }
}

/// Validated abscissas with their barycentric weights, from which Lagrange coefficients at any other point follow
/// with one inversion and O(t) multiplications.
struct InterpolationNodes: Sendable {
    let xs: [Field61]
    /// `inverseWeights[i]` is 1 / Πₖ≠ᵢ (xᵢ − xₖ).
    let inverseWeights: [Field61]

    /// Validates `xs` (non-empty, each in 1..<p, pairwise distinct) and computes the weights.
    init(xs rawXs: [UInt64]) throws(ShamirError) {
        guard !rawXs.isEmpty else { throw ShamirError(.belowThreshold, "no abscissas to interpolate from") }
        try Self.validate(rawXs)
        let xs = rawXs.map { Field61(unchecked: $0) }
        var weights = [Field61](repeating: .one, count: xs.count)
        for i in xs.indices {
            var product = Field61.one
            for k in xs.indices where k != i { product *= xs[i] - xs[k] }
            weights[i] = product
        }
        self.xs = xs
        self.inverseWeights = Self.batchInverse(weights)
    }

    /// Throws unless every abscissa is in 1..<p and no two are equal.
    static func validate(_ xs: [UInt64]) throws(ShamirError) {
        var seen = Set<UInt64>(minimumCapacity: xs.count)
        for x in xs {
            guard x != 0 else { throw ShamirError(.zeroX, "abscissa 0 is where the secret sits", x: x) }
            guard x < Field61.modulus else {
                throw ShamirError(.xOutOfField, "abscissa \(x) is not below 2^61 - 1", x: x)
            }
            guard seen.insert(x).inserted else { throw ShamirError(.duplicateX, "abscissa \(x) appears twice", x: x) }
        }
    }

    /// The coefficients cᵢ = ℓᵢ(point) = Πₖ≠ᵢ (point − xₖ) / (xᵢ − xₖ), for a point that is not one of the xs.
    func coefficients(at point: Field61) -> [Field61] {
        var differences = xs.map { point - $0 }
        var all = Field61.one
        for difference in differences { all *= difference }
        differences = Self.batchInverse(differences)
        var result = [Field61](repeating: .zero, count: xs.count)
        for i in xs.indices { result[i] = all * inverseWeights[i] * differences[i] }
        return result
    }

    /// Inverts every element with one field inversion (Montgomery's trick).
    ///
    /// - Precondition: no element is zero.
    static func batchInverse(_ values: [Field61]) -> [Field61] {
        guard !values.isEmpty else { return [] }
        var prefix = [Field61](repeating: .one, count: values.count)
        var running = Field61.one
        for i in values.indices {
            prefix[i] = running
            running *= values[i]
        }
        guard var inverse = running.inverse() else { preconditionFailure("batchInverse of a zero element") }
        var result = [Field61](repeating: .zero, count: values.count)
        for i in values.indices.reversed() {
            result[i] = inverse * prefix[i]
            inverse *= values[i]
        }
        return result
    }
}
