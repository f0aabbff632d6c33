import Foundation
import PhalanxCore
import PhalanxSecAgg

/// The `secagg` execution provider: secure aggregation (Bonawitz et al. 2017; SecAgg+ groups of Bell et al.
/// 2020). The aggregator learns the sum of the surviving nodes' vectors and nothing about any single one, as long
/// as fewer than t members of a node's group collude with it; nodes may drop out at any stage.
///
/// Each `secure_sum` of a round is one protocol instance of five stages, one per tick: advertise keys → deal
/// shares → masked inputs → consistency check → unmask. The values must be integers within ±B, where B is the
/// bound of the `clip_l1`/`clip_linf` that feeds the `secure_sum`; arithmetic is modulo 2^32 and a job is refused
/// when nodes × B could reach 2^31.
public struct SecAggProvider: ExecutionProvider {
    public static let name = "secagg"
    public static let sharesReceived = "sharesReceived"
    public static let invalidShares = "invalidShares"
    public static let dropouts = "dropouts"
    public static let quorumMargin = "quorumMargin"

    /// Which graph the instances use.
    public enum Graph: String, Sendable, CaseIterable {
        /// Every node shares with every other (classic SecAgg).
        case complete
        /// SecAgg+ groups of ⌈3·log2 n⌉ (odd, at least 7).
        case sparse
        /// Complete up to 15 nodes, sparse beyond (where the complete graph's n² cost starts to dominate).
        case automatic
    }

    public let graph: Graph
    /// The fraction of nodes the threshold tolerates dropping.
    public let dropout: Double
    /// The fraction of a group assumed to collude with the aggregator.
    public let corruption: Double
    /// Ticks a stage waits for missing nodes before they count as dropped.
    public let stageTimeoutTicks: Int
    /// Added to each component's bound: room for what a composed provider adds to the clipped vector.
    public let extraBound: UInt32
    /// The fewest surviving inputs a node lets a sum be unmasked with (a composed provider's requirement, e.g. the
    /// number of noise shares distributed DP is calibrated for); 0 for none beyond the threshold.
    public let minimumSurvivors: Int

    public init(
        graph: Graph = .automatic, dropout: Double = 0.1, corruption: Double = 0.1, stageTimeoutTicks: Int = 2,
        extraBound: UInt32 = 0, minimumSurvivors: Int = 0
    ) {
        self.graph = graph
        self.dropout = dropout
        self.corruption = corruption
        self.stageTimeoutTicks = stageTimeoutTicks
        self.extraBound = extraBound
        self.minimumSurvivors = minimumSurvivors
    }

    public var descriptor: ProviderDescriptor {
        ProviderDescriptor(
            name: Self.name,
            protection:
                "secure aggregation: the aggregator sees only the sum of the surviving nodes' vectors, unless t of a node's group collude with it; the released sum itself is not protected (chain dp for that)",
            opcodes: [.secureSum, .thresholdRelease, .release],
            metricKeys: [Self.sharesReceived, Self.invalidShares, Self.dropouts, Self.quorumMargin]
        )
    }

    public func makeNodeSession(job: ProviderJobContext) throws -> any NodeProviderSession {
        NodeSession(job: job, provider: self)
    }

    public func makeAggregatorSession(job: ProviderJobContext) throws -> any AggregatorProviderSession {
        AggregatorSession(job: job, provider: self)
    }

    /// The per-component bound of the vector that `channel` sums: the bound of the clip that produces it, plus
    /// `extraBound` (room a composed provider needs, e.g. for distributed noise).
    func bound(of channel: String, in plugin: PluginIR) throws -> UInt32 {
        try bound(of: channel, in: try? plugin.analysis())
    }

    /// ``bound(of:in:)`` from a job's analysis.
    func bound(of channel: String, in analysis: PluginAnalysis?) throws -> UInt32 {
        let linf = analysis?.channel(named: channel)?.bounds.linf
        guard let clip = linf.flatMap({ Int64(exactly: $0.rounded(.up)) }), clip > 0 else {
            throw ProviderError(
                provider: SecAggProvider.name,
                message: "secure_sum on \(channel) must sum a clipped vector (clip_l1 or clip_linf)")
        }
        guard clip + Int64(extraBound) <= Int64(UInt32.max) else {
            throw ProviderError(
                provider: SecAggProvider.name, message: "the bound of \(channel) does not fit in 32 bits")
        }
        return UInt32(clip + Int64(extraBound))
    }

