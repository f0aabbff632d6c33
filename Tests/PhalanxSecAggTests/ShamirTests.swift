import Foundation
import PhalanxSecAgg
import Testing
import _TestSupport

@Suite("Shamir secret sharing")
struct ShamirTests {
    static let p = Field61.modulus

    /// Every `k`-element subset of `0..<n`, in lexicographic order.
    static func subsets(of n: Int, size k: Int) -> [[Int]] {
        guard k > 0 else { return [[]] }
        guard n >= k else { return [] }
        return subsets(of: n - 1, size: k - 1).map { $0 + [n - 1] } + subsets(of: n - 1, size: k)
    }

    func code(of body: () throws(ShamirError) -> Void) -> ShamirError.Code? {
        do {
            try body()
            return nil
        } catch {
            return error.code
        }
    }

    // MARK: - Round trips

    @Test("n = 7, t = 4: every 4-subset reconstructs, directly and through a shared basis")
    func everySubsetSmall() throws {
        var generator = SplitMix64(seed: 10)
        let secret = generator.bytes(32)
        let shares = try Shamir.split(secret, threshold: 4, xs: Array(1...7))
        #expect(shares.map(\.x) == Array(1...7))
        #expect(shares.allSatisfy { $0.values.count == 5 && $0.values.allSatisfy { $0 < Self.p } })
        let subsets = Self.subsets(of: 7, size: 4)
        #expect(subsets.count == 35)
        for subset in subsets {
            let chosen = subset.map { shares[$0] }
            #expect(try Shamir.reconstruct(chosen, threshold: 4, secretLength: 32) == secret)
            #expect(try Shamir.reconstruct(chosen.reversed(), threshold: 4, secretLength: 32) == secret)
            let basis = try LagrangeBasis(xs: chosen.map(\.x))
            #expect(
                try Shamir.reconstruct(chosen.shuffled(using: &generator), using: basis, secretLength: 32) == secret)
        }
    }

    @Test("n = 100, t = 51: random 51-subsets in random order reconstruct")
    func randomSubsetsLarge() throws {
        var generator = SplitMix64(seed: 11)
        let secret = generator.bytes(32)
        let xs = (0..<100).map { _ in UInt64.random(in: 1..<Self.p, using: &generator) }
        let shares = try Shamir.split(secret, threshold: 51, xs: xs)
        for _ in 0..<25 {
            let chosen = Array(shares.shuffled(using: &generator).prefix(51))
            #expect(try Shamir.reconstruct(chosen, threshold: 51, secretLength: 32) == secret)
        }
        // More than t shares: the first t are used and the rest are checked.
        let result = try Shamir.reconstructChecking(shares.shuffled(using: &generator), threshold: 51, secretLength: 32)
        #expect(result.secret == secret)
        #expect(result.inconsistent.isEmpty)
    }

    @Test("one basis reconstructs many secrets held by the same holders")
    func basisReuse() throws {
        var generator = SplitMix64(seed: 12)
        let xs: [UInt64] = Array(1...20)
        let secrets = (0..<50).map { _ in generator.bytes(32) }
        let sharings = try secrets.map { try Shamir.split($0, threshold: 11, xs: xs) }
        let holders = Array(xs.shuffled(using: &generator).prefix(11))
        let basis = try LagrangeBasis(xs: holders)
        #expect(basis.count == 11)
        for (secret, shares) in zip(secrets, sharings) {
            let chosen = holders.map { x in shares.first { $0.x == x }! }
            #expect(try Shamir.reconstruct(chosen, using: basis, secretLength: 32) == secret)
        }
    }

    @Test("secret lengths 1 to 64 bytes round-trip", arguments: 1...64)
    func secretLengths(length: Int) throws {
        var generator = SplitMix64(seed: UInt64(length))
        let secret = generator.bytes(length)
        let shares = try Shamir.split(secret, threshold: 3, xs: [5, 9, 2, 77, 1 << 40])
        #expect(shares.allSatisfy { $0.values.count == (length + 6) / 7 })
        #expect(try Shamir.reconstruct(Array(shares.suffix(3)), threshold: 3, secretLength: length) == secret)
        // All-ones bytes exercise the largest chunk value, 2⁵⁶ − 1.
        let ones = [UInt8](repeating: 0xFF, count: length)
        let onesShares = try Shamir.split(ones, threshold: 2, xs: [1, 2, 3])
        #expect(try Shamir.reconstruct(Array(onesShares.prefix(2)), threshold: 2, secretLength: length) == ones)
    }

    @Test("threshold 1 and threshold n are valid extremes")
    func extremeThresholds() throws {
        let secret: [UInt8] = Array(0..<32)
        let one = try Shamir.split(secret, threshold: 1, xs: [1, 2, 3])
        for share in one { #expect(try Shamir.reconstruct([share], threshold: 1, secretLength: 32) == secret) }
        let all = try Shamir.split(secret, threshold: 3, xs: [1, 2, 3])
        #expect(try Shamir.reconstruct(all, threshold: 3, secretLength: 32) == secret)
    }

    @Test("splitting twice gives different shares (fresh coefficients)")
    func freshRandomness() throws {
        let secret = [UInt8](repeating: 7, count: 32)
        let first = try Shamir.split(secret, threshold: 3, xs: [1, 2, 3, 4])
        let second = try Shamir.split(secret, threshold: 3, xs: [1, 2, 3, 4])
        #expect(first != second)
    }

    // MARK: - Privacy below the threshold

    @Test("t - 1 shares are refused")
    func belowThreshold() throws {
        let shares = try Shamir.split(Array(0..<32), threshold: 4, xs: Array(1...7))
        #expect(
            code { () throws(ShamirError) in
                _ = try Shamir.reconstruct(Array(shares.prefix(3)), threshold: 4, secretLength: 32)
            } == .belowThreshold)
        #expect(
            code { () throws(ShamirError) in
                _ = try Shamir.reconstructChecking(Array(shares.prefix(3)), threshold: 4, secretLength: 32)
            } == .belowThreshold)
        #expect(
            code { () throws(ShamirError) in
                _ = try Shamir.reconstruct([], threshold: 1, secretLength: 32)
            } == .belowThreshold)
    }

    /// For a fixed set of t − 1 shares, every candidate secret is consistent with exactly one polynomial of degree
    /// t − 1 through them. Since the coefficients are uniform, each candidate is then equally likely given those
    /// shares: they carry no information. The test completes the t − 1 real shares with the unique t-th share
    /// that makes each candidate the secret, and reconstructs.
    @Test("t - 1 shares are consistent with every candidate secret")
    func noInformationBelowThreshold() throws {
        var generator = SplitMix64(seed: 13)
        let t = 4
        let secret = generator.bytes(7)  // one chunk
        let shares = try Shamir.split(secret, threshold: t, xs: Array(1...6))
        let known = Array(shares.prefix(t - 1))  // x = 1, 2, 3
        let candidates: [[UInt8]] =
            [secret, [UInt8](repeating: 0, count: 7), [UInt8](repeating: 0xFF, count: 7)]
            + (0..<30).map { _ in generator.bytes(7) }
        for candidate in candidates {
            // The polynomial through (0, candidate) and the known shares, evaluated at x = 10.
            let value = candidate.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
            let nodes: [(x: UInt64, y: UInt64)] = [(0, value)] + known.map { ($0.x, $0.values[0]) }
            var atTen = Field61.zero
            for (i, node) in nodes.enumerated() {
                var term = Field61(exactly: node.y)!
                for (k, other) in nodes.enumerated() where k != i {
                    let numerator = Field61(exactly: 10)! - Field61(exactly: other.x)!
                    let denominator = Field61(exactly: node.x)! - Field61(exactly: other.x)!
                    term *= numerator * denominator.inverse()!
                }
                atTen += term
            }
            let completed = known + [ShamirShare(x: 10, values: [atTen.value])]
            #expect(try Shamir.reconstruct(completed, threshold: t, secretLength: 7) == candidate)
        }
    }

    // MARK: - Refused parameters

    @Test("split refuses bad abscissas, thresholds and empty secrets")
    func splitRefusals() {
        let secret: [UInt8] = [1, 2, 3]
        let cases: [(threshold: Int, xs: [UInt64], secret: [UInt8], code: ShamirError.Code)] = [
            (2, [1, 2, 2], secret, .duplicateX),
            (2, [0, 1, 2], secret, .zeroX),
            (2, [1, Self.p], secret, .xOutOfField),
            (2, [1, UInt64.max], secret, .xOutOfField),
            (0, [1, 2, 3], secret, .thresholdInvalid),
            (-1, [1, 2, 3], secret, .thresholdInvalid),
            (4, [1, 2, 3], secret, .thresholdInvalid),
            (1, [], secret, .thresholdInvalid),
            (2, [1, 2, 3], [], .secretLengthInvalid),
        ]
        for item in cases {
            #expect(
                code { () throws(ShamirError) in
                    _ = try Shamir.split(item.secret, threshold: item.threshold, xs: item.xs)
                } == item.code)
        }
    }

    @Test("reconstruct refuses malformed shares and bad parameters")
    func reconstructRefusals() throws {
        let shares = try Shamir.split(Array(0..<32), threshold: 3, xs: [1, 2, 3, 4])
        let good = Array(shares.prefix(3))
        let cases: [(shares: [ShamirShare], threshold: Int, length: Int, code: ShamirError.Code)] = [
            ([good[0], good[1], good[0]], 3, 32, .duplicateX),
            ([ShamirShare(x: 0, values: good[0].values), good[1], good[2]], 3, 32, .zeroX),
            ([ShamirShare(x: Self.p, values: good[0].values), good[1], good[2]], 3, 32, .xOutOfField),
            (
                [ShamirShare(x: 1, values: [Self.p] + good[0].values.dropFirst()), good[1], good[2]], 3, 32,
                .valueOutOfField
            ),
            ([ShamirShare(x: 1, values: Array(good[0].values.dropLast())), good[1], good[2]], 3, 32, .lengthMismatch),
            (good, 3, 36, .lengthMismatch),
            (good, 3, 28, .lengthMismatch),
            (good, 3, 0, .secretLengthInvalid),
            (good, 3, -7, .secretLengthInvalid),
            (good, 0, 32, .thresholdInvalid),
        ]
        for item in cases {
            #expect(
                code { () throws(ShamirError) in
                    _ = try Shamir.reconstruct(item.shares, threshold: item.threshold, secretLength: item.length)
                } == item.code)
        }
    }

    @Test("a basis refuses bad abscissas and shares from other holders")
    func basisRefusals() throws {
        #expect(code { () throws(ShamirError) in _ = try LagrangeBasis(xs: []) } == .belowThreshold)
        #expect(code { () throws(ShamirError) in _ = try LagrangeBasis(xs: [1, 1]) } == .duplicateX)
        #expect(code { () throws(ShamirError) in _ = try LagrangeBasis(xs: [0, 1]) } == .zeroX)
        let shares = try Shamir.split(Array(0..<32), threshold: 2, xs: [1, 2, 3])
        let basis = try LagrangeBasis(xs: [1, 2])
        #expect(
            code { () throws(ShamirError) in
                _ = try Shamir.reconstruct([shares[0], shares[2]], using: basis, secretLength: 32)
            } == .basisMismatch)
        #expect(
            code { () throws(ShamirError) in
                _ = try Shamir.reconstruct(shares, using: basis, secretLength: 32)
            } == .basisMismatch)
        #expect(
            code { () throws(ShamirError) in
                _ = try Shamir.reconstruct([shares[0], shares[0]], using: basis, secretLength: 32)
            } == .duplicateX)
    }

    // MARK: - Corruption

    @Test("reconstructChecking reports a corrupted extra share and still recovers the secret")
    func corruptedShareReported() throws {
        var generator = SplitMix64(seed: 14)
        let secret = generator.bytes(32)
        var shares = try Shamir.split(secret, threshold: 4, xs: Array(1...10))
        let victim = shares[7]
        var values = victim.values
        values[2] = (values[2] + 1) % Self.p
        shares[7] = ShamirShare(x: victim.x, values: values)
        shares[5] = ShamirShare(x: shares[5].x, values: Array(shares[5].values.dropLast()))  // malformed
        shares[8] = ShamirShare(x: shares[8].x, values: [Self.p] + shares[8].values.dropFirst())  // out of field
        let result = try Shamir.reconstructChecking(shares, threshold: 4, secretLength: 32)
        #expect(result.secret == secret)
        #expect(result.inconsistent == [6, 8, 9])
    }

    @Test("a corrupted share among the first t makes the others look inconsistent or fails to decode")
    func corruptedBase() throws {
        var generator = SplitMix64(seed: 15)
        let secret = generator.bytes(32)
        var shares = try Shamir.split(secret, threshold: 3, xs: Array(1...8))
        shares[0] = ShamirShare(x: 1, values: shares[0].values.map { ($0 + 12345) % Self.p })
        do {
            let result = try Shamir.reconstructChecking(shares, threshold: 3, secretLength: 32)
            #expect(result.secret != secret)
            #expect(result.inconsistent == Array(4...8))
        } catch {
            #expect(error.code == .notASharing)
        }
        // Putting good shares first recovers and names the culprit.
        let reordered = Array(shares.dropFirst()) + [shares[0]]
        let result = try Shamir.reconstructChecking(reordered, threshold: 3, secretLength: 32)
        #expect(result.secret == secret)
        #expect(result.inconsistent == [1])
    }

    @Test("shares of a short secret that interpolate past its bytes are refused as not a sharing")
    func notASharing() throws {
        let shares = try Shamir.split([42], threshold: 2, xs: [1, 2])
        let corrupted = [shares[0], ShamirShare(x: 2, values: [(shares[1].values[0] + 1000) % Self.p])]
        // ℓ₂(0) = 1 / (1 − 2) = −1 for x = {1, 2}, so the chunk becomes 42 − 1000 mod p, far above 255.
        #expect(
            code { () throws(ShamirError) in
                _ = try Shamir.reconstruct(corrupted, threshold: 2, secretLength: 1)
            } == .notASharing)
    }

    // MARK: - Hygiene

    @Test("descriptions and errors never show share values")
    func noSecretsInText() throws {
        let shares = try Shamir.split(Array(0..<32), threshold: 2, xs: [1, 2, 3])
        let share = shares[1]
        #expect(share.description == "ShamirShare(x: 2, 5 values, redacted)")
        let values = share.values.map(String.init)
        #expect(!values.contains { String(describing: share).contains($0) })
        let wrongLength = ShamirShare(x: 2, values: Array(share.values.prefix(4)))
        do {
            _ = try Shamir.reconstruct([shares[0], wrongLength], threshold: 2, secretLength: 32)
            Issue.record("expected a length mismatch")
        } catch {
            #expect(error.x == 2)
            #expect(!values.contains { error.description.contains($0) })
        }
    }

    @Test("shares round-trip through JSON")
    func codable() throws {
        let shares = try Shamir.split(Array(0..<32), threshold: 2, xs: [1, 2, 3])
        let data = try JSONEncoder().encode(shares)
        #expect(try JSONDecoder().decode([ShamirShare].self, from: data) == shares)
    }

    // MARK: - Robustness

    /// Genuine sharings, randomly damaged (abscissas 0, repeated or out of the field; values out of the field;
    /// values added or removed; shares dropped), with random thresholds and lengths including negative and huge.
    @Test("random and damaged share sets never crash the decoder")
    func randomInputs() throws {
        var generator = SplitMix64(seed: 16)
        let strangeIntegers = [-1, 0, 1, 2, 5, 9, 35, Int.max, Int.min]
        var outcomes: [String: Int] = [:]
        for _ in 0..<3000 {
            let length = Int.random(in: 1...20, using: &generator)
            let holders = Int.random(in: 1...6, using: &generator)
            let threshold = Int.random(in: 1...holders, using: &generator)
            let xs = (1...UInt64(holders)).map { $0 * 3 }
            var shares = try Shamir.split(generator.bytes(length), threshold: threshold, xs: xs)
            for index in shares.indices.reversed() where Int.random(in: 0..<4, using: &generator) == 0 {
                let share = shares[index]
                var values = share.values
                switch Int.random(in: 0..<7, using: &generator) {
                case 0: shares[index] = ShamirShare(x: 0, values: values)
                case 1:
                    shares[index] = ShamirShare(
                        x: UInt64.random(in: Self.p...UInt64.max, using: &generator), values: values)
                case 2: shares[index] = ShamirShare(x: xs[0], values: values)
                case 3:
                    values[Int.random(in: values.indices, using: &generator)] = UInt64.random(
                        in: Self.p...UInt64.max, using: &generator)
                    shares[index] = ShamirShare(x: share.x, values: values)
                case 4: shares[index] = ShamirShare(x: share.x, values: values + [1])
                case 5: shares[index] = ShamirShare(x: share.x, values: Array(values.dropLast()))
                default: shares.remove(at: index)
                }
            }
            let usedThreshold =
                Bool.random(using: &generator) ? threshold : strangeIntegers.randomElement(using: &generator)!
            let usedLength = Bool.random(using: &generator) ? length : strangeIntegers.randomElement(using: &generator)!
            for attempt in 0..<3 {
                do {
                    switch attempt {
                    case 0: _ = try Shamir.reconstruct(shares, threshold: usedThreshold, secretLength: usedLength)
                    case 1:
                        _ = try Shamir.reconstructChecking(shares, threshold: usedThreshold, secretLength: usedLength)
                    default:
                        let basis = try LagrangeBasis(
                            xs: shares.prefix(max(0, min(usedThreshold, shares.count))).map(\.x))
                        _ = try Shamir.reconstruct(shares, using: basis, secretLength: usedLength)
                    }
                    outcomes["ok", default: 0] += 1
                } catch {
                    outcomes[error.code.description, default: 0] += 1
                }
            }
        }
        #expect(outcomes["ok", default: 0] > 100)
        #expect(outcomes.count >= 9)
    }

    @Test("truncated or altered JSON shares are rejected, never crash")
    func byteByByteJSON() throws {
        let shares = try Shamir.split(Array(0..<20), threshold: 2, xs: [1, 2])
        let data = Array(try JSONEncoder().encode(shares))
        for end in 0..<data.count {
            _ = try? JSONDecoder().decode([ShamirShare].self, from: Data(data[0..<end]))
        }
        var generator = SplitMix64(seed: 17)
        for _ in 0..<500 {
            var altered = data
            altered[Int.random(in: 0..<altered.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            if let decoded = try? JSONDecoder().decode([ShamirShare].self, from: Data(altered)) {
                _ = try? Shamir.reconstructChecking(decoded, threshold: 2, secretLength: 20)
            }
        }
    }
}
