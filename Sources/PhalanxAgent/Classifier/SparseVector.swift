/// A feature vector with few non-zero entries out of a large fixed ``dimension``: the output of ``FeatureHasher`` and
/// the input of ``LogisticRegression``.
///
/// The entries are kept in two parallel arrays rather than a dictionary because a dot product only walks them once.
/// Their order is deterministic (a function of the text and the hasher's configuration) but not sorted: sorting
/// would cost more than hashing the text in the first place, and no consumer needs it.
public struct SparseVector: Hashable, Sendable {
    /// The length of the dense vector this stands for (`2^bits` for hashed features).
    public let dimension: Int
    /// The positions of the non-zero entries, each below ``dimension``, none repeated.
    public let indices: [UInt32]
    /// The entry at the same position of ``indices``.
    public let values: [Float]

    /// Built only by code in this module, which guarantees the invariants above.
    init(dimension: Int, indices: [UInt32], values: [Float]) {
        self.dimension = dimension
        self.indices = indices
        self.values = values
    }

    /// The vector with no non-zero entry (what an empty text hashes to).
    static func zero(dimension: Int) -> SparseVector { SparseVector(dimension: dimension, indices: [], values: []) }

    /// The number of non-zero entries.
    public var count: Int { indices.count }

    /// The Euclidean length, accumulated in `Double`.
    public var norm: Double {
        var sum = 0.0
        for value in values { sum += Double(value) * Double(value) }
        return sum.squareRoot()
    }
}