    static func instance(job: SHA256Digest, channel: String, round: Int) -> String { "\(job.hex)|\(round)|\(channel)" }

    // MARK: - Node

    final class NodeSession: NodeProviderSession {
        private let job: ProviderJobContext
        private let provider: SecAggProvider
        private var clients: [String: SecAggClient] = [:]
        private var failed: Set<String> = []
        private var complaints = 0

        init(job: ProviderJobContext, provider: SecAggProvider) {
            self.job = job
            self.provider = provider
        }

        func begin(_ vector: [Int64], channel: String, round: Int) throws -> [ProviderMessage] {
            let bound = try provider.bound(of: channel, in: job.analysis)
            let instance = SecAggProvider.instance(job: job.jobId, channel: channel, round: round)
            let client = try SecAggClient(
                instance: instance, identity: job.identity, roster: job.roster, input: vector, bound: bound)
            client.corruptsRevealedShares = job.faults.contains(.corruptRevealedShares)
            client.minimumSurvivors = provider.minimumSurvivors
            clients[instance] = client
            return [try message(try client.advertise(), channel: channel, round: round)]
        }

        func receive(_ message: ProviderMessage) throws -> [ProviderMessage] {
            let instance = SecAggProvider.instance(job: job.jobId, channel: message.channel, round: message.round)
            guard let client = clients[instance], !failed.contains(instance) else { return [] }
            let serverMessage = try CanonicalEncoding.decode(SecAggServerMessage.self, from: message.body)
            do {
                let reply = try client.handle(serverMessage)
                if case .maskedInput(let input) = reply { complaints += input.complaints.count }
                return [try self.message(reply, channel: message.channel, round: message.round)]
            } catch {
                // The aggregator will see this node as dropped; the node stops taking part in this sum.
                failed.insert(instance)
                client.wipe()
                throw ProviderError(provider: SecAggProvider.name, message: "\(error)")
            }
        }

        private func message(_ m: SecAggClientMessage, channel: String, round: Int) throws -> ProviderMessage {
            ProviderMessage(
                provider: SecAggProvider.name, channel: channel, round: round, step: m.stage,
                body: Data(try CanonicalEncoding.encode(m)))
        }

        var isBusy: Bool { clients.contains { !$0.value.isFinished && !failed.contains($0.key) } }

        func metrics() -> [String: Double] {
            // A node reports no invalid shares of its own: the aggregator attributes them (see ProviderIncident).
            [
                SecAggProvider.sharesReceived: 0, SecAggProvider.invalidShares: 0, SecAggProvider.dropouts: 0,
                SecAggProvider.quorumMargin: 0,
            ]
        }

        func wipe() {
            for client in clients.values { client.wipe() }
            clients.removeAll()
        }
    }

    // MARK: - Aggregator

    final class AggregatorSession: AggregatorProviderSession {
        private let job: ProviderJobContext
        private let provider: SecAggProvider
        private struct Instance {
            let channel: String
            let round: Int
            var server: SecAggServer?
            var inbox: [(ParticipantID, SecAggClientMessage)] = []
            var ticksInStage = 0
        }
        private var instances: [String: Instance] = [:]
        // `metrics()` resets `newlyInvalid`: it is called once per tick, when the aggregator emits its frame.
        private var last = SecAggMetrics()
        /// Invalid shares detected since the last frame: the aggregator's frame reports new detections once, so a
        /// predicate on `invalidShares` does not keep holding after the offender was dealt with.
        private var newlyInvalid = 0
        private var reported: Set<ParticipantID> = []

        init(job: ProviderJobContext, provider: SecAggProvider) {
            self.job = job
            self.provider = provider
        }

