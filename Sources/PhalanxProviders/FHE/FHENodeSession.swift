import Foundation
import PhalanxCore
import PhalanxFHE

/// The node half of `fhe`: this node's share sᵢ of the collective secret (made when the session starts, wiped
/// with it), its key-generation share, encryption of its vectors, and its smudged shares of every decryption and
/// refresh.
final class FHENodeSession: NodeProviderSession {
    private let job: ProviderJobContext
    private let provider: FHEProvider
    private let context: BFVContext
    private let encoder: BatchEncoder
    private let parties: Int
    private var secret: SecretKey?
    private var publicKey: PublicKey?
    private var keyShareSent = false
    /// Vectors begun before the collective key existed.
    private var waiting: [(vector: [Int64], channel: String, round: Int)] = []
    /// Sums this node began whose decryption share it has not sent yet.
    private var open: Set<FHEInstance> = []
    /// This node's view of each channel's encrypted total: its noise, from its own count and the aggregator's
    /// estimate, whichever is larger.
    private var totals: [String: Double] = [:]
    private var refreshRequested: Set<String> = []
    private var refreshes = 0

    init(job: ProviderJobContext, provider: FHEProvider, context: BFVContext) throws {
        self.job = job
        self.provider = provider
        self.context = context
        encoder = BatchEncoder(context: context)
        parties = job.manifest.participants.nodes.count
        secret = SecretKey(context: context)
    }

    private func liveSecret() throws -> SecretKey {
        guard let secret else {
            throw ProviderError(provider: FHEProvider.name, message: "the key share was wiped; the job is over here")
        }
        return secret
    }

    func begin(_ vector: [Int64], channel: String, round: Int) throws -> [ProviderMessage] {
        let secret = try liveSecret()
        open.insert(FHEInstance(channel: channel, round: round))
        guard publicKey != nil else {
            waiting.append((vector, channel, round))
            guard !keyShareSent else { return [] }
            keyShareSent = true
            let generation = CollectivePublicKeyGeneration(
                context: context,
                crp: CommonRandomPolynomial.derive(
                    context: context, seed: FHEProvider.seed(job), label: FHEProvider.keyLabel))
            let share = generation.share(secret: secret)
            return [
                message(
                    .keyShare, channel: channel, round: round,
                    body: FHEMessageBody(objects: [try share.encodedForMessage(context: context)]))
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
            guard publicKey == nil else { return [] }
            guard let key = try body.decode(PublicKey.self, context: context, from: "the aggregator").first,
                body.objects.count == 1
            else { throw ProviderError(provider: FHEProvider.name, message: "a public-key message holds one key") }
            guard key.parties == parties else {
                throw ProviderError(
                    provider: FHEProvider.name,
                    message: "the collective key sums \(key.parties) shares; this job has \(parties) nodes")
            }
            publicKey = key
            let pending = waiting
            waiting.removeAll()
            return try pending.map { try encrypt($0.vector, channel: $0.channel, round: $0.round) }
        case .decrypt:
            return [try decryptionShares(body, channel: message.channel, round: message.round)]
        case .keyShare, .ciphertexts, .decryptionShares:
            throw ProviderError(provider: FHEProvider.name, message: "a node does not receive \(step.rawValue)")
        }
    }

    /// This node's smudged decryption share of every ciphertext of a channel's total (and its refresh shares,
    /// when an A-BOOTSTRAP asked for a refresh).
    private func decryptionShares(_ body: FHEMessageBody, channel: String, round: Int) throws -> ProviderMessage {
        let secret = try liveSecret()
        guard open.contains(FHEInstance(channel: channel, round: round)) else {
            throw ProviderError(
                provider: FHEProvider.name,
                message: "asked to decrypt \(channel) round \(round), which this node did not contribute to")
        }
        guard body.header.count == 1 else {
            throw ProviderError(provider: FHEProvider.name, message: "a decryption request carries its refresh epoch")
        }
        let epoch = Int(body.header[0])
        let ciphertexts = try body.decode(Ciphertext.self, context: context, from: "the aggregator")
        // Own count: the total gained `parties` fresh ciphertexts since this node last saw it.
        let fresh = NoiseModel.freshBits(degree: context.degree, parties: parties)
        var own = totals[channel]
        for _ in 0..<parties {
            own = own.map { NoiseModel.additionBits($0, fresh, context: context) } ?? fresh
        }
        let noise = max(own ?? fresh, ciphertexts.map(\.noiseBits).max() ?? 0)
        let keySwitch = CollectiveKeySwitch(context: context, parties: parties, smudging: provider.smudging)
        var objects: [[UInt8]] = []
        let refreshing = refreshRequested.contains(channel)
        do {
            for ciphertext in ciphertexts {
                let share = try keySwitch.decryptionShare(
                    secret: secret, ciphertext: ciphertext.assumingNoise(atLeast: noise))
                objects.append(try share.serialized(context: context))
            }
            if refreshing {
                let refresh = CollectiveRefresh(
                    context: context,
                    crp: CommonRandomPolynomial.derive(
                        context: context, seed: FHEProvider.seed(job),
                        label: FHEProvider.refreshLabel(channel: channel, epoch: epoch)),
                    parties: parties, smudging: provider.smudging)
                for ciphertext in ciphertexts {
                    let share = try refresh.share(secret: secret, ciphertext: ciphertext.assumingNoise(atLeast: noise))
                    objects.append(try share.serialized(context: context))
                }
            }
        } catch {
            throw ProviderError(
                provider: FHEProvider.name, message: "cannot decrypt \(channel) round \(round): \(error)")
        }
        if refreshing {
            refreshRequested.remove(channel)
            refreshes += 1
            totals[channel] = CollectiveRefresh.refreshedNoiseBits(context: context, parties: parties)
        } else {
            totals[channel] = noise
        }
        open.remove(FHEInstance(channel: channel, round: round))
        return message(
            .decryptionShares, channel: channel, round: round,
            body: FHEMessageBody(header: [UInt32(ciphertexts.count), refreshing ? 1 : 0], objects: objects))
    }

    private func message(_ step: FHEStep, channel: String, round: Int, body: FHEMessageBody) -> ProviderMessage {
        ProviderMessage(
            provider: FHEProvider.name, channel: channel, round: round, step: step.rawValue, body: body.encoded())
    }

    var isBusy: Bool { !open.isEmpty }

    func metrics() -> [String: Double] {
        let noise =
            totals.values.max() ?? NoiseModel.freshBits(degree: context.degree, parties: parties)
        let (usable, levels) = FHEProvider.budgetMetrics(
            noiseBits: noise, parties: parties, context: context, smudging: provider.smudging)
        return [
            FHEProvider.noiseBits: usable, FHEProvider.levelsLeft: Double(levels),
            FHEProvider.refreshes: Double(refreshes),
        ]
    }

    func wipe() {
        secret = nil  // SecretKey zeroes its residues when freed
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
    /// Node → aggregator: its collective-key-generation share (once per job).
    case keyShare = "key-share"
    /// Aggregator → nodes: the collective public key.
    case publicKey = "public-key"
    /// Node → aggregator: the node's vector, encrypted (one ciphertext per N components).
    case ciphertexts
    /// Aggregator → nodes: the channel's encrypted total, to decrypt (header: the refresh epoch).
    case decrypt
    /// Node → aggregator: smudged decryption shares (header: ciphertext count, whether refresh shares follow).
    case decryptionShares = "decryption-shares"
}
