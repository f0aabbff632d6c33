import Foundation
import PhalanxCore

/// Runs one secure-aggregation instance with all clients and the server in one process, with a dropout and
/// misbehaviour schedule: for the tests (correctness against the plain sum over many schedules) and for
/// `phalanx bench secagg` (per-stage times and bytes). Messages go through their canonical encoding, as on a
/// network, so the byte counts are real.
public struct SecAggSimulation {
    /// The last stage a client takes part in before it drops out.
    public enum Dropout: Int, Sendable, CaseIterable, Comparable {
        /// Never sends anything.
        case beforeAdvertising
        /// Advertises keys, then vanishes before dealing shares.
        case beforeSharing
        /// Deals shares, then vanishes before sending its masked input.
        case afterSharing
        /// Sends its masked input, then vanishes before the consistency check.
        case afterMaskedInput
        /// Signs the survivor list, then vanishes before revealing shares.
        case duringUnmasking

        public static func < (a: Dropout, b: Dropout) -> Bool { a.rawValue < b.rawValue }
    }

    /// Per-stage measurements.
    public struct StageFigures: Sendable {
        public var name: String
        /// Mean client time for the stage, seconds.
        public var clientSeconds: Double
        /// Server time for the stage, seconds.
        public var serverSeconds: Double
        /// Mean bytes a client sent in the stage.
        public var clientBytes: Double
    }

    public struct Outcome: Sendable {
        public var sum: [Int64]?
        public var contributors: [ParticipantID]
        public var abortReason: String?
        public var offenders: Set<ParticipantID>
        public var metrics: SecAggMetrics
        public var stages: [StageFigures]
    }

    public let configuration: SecAggConfiguration
    public let identities: [SigningIdentity]
    public let roster: FederationRoster
    public var dropouts: [ParticipantID: Dropout] = [:]
    public var corruptRevealers: Set<ParticipantID> = []

    public init(configuration: SecAggConfiguration, identities: [SigningIdentity]) throws {
        self.configuration = configuration
        self.identities = identities
        self.roster = try FederationRoster(identities.map(\.publicIdentity))
    }

    /// Runs the instance on `inputs` (one vector per client, in `configuration.clients` order).
    public func run(inputs: [[Int64]]) throws -> Outcome {
        let byId = Dictionary(uniqueKeysWithValues: identities.map { ($0.id, $0) })
        var clients: [ParticipantID: SecAggClient] = [:]
        var stages: [StageFigures] = []
        let server = SecAggServer(configuration: configuration, roster: roster)
        let names = ["advertise", "share-keys", "masked-input", "consistency", "unmask"]
        var inbox: [ParticipantID: SecAggServerMessage] = [:]
        for (stageIndex, name) in names.enumerated() {
            var clientTime = 0.0
            var clientBytes = 0
            var senders = 0
            for (i, id) in configuration.clients.enumerated() {
                if let drop = dropouts[id], drop.rawValue <= stageIndex { continue }
                let start = ContinuousClock.now
                let message: SecAggClientMessage?
                do {
                    if stageIndex == 0 {
                        let client = try SecAggClient(
                            instance: configuration.instance, identity: byId[id]!, roster: roster, input: inputs[i],
                            bound: configuration.bound)
                        client.corruptsRevealedShares = corruptRevealers.contains(id)
                        clients[id] = client
                        message = try client.advertise()
                    } else if let incoming = inbox[id], let client = clients[id] {
                        message = try client.handle(incoming)
                    } else {
                        message = nil
                    }
                } catch {
                    message = nil  // the client gave up (e.g. too few peers): the server sees a dropout
                }
                clientTime += seconds(since: start)
                guard let message else { continue }
                let bytes = try CanonicalEncoding.encode(message)
                clientBytes += bytes.count
                senders += 1
                server.receive(try CanonicalEncoding.decode(SecAggClientMessage.self, from: bytes), from: id)
            }
            let start = ContinuousClock.now
            let outgoing: [ParticipantID: SecAggServerMessage]
            do {
                outgoing = try server.finishStage()
            } catch {
                stages.append(figures(name, clientTime, senders, clientBytes, seconds(since: start)))
                return Outcome(
                    sum: nil, contributors: [], abortReason: error.message, offenders: server.offenders,
                    metrics: server.metrics, stages: stages)
            }
            // Server messages cross the "network" in their canonical encoding as well.
            inbox = try outgoing.mapValues {
                try CanonicalEncoding.decode(SecAggServerMessage.self, from: CanonicalEncoding.encode($0))
            }
            stages.append(figures(name, clientTime, senders, clientBytes, seconds(since: start)))
        }
        return Outcome(
            sum: server.result, contributors: server.contributors, abortReason: server.abortReason,
            offenders: server.offenders, metrics: server.metrics, stages: stages)
    }

    private func figures(
        _ name: String, _ clientTime: Double, _ senders: Int, _ bytes: Int, _ server: Double
    ) -> StageFigures {
        StageFigures(
            name: name, clientSeconds: senders == 0 ? 0 : clientTime / Double(senders), serverSeconds: server,
            clientBytes: senders == 0 ? 0 : Double(bytes) / Double(senders))
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = start.duration(to: .now).components
        return Double(d.seconds) + Double(d.attoseconds) / 1e18
    }
}
