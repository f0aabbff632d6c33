import Crypto
import Foundation
import PhalanxCore

/// The public parameters of one secure-aggregation instance (one channel of one round of one job).
///
/// Every client and the server derive the same neighbour graph and threshold from these, so a server cannot
/// tell different clients different graphs without the clients noticing (the graph seed is part of what the
/// clients sign in the consistency check).
public struct SecAggConfiguration: Hashable, Sendable, Codable {
    /// Domain separation for every key, mask and signature of this instance: job id, round and channel.
    public let instance: String
    /// The clients, sorted; position + 1 is a client's Shamir x-coordinate.
    public let clients: [ParticipantID]
    public let graph: SecAggGraph
    /// Shamir threshold t: shares needed to reconstruct a client's secrets.
    public let threshold: Int
    /// Vector length.
    public let dimension: Int
    /// Largest |value| a client may contribute per component; n·bound must stay below 2^31 so the sum modulo
    /// 2^32 never wraps (checked at construction).
    public let bound: UInt32

    public init(
        instance: String, clients: [ParticipantID], graph: SecAggGraph, threshold: Int, dimension: Int, bound: UInt32
    ) throws(SecAggError) {
        let sorted = clients.sorted()
        guard Set(sorted).count == sorted.count, sorted.count >= 2 else {
            throw SecAggError(.configuration, "secure aggregation needs at least 2 distinct clients")
        }
        guard dimension > 0 else { throw SecAggError(.configuration, "the dimension must be positive") }
        let degree = graph.groupSize(clientCount: sorted.count)
        guard threshold >= 1, threshold <= degree else {
            throw SecAggError(.configuration, "threshold \(threshold) must be between 1 and the group size \(degree)")
        }
        let (product, overflow) = UInt64(bound).multipliedReportingOverflow(by: UInt64(sorted.count))
        guard !overflow, product < 1 << 31 else {
            throw SecAggError(
                .configuration,
                "\(sorted.count) clients × bound \(bound) reaches 2^31: the sum modulo 2^32 could wrap; lower the bound"
            )
        }
        self.instance = instance
        self.clients = sorted
        self.graph = graph
        self.threshold = threshold
        self.dimension = dimension
        self.bound = bound
    }

    /// The Shamir x-coordinate of `client` (1-based position).
    public func x(of client: ParticipantID) -> UInt64? {
        clients.firstIndex(of: client).map { UInt64($0 + 1) }
    }

    /// The share group of `client`: itself and its neighbours, sorted.
    public func group(of client: ParticipantID) -> [ParticipantID] {
        guard let i = clients.firstIndex(of: client) else { return [] }
        return graph.group(of: i, in: clients.count).map { clients[$0] }
    }

    /// A configuration with the threshold chosen from tolerated fractions: see ``SecAggGraph/threshold(groupSize:dropout:corruption:)``.
    public static func make(
        instance: String, clients: [ParticipantID], graph: SecAggGraph, dimension: Int, bound: UInt32,
        dropout: Double, corruption: Double
    ) throws(SecAggError) -> SecAggConfiguration {
        let k = graph.groupSize(clientCount: clients.count)
        let t = try SecAggGraph.threshold(groupSize: k, dropout: dropout, corruption: corruption)
        return try SecAggConfiguration(
            instance: instance, clients: clients, graph: graph, threshold: t, dimension: dimension, bound: bound)
    }
}

/// Who shares secrets with whom.
public enum SecAggGraph: Hashable, Sendable, Codable {
    /// Classic SecAgg (Bonawitz et al. 2017): every client's group is all clients.
    case complete
    /// SecAgg+ (Bell et al. 2020): each client's group is itself and `degree − 1` neighbours, a Harary graph over
    /// a pseudorandom permutation of the clients derived from `seed` (public, chosen by the server, signed by
    /// the clients in the consistency check).
    case sparse(groupSize: Int, seed: [UInt8])

    /// The size of every share group (the client included).
    public func groupSize(clientCount n: Int) -> Int {
        switch self {
        case .complete:
            return n
        case .sparse(let k, _):
            // Groups must be symmetric (v in u's group ⇔ u in v's): a ring with ±m neighbours has an odd size.
            let odd = k % 2 == 0 ? k + 1 : k
            return odd >= n ? n : max(odd, 1)
        }
    }

