import Foundation
import PhalanxCore

/// The `plain` execution provider: **no protection**. Vectors travel to the aggregator in the clear.
///
/// It exists for tests, for non-sensitive data and as the reference semantics every other provider must
/// match: the sum it computes is the plain sum. It still bounds what it accepts: each contribution must have
/// the expected length, and the sums are checked for overflow instead of wrapping.
public struct PlainProvider: ExecutionProvider {
    public static let name = "plain"
    /// The L1 norm of the last contribution protected (node) or the largest absorbed this round (aggregator).
    public static let contributionL1 = "contributionL1"
    /// Contributions waiting to be merged (aggregator); 0 on nodes.
    public static let pendingContributions = "pendingContributions"

    public init() {}

    public var descriptor: ProviderDescriptor {
        ProviderDescriptor(
            name: Self.name,
            protection: "NONE: contributions are sent in the clear; the aggregator sees every node's vector.",
            opcodes: [.secureSum, .thresholdRelease, .release],
            metricKeys: [Self.contributionL1, Self.pendingContributions]
        )
    }

    public func makeNodeSession(job: ProviderJobContext) throws -> any NodeProviderSession {
        NodeSession()
    }

    public func makeAggregatorSession(job: ProviderJobContext) throws -> any AggregatorProviderSession {
        AggregatorSession()
    }

    static func l1(_ v: [Int64]) -> Double { v.reduce(0.0) { $0 + Double($1.magnitude) } }

    final class NodeSession: NodeProviderSession {
        private var lastL1 = 0.0

        func protect(_ vector: [Int64], channel: String, round: Int) throws -> ProtectedContribution {
            lastL1 = PlainProvider.l1(vector)
            let body = try CanonicalEncoding.encode(vector)
            return ProtectedContribution(provider: PlainProvider.name, channel: channel, round: round, body: Data(body))
        }

        func metrics() -> [String: Double] {
            [PlainProvider.contributionL1: lastL1, PlainProvider.pendingContributions: 0]
        }

        func wipe() { lastL1 = 0 }
    }

    final class AggregatorSession: AggregatorProviderSession {
        private struct Key: Hashable {
            let channel: String
            let round: Int
        }
        private var pending: [Key: [ParticipantID: [Int64]]] = [:]
        /// The largest L1 norm among contributions to the latest round seen; kept after merging so the
        /// aggregator's frame can cross-check what nodes report.
        private var largestL1 = 0.0
        private var latestRound = -1

        func absorb(_ contribution: ProtectedContribution, from node: ParticipantID) throws {
            guard contribution.provider == PlainProvider.name else {
                throw ProviderError(
                    provider: PlainProvider.name, message: "\(node) sent a \(contribution.provider) contribution")
            }
            let vector: [Int64]
            do {
                vector = try CanonicalEncoding.decode([Int64].self, from: contribution.body)
            } catch {
                throw ProviderError(provider: PlainProvider.name, message: "\(node) sent a malformed vector: \(error)")
            }
            let key = Key(channel: contribution.channel, round: contribution.round)
            if let first = pending[key]?.values.first, first.count != vector.count {
                throw ProviderError(
                    provider: PlainProvider.name,
                    message:
                        "\(node) sent \(vector.count) components on \(contribution.channel), others sent \(first.count)"
                )
            }
            guard pending[key, default: [:]].updateValue(vector, forKey: node) == nil else {
                throw ProviderError(
                    provider: PlainProvider.name, message: "\(node) contributed twice to round \(contribution.round)")
            }
            if contribution.round > latestRound {
                latestRound = contribution.round
                largestL1 = 0
            }
            if contribution.round == latestRound { largestL1 = max(largestL1, PlainProvider.l1(vector)) }
        }

        func combine(channel: String, round: Int, contributors: [ParticipantID]) throws -> [Int64] {
            let key = Key(channel: channel, round: round)
            let byNode = pending[key] ?? [:]
            var sum: [Int64]?
            for node in contributors {
                guard let v = byNode[node] else {
                    throw ProviderError(
                        provider: PlainProvider.name, message: "no contribution from \(node) for round \(round)")
                }
                guard var acc = sum else {
                    sum = v
                    continue
                }
                for i in acc.indices {
                    let (s, overflow) = acc[i].addingReportingOverflow(v[i])
                    guard !overflow else {
                        throw ProviderError(
                            provider: PlainProvider.name, message: "sum overflows Int64 at component \(i)")
                    }
                    acc[i] = s
                }
                sum = acc
            }
            pending[key] = nil
            return sum ?? []
        }

        func metrics() -> [String: Double] {
            [
                PlainProvider.contributionL1: largestL1,
                PlainProvider.pendingContributions: Double(pending.values.reduce(0) { $0 + $1.count }),
            ]
        }

        func discardPending() {
            pending.removeAll()
            largestL1 = 0
        }
    }
}
