import Crypto
import Foundation
import PhalanxCore
import PhalanxFHE

/// The node half of `fhe`: this node's share sᵢ of the collective secret (made when the session starts, wiped
/// with it), its key-generation share, its Shamir shares of sᵢ for the other nodes (t-out-of-N), encryption of
/// its vectors, and its smudged shares of every decryption and refresh.
final class FHENodeSession: NodeProviderSession {
    private let job: ProviderJobContext
    private let provider: FHEProvider
    private let context: BFVContext
    private let encoder: BatchEncoder
    /// The job's nodes, sorted: a node's Shamir point is its index + 1.
    private let nodes: [ParticipantID]
    private let threshold: Int
    /// The budget a smudged decryption by every node needs: `noiseBits` reports what is left above it.
    private let reserve: Double
    private var secret: SecretKey?
    private let agreement = Curve25519.KeyAgreement.PrivateKey()
    private var publicKey: PublicKey?
    /// The other nodes' X25519 keys for dealing, from their signed advertisements.
    private var peers: [ParticipantID: Data] = [:]
    /// This node's own dealt share, until the others' arrive.
    private var ownDealt: SecretBytes?
    /// s'ⱼ, this node's share of the collective secret under the t-out-of-N sharing.
    private var thresholdShare: ThresholdSecretShare?
    private var keyShareSent = false
    /// Vectors begun before the collective key existed.
    private var waiting: [(vector: [Int64], channel: String, round: Int)] = []
    /// Sums this node began whose decryption share it has not sent yet.
    private var open: Set<FHEInstance> = []
    /// Sums this node contributed to (a decryption may be asked again, of a smaller set, after a dropout).
    private var contributed: Set<FHEInstance> = []
    /// This node's view of each channel's encrypted total: its noise, from its own count and the aggregator's
    /// estimate, whichever is larger.
    private var totals: [String: Double] = [:]
    private var refreshRequested: Set<String> = []
    /// Sums whose decryption carried this node's refresh shares (sent again if the decryption is asked again).
    private var refreshing: Set<FHEInstance> = []
    private var refreshes = 0

    init(job: ProviderJobContext, provider: FHEProvider, context: BFVContext) throws {
        self.job = job
        self.provider = provider
        self.context = context
        encoder = BatchEncoder(context: context)
        nodes = job.manifest.participants.nodes.sorted()
        threshold = provider.threshold(nodes: nodes.count)
        reserve = provider.smudging.requiredBudget(parties: nodes.count, context: context)
        secret = SecretKey(context: context)
    }

    private var parties: Int { nodes.count }
    private var jobHex: String { job.jobId.hex }

    private func liveSecret() throws -> SecretKey {
        guard let secret else {
            throw ProviderError(provider: FHEProvider.name, message: "the key share was wiped; the job is over here")
        }
        return secret
    }

    private func point(of node: ParticipantID) -> UInt64? {
        nodes.firstIndex(of: node).map { UInt64($0 + 1) }
    }

    func begin(_ vector: [Int64], channel: String, round: Int) throws -> [ProviderMessage] {
        let secret = try liveSecret()
        let instance = FHEInstance(channel: channel, round: round)
        open.insert(instance)
        contributed.insert(instance)
        guard publicKey != nil else {
            waiting.append((vector, channel, round))
            guard !keyShareSent else { return [] }
            keyShareSent = true
            let share = FHEProvider.keyGeneration(context: context, job: job).share(secret: secret)
            let advertisement = try Signed(
                signing: FHEDealingAdvertisement(
                    node: job.participant, job: jobHex, agreementKey: agreement.publicKey.rawRepresentation),
                with: job.identity)
            return [
                message(
                    .keyShare, channel: channel, round: round,
                    body: FHEMessageBody(objects: [
                        try share.encodedForMessage(context: context), try CanonicalEncoding.encode(advertisement),
                    ]))
            ]
        }
        return [try encrypt(vector, channel: channel, round: round)]
    }

