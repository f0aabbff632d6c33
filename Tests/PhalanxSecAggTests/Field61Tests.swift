import PhalanxSecAgg
import Testing
import _TestSupport

@Suite("GF(2^61 - 1)")
struct Field61Tests {
    static let p = Field61.modulus
    static let edges: [UInt64] = [0, 1, 2, 3, 1 << 32, (1 << 32) - 1, 1 << 60, p - 2, p - 1]

    /// Edge values followed by `count` uniformly random elements.
    static func samples(_ count: Int, seed: UInt64) -> [Field61] {
        var generator = SplitMix64(seed: seed)
        return edges.map { Field61(exactly: $0)! } + (0..<count).map { _ in Field61.random(using: &generator) }
    }

    static func reference(_ value: UInt128) -> UInt64 { UInt64(value % UInt128(p)) }

    @Test("add, sub and mul agree with 128-bit reference arithmetic")
    func matchesReference() {
        let values = Self.samples(400, seed: 1)
        for a in values {
            for b in values.prefix(60) {
                let (x, y) = (UInt128(a.value), UInt128(b.value))
                #expect((a + b).value == Self.reference(x + y))
                #expect((a - b).value == Self.reference(x + UInt128(Self.p) - y))
                #expect((a * b).value == Self.reference(x * y))
            }
        }
    }

    @Test("ring axioms hold on random elements")
    func axioms() {
        let values = Self.samples(300, seed: 2)
        var generator = SplitMix64(seed: 3)
        for a in values {
            let b = values.randomElement(using: &generator)!
            let c = values.randomElement(using: &generator)!
            #expect(a + b == b + a)
            #expect(a * b == b * a)
            #expect((a + b) + c == a + (b + c))
            #expect((a * b) * c == a * (b * c))
            #expect(a * (b + c) == a * b + a * c)
            #expect(a + .zero == a)
            #expect(a * .one == a)
            #expect(a * .zero == .zero)
            #expect(a - a == .zero)
            #expect(a + (-a) == .zero)
            #expect((a - b) + b == a)
        }
    }

    @Test("every non-zero element has an inverse; zero has none")
    func inverses() {
        for a in Self.samples(300, seed: 4) where a != .zero {
            let inverse = a.inverse()
            #expect(inverse.map { a * $0 } == .one)
            #expect(a.power(Self.p - 1) == .one)  // Fermat
        }
        #expect(Field61.zero.inverse() == nil)
        #expect(Field61(exactly: Self.p - 1)!.inverse() == Field61(exactly: Self.p - 1))  // (−1)⁻¹ = −1
        #expect(Field61(exactly: 2)!.inverse() == Field61(exactly: 1 << 60))  // 2 · 2⁶⁰ = 2⁶¹ ≡ 1
    }

    @Test("reduction edge cases around the modulus")
    func edgesOfTheModulus() {
        let pMinus1 = Field61(exactly: Self.p - 1)!
        #expect((pMinus1 + .one) == .zero)
        #expect((Field61.zero - .one) == pMinus1)
        #expect((pMinus1 * pMinus1) == .one)
        #expect((pMinus1 + pMinus1).value == Self.p - 2)
        #expect(-Field61.zero == .zero)
    }

    @Test(
        "exact construction rejects values at or above the modulus",
        arguments: [
            Field61.modulus, Field61.modulus + 1, 1 << 61, UInt64.max,
        ])
    func rejectsOutOfField(value: UInt64) {
        #expect(Field61(exactly: value) == nil)
    }

    @Test("exact construction accepts 0 and p - 1; reducing construction matches %")
    func conversions() {
        #expect(Field61(exactly: 0)?.value == 0)
        #expect(Field61(exactly: Self.p - 1)?.value == Self.p - 1)
        var generator = SplitMix64(seed: 5)
        let inputs: [UInt64] =
            [0, Self.p - 1, Self.p, Self.p + 1, 2 * Self.p, 2 * Self.p + 5, 1 << 62, 1 << 63, UInt64.max]
            + (0..<1000).map { _ in generator.next() }
        for value in inputs {
            #expect(Field61(reducing: value).value == value % Self.p)
        }
    }

    @Test("random elements are canonical and not constant")
    func randomElements() {
        var generator = SystemRandomNumberGenerator()
        let values = (0..<1000).map { _ in Field61.random(using: &generator) }
        #expect(values.allSatisfy { $0.value < Self.p })
        #expect(Set(values).count > 990)
    }
}
