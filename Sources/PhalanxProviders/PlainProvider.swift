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

        func begin(_ vector: [Int64], channel: String, round: Int) throws -> [ProviderMessage] {
            lastL1 = PlainProvider.l1(vector)
            let body = try CanonicalEncoding.encode(vector)
            return [
                ProviderMessage(
                    provider: PlainProvider.name, channel: channel, round: round, step: "contribution", body: Data(body)
                )
            ]
        }

        func receive(_ message: ProviderMessage) throws -> [ProviderMessage] {
            throw ProviderError(provider: PlainProvider.name, message: "the plain protocol has no replies")
        }

        var isBusy: Bool { false }

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

        func receive(_ message: ProviderMessage, from node: ParticipantID) throws {
            guard message.provider == PlainProvider.name, message.step == "contribution" else {
                throw ProviderError(
                    provider: PlainProvider.name, message: "\(node) sent a \(message.provider) \(message.step) message")
            }
            let vector: [Int64]
            do {
                vector = try CanonicalEncoding.decode([Int64].self, from: message.body)
            } catch {
                throw ProviderError(provider: PlainProvider.name, message: "\(node) sent a malformed vector: \(error)")
            }
            let key = Key(channel: message.channel, round: message.round)
            if let first = pending[key]?.values.first, first.count != vector.count {
                throw ProviderError(
                    provider: PlainProvider.name,
                    message: "\(node) sent \(vector.count) components on \(message.channel), others sent \(first.count)"
                )
            }
            guard pending[key, default: [:]].updateValue(vector, forKey: node) == nil else {
                throw ProviderError(
                    provider: PlainProvider.name, message: "\(node) contributed twice to round \(message.round)")
            }
            if message.round > latestRound {
                latestRound = message.round
                largestL1 = 0
            }
            if message.round == latestRound { largestL1 = max(largestL1, PlainProvider.l1(vector)) }
        }

        /// Sums every active node has contributed to, seen complete at the previous step.
        private var complete: Set<Key> = []

        /// A sum completes one step after every active node has contributed, with the nodes still active then.
        ///
        /// The step of grace is the safety loop's: a node's frame of the tick it contributed in (its
        /// `clipRatioL2`, say) is judged by the control plane at the end of that tick, and a node it isolates
        /// is no longer active at the next step, so its contribution is left out of the sum rather than merged
        /// before anyone could look.
        func step(active: [ParticipantID]) throws -> ProviderStep {
            var result = ProviderStep()
            for (key, byNode) in pending.sorted(by: { ($0.key.round, $0.key.channel) < ($1.key.round, $1.key.channel) })
            where Set(byNode.keys).isSuperset(of: active) {
                guard complete.contains(key) else {
                    complete.insert(key)
                    continue
                }
                complete.remove(key)
                let contributors = active.sorted()
                result.completed.append(
                    CompletedSum(
                        channel: key.channel, round: key.round, sum: try Self.sum(contributors.map { byNode[$0]! }),
                        contributors: contributors))
                pending[key] = nil
            }
            return result
        }

        static func sum(_ vectors: [[Int64]]) throws -> [Int64] {
            guard var acc = vectors.first else { return [] }
            for v in vectors.dropFirst() {
                for i in acc.indices {
                    let (s, overflow) = acc[i].addingReportingOverflow(v[i])
                    guard !overflow else {
                        throw ProviderError(
                            provider: PlainProvider.name, message: "sum overflows Int64 at component \(i)")
                    }
                    acc[i] = s
                }
            }
            return acc
        }

        func metrics() -> [String: Double] {
            [
                PlainProvider.contributionL1: largestL1,
                PlainProvider.pendingContributions: Double(pending.values.reduce(0) { $0 + $1.count }),
            ]
        }

        func discardPending() {
            pending.removeAll()
            complete.removeAll()
            largestL1 = 0
        }
    }
}