    private func encrypt(_ vector: [Int64], channel: String, round: Int) throws -> ProviderMessage {
        guard let publicKey else { throw ProviderError(provider: FHEProvider.name, message: "no collective key yet") }
        let encryptor = BFVEncryptor(context: context, publicKey: publicKey)
        let slots = context.degree
        var objects: [[UInt8]] = []
        for start in stride(from: 0, to: max(vector.count, 1), by: slots) {
            let chunk = Array(vector[start..<min(start + slots, vector.count)])
            do {
                objects.append(try encryptor.encrypt(try encoder.encode(signed: chunk)).serialized(context: context))
            } catch {
                throw ProviderError(provider: FHEProvider.name, message: "cannot encrypt \(channel): \(error)")
            }
        }
        return message(.ciphertexts, channel: channel, round: round, body: FHEMessageBody(objects: objects))
    }

    func receive(_ message: ProviderMessage) throws -> [ProviderMessage] {
        guard message.provider == FHEProvider.name, let step = FHEStep(rawValue: message.step) else {
            throw ProviderError(
                provider: FHEProvider.name, message: "unexpected \(message.provider) \(message.step) message")
        }
        let body = try FHEMessageBody(decoding: message.body)
        switch step {
        case .publicKey:
            return try collectiveKey(body)
        case .dealt:
            try combineDealt(body)
            return []
        case .decrypt:
            return [try decryptionShares(body, channel: message.channel, round: message.round)]
        case .keyShare, .ciphertexts, .decryptionShares, .dealtShares:
            throw ProviderError(provider: FHEProvider.name, message: "a node does not receive \(step.rawValue)")
        }
    }

    /// The collective key and every node's dealing key: deal this node's Shamir shares (t-out-of-N), then
    /// encrypt what was waiting for the key.
    private func collectiveKey(_ body: FHEMessageBody) throws -> [ProviderMessage] {
        guard publicKey == nil else { return [] }
        guard body.objects.count == 1 + parties else {
            throw ProviderError(
                provider: FHEProvider.name, message: "a public-key message holds the key and \(parties) dealing keys")
        }
        let key = try FHEMessageBody(objects: [body.objects[0]]).decode(
            PublicKey.self, context: context, from: "the aggregator")[0]
        guard key.parties == parties else {
            throw ProviderError(
                provider: FHEProvider.name,
                message: "the collective key sums \(key.parties) shares; this job has \(parties) nodes")
        }
        for bytes in body.objects.dropFirst() {
            let advertisement: FHEDealingAdvertisement
            do {
                let envelope = try CanonicalEncoding.decode(Signed<FHEDealingAdvertisement>.self, from: Data(bytes))
                advertisement = try envelope.verify(with: job.roster).value
            } catch {
                throw ProviderError(
                    provider: FHEProvider.name,
                    message: "a dealing key relayed by the aggregator does not verify: \(error)")
            }
            guard advertisement.job == jobHex, nodes.contains(advertisement.node) else {
                throw ProviderError(
                    provider: FHEProvider.name, message: "the aggregator relayed a dealing key of another job or node")
            }
            peers[advertisement.node] = advertisement.agreementKey
        }
        guard peers.count == parties, peers[job.participant] == agreement.publicKey.rawRepresentation else {
            throw ProviderError(
                provider: FHEProvider.name, message: "the aggregator did not relay every node's dealing key unchanged")
        }
        publicKey = key
        var out: [ProviderMessage] = []
        if threshold < parties { out.append(try deal()) }
        let pending = waiting
        waiting.removeAll()
        out += try pending.map { try encrypt($0.vector, channel: $0.channel, round: $0.round) }
        return out
    }

    /// This node's Shamir shares of sᵢ, each sealed for its holder (AES-GCM under an X25519 key only the two share).
    private func deal() throws -> ProviderMessage {
        let secret = try liveSecret()
        let sharing = try fheOperation { () throws(FHEError) in
            try ThresholdKeySharing(context: context, threshold: threshold)
        }
        let points = (1...UInt64(parties)).map { $0 }
        let shares = try fheOperation { () throws(FHEError) in try sharing.dealSerialized(secret, to: points) }
        var holders: [UInt32] = []
        var objects: [[UInt8]] = []
        for (index, holder) in nodes.enumerated() {
            let share = shares[UInt64(index + 1)]!
            if holder == job.participant {
                ownDealt = share
                continue
            }
            let key = try FHEDealingChannel.key(
                agreement, peers[holder]!, job: jobHex, dealer: job.participant, holder: holder)
            objects.append(
                try FHEDealingChannel.seal(
                    share, key: key,
                    context: FHEDealingChannel.context(job: jobHex, dealer: job.participant, holder: holder)))
            holders.append(UInt32(index))
        }
        return message(
            .dealtShares, channel: "", round: 0, body: FHEMessageBody(header: holders, objects: objects))
    }

