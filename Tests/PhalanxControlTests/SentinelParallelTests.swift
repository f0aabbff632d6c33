import PhalanxCore
import Testing
import _TestSupport

@testable import PhalanxControl

/// The sentinel updates forecasts and evaluates predicates on several threads for large ticks; the outcomes,
/// offenders, traces, alert states and kept histories must be those of one thread, whatever the batch holds.
@Suite("Sentinel: parallel ticks equal sequential ones")
struct SentinelParallelTests {
    static let policy = """
        version: "parallel"
        parameters:
          high: 90
          low: 5
          spread: 30
        predicates:
          - id: high
            expr: max(x) > params.high
            command: A-OBSERVE
          - id: trend
            expr: any(forecast.x - x > params.spread)
            command: A-OBSERVE
            for: 1s
            keep_firing_for: 2s
          - id: low
            expr: count(forecast.y < params.low) > 3 or mean(z) > params.high
            command: A-OBSERVE
          - id: all-lag
            expr: not all(lagMs < 1000)
            command: A-OBSERVE
          - id: attributed
            expr: any(invalidShares > 0)
            command: A-ISOLATE_PARTY
        """

    /// A tick of `count` participants with random values; some lack a metric, one key appears only from tick 3.
    static func batch(tick: UInt64, count: Int, rng: inout SplitMix64) throws -> SealedBatch {
        let frames = try (0..<count).map { index in
            var metrics: [String: Double] = [:]
            for key in ["x", "y", "z"] where Int.random(in: 0..<10, using: &rng) > 0 {
                metrics[key] =
                    [Double.nan, .infinity, 0, 50, 95, 2][Int.random(in: 0..<6, using: &rng)]
                    + Double(Int.random(in: 0..<20, using: &rng))
            }
            if tick >= 3, index % 7 == 0 { metrics["w"] = Double(tick) }
            return TelemetryFrame(
                nodeId: try ParticipantID(String(format: "p%04d", index)), seq: tick + 1,
                manifestHash: SHA256Digest.of(Array("job".utf8)), tick: tick, state: "INF", metrics: metrics,
                lagMs: Double(Int.random(in: 0..<1_100, using: &rng)), opLatencyMs: 1,
                timestampMs: 1_000 * Int64(tick))
        }
        return SealedBatch(
            jobId: SHA256Digest.of(Array("job".utf8)), tick: tick, frames: frames,
            digests: frames.map { _ in SHA256Digest.of([]) }, rejected: [:], missing: [])
    }

    @Test("the same outcomes and histories on 1, 2 and 4 threads", arguments: [300, 1_000])
    func equalOutcomes(participants: Int) throws {
        let policy = try Fixtures.policy(Self.policy)
        var sentinels = [1, 2, 4].map { threads in
            var sentinel = Sentinel(predicates: policy.predicates, parameters: policy.parameters)
            sentinel.parallelism = threads
            return sentinel
        }
        var rng = SplitMix64(state: UInt64(participants))
        var fired = 0
        for tick in UInt64(0)..<6 {
            // Every other tick some participants are missing; the aggregator attributes invalid shares to a few.
            var batch = try Self.batch(tick: tick, count: participants, rng: &rng)
            if tick % 2 == 1 {
                let kept = batch.frames.indices.filter { $0 % 5 != 0 }
                batch = SealedBatch(
                    jobId: batch.jobId, tick: tick, frames: kept.map { batch.frames[$0] },
                    digests: kept.map { batch.digests[$0] }, rejected: [:], missing: [])
            }
            let attributed: [ParticipantID: [String: Double]] =
                tick == 4
                ? [try ParticipantID("p0003"): ["invalidShares": 2], try ParticipantID("p0010"): ["x": 99]] : [:]
            let outcomes = sentinels.indices.map { sentinels[$0].evaluate(batch, attributed: attributed) }
            for other in outcomes.dropFirst() {
                #expect(other.map(\.status) == outcomes[0].map(\.status), "tick \(tick)")
                #expect(other.map(\.evaluation) == outcomes[0].map(\.evaluation), "tick \(tick)")
                #expect(other.map(\.failure) == outcomes[0].map(\.failure), "tick \(tick)")
            }
            fired += outcomes[0].filter(\.holds).count
        }
        #expect(fired > 5, "the predicates do fire on this data")
        for participant in ["p0000", "p0003", "p0007", "p0010"] {
            let id = try ParticipantID(participant)
            for metric in ["x", "y", "w", "lagMs", "invalidShares"] {
                let kept = sentinels.map { $0.history(of: id, metric: metric).map { "\($0.tick):\($0.value)" } }
                #expect(kept[1] == kept[0] && kept[2] == kept[0], "\(participant) \(metric)")
            }
        }
        #expect(!sentinels[0].history(of: try ParticipantID("p0007"), metric: "w").isEmpty)
    }
}
