import Crypto
import Foundation
import PhalanxCore

/// One client of one secure-aggregation instance (Bonawitz et al., CCS 2017, with the SecAgg+ groups of Bell et
/// al., CCS 2020). Message-driven: the runtime hands it the server's messages and sends back what it returns.
///
/// Stages: advertise two X25519 keys (signed) → deal Shamir shares of the self-mask seed and of the mask key to
/// the group, encrypted per peer, with commitments → send the masked input → sign the survivor list → reveal,
/// for each peer, the share of its self-mask seed if it survived or of its mask key if it dropped — never both.
public final class SecAggClient {
    public let instance: String
    /// Given by the server with the neighbours; checked, and attested in the consistency check.
    public private(set) var configuration: SecAggConfiguration?
    public let identity: SigningIdentity
    private let roster: any PublicKeyDirectory
    private var input: [UInt32]
    private let bound: UInt32
    private let encryptionKey = Curve25519.KeyAgreement.PrivateKey()
    private let maskKey = Curve25519.KeyAgreement.PrivateKey()
    private var selfMaskSeed: [UInt8] = []
    private var group: [ParticipantID] = []
    private var peers: [ParticipantID: SecAggAdvertisement] = [:]
    /// Shares this client holds, by dealer (its own included).
    private var held: [ParticipantID: SecAggSharePair] = [:]
    /// Dealers whose shares were delivered to this client (valid or not): the peers it masks with.
    private var delivered: Set<ParticipantID> = []
    private var survivors: [ParticipantID]?
    private var stage = Stage.advertise

    enum Stage { case advertise, shareKeys, maskedInput, consistency, unmask, done }

    /// Fault injection for tests and the demo's scenario C: reveal corrupted shares in the unmasking stage.
    public var corruptsRevealedShares = false

    /// The fewest survivors this client lets the server unmask a sum of. Distributed differential privacy sets
    /// it to the number of noise shares the noise is calibrated for: a sum of fewer inputs carries too little
    /// noise, and the client refuses to reveal the shares that would open it.
    public var minimumSurvivors = 0

    /// Prepares a client of `instance` for `input`, whose components must lie within ±`bound`.
    public init(
        instance: String, identity: SigningIdentity, roster: any PublicKeyDirectory, input: [Int64], bound: UInt32
    ) throws(SecAggError) {
        let limit = Int64(bound)
        if let i = input.firstIndex(where: { $0 < -limit || $0 > limit }) {
            throw SecAggError(.outOfRange, "component \(i) is outside ±\(bound); clip the vector before the secure sum")
        }
        self.instance = instance
        self.identity = identity
        self.roster = roster
        self.bound = bound
        self.input = input.map { UInt32(truncatingIfNeeded: $0) }
    }

    /// Checks the server's configuration against what this client knows before it deals any secret: the
    /// instance, its own membership, the dimension, the bound, and a threshold high enough that the server
    /// cannot collect both kinds of shares of an honest client (t > half the group).
    private func accept(_ configuration: SecAggConfiguration) throws -> SecAggConfiguration {
        guard configuration.instance == instance, configuration.clients.contains(identity.id) else {
            throw violation("the server's configuration is for another instance or leaves this client out")
        }
        guard configuration.dimension == input.count, configuration.bound == bound else {
            throw violation("the server's configuration has another dimension or bound than this client's input")
        }
        let k = configuration.graph.groupSize(clientCount: configuration.clients.count)
        guard configuration.threshold > k / 2 else {
            throw violation(
                "threshold \(configuration.threshold) for groups of \(k) would let the server unmask inputs")
        }
        group = configuration.group(of: identity.id)
        self.configuration = configuration
        return configuration
    }

    public var isFinished: Bool { stage == .done }

    /// Stage 0: the signed advertisement of this client's keys.
    public func advertise() throws -> SecAggClientMessage {
        guard stage == .advertise else { throw violation("advertise twice") }
        let ad = SecAggAdvertisement(
            client: identity.id, instance: instance,
            encryptionKey: encryptionKey.publicKey.rawRepresentation, maskKey: maskKey.publicKey.rawRepresentation)
        stage = .shareKeys
        return .advertise(try Signed(signing: ad, with: identity))
    }

    /// Handles the server's message for the current stage and returns the reply.
    public func handle(_ message: SecAggServerMessage) throws -> SecAggClientMessage {
        switch (stage, message) {
        case (.shareKeys, .neighbours(let configuration, let ads)): return try shareKeys(try accept(configuration), ads)
        case (.maskedInput, .shares(let shares)): return try maskedInput(shares)
        case (.consistency, .survivors(let list)): return try attest(list)
        case (.unmask, .attestations(let list)): return try reveal(list)
        default: throw violation("unexpected server message in stage \(stage)")
        }
    }

