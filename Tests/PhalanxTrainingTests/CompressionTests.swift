import Foundation
import PhalanxTraining
import Testing
import _TestSupport

@Suite("Update compression")
struct CompressionTests {
    static func vector(_ count: Int, seed: UInt64) -> [Double] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Double(generator.next() % 20_001) / 10_000 - 1 }
    }

    @Test("8-bit quantization sends a byte per value plus 8, and each value lands on one of its two nearest levels")
    func quantizationLevels() {
        let delta = Self.vector(10_000, seed: 1)
        var compressor = UpdateCompressor(compression: UpdateCompression(quantizationBits: 8), seed: 7)
        let (reconstructed, bytes) = compressor.compress(delta)
        #expect(bytes == 10_000 + 8)
        #expect(UpdateCompression.uncompressedBytes(dimension: 10_000) / bytes >= 3)
        let low = delta.min()!, high = delta.max()!
        let step = (high - low) / 255
        for (x, y) in zip(delta, reconstructed) { #expect(abs(x - y) <= step * 1.0001) }
    }

    @Test("stochastic quantization is unbiased: over 2,000 draws the mean error is within 5 standard errors of 0")
    func unbiased() {
        let delta = [0.1234, -0.77, 0.5, 0.999, -1, 1]
        var compressor = UpdateCompressor(compression: UpdateCompression(quantizationBits: 2), seed: 3)
        var sums = [Double](repeating: 0, count: delta.count)
        let draws = 2_000
        for _ in 0..<draws {
            let (reconstructed, _) = compressor.compress(delta)
            for i in delta.indices { sums[i] += reconstructed[i] }
        }
        // 2 bits: 3 steps of 2/3 over [−1, 1]; each draw's error has standard deviation ≤ step/2.
        let standardError = (2.0 / 3) / 2 / Double(draws).squareRoot()
        for i in delta.indices { #expect(abs(sums[i] / Double(draws) - delta[i]) < 5 * standardError, "index \(i)") }
    }

    @Test("top-k sends k entries; error feedback keeps what it left out, so nothing is lost over rounds")
    func topKErrorFeedback() {
        let rounds = (0..<5).map { Self.vector(1_000, seed: UInt64(10 + $0)) }
        var compressor = UpdateCompressor(compression: UpdateCompression(topKFraction: 0.1), seed: 1)
        var sent = [Double](repeating: 0, count: 1_000)
        for delta in rounds {
            let (reconstructed, bytes) = compressor.compress(delta)
            #expect(reconstructed.count { $0 != 0 } <= 100)
            #expect(bytes == 100 * 8)  // index and Float32 value
            for i in sent.indices { sent[i] += reconstructed[i] }
        }
        // What was sent plus what is still held back equals everything: drain the residual with a zero update.
        var drained = compressor
        var total = sent
        for _ in 0..<20 {
            let (reconstructed, _) = drained.compress([Double](repeating: 0, count: 1_000))
            for i in total.indices { total[i] += reconstructed[i] }
        }
        for i in 0..<1_000 {
            let truth = rounds.reduce(0) { $0 + $1[i] }
            #expect(abs(total[i] - truth) < 1e-5, "index \(i)")
        }
    }

    @Test("top-k keeps the largest magnitudes")
    func largest() {
        var compressor = UpdateCompressor(compression: UpdateCompression(topKFraction: 0.4), seed: 1)
        let (reconstructed, _) = compressor.compress([0.1, -5, 0.2, 3, 0.05])
        #expect(reconstructed == [0, -5, 0, 3, 0])
    }

    @Test("out-of-range settings are refused with the option's name")
    func validation() {
        #expect(throws: TrainingPlanError.self) { try UpdateCompression(quantizationBits: 0).validate() }
        #expect(throws: TrainingPlanError.self) { try UpdateCompression(topKFraction: 1.5).validate() }
        #expect(throws: TrainingPlanError.self) { try UpdateCompression(topKFraction: .nan).validate() }
        #expect(UpdateCompression(quantizationBits: 8, topKFraction: 0.01).summary == "top-1% 8-bit")
    }
}
