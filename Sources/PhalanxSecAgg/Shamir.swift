/// One holder's share of a secret: the abscissa `x` and, for each 7-byte chunk of the secret, the value at `x` of
/// that chunk's polynomial.
///
/// Decoding does not validate a share; ``Shamir`` does when the share is used. The description never shows the
/// values: t shares are the secret.
public struct ShamirShare: Hashable, Sendable, Codable, CustomStringConvertible, CustomReflectable {
    /// The abscissa, in 1..<2⁶¹ − 1 for a well-formed share.
    public let x: UInt64
    /// One field element (below 2⁶¹ − 1) per chunk of the secret, in chunk order.
    public let values: [UInt64]

    /// Creates a share from its parts; nothing is checked until the share is used.
    public init(x: UInt64, values: [UInt64]) {
        self.x = x
        self.values = values
    }

    public var description: String { "ShamirShare(x: \(x), \(values.count) values, redacted)" }
    public var customMirror: Mirror { Mirror(self, children: ["x": x]) }
}

/// Shamir's t-out-of-n secret sharing of byte strings over GF(2⁶¹ − 1) (Shamir, CACM 1979), as secure aggregation
/// uses it to share each client's key-agreement secret and mask seed (Bonawitz et al., CCS 2017, §3 and §4;
/// Bell et al., CCS 2020).
///
/// A secret of `L` bytes is cut into ⌈L/7⌉ chunks of 7 bytes (the last one may be shorter), each read as a
/// little-endian integer below 2⁵⁶, so every chunk is a field element without reduction. Each chunk is the constant
/// term of its own polynomial of degree t − 1 whose other coefficients are uniform field elements drawn from
/// `SystemRandomNumberGenerator`; a share is every polynomial evaluated at the holder's abscissa. Any t shares
/// determine the secret; any t − 1 are consistent with every secret, each with exactly one polynomial, so they
/// reveal nothing.
public enum Shamir {
    /// The number of secret bytes in one field element.
    public static let chunkByteCount = 7

    /// The number of chunks (values per share) for a secret of `secretLength` bytes, which must be positive.
    public static func chunkCount(secretLength: Int) -> Int {
        secretLength / chunkByteCount + (secretLength % chunkByteCount == 0 ? 0 : 1)
    }

    /// Splits `secret` into one share for each abscissa in `xs`, any `t` of which reconstruct it.
    ///
    /// - Parameters:
    ///   - secret: At least one byte.
    ///   - t: The threshold, in 1...xs.count. With t = 1 every share is the secret itself.
    ///   - xs: Distinct abscissas in 1..<2⁶¹ − 1, one per share holder (for example holder index + 1).
    /// - Returns: The shares, in the order of `xs`.
    public static func split(_ secret: [UInt8], threshold t: Int, xs: [UInt64]) throws(ShamirError) -> [ShamirShare] {
        guard !secret.isEmpty else { throw ShamirError(.secretLengthInvalid, "the secret is empty") }
        guard t >= 1, t <= xs.count else {
            throw ShamirError(.thresholdInvalid, "threshold \(t) is not in 1...\(xs.count) (the number of holders)")
        }
        try InterpolationNodes.validate(xs)
        let points = xs.map { Field61(unchecked: $0) }
        let chunks = chunkCount(secretLength: secret.count)
        var values = [[UInt64]](repeating: [UInt64](repeating: 0, count: chunks), count: xs.count)
        var generator = SystemRandomNumberGenerator()  // cryptographic: getrandom(2) on Linux
        var coefficients = [Field61](repeating: .zero, count: t)
        defer { Wipe.array(&coefficients) }
        for chunk in 0..<chunks {
            coefficients[0] = Field61(unchecked: loadChunk(chunk, of: secret))
            for degree in 1..<t { coefficients[degree] = Field61.random(using: &generator) }
            for (holder, x) in points.enumerated() {
                var accumulator = coefficients[t - 1]
                for degree in stride(from: t - 2, through: 0, by: -1) {
                    accumulator = accumulator * x + coefficients[degree]
                }
                values[holder][chunk] = accumulator.value
            }
        }
        return zip(xs, values).map { ShamirShare(x: $0, values: $1) }
    }

