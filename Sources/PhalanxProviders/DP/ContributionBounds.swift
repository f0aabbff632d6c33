import PhalanxCore

/// How much one node's contribution to one round can move the sums it feeds, read from the plug-in's IR: the
/// sensitivity a differential-privacy mechanism must hide.
///
/// Each `secure_sum` sums a vector that `count_by` produced and `clip_l1`/`clip_linf` bounded. After a clip the
/// vector's norms are bounded whatever the data: `clip_l1 B` gives ‖x‖₁ ≤ B (so ‖x‖₂ ≤ B); `clip_linf B` on d
/// components gives ‖x‖₁ ≤ d·B and ‖x‖₂ ≤ √d·B. A node's contributions to all channels of a round are one
/// vector (the concatenation), so the L1 bounds add and the L2 bounds add in squares. Removing a node removes that
/// vector: the sensitivity is its norm bound.
public struct ContributionBounds: Hashable, Sendable {
    /// One channel's share of the bounds.
    public struct Channel: Hashable, Sendable {
        public let dimension: Int
        /// Bound of each component (the clip bound).
        public let linf: Int64
    }

    /// Bound of the L1 norm of everything one node adds to one round's sums.
    public let l1: Double
    /// Bound of the L2 norm of the same.
    public let l2: Double
    /// Components summed per round, over all channels.
    public let dimension: Int
    /// Per channel: its dimension and component bound.
    public let channels: [String: Channel]

    /// Analyses `plugin`.
    ///
    /// - Throws: ``ProviderError`` naming the channel when a `secure_sum` sums a vector with no clip (its
    ///   sensitivity is unbounded) or whose length the IR does not fix.
    public init(plugin: PluginIR, provider: String) throws {
        struct Bounds {
            var dimension: Int?
            var l1: Double?
            var l2: Double?
            var linf: Int64?
        }
        var registers: [Register: Bounds] = [:]
        var l1 = 0.0
        var l2Squared = 0.0
        var dimension = 0
        var channels: [String: Channel] = [:]
        for instruction in plugin.node {
            switch instruction {
            case .countBy(let into, _, _, let domain):
                registers[into] = Bounds(dimension: domain.count)
            case .clipL1(let into, let from, let bound):
                var r = registers[from] ?? Bounds()
                let b = Double(bound)
                r.l1 = min(r.l1 ?? b, b)
                r.l2 = min(r.l2 ?? b, b)
                r.linf = min(r.linf ?? bound, bound)
                registers[into] = r
            case .clipLinf(let into, let from, let bound):
                var r = registers[from] ?? Bounds()
                r.linf = min(r.linf ?? bound, bound)
                if let d = r.dimension {
                    let b = Double(bound)
                    r.l1 = min(r.l1 ?? Double(d) * b, Double(d) * b)
                    // Round √d·B up by one ulp so the bound stays a bound after floating-point rounding.
                    let l2 = (Double(d).squareRoot() * b).nextUp
                    r.l2 = min(r.l2 ?? l2, l2)
                }
                registers[into] = r
            case .secureSum(let from, let channel):
                guard let r = registers[from], let d = r.dimension else {
                    throw ProviderError(
                        provider: provider, message: "cannot tell the length of the vector summed on \(channel)")
                }
                guard let rl1 = r.l1, let rl2 = r.l2, let rlinf = r.linf else {
                    throw ProviderError(
                        provider: provider,
                        message:
                            "secure_sum on \(channel) sums an unclipped vector: one node could move it without bound; clip it with clip_l1 or clip_linf"
                    )
                }
                l1 += rl1
                l2Squared += rl2 * rl2
                dimension += d
                channels[channel] = Channel(dimension: d, linf: rlinf)
            default:
                continue
            }
        }
        guard dimension > 0 else {
            throw ProviderError(provider: provider, message: "the plug-in sums nothing: there is nothing to protect")
        }
        self.l1 = l1
        // √ rounds to nearest: step up one ulp unless the root is exact, so the bound stays a bound.
        let root = l2Squared.squareRoot()
        self.l2 = root * root == l2Squared ? root : root.nextUp
        self.dimension = dimension
        self.channels = channels
    }
}
