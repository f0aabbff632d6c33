import Crypto
import Dispatch
import Foundation
import PhalanxCore

/// The server (aggregator) side of one secure-aggregation instance. It relays messages between clients and, at
/// the end, removes the masks: it learns the sum of the surviving clients' inputs and nothing about any one of
/// them (as long as fewer than t of a client's group collude with it).
///
/// The runtime calls ``receive(_:from:)`` for each client message and ``finishStage()`` when a stage's deadline
/// passes (or every client answered); clients that did not answer in time are dropouts from then on.
public final class SecAggServer {
    public let configuration: SecAggConfiguration
    private let roster: any PublicKeyDirectory
    public private(set) var stage = Stage.advertise
    public enum Stage: String, Sendable { case advertise, shareKeys, maskedInput, consistency, unmask, done, aborted }

    private var ads: [ParticipantID: Signed<SecAggAdvertisement>] = [:]
    private var keys: [ParticipantID: SecAggAdvertisement] = [:]
    /// Encrypted shares by holder, with their commitments, by dealer.
    private var dealt: [ParticipantID: [SecAggEncryptedShares]] = [:]
    private var commitments: [ParticipantID: [ParticipantID: SecAggEncryptedShares]] = [:]
    /// For each holder, the dealers whose shares were delivered to it (the peers it masked with).
    private var delivered: [ParticipantID: Set<ParticipantID>] = [:]
    private var masked: [ParticipantID: [UInt32]] = [:]
    private var complaints: [ParticipantID: [ParticipantID]] = [:]
    private var survivors: [ParticipantID] = []
    private var attestations: [ParticipantID: Signed<SecAggSurvivors>] = [:]
    private var reveals: [ParticipantID: [SecAggRevealedShare]] = [:]

    /// The sum of the survivors' inputs, once unmasked.
    public private(set) var result: [Int64]?
    /// Why the instance aborted, if it did.
    public private(set) var abortReason: String?
    /// Clients caught misbehaving (revealed shares that do not open their commitments, or invalid messages).
    public private(set) var offenders: Set<ParticipantID> = []
    public private(set) var metrics = SecAggMetrics()

    private let configurationDigest: PhalanxCore.SHA256Digest?

    public init(configuration: SecAggConfiguration, roster: any PublicKeyDirectory) {
        self.configuration = configuration
        self.roster = roster
        self.configurationDigest = try? PhalanxCore.SHA256Digest.ofCanonical(configuration)
    }

    /// The clients the current stage still waits for: the runtime may finish the stage early when none is left.
    public var outstanding: Set<ParticipantID> {
        switch stage {
        case .advertise: Set(configuration.clients).subtracting(keys.keys)
        case .shareKeys: Set(keys.keys).subtracting(delivered.keys)
        case .maskedInput: Set(delivered.keys).subtracting(masked.keys)
        case .consistency: Set(survivors).subtracting(attestations.keys)
        case .unmask: Set(attestations.keys).subtracting(reveals.keys)
        case .done, .aborted: []
        }
    }

    /// The clients whose masked input is in the sum.
    public var contributors: [ParticipantID] { result == nil ? [] : survivors }

    /// Accepts one client's message for the current stage. Messages for another stage, from unknown clients,
    /// or that fail their checks are refused (and the sender noted as an offender when it is provably at fault).
    public func receive(_ message: SecAggClientMessage, from client: ParticipantID) {
        guard configuration.clients.contains(client) else { return }
        switch (stage, message) {
        case (.advertise, .advertise(let envelope)):
            guard let ad = try? envelope.verify(with: roster).value, ad.client == client,
                ad.instance == configuration.instance, ad.encryptionKey.count == 32, ad.maskKey.count == 32
            else { return offend(client) }
            ads[client] = envelope
            keys[client] = ad
        case (.shareKeys, .shares(let list)):
            guard keys[client] != nil, dealt.values.allSatisfy({ !$0.contains { $0.dealer == client } }) else { return }
            let group = Set(configuration.group(of: client))
            guard list.allSatisfy({ $0.dealer == client && group.contains($0.holder) && keys[$0.holder] != nil }),
                Set(list.map(\.holder)).count == list.count
            else { return offend(client) }
            for s in list {
                dealt[s.holder, default: []].append(s)
                commitments[client, default: [:]][s.holder] = s
            }
            commitments[client, default: [:]][client] = nil
            delivered[client, default: []].insert(client)
        case (.maskedInput, .maskedInput(let input)):
            guard delivered[client] != nil, masked[client] == nil,
                let lanes = Lanes.decode(input.vector, count: configuration.dimension)
            else { return offend(client) }
            masked[client] = lanes
            complaints[client] = input.complaints
        case (.consistency, .attestation(let envelope)):
            guard let statement = try? envelope.verify(with: roster).value, statement.client == client,
                statement.instance == configuration.instance, statement.survivors == survivors,
                statement.configuration == configurationDigest
            else { return offend(client) }
            attestations[client] = envelope
        case (.unmask, .reveal(let shares)):
            guard attestations[client] != nil, reveals[client] == nil else { return }
            reveals[client] = shares
        default:
            return
        }
    }

