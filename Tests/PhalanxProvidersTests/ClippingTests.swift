import Testing

@testable import PhalanxProviders

@Suite("Contribution bounding")
struct ClippingTests {
    @Test("vectors within the bound are unchanged")
    func withinBound() {
        #expect(Clipping.clipL1([3, 4, 0], bound: 7) == [3, 4, 0])
        #expect(Clipping.clipL1([], bound: 1) == [])
        #expect(Clipping.clipLinf([3, -9, 4], bound: 5) == [3, -5, 4])
    }

    @Test("L1 clipping hits the bound exactly, never grows a component, keeps signs")
    func properties() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let n = Int.random(in: 1...12, using: &rng)
            let v = (0..<n).map { _ in Int64.random(in: -1_000...1_000, using: &rng) }
            let bound = Int64.random(in: 1...3_000, using: &rng)
            let c = Clipping.clipL1(v, bound: bound)
            let norm = v.reduce(UInt64(0)) { $0 + $1.magnitude }
            let clippedNorm = c.reduce(UInt64(0)) { $0 + $1.magnitude }
            if norm <= UInt64(bound) {
                #expect(c == v)
            } else {
                #expect(clippedNorm == UInt64(bound))
            }
            for (a, b) in zip(v, c) {
                #expect(b.magnitude <= a.magnitude)
                #expect(b == 0 || (a < 0) == (b < 0))
            }
        }
    }

    @Test("largest remainders get the leftover: [1, 1, 1] to 2 gives [1, 1, 0]")
    func rounding() {
        #expect(Clipping.clipL1([1, 1, 1], bound: 2) == [1, 1, 0])
        #expect(Clipping.clipL1([500, 100, 0], bound: 300) == [250, 50, 0])
        #expect(Clipping.clipL1([Int64.max, Int64.max], bound: 10) == [5, 5])
    }
}