    /// The other nodes' shares dealt to this node, opened and added to its own: s'ⱼ.
    private func combineDealt(_ body: FHEMessageBody) throws {
        guard thresholdShare == nil, let ownDealt, let me = point(of: job.participant) else {
            throw ProviderError(provider: FHEProvider.name, message: "dealt shares before this node dealt its own")
        }
        guard body.header.count == parties - 1, body.objects.count == parties - 1 else {
            throw ProviderError(
                provider: FHEProvider.name, message: "expected \(parties - 1) dealt shares, got \(body.objects.count)")
        }
        var received = [ownDealt]
        for (dealerIndex, sealed) in zip(body.header, body.objects) {
            guard Int(dealerIndex) < parties, nodes[Int(dealerIndex)] != job.participant else {
                throw ProviderError(provider: FHEProvider.name, message: "a dealt share from an unknown dealer")
            }
            let dealer = nodes[Int(dealerIndex)]
            do {
                let key = try FHEDealingChannel.key(
                    agreement, peers[dealer]!, job: jobHex, dealer: dealer, holder: job.participant)
                received.append(
                    try FHEDealingChannel.open(
                        sealed, key: key,
                        context: FHEDealingChannel.context(job: jobHex, dealer: dealer, holder: job.participant)))
            } catch {
                throw ProviderError(provider: FHEProvider.name, message: "the share dealt by \(dealer) does not open")
            }
        }
        let sharing = try fheOperation { () throws(FHEError) in
            try ThresholdKeySharing(context: context, threshold: threshold)
        }
        thresholdShare = try fheOperation { () throws(FHEError) in try sharing.combine(point: me, serialized: received)
        }
        self.ownDealt = nil
    }

    /// The secret this node decrypts with for the decrypting set `active`: its own sᵢ (N-out-of-N) or its
    /// Lagrange-weighted threshold share.
    private func actingSecret(among active: [ParticipantID]) throws -> SecretKey {
        let secret = try liveSecret()
        guard threshold < parties else {
            guard active == nodes else {
                throw ProviderError(provider: FHEProvider.name, message: "N-out-of-N: every node must decrypt")
            }
            return secret
        }
        guard let thresholdShare else {
            throw ProviderError(
                provider: FHEProvider.name, message: "asked to decrypt before the key shares were dealt")
        }
        let points = active.compactMap(point(of:))
        return try fheOperation { () throws(FHEError) in try thresholdShare.activeSecret(among: points) }
    }