    /// Ends the current stage: returns the messages for the next one (by client), or computes the result.
    /// Throws (and moves to `.aborted`) when too few clients remain, with the precise reason.
    @discardableResult
    public func finishStage() throws(SecAggError) -> [ParticipantID: SecAggServerMessage] {
        do {
            switch stage {
            case .advertise: return try finishAdvertise()
            case .shareKeys: return try finishShareKeys()
            case .maskedInput: return try finishMaskedInput()
            case .consistency: return try finishConsistency()
            case .unmask:
                try finishUnmask()
                return [:]
            case .done, .aborted:
                return [:]
            }
        } catch {
            stage = .aborted
            abortReason = error.message
            throw error
        }
    }

    // MARK: - Stages

    private func requireGroups(_ members: Set<ParticipantID>, _ what: String) throws(SecAggError) {
        for client in members.sorted() {
            let alive = configuration.group(of: client).filter(members.contains).count
            guard alive >= configuration.threshold else {
                throw SecAggError(
                    .notEnoughParticipants,
                    "\(what): the group of \(client) has \(alive) members left, below the threshold \(configuration.threshold)"
                )
            }
        }
        guard members.count >= configuration.threshold else {
            throw SecAggError(
                .notEnoughParticipants,
                "\(what): \(members.count) clients left, below the threshold \(configuration.threshold)")
        }
    }

    private func finishAdvertise() throws(SecAggError) -> [ParticipantID: SecAggServerMessage] {
        let u1 = Set(keys.keys)
        try requireGroups(u1, "after key advertisement")
        var out: [ParticipantID: SecAggServerMessage] = [:]
        for client in u1 {
            out[client] = .neighbours(configuration, configuration.group(of: client).compactMap { ads[$0] })
        }
        stage = .shareKeys
        return out
    }

    private func finishShareKeys() throws(SecAggError) -> [ParticipantID: SecAggServerMessage] {
        let u2 = Set(delivered.keys)
        try requireGroups(u2, "after share exchange")
        var out: [ParticipantID: SecAggServerMessage] = [:]
        for holder in u2 {
            // Only shares from dealers that completed the stage reach the holder (all of them did, by construction).
            let shares = (dealt[holder] ?? []).filter { u2.contains($0.dealer) }
            delivered[holder, default: []].formUnion(shares.map(\.dealer))
            out[holder] = .shares(shares)
        }
        stage = .maskedInput
        return out
    }

    private func finishMaskedInput() throws(SecAggError) -> [ParticipantID: SecAggServerMessage] {
        let u3 = Set(masked.keys)
        try requireGroups(u3, "after masked inputs")
        survivors = u3.sorted()
        metrics.dropouts = configuration.clients.count - survivors.count
        metrics.complaints = complaints.values.reduce(0) { $0 + $1.count }
        stage = .consistency
        return Dictionary(uniqueKeysWithValues: survivors.map { ($0, SecAggServerMessage.survivors(survivors)) })
    }

    private func finishConsistency() throws(SecAggError) -> [ParticipantID: SecAggServerMessage] {
        let u4 = Set(attestations.keys)
        try requireGroups(u4, "after the consistency check")
        var out: [ParticipantID: SecAggServerMessage] = [:]
        for client in u4 {
            out[client] = .attestations(configuration.group(of: client).compactMap { attestations[$0] })
        }
        stage = .unmask
        return out
    }