    /// The group size SecAgg+ uses for `n` clients: the odd number ≥ 3·log2 n, at least 7 and at most n
    /// (see docs/secagg.md).
    public static func defaultGroupSize(clientCount n: Int) -> Int {
        let k = max(7, Int((3 * log2(Double(max(n, 2)))).rounded(.up)))
        return min(n, k % 2 == 0 ? k + 1 : k)
    }

    /// The threshold for groups of size k tolerating a fraction `dropout` of clients dropping and a fraction
    /// `corruption` colluding with the server: t = ⌊k·(1 + corruption)/2⌋ + 1, and it must leave
    /// k·(1 − dropout) ≥ t survivors. Security: an honest client reveals, per peer, a share of *either* its
    /// self-mask seed *or* its mask key, never both; the server plus ⌊corruption·k⌋ corrupted group members can
    /// gather t shares of both only if t ≤ (k + corruption·k)/2, which this t excludes. Liveness: a group that
    /// keeps at least t members can reconstruct.
    public static func threshold(groupSize k: Int, dropout: Double, corruption: Double) throws(SecAggError) -> Int {
        guard (0..<1).contains(dropout), (0..<0.5).contains(corruption) else {
            throw SecAggError(.configuration, "dropout must be in [0, 1) and corruption in [0, 0.5)")
        }
        let t = Int((Double(k) * (1 + corruption) / 2).rounded(.down)) + 1
        let survivors = Int((Double(k) * (1 - dropout)).rounded(.down))
        guard survivors >= t, t <= k else {
            throw SecAggError(
                .configuration,
                "groups of \(k) cannot tolerate \(Int(dropout * 100))% dropouts with threshold \(t) (\(survivors) would survive); use larger groups or fewer dropouts"
            )
        }
        return t
    }

    /// The group (indices into the sorted client list) of client `i`.
    func group(of i: Int, in n: Int) -> [Int] {
        switch self {
        case .complete:
            return Array(0..<n)
        case .sparse(_, let seed):
            let k = groupSize(clientCount: n)
            if k == n { return Array(0..<n) }
            let permutation = Self.permutation(n: n, seed: seed)
            var position = [Int](repeating: 0, count: n)
            for (p, client) in permutation.enumerated() { position[client] = p }
            // Harary ring: the (k−1)/2 nearest positions on each side of the client's position.
            let p = position[i]
            var members: [Int] = [i]
            for offset in 1...((k - 1) / 2) {
                members.append(permutation[(p + offset) % n])
                members.append(permutation[((p - offset) % n + n) % n])
            }
            return members.sorted()
        }
    }

    /// A permutation of 0..<n from `seed` (Fisher–Yates driven by SHA-256 in counter mode).
    static func permutation(n: Int, seed: [UInt8]) -> [Int] {
        var order = Array(0..<n)
        var counter: UInt64 = 0
        var pool: [UInt8] = []
        func nextUInt64() -> UInt64 {
            if pool.count < 8 {
                var hasher = SHA256()
                hasher.update(data: seed)
                withUnsafeBytes(of: counter.bigEndian) { hasher.update(bufferPointer: $0) }
                counter += 1
                pool += Array(hasher.finalize())
            }
            let value = pool.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            pool.removeFirst(8)
            return value
        }
        guard n > 1 else { return order }
        for i in stride(from: n - 1, to: 0, by: -1) {
            // Unbiased: rejection sampling below the largest multiple of (i + 1).
            let range = UInt64(i + 1)
            let limit = UInt64.max - UInt64.max % range
            var r = nextUInt64()
            while r >= limit { r = nextUInt64() }
            order.swapAt(i, Int(r % range))
        }
        return order
    }
}

/// Why secure aggregation refused or aborted. Never contains secret material.
public struct SecAggError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        case configuration, protocolViolation, badSignature, notEnoughParticipants, reconstructionFailed, outOfRange
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "secure aggregation: \(message)" }
}