        func receive(_ message: ProviderMessage, from node: ParticipantID) throws {
            guard message.provider == SecAggProvider.name else {
                throw ProviderError(
                    provider: SecAggProvider.name, message: "\(node) sent a \(message.provider) message")
            }
            let decoded: SecAggClientMessage
            do {
                decoded = try CanonicalEncoding.decode(SecAggClientMessage.self, from: message.body)
            } catch {
                throw ProviderError(
                    provider: SecAggProvider.name, message: "\(node) sent a malformed message: \(error)")
            }
            let key = SecAggProvider.instance(job: job.jobId, channel: message.channel, round: message.round)
            instances[key, default: Instance(channel: message.channel, round: message.round)].inbox.append(
                (node, decoded))
        }

        func step(active: [ParticipantID]) throws -> ProviderStep {
            var result = ProviderStep()
            let roster = job.roster
            for key in instances.keys.sorted() {
                guard var instance = instances[key] else { continue }
                if instance.server == nil {
                    let clients = active.sorted()
                    let k = SecAggGraph.defaultGroupSize(clientCount: clients.count)
                    let sparse = provider.graph == .sparse || (provider.graph == .automatic && clients.count > 15)
                    let graph: SecAggGraph =
                        sparse ? .sparse(groupSize: k, seed: Array(SHA256Digest.of(Array(key.utf8)).bytes)) : .complete
                    do {
                        let configuration = try SecAggConfiguration.make(
                            instance: key, clients: clients, graph: graph, dimension: try dimension(of: instance),
                            bound: try provider.bound(of: instance.channel, in: job.analysis),
                            dropout: provider.dropout, corruption: provider.corruption)
                        instance.server = SecAggServer(configuration: configuration, roster: roster)
                    } catch {
                        result.failed.append((instance.channel, instance.round, "\(error)"))
                        instances[key] = nil
                        continue
                    }
                }
                let server = instance.server!
                for (node, message) in instance.inbox { server.receive(message, from: node) }
                instance.inbox.removeAll()
                instance.ticksInStage += 1
                for offender in server.offenders.subtracting(reported) {
                    result.offenders[offender] =
                        "sent messages that fail their checks (round \(instance.round), \(instance.channel))"
                    reported.insert(offender)
                }
                if server.outstanding.isEmpty || instance.ticksInStage >= provider.stageTimeoutTicks {
                    do {
                        let outgoing = try server.finishStage()
                        instance.ticksInStage = 0
                        for (node, message) in outgoing.sorted(by: { $0.key < $1.key }) {
                            result.outgoing.append(
                                (
                                    node,
                                    ProviderMessage(
                                        provider: SecAggProvider.name, channel: instance.channel, round: instance.round,
                                        step: server.stage.rawValue, body: Data(try CanonicalEncoding.encode(message)))
                                ))
                        }
                    } catch {
                        result.failed.append(
                            (instance.channel, instance.round, (error as? SecAggError)?.message ?? "\(error)"))
                        instances[key] = nil
                        continue
                    }
                    for offender in server.offenders.subtracting(reported) {
                        result.offenders[offender] =
                            "revealed shares that do not open their commitments (round \(instance.round), \(instance.channel))"
                        reported.insert(offender)
                    }
                    if let sum = server.result {
                        last = server.metrics
                        newlyInvalid += server.metrics.invalidShares
                        result.completed.append(
                            CompletedSum(
                                channel: instance.channel, round: instance.round, sum: sum,
                                contributors: server.contributors))
                        instances[key] = nil
                        continue
                    }
                }
                instances[key] = instance
            }
            return result
        }

        /// The dimension of an instance: the length of the advertised vectors is not public, so it is taken from
        /// the plug-in (the count_by domain or clip input length); here, from the first masked input if needed.
        private func dimension(of instance: Instance) throws -> Int {
            guard let length = job.analysis?.channel(named: instance.channel)?.length else {
                throw ProviderError(
                    provider: SecAggProvider.name,
                    message: "cannot tell the length of the vector summed on \(instance.channel)")
            }
            return length
        }

        func metrics() -> [String: Double] {
            defer { newlyInvalid = 0 }
            return [
                SecAggProvider.sharesReceived: Double(last.sharesReceived),
                SecAggProvider.invalidShares: Double(newlyInvalid),
                SecAggProvider.dropouts: Double(last.dropouts),
                SecAggProvider.quorumMargin: Double(last.quorumMargin),
            ]
        }

        func discardPending() {
            instances.removeAll()
        }
    }
}