    private func finishUnmask() throws(SecAggError) {
        let alive = Set(survivors)
        // Check every revealed share against the commitment its dealer made; collect the valid ones.
        var pools: [ParticipantID: [SecAggShareKind: [ShamirShare]]] = [:]
        var holders: [ParticipantID: [UInt64: ParticipantID]] = [:]
        var ownShares: [ParticipantID: [SecAggShareKind: ShamirShare]] = [:]
        for (holder, shares) in reveals.sorted(by: { $0.key < $1.key }) {
            for revealed in shares {
                let dealer = revealed.dealer
                let expectedKind: SecAggShareKind = alive.contains(dealer) ? .selfMask : .maskKey
                guard revealed.kind == expectedKind, delivered[holder]?.contains(dealer) == true,
                    revealed.share.x == configuration.x(of: holder)
                else {
                    metrics.invalidShares += 1
                    offenders.insert(holder)
                    continue
                }
                let valid: Bool
                if dealer == holder {
                    // A client's share of its own secret has no commitment at the server; it counts like any other,
                    // and a wrong one is caught by the consistency check of the reconstruction below.
                    valid = true
                } else if let c = commitments[dealer]?[holder] {
                    let opened = try? SecAggKeys.commitment(
                        kind: revealed.kind, instance: configuration.instance, dealer: dealer, holder: holder,
                        share: revealed.share, salt: revealed.salt)
                    valid = opened == (revealed.kind == .selfMask ? c.selfMaskCommitment : c.maskKeyCommitment)
                } else {
                    valid = false
                }
                guard valid else {
                    metrics.invalidShares += 1
                    offenders.insert(holder)
                    continue
                }
                // A dealer's own share has no commitment at the server: keep it last, so that the reconstruction
                // interpolates from commitment-checked shares and a bad own share shows up as inconsistent.
                if dealer == holder {
                    ownShares[dealer, default: [:]][revealed.kind] = revealed.share
                } else {
                    pools[dealer, default: [:]][revealed.kind, default: []].append(revealed.share)
                }
                holders[dealer, default: [:]][revealed.share.x] = holder
            }
        }
        for (dealer, byKind) in ownShares {
            for (kind, share) in byKind { pools[dealer, default: [:]][kind, default: []].append(share) }
        }
        metrics.sharesReceived = pools.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } }

        // Reconstruct: self-mask seeds of survivors, mask keys of clients that dropped after dealing.
        var margin = Int.max
        func reconstruct(_ dealer: ParticipantID, _ kind: SecAggShareKind) throws(SecAggError) -> [UInt8] {
            let shares = pools[dealer]?[kind] ?? []
            margin = min(margin, shares.count - configuration.threshold)
            guard shares.count >= configuration.threshold else {
                throw SecAggError(
                    .reconstructionFailed,
                    "cannot reconstruct the \(kind == .selfMask ? "self-mask seed" : "mask key") of \(dealer): \(shares.count) valid shares, threshold \(configuration.threshold)"
                )
            }
            do {
                let (secret, inconsistent) = try Shamir.reconstructChecking(
                    shares, threshold: configuration.threshold, secretLength: 32)
                for x in inconsistent {
                    metrics.invalidShares += 1
                    if let holder = holders[dealer]?[x] { offenders.insert(holder) }
                }
                return secret
            } catch {
                throw SecAggError(.reconstructionFailed, "reconstruction for \(dealer) failed: \(error)")
            }
        }
        let dropped = Set(delivered.keys).subtracting(alive)
        var selfSeeds: [(ParticipantID, [UInt8])] = []
        for dealer in survivors { selfSeeds.append((dealer, try reconstruct(dealer, .selfMask))) }
        var pairMasks: [(seed: [UInt8], info: [UInt8], sign: MaskPRG.Sign)] = []
        for dealer in dropped.sorted() {
            var raw = try reconstruct(dealer, .maskKey)
            defer { for i in raw.indices { raw[i] = 0 } }
            guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw), let ad = keys[dealer],
                key.publicKey.rawRepresentation == ad.maskKey
            else {
                throw SecAggError(
                    .reconstructionFailed, "the reconstructed mask key of \(dealer) does not match its advertised key")
            }
            // Every survivor that masked with the dropped client added sign(v, u)·PRG(s_vu): remove it.
            for v in survivors where delivered[v]?.contains(dealer) == true {
                guard let vKey = keys[v],
                    let vPublic = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: vKey.maskKey),
                    let seed = try? SecAggKeys.pairSeed(key, vPublic, instance: configuration.instance, v, dealer)
                else { throw SecAggError(.reconstructionFailed, "cannot agree the pair mask of \(v) and \(dealer)") }
                pairMasks.append(
                    (
                        seed, SecAggKeys.pairMaskInfo(instance: configuration.instance, v, dealer),
                        SecAggKeys.sign(v, dealer)
                    ))
            }
        }
        metrics.quorumMargin = margin == .max ? 0 : margin

        // Σ y − Σ PRG(b_u) − Σ sign·PRG(s): the masks are regenerated on every core.
        let dimension = configuration.dimension
        var jobs: [(seed: [UInt8], info: [UInt8], sign: MaskPRG.Sign)] = selfSeeds.map {
            ($0.1, SecAggKeys.selfMaskInfo(instance: configuration.instance, $0.0), .minus)
        }
        jobs += pairMasks.map { ($0.seed, $0.info, $0.sign == .plus ? .minus : .plus) }
        let partials = try ParallelMasks.accumulate(jobs, dimension: dimension)
        var sum = [UInt32](repeating: 0, count: dimension)
        sum.withUnsafeMutableBufferPointer { s in
            for client in survivors {
                masked[client]!.withUnsafeBufferPointer { y in for i in 0..<dimension { s[i] &+= y[i] } }
            }
            for partial in partials {
                partial.withUnsafeBufferPointer { p in for i in 0..<dimension { s[i] &+= p[i] } }
            }
        }
        result = sum.map { Int64(Int32(bitPattern: $0)) }
        stage = .done
        masked.removeAll()
    }

    private func offend(_ client: ParticipantID) {
        offenders.insert(client)
    }
}

