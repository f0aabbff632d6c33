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

    /// Analyses `plugin` (``PluginIR/analysis()``: every channel's vector is bounded by a clip, or the program does
    /// not validate).
    ///
    /// - Throws: ``ProviderError`` with the analysis' message when the plug-in does not validate (e.g. a
    ///   `secure_sum` of an unclipped vector, whose sensitivity is unbounded).
    public init(plugin: PluginIR, provider: String) throws {
        let analysis: PluginAnalysis
        do {
            analysis = try plugin.analysis()
        } catch {
            throw ProviderError(provider: provider, message: error.description)
        }
        var l1 = 0.0
        var l2Squared = 0.0
        var dimension = 0
        var channels: [String: Channel] = [:]
        for channel in analysis.channels {
            l1 += channel.bounds.l1
            l2Squared += channel.bounds.l2 * channel.bounds.l2
            dimension += channel.length
            channels[channel.name] = Channel(
                dimension: channel.length, linf: Int64(channel.bounds.linf.rounded(.up)))
        }
        self.l1 = l1
        // √ rounds to nearest: step up one ulp unless the root is exact, so the bound stays a bound.
        let root = l2Squared.squareRoot()
        self.l2 = root * root == l2Squared ? root : root.nextUp
        self.dimension = dimension
        self.channels = channels
    }
}