    /// Reconstructs a secret of `secretLength` bytes from the first `t` of `shares`; the others are ignored.
    ///
    /// Throws when fewer than `t` shares are given, when one of the first `t` is malformed (abscissa 0 or out of
    /// the field, repeated abscissa, wrong number of values, value out of the field), or when they interpolate to a
    /// chunk that does not fit its bytes (``ShamirError/Code/notASharing``). Corrupted shares that still
    /// interpolate to a fitting value go unnoticed here: use ``reconstructChecking(_:threshold:secretLength:)``
    /// with more than `t` shares to detect them.
    public static func reconstruct(
        _ shares: [ShamirShare], threshold t: Int, secretLength: Int
    ) throws(ShamirError) -> [UInt8] {
        let chunks = try validatedChunkCount(secretLength)
        guard t >= 1 else { throw ShamirError(.thresholdInvalid, "threshold \(t) is below 1") }
        guard shares.count >= t else {
            throw ShamirError(.belowThreshold, "\(shares.count) shares given, threshold is \(t)")
        }
        let used = Array(shares.prefix(t))
        for share in used { try validateShape(share, chunks: chunks) }
        let basis = try LagrangeBasis(xs: used.map(\.x))
        return try interpolateSecret(used, basis: basis, secretLength: secretLength)
    }

    /// Reconstructs a secret from shares held by exactly the abscissas of `basis` (in any order), reusing the
    /// basis's precomputed coefficients.
    ///
    /// The threshold is `basis.count`. Throws ``ShamirError/Code/basisMismatch`` when the shares' abscissas are not
    /// those of the basis, and otherwise as ``reconstruct(_:threshold:secretLength:)``.
    public static func reconstruct(
        _ shares: [ShamirShare], using basis: LagrangeBasis, secretLength: Int
    ) throws(ShamirError) -> [UInt8] {
        let chunks = try validatedChunkCount(secretLength)
        guard shares.count == basis.count else {
            throw ShamirError(.basisMismatch, "\(shares.count) shares given for a basis of \(basis.count) abscissas")
        }
        var ordered = [ShamirShare?](repeating: nil, count: basis.count)
        for share in shares {
            guard let index = basis.index(of: share.x) else {
                throw ShamirError(.basisMismatch, "abscissa \(share.x) is not in the basis", x: share.x)
            }
            guard ordered[index] == nil else {
                throw ShamirError(.duplicateX, "abscissa \(share.x) appears twice", x: share.x)
            }
            try validateShape(share, chunks: chunks)
            ordered[index] = share
        }
        return try interpolateSecret(ordered.map { $0! }, basis: basis, secretLength: secretLength)
    }