/// Regenerates many masks in parallel, one accumulator per worker.
enum ParallelMasks {
    /// A slot one worker writes; workers write distinct slots, and the results are read after all finished.
    private final class Slots: @unchecked Sendable {
        // @unchecked: each index is written by exactly one worker of `concurrentPerform`, then read after it returns.
        var values: [[UInt32]]
        var failure: (any Error)?
        let lock = NSLock()
        init(count: Int) { values = [[UInt32]](repeating: [], count: count) }
    }

    static func accumulate(
        _ jobs: [(seed: [UInt8], info: [UInt8], sign: MaskPRG.Sign)], dimension: Int
    ) throws(SecAggError) -> [[UInt32]] {
        guard !jobs.isEmpty else { return [] }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, jobs.count))
        let slots = Slots(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var acc = [UInt32](repeating: 0, count: dimension)
            do {
                for j in stride(from: w, to: jobs.count, by: workers) {
                    try MaskPRG.addMask(seed: jobs[j].seed, info: jobs[j].info, into: &acc, sign: jobs[j].sign)
                }
            } catch {
                slots.lock.withLock { slots.failure = error }
            }
            slots.lock.withLock { slots.values[w] = acc }
        }
        if let failure = slots.failure {
            throw SecAggError(.reconstructionFailed, "regenerating masks failed: \(failure)")
        }
        return slots.values
    }
}

/// What the server reports to the safety loop (telemetry metric keys of the `secagg` provider).
public struct SecAggMetrics: Hashable, Sendable, Codable {
    /// Valid shares revealed in the unmasking stage.
    public var sharesReceived = 0
    /// Revealed shares that failed their commitment or the reconstruction's consistency check.
    public var invalidShares = 0
    /// Clients whose masked input did not arrive.
    public var dropouts = 0
    /// The smallest surplus of valid shares over the threshold among the reconstructions (0 when exactly t).
    public var quorumMargin = 0
    /// Complaints clients raised about shares they could not open.
    public var complaints = 0

    public init() {}
}