    /// This node's smudged decryption share of every ciphertext of a channel's total (and its refresh shares,
    /// when an A-BOOTSTRAP asked for a refresh).
    private func decryptionShares(_ body: FHEMessageBody, channel: String, round: Int) throws -> ProviderMessage {
        let instance = FHEInstance(channel: channel, round: round)
        guard contributed.contains(instance) else {
            throw ProviderError(
                provider: FHEProvider.name,
                message: "asked to decrypt \(channel) round \(round), which this node did not contribute to")
        }
        guard body.header.count >= 2, body.header.count == 2 + Int(body.header[1]) else {
            throw ProviderError(
                provider: FHEProvider.name, message: "a decryption request carries its refresh epoch and its set")
        }
        let epoch = Int(body.header[0])
        let indices = body.header.dropFirst(2).map(Int.init)
        guard indices.allSatisfy({ $0 < parties }), Set(indices).count == indices.count else {
            throw ProviderError(provider: FHEProvider.name, message: "a decryption request names an unknown node")
        }
        let active = indices.sorted().map { nodes[$0] }
        guard active.contains(job.participant) else {
            throw ProviderError(provider: FHEProvider.name, message: "a decryption request that leaves this node out")
        }
        let secret = try actingSecret(among: active)
        let ciphertexts = try body.decode(Ciphertext.self, context: context, from: "the aggregator")
        // Own count: the total gained up to `parties` fresh ciphertexts since this node last saw it.
        let fresh = NoiseModel.freshBits(degree: context.degree, parties: parties)
        var own = totals[channel]
        for _ in 0..<parties {
            own = own.map { NoiseModel.additionBits($0, fresh, context: context) } ?? fresh
        }
        let noise = max(own ?? fresh, ciphertexts.map(\.noiseBits).max() ?? 0)
        let keySwitch = CollectiveKeySwitch(context: context, parties: active.count, smudging: provider.smudging)
        var objects: [[UInt8]] = []
        let withRefresh = refreshRequested.contains(channel) || refreshing.contains(instance)
        do {
            for ciphertext in ciphertexts {
                let share = try keySwitch.decryptionShare(
                    secret: secret, ciphertext: ciphertext.assumingNoise(atLeast: noise))
                objects.append(try share.serialized(context: context))
            }
            if withRefresh {
                let refresh = provider.refresh(
                    context: context, job: job, channel: channel, epoch: epoch, parties: active.count)
                for ciphertext in ciphertexts {
                    let share = try refresh.share(
                        secret: secret, ciphertext: ciphertext.assumingNoise(atLeast: noise))
                    objects.append(try share.serialized(context: context))
                }
            }
        } catch {
            throw ProviderError(
                provider: FHEProvider.name, message: "cannot decrypt \(channel) round \(round): \(error)")
        }
        if withRefresh {
            if refreshRequested.remove(channel) != nil { refreshes += 1 }
            refreshing.insert(instance)
            totals[channel] = CollectiveRefresh.refreshedNoiseBits(context: context, parties: active.count)
        } else {
            totals[channel] = noise
        }
        open.remove(instance)
        return message(
            .decryptionShares, channel: channel, round: round,
            body: FHEMessageBody(header: [UInt32(ciphertexts.count), withRefresh ? 1 : 0], objects: objects))
    }

    private func message(_ step: FHEStep, channel: String, round: Int, body: FHEMessageBody) -> ProviderMessage {
        ProviderMessage(
            provider: FHEProvider.name, channel: channel, round: round, step: step.rawValue, body: body.encoded())
    }

    var isBusy: Bool { !open.isEmpty }

    func metrics() -> [String: Double] {
        FHEProvider.metrics(
            noiseBits: totals.values.max() ?? NoiseModel.freshBits(degree: context.degree, parties: parties),
            parties: parties, reserve: reserve, context: context, refreshes: refreshes)
    }

    func wipe() {
        secret = nil  // SecretKey zeroes its residues when freed
        thresholdShare = nil
        ownDealt = nil
        waiting.removeAll()
        open.removeAll()
    }

    /// The budget does not vanish with the session: frames after the job keep its last value (0 would read as
    /// an exhausted budget and set off the noise-floor guard-rail).
    func restingMetrics() -> [String: Double] { metrics() }

    /// `A-BOOTSTRAP`: take part in a collective refresh of every channel's total at its next decryption.
    func bootstrap() throws -> Bool {
        _ = try liveSecret()
        refreshRequested.formUnion(totals.keys)
        return true
    }
}

/// One secure sum of a job: a channel in a round.
struct FHEInstance: Hashable, Comparable {
    let channel: String
    let round: Int
    static func < (lhs: FHEInstance, rhs: FHEInstance) -> Bool { (lhs.round, lhs.channel) < (rhs.round, rhs.channel) }
}

/// The steps of the `fhe` protocol, as `ProviderMessage.step`.
enum FHEStep: String {
    /// Node → aggregator: its collective-key-generation share and its signed dealing key (once per job).
    case keyShare = "key-share"
    /// Aggregator → nodes: the collective public key and every node's dealing key.
    case publicKey = "public-key"
    /// Node → aggregator: its Shamir shares of its key share, each sealed for its holder (t-out-of-N only).
    case dealtShares = "dealt-shares"
    /// Aggregator → node: the shares the other nodes dealt to it.
    case dealt
    /// Node → aggregator: the node's vector, encrypted (one ciphertext per N components).
    case ciphertexts
    /// Aggregator → nodes: the channel's encrypted total, to decrypt (header: the refresh epoch, the decrypting set).
    case decrypt
    /// Node → aggregator: smudged decryption shares (header: ciphertext count, whether refresh shares follow).
    case decryptionShares = "decryption-shares"
}