    /// Forgets every secret (keys, seeds, held shares, input).
    public func wipe() {
        for i in selfMaskSeed.indices { selfMaskSeed[i] = 0 }
        for i in input.indices { input[i] = 0 }
        held.removeAll()
        stage = .done
    }

    // MARK: - Stages

    private func shareKeys(
        _ configuration: SecAggConfiguration, _ ads: [Signed<SecAggAdvertisement>]
    ) throws
        -> SecAggClientMessage
    {
        for envelope in ads {
            let ad: SecAggAdvertisement
            do {
                ad = try envelope.verify(with: roster).value
            } catch {
                throw SecAggError(.badSignature, "an advertisement relayed by the server does not verify: \(error)")
            }
            guard ad.instance == configuration.instance, group.contains(ad.client) else {
                throw violation("the server relayed a key of \(ad.client) that is not in this client's group")
            }
            peers[ad.client] = ad
        }
        guard peers[identity.id]?.maskKey == maskKey.publicKey.rawRepresentation,
            peers[identity.id]?.encryptionKey == encryptionKey.publicKey.rawRepresentation
        else { throw violation("the server did not relay this client's own keys unchanged") }
        guard peers.count >= configuration.threshold else {
            throw SecAggError(
                .notEnoughParticipants,
                "\(peers.count) of the group advertised keys; the threshold is \(configuration.threshold)")
        }
        let holders = peers.keys.sorted()
        let xs = holders.map { configuration.x(of: $0)! }
        selfMaskSeed = SecAggKeys.randomBytes(32)
        let selfShares = try Shamir.split(selfMaskSeed, threshold: configuration.threshold, xs: xs)
        var keyBytes = [UInt8](maskKey.rawRepresentation)
        defer { for i in keyBytes.indices { keyBytes[i] = 0 } }
        let keyShares = try Shamir.split(keyBytes, threshold: configuration.threshold, xs: xs)
        var out: [SecAggEncryptedShares] = []
        for (i, holder) in holders.enumerated() {
            let pair = SecAggSharePair(
                dealer: identity.id, holder: holder, selfMask: selfShares[i], maskKey: keyShares[i],
                selfMaskSalt: Data(SecAggKeys.randomBytes(16)), maskKeySalt: Data(SecAggKeys.randomBytes(16)))
            if holder == identity.id {
                held[identity.id] = pair
                delivered.insert(identity.id)
                continue
            }
            let theirs = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: peers[holder]!.encryptionKey)
            let key = try SecAggKeys.shareKey(
                encryptionKey, theirs, instance: configuration.instance, identity.id, holder)
            let sealed = try AES.GCM.seal(
                try CanonicalEncoding.encode(pair), using: key,
                authenticating: SecAggKeys.encode([configuration.instance, identity.id.rawValue, holder.rawValue]))
            out.append(
                SecAggEncryptedShares(
                    dealer: identity.id, holder: holder, ciphertext: sealed.combined!,
                    selfMaskCommitment: try SecAggKeys.commitment(
                        kind: .selfMask, instance: configuration.instance, dealer: identity.id, holder: holder,
                        share: pair.selfMask, salt: pair.selfMaskSalt),
                    maskKeyCommitment: try SecAggKeys.commitment(
                        kind: .maskKey, instance: configuration.instance, dealer: identity.id, holder: holder,
                        share: pair.maskKey, salt: pair.maskKeySalt)))
        }
        stage = .maskedInput
        return .shares(out)
    }

    private func maskedInput(_ shares: [SecAggEncryptedShares]) throws -> SecAggClientMessage {
        guard let configuration else { throw violation("shares before the configuration") }
        var complaints: [ParticipantID] = []
        for s in shares {
            guard s.holder == identity.id, let ad = peers[s.dealer], s.dealer != identity.id,
                !delivered.contains(s.dealer)
            else {
                throw violation("the server delivered shares of \(s.dealer) meant for \(s.holder)")
            }
            delivered.insert(s.dealer)
            // A share that does not decrypt or does not open its commitments is unusable: complain, keep masking.
            do {
                let theirs = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: ad.encryptionKey)
                let key = try SecAggKeys.shareKey(
                    encryptionKey, theirs, instance: configuration.instance, s.dealer, identity.id)
                let plain = try AES.GCM.open(
                    AES.GCM.SealedBox(combined: s.ciphertext), using: key,
                    authenticating: SecAggKeys.encode([configuration.instance, s.dealer.rawValue, identity.id.rawValue])
                )
                let pair = try CanonicalEncoding.decode(SecAggSharePair.self, from: plain)
                let selfMaskOpening = try SecAggKeys.commitment(
                    kind: .selfMask, instance: configuration.instance, dealer: s.dealer, holder: identity.id,
                    share: pair.selfMask, salt: pair.selfMaskSalt)
                let maskKeyOpening = try SecAggKeys.commitment(
                    kind: .maskKey, instance: configuration.instance, dealer: s.dealer, holder: identity.id,
                    share: pair.maskKey, salt: pair.maskKeySalt)
                let opens =
                    pair.dealer == s.dealer && pair.holder == identity.id && selfMaskOpening == s.selfMaskCommitment
                    && maskKeyOpening == s.maskKeyCommitment
                if opens { held[s.dealer] = pair } else { complaints.append(s.dealer) }
            } catch {
                complaints.append(s.dealer)
            }
        }
        guard delivered.count >= configuration.threshold else {
            throw SecAggError(
                .notEnoughParticipants,
                "shares arrived from \(delivered.count) of the group; the threshold is \(configuration.threshold)")
        }
        // y = x + PRG(b) + Σ_{v delivered, v ≠ self} sign(self, v)·PRG(s_{self,v})
        var y = input
        try MaskPRG.addMask(
            seed: selfMaskSeed, info: SecAggKeys.selfMaskInfo(instance: configuration.instance, identity.id), into: &y,
            sign: .plus)
        for peer in delivered.sorted() where peer != identity.id {
            let theirs = try Curve25519.KeyAgreement.PublicKey(rawRepresentation: peers[peer]!.maskKey)
            let seed = try SecAggKeys.pairSeed(maskKey, theirs, instance: configuration.instance, identity.id, peer)
            try MaskPRG.addMask(
                seed: seed, info: SecAggKeys.pairMaskInfo(instance: configuration.instance, identity.id, peer),
                into: &y,
                sign: SecAggKeys.sign(identity.id, peer))
        }
        for i in input.indices { input[i] = 0 }
        stage = .consistency
        return .maskedInput(SecAggMaskedInput(vector: Lanes.encode(y), complaints: complaints.sorted()))
    }

    private func attest(_ list: [ParticipantID]) throws -> SecAggClientMessage {
        guard let configuration else { throw violation("a survivor list before the configuration") }
        let sorted = list.sorted()
        guard Set(sorted).count == sorted.count, Set(sorted).isSubset(of: Set(configuration.clients)) else {
            throw violation("the survivor list names unknown or repeated clients")
        }
        guard sorted.count >= minimumSurvivors else {
            throw SecAggError(
                .notEnoughParticipants,
                "only \(sorted.count) inputs survived; this client unmasks sums of at least \(minimumSurvivors) (the noise is calibrated for that many shares)"
            )
        }
        let inGroup = sorted.filter(group.contains)
        guard inGroup.count >= configuration.threshold else {
            throw SecAggError(
                .notEnoughParticipants,
                "\(inGroup.count) of the group survived; the threshold is \(configuration.threshold)")
        }
        survivors = sorted
        stage = .unmask
        let statement = SecAggSurvivors(
            client: identity.id, instance: configuration.instance,
            configuration: try PhalanxCore.SHA256Digest.ofCanonical(configuration),
            survivors: sorted)
        return .attestation(try Signed(signing: statement, with: identity))
    }

    private func reveal(_ attestations: [Signed<SecAggSurvivors>]) throws -> SecAggClientMessage {
        guard let survivors, let configuration else { throw violation("attestations before the survivor list") }
        let digest = try PhalanxCore.SHA256Digest.ofCanonical(configuration)
        var agreeing: Set<ParticipantID> = []
        for envelope in attestations {
            guard let statement = try? envelope.verify(with: roster).value else { continue }
            if statement.instance == configuration.instance, statement.survivors == survivors,
                statement.configuration == digest, group.contains(statement.client)
            {
                agreeing.insert(statement.client)
            }
        }
        guard agreeing.count >= configuration.threshold else {
            throw SecAggError(
                .protocolViolation,
                "only \(agreeing.count) group members signed the same survivor list (threshold \(configuration.threshold)); refusing to reveal shares"
            )
        }
        let alive = Set(survivors)
        var out: [SecAggRevealedShare] = []
        for (dealer, pair) in held.sorted(by: { $0.key < $1.key }) {
            let kind: SecAggShareKind = alive.contains(dealer) ? .selfMask : .maskKey
            var share = kind == .selfMask ? pair.selfMask : pair.maskKey
            if corruptsRevealedShares, dealer != identity.id {
                share = ShamirShare(x: share.x, values: share.values.map { $0 ^ 1 })
            }
            out.append(
                SecAggRevealedShare(
                    dealer: dealer, kind: kind, share: share,
                    salt: kind == .selfMask ? pair.selfMaskSalt : pair.maskKeySalt))
        }
        stage = .done
        held.removeAll()
        for i in selfMaskSeed.indices { selfMaskSeed[i] = 0 }
        return .reveal(out)
    }

    private func violation(_ message: String) -> SecAggError { SecAggError(.protocolViolation, message) }
}