    /// Reconstructs from the first `t` well-formed shares and checks that every other share lies on the same
    /// polynomials.
    ///
    /// Shares with a wrong number of values, a value or abscissa out of the field, or abscissa 0 are reported as
    /// inconsistent rather than thrown, so a caller holding more than `t` shares can exclude them. If one of the
    /// first `t` well-formed shares is itself corrupted, the reconstructed secret is wrong and practically every
    /// other share is reported (or the call throws ``ShamirError/Code/notASharing``); a caller that sees more
    /// inconsistent shares than it expects bad ones should retry with a different order. This is detection, not
    /// error correction.
    ///
    /// - Returns: The secret and the abscissas of the shares that are malformed or off the polynomials, in input
    ///   order.
    public static func reconstructChecking(
        _ shares: [ShamirShare], threshold t: Int, secretLength: Int
    ) throws(ShamirError) -> (secret: [UInt8], inconsistent: [UInt64]) {
        let chunks = try validatedChunkCount(secretLength)
        guard t >= 1 else { throw ShamirError(.thresholdInvalid, "threshold \(t) is below 1") }
        var seen = Set<UInt64>(minimumCapacity: shares.count)
        var wellFormed: [ShamirShare] = []
        var bad = Set<UInt64>()
        for share in shares {
            guard seen.insert(share.x).inserted else {
                throw ShamirError(.duplicateX, "abscissa \(share.x) appears twice", x: share.x)
            }
            let wellFormedShape =
                share.x != 0 && share.x < Field61.modulus && share.values.count == chunks
                && share.values.allSatisfy { $0 < Field61.modulus }
            if wellFormedShape { wellFormed.append(share) } else { bad.insert(share.x) }
        }
        guard wellFormed.count >= t else {
            throw ShamirError(
                .belowThreshold, "\(wellFormed.count) well-formed shares of \(shares.count) given, threshold is \(t)")
        }
        let base = Array(wellFormed.prefix(t))
        let nodes = try InterpolationNodes(xs: base.map(\.x))
        let secret = try interpolateSecret(base, basis: LagrangeBasis(nodes: nodes), secretLength: secretLength)
        var ys = [Field61](repeating: .zero, count: t)
        defer { Wipe.array(&ys) }
        for share in wellFormed.dropFirst(t) {
            let coefficients = nodes.coefficients(at: Field61(unchecked: share.x))
            var onPolynomials = true
            for chunk in 0..<chunks {
                for i in base.indices { ys[i] = Field61(unchecked: base[i].values[chunk]) }
                var predicted = Field61.zero
                for i in base.indices { predicted += coefficients[i] * ys[i] }
                if predicted.value != share.values[chunk] { onPolynomials = false }
            }
            if !onPolynomials { bad.insert(share.x) }
        }
        return (secret, shares.map(\.x).filter { bad.contains($0) })
    }

    // MARK: - Internals

    /// Checks a share's values against the chunk count and the field; the abscissa is checked by the basis.
    private static func validateShape(_ share: ShamirShare, chunks: Int) throws(ShamirError) {
        guard share.values.count == chunks else {
            throw ShamirError(
                .lengthMismatch, "share x=\(share.x) has \(share.values.count) values, expected \(chunks)", x: share.x)
        }
        for value in share.values where value >= Field61.modulus {
            throw ShamirError(.valueOutOfField, "share x=\(share.x) holds a value not below 2^61 - 1", x: share.x)
        }
    }

    private static func validatedChunkCount(_ secretLength: Int) throws(ShamirError) -> Int {
        guard secretLength >= 1 else {
            throw ShamirError(.secretLengthInvalid, "secret length \(secretLength) is not positive")
        }
        return chunkCount(secretLength: secretLength)
    }

    /// Interpolates every chunk at 0 from validated shares in the order of `basis.xs` and writes the bytes.
    private static func interpolateSecret(
        _ shares: [ShamirShare], basis: LagrangeBasis, secretLength: Int
    ) throws(ShamirError) -> [UInt8] {
        var secret = [UInt8](repeating: 0, count: secretLength)
        var ys = [Field61](repeating: .zero, count: shares.count)
        defer { Wipe.array(&ys) }
        let chunks = chunkCount(secretLength: secretLength)
        for chunk in 0..<chunks {
            for i in shares.indices { ys[i] = Field61(unchecked: shares[i].values[chunk]) }
            let value = basis.interpolate(ys).value
            let start = chunk * chunkByteCount
            let byteCount = min(chunkByteCount, secretLength - start)
            guard value >> UInt64(8 * byteCount) == 0 else {
                Wipe.array(&secret)
                throw ShamirError(
                    .notASharing,
                    "chunk \(chunk) does not fit in \(byteCount) bytes: one of the \(shares.count) shares is corrupted"
                )
            }
            for offset in 0..<byteCount {
                secret[start + offset] = UInt8(truncatingIfNeeded: value >> UInt64(8 * offset))
            }
        }
        return secret
    }

    /// The little-endian integer made of the bytes of chunk `index` of `secret` (below 2⁵⁶).
    private static func loadChunk(_ index: Int, of secret: [UInt8]) -> UInt64 {
        let start = index * chunkByteCount
        let end = min(start + chunkByteCount, secret.count)
        var value: UInt64 = 0
        for offset in start..<end { value |= UInt64(secret[offset]) << UInt64(8 * (offset - start)) }
        return value
    }
}
