import PhalanxDP
import Testing

/// Bad parameters and inputs are refused with a thrown ``SamplerError`` naming the problem, never a trap.
@Suite("Sampler input validation")
struct SamplerInputValidationTests {
    /// Runs `body`, expects a ``SamplerError`` with `code` whose message mentions `fragment`.
    static func expectError(
        _ code: SamplerError.Code, mentioning fragment: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) {
        let error = #expect(throws: SamplerError.self, sourceLocation: sourceLocation) { try body() }
        #expect(error?.code == code, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(
            error?.message.contains(fragment) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
    }

    @Test("a zero denominator and unrepresentable doubles are refused")
    func rationals() {
        Self.expectError(.invalidParameter, mentioning: "denominator") { _ = try Rational(1, 0) }
        #expect(Rational(exactly: -1) == nil)
        #expect(Rational(exactly: .nan) == nil)
        #expect(Rational(exactly: .infinity) == nil)
        #expect(Rational(exactly: 0x1p70) == nil)
        #expect(Rational(exactly: 0x1p-70) == nil)
    }

    @Test("a non-positive scale or σ² is refused")
    func scales() throws {
        var source = try SamplerSupport.source(0xE001)
        Self.expectError(.invalidParameter, mentioning: "scale must be positive") {
            _ = try DiscreteLaplace(scale: 0)
        }
        Self.expectError(.invalidParameter, mentioning: "scale must be positive") {
            _ = try DiscreteLaplace.sample(scale: 0, using: &source)
        }
        Self.expectError(.invalidParameter, mentioning: "σ² must be positive") {
            _ = try DiscreteGaussian(sigmaSquared: 0)
        }
        Self.expectError(.invalidParameter, mentioning: "σ² must be positive") {
            _ = try DiscreteGaussian.sample(sigmaSquared: Rational(0), using: &source)
        }
        Self.expectError(.outOfRange, mentioning: "exact range") {
            _ = try DiscreteGaussian(sigmaSquared: try Rational(UInt64.max, UInt64.max - 2))
        }
        Self.expectError(.invalidParameter, mentioning: "at most 1") {
            _ = try Bernoulli.sample(probability: try Rational(3, 2), using: &source)
        }
    }

    @Test("randomized response refuses k < 2, ε = 0 and categories out of range")
    func randomizedResponse() throws {
        var source = try SamplerSupport.source(0xE002)
        for k in [-3, 0, 1] {
            Self.expectError(.invalidParameter, mentioning: "at least 2 categories") {
                _ = try RandomizedResponse(categoryCount: k, epsilon: 1)
            }
        }
        Self.expectError(.invalidParameter, mentioning: "ε > 0") {
            _ = try RandomizedResponse(categoryCount: 3, epsilon: 0)
        }
        let mechanism = try RandomizedResponse(categoryCount: 3, epsilon: 1)
        for value in [-1, 3, Int.max] {
            Self.expectError(.invalidInput, mentioning: "not in 0..<3") {
                _ = try mechanism.respond(to: value, using: &source)
            }
        }
        Self.expectError(.invalidInput, mentioning: "expected 3") {
            _ = try mechanism.estimateFrequencies(counts: [1, 2])
        }
        Self.expectError(.invalidInput, mentioning: "non-negative") {
            _ = try mechanism.estimateFrequencies(counts: [1, -2, 3])
        }
        Self.expectError(.invalidInput, mentioning: "no reports") {
            _ = try mechanism.estimateFrequencies(counts: [0, 0, 0])
        }
        Self.expectError(.invalidInput, mentioning: "report 7") {
            _ = try mechanism.estimateFrequencies(reports: [0, 7])
        }
    }

    /// Sensitivities and bounds that are not positive finite numbers.
    static let badPositives: [Double] = [0, -1, -0.0, .nan, .infinity, -.infinity]

    @Test("the grid release refuses bad Δ, B, ε and precision", arguments: badPositives)
    func gridParameters(_ bad: Double) {
        Self.expectError(.invalidParameter, mentioning: "sensitivity") {
            _ = try GridRelease(sensitivity: bad, epsilon: 1, bound: 1)
        }
        Self.expectError(.invalidParameter, mentioning: "bound") {
            _ = try GridRelease(sensitivity: 1, epsilon: 1, bound: bad)
        }
    }

    @Test("the grid release refuses ε = 0, precision outside 0...52 and unrepresentable grids")
    func gridOtherParameters() {
        Self.expectError(.invalidParameter, mentioning: "ε must be positive") {
            _ = try GridRelease(sensitivity: 1, epsilon: 0, bound: 1)
        }
        for precision in [-1, 53, 1000] {
            Self.expectError(.invalidParameter, mentioning: "precisionBits") {
                _ = try GridRelease(sensitivity: 1, epsilon: 1, bound: 1, precisionBits: precision)
            }
        }
        Self.expectError(.outOfRange, mentioning: "overflows") {
            _ = try GridRelease(sensitivity: .greatestFiniteMagnitude, epsilon: try Rational(1, 1 << 40), bound: 1)
        }
        Self.expectError(.outOfRange, mentioning: "grid step") {
            _ = try GridRelease(sensitivity: .greatestFiniteMagnitude, epsilon: 1, bound: 1, precisionBits: 0)
        }
    }

    @Test(
        "the grid release refuses NaN and infinite values before drawing randomness",
        arguments: [
            Double.nan, .infinity, -.infinity, -Double.nan, .signalingNaN,
        ])
    func gridValues(_ value: Double) throws {
        let release = try GridRelease(sensitivity: 1, epsilon: 1, bound: 10)
        var source = try SamplerSupport.source(0xE003)
        var untouched = try SamplerSupport.source(0xE003)
        Self.expectError(.invalidInput, mentioning: "finite number") { _ = try release.release(value, using: &source) }
        Self.expectError(.invalidInput, mentioning: "finite number") { _ = try release.snap(value) }
        #expect(source.next() == untouched.next())
    }

    @Test("errors describe themselves with their code")
    func descriptions() {
        let error = SamplerError(.outOfRange, "too big")
        #expect(error.description == "out of range: too big")
        #expect(SamplerError.Code.invalidInput.description == "invalid input")
        #expect(SamplerError.Code.invalidParameter.description == "invalid parameter")
    }
}
