import Dispatch
import Foundation
import Synchronization

/// Work spread over the cores: the collector's signature checks, the sentinel's per-participant updates and
/// predicate evaluations, the control benchmark's raw rate.
public enum Parallel {
    /// The active processor count: how many threads a parallel step uses by default.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `transform` applied to every element of `input`, in order, on up to `workers` threads at once.
    ///
    /// The work is cut into chunks that `DispatchQueue.concurrentPerform` hands to idle threads (the caller's
    /// included), so a core slowed by other load takes fewer chunks. Each chunk computes its results on its own and
    /// stores them under a lock, once.
    public static func map<Element: Sendable, Transformed: Sendable>(
        _ input: [Element], workers: Int = cores, _ transform: @Sendable (Element) -> Transformed
    ) -> [Transformed] {
        let count = input.count
        guard workers > 1, count > 1 else { return input.map(transform) }
        let slots = Mutex([Transformed?](repeating: nil, count: count))
        forEachChunk(count: count, workers: workers) { range in
            let done = range.map { transform(input[$0]) }
            slots.withLock { slots in
                for (offset, value) in done.enumerated() { slots[range.lowerBound + offset] = value }
            }
        }
        return slots.withLock { $0.map { $0! } }
    }

    /// Calls `body` on disjoint ranges covering `0..<count`, on up to `workers` threads at once; on the caller's
    /// thread alone when `workers` is 1.
    ///
    /// About eight chunks per worker balance the load; at most 32 elements per chunk keeps the tail short.
    public static func forEachChunk(count: Int, workers: Int = cores, _ body: @Sendable (Range<Int>) -> Void) {
        guard count > 0 else { return }
        guard workers > 1, count > 1 else { return body(0..<count) }
        let chunk = max(1, min(32, count / (workers * 8)))
        DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { index in
            body((index * chunk)..<min(count, (index + 1) * chunk))
        }
    }
}
