import Synchronization

/// Reusable arrays of one signed counter per feature bucket, so that hashing a text writes each n-gram's count
/// straight to its bucket instead of probing a hash table. Counting and weighting took three quarters of the 55 µs
/// a kilobyte's features cost with the table, mostly in mispredicted branches on each bucket's sign and on whether it
/// was new; with these arrays and branch-free code the whole takes 24 µs.
///
/// An array is all zero whenever it is not borrowed: the one who borrows it resets exactly the counters it touched
/// before giving it back (``Sink/weighted(dimension:)`` does), so no call pays to clear ``dimension`` counters.
/// Arrays are kept only for dimensions up to 2^20 (4 MiB each), and at most `keptPerDimension` of each; a thread that
/// finds none free gets a new one. The pool is shared by every hasher in the process and guarded by a mutex, held
/// only to take or return an address.
enum DenseCounts {
    /// Above this the array would cost more memory than the hash table costs time.
    static let maximumDimension = 1 << 20
    /// Arrays kept per dimension: enough for the threads of a busy agent; more are freed when given back.
    static let keptPerDimension = 8

    /// Free arrays by dimension, as addresses (raw pointers are not `Sendable`; each address is owned by the pool
    /// while it is listed here, and by one borrower otherwise).
    private static let free = Mutex<[Int: [UInt]]>([:])

    /// A zeroed array of `dimension` counters, or `nil` when the dimension is too large for one.
    static func borrow(dimension: Int) -> UnsafeMutableBufferPointer<Int32>? {
        guard dimension <= maximumDimension else { return nil }
        let address = free.withLock { free in free[dimension]?.popLast() }
        if let address, let pointer = UnsafeMutablePointer<Int32>(bitPattern: address) {
            return UnsafeMutableBufferPointer(start: pointer, count: dimension)
        }
        let counts = UnsafeMutableBufferPointer<Int32>.allocate(capacity: dimension)
        counts.initialize(repeating: 0)
        return counts
    }

    /// Returns an array, all zero again, to the pool (or frees it when the pool has enough).
    static func giveBack(_ counts: UnsafeMutableBufferPointer<Int32>) {
        guard let base = counts.baseAddress else { return }
        let kept = free.withLock { free in
            guard free[counts.count, default: []].count < keptPerDimension else { return false }
            free[counts.count, default: []].append(UInt(bitPattern: base))
            return true
        }
        if !kept { counts.deallocate() }
    }

    /// Counts n-grams into a borrowed array. A touched counter holds `bias` plus its signed count, so that zero
    /// still means "not touched yet" after signs cancel; the buckets are listed in the order they are first hit.
    struct Sink: FeatureSink {
        /// Larger than any count: a text has fewer than 2^30 n-grams (the scanner reads at most 1 MiB).
        static let bias: Int32 = 1 << 30

        let counts: UnsafeMutableBufferPointer<Int32>
        /// The buckets in the order first hit; one slot longer than the most buckets that can be hit, because
        /// ``add(_:)`` writes the next slot before it knows whether the bucket is new.
        let used: UnsafeMutableBufferPointer<Int32>
        var usedCount = 0

        init(counts: UnsafeMutableBufferPointer<Int32>, used: UnsafeMutableBufferPointer<Int32>) {
            self.counts = counts
            self.used = used
        }

        @inline(__always) mutating func add(_ bucket: (index: UInt32, negative: Bool)) {
            let index = Int(bucket.index)
            let entry = counts[index]
            // Branch-free: whether the bucket is new (a third of the n-grams repeat) and the sign (the hash's top
            // bit) are coin flips to a branch predictor, and mispredicted branches were most of the time here. A
            // touched entry is positive (the bias plus a count far smaller than it), so `0 − entry` is negative
            // exactly when the bucket was touched: `touched` is all ones then, and zero for a new bucket.
            let touched = (0 &- entry) >> 31
            let sign: Int32 = 1 &- 2 &* Int32(truncatingIfNeeded: unsafeBitCast(bucket.negative, to: UInt8.self))
            used[usedCount] = Int32(truncatingIfNeeded: index)
            usedCount &+= Int(1 &+ touched)
            counts[index] = ((entry & touched) | (Self.bias & ~touched)) &+ sign
        }

        /// The weighted, normalized vector; every counter touched is set back to zero.
        func weighted(dimension: Int) -> SparseVector {
            weightedCounts(dimension: dimension, count: usedCount, entry: takeEntry)
        }

        /// `initial + w·x` for x = ``weighted(dimension:)``, without building x; every counter touched is set back
        /// to zero.
        func margin(weights: UnsafeBufferPointer<Float>, initial: Double) -> Double {
            weightedMargin(count: usedCount, weights: weights, initial: initial, entry: takeEntry)
        }

        /// The i-th bucket first hit and its signed count; its counter is reset.
        @inline(__always) private func takeEntry(_ position: Int) -> (index: UInt32, count: Int32) {
            let index = Int(used[position])
            let count = counts[index] &- Self.bias
            counts[index] = 0
            return (UInt32(truncatingIfNeeded: index), count)
        }
    }
}
