import Foundation
import PhalanxCore
import PhalanxFHE

/// The aggregator half of `fhe`: combines the nodes' key shares into the collective key, adds their ciphertexts
/// to each channel's encrypted total, and fuses the smudged decryption shares into the released sums (and the
/// refresh shares into a fresh total). It relays the nodes' sealed Shamir shares (t-out-of-N) without being able
/// to open them. It never holds a key share: alone it can decrypt nothing.
final class FHEAggregatorSession: AggregatorProviderSession {
    private let job: ProviderJobContext
    private let provider: FHEProvider
    private let context: BFVContext
    private let encoder: BatchEncoder
    private let evaluator: BFVEvaluator
    /// Every node of the job: the key is theirs; a decryption needs `threshold` of them.
    private let nodes: [ParticipantID]
    private let threshold: Int
    /// The budget a smudged decryption by every node needs: `noiseBits` reports what is left above it.
    private let reserve: Double
    private var keyShares: [ParticipantID: (share: PublicKeyShare, advertisement: [UInt8])] = [:]
    private var publicKey: PublicKey?
    /// t-out-of-N: each dealer's sealed shares, by holder index.
    private var dealt: [ParticipantID: [Int: [UInt8]]] = [:]
    /// The step at which the dealt shares went out; decryption starts the step after.
    private var dealtAtStep: Int?
    private var steps = 0

    private enum Stage {
        case collecting
        /// Every node contributed at the previous step (the safety loop's step of grace).
        case complete
        /// The total was sent for decryption to `active`, the nodes that must all answer.
        case decrypting(snapshot: [Ciphertext], epoch: Int, active: [ParticipantID], contributors: [ParticipantID])
    }

    private struct Instance {
        var contributions: [ParticipantID: [Ciphertext]] = [:]
        var shares: [ParticipantID: (decryption: [KeySwitchShare], refresh: [RefreshShare])] = [:]
        var stage = Stage.collecting
        /// Steps spent waiting for decryption shares.
        var waited = 0
    }

    /// Steps the aggregator waits for every node's decryption shares before it gives the sum up (a node that
    /// cannot decrypt — its noise check failed — says so in its own log and sends nothing).
    static let decryptionTimeoutSteps = 5

    /// A channel's job-long encrypted total, and its last decrypted value (residues mod t, slot order).
    private struct Total {
        var ciphertexts: [Ciphertext]
        var released: [[UInt64]]
        var epoch = 0
    }

    /// `fhe+dp`: draws the central noise for a sum of `count` components, encrypted and added to the total
    /// before its decryption.
    var noise: ((Int) throws -> [Int64])?

    private var instances: [FHEInstance: Instance] = [:]
    private var totals: [String: Total] = [:]
    private var refreshes = 0

    init(job: ProviderJobContext, provider: FHEProvider, context: BFVContext) throws {
        self.job = job
        self.provider = provider
        self.context = context
        encoder = BatchEncoder(context: context)
        evaluator = BFVEvaluator(context: context)
        nodes = job.manifest.participants.nodes.sorted()
        threshold = provider.threshold(nodes: nodes.count)
        reserve = provider.smudging.requiredBudget(parties: nodes.count, context: context)
    }

    /// Whether the key setup is over: the collective key exists and, t-out-of-N, the dealt shares reached the
    /// nodes at an earlier step.
    private var setUp: Bool {
        publicKey != nil && (threshold == nodes.count || (dealtAtStep.map { $0 < steps } ?? false))
    }

    private var parties: Int { nodes.count }

    func receive(_ message: ProviderMessage, from node: ParticipantID) throws {
        guard message.provider == FHEProvider.name, let step = FHEStep(rawValue: message.step) else {
            throw ProviderError(
                provider: FHEProvider.name, message: "\(node) sent a \(message.provider) \(message.step) message")
        }
        guard nodes.contains(node) else {
            throw ProviderError(provider: FHEProvider.name, message: "\(node) is not a node of this job")
        }
        let body = try FHEMessageBody(decoding: message.body)
        let key = FHEInstance(channel: message.channel, round: message.round)
        switch step {
        case .keyShare:
            guard body.objects.count == 2, keyShares[node] == nil else {
                throw ProviderError(provider: FHEProvider.name, message: "\(node) sent a second or malformed key share")
            }
            let share = try FHEMessageBody(objects: [body.objects[0]]).decode(
                PublicKeyShare.self, context: context, from: node.rawValue)[0]
            keyShares[node] = (share, body.objects[1])
        case .dealtShares:
            guard threshold < nodes.count, publicKey != nil, dealt[node] == nil,
                body.header.count == nodes.count - 1, body.objects.count == nodes.count - 1,
                Set(body.header).count == nodes.count - 1,
                body.header.allSatisfy({ Int($0) < nodes.count && nodes[Int($0)] != node })
            else {
                throw ProviderError(
                    provider: FHEProvider.name, message: "\(node) sent dealt shares out of turn or malformed")
            }
            dealt[node] = Dictionary(uniqueKeysWithValues: zip(body.header.map(Int.init), body.objects))
        case .ciphertexts:
            let ciphertexts = try body.decode(Ciphertext.self, context: context, from: node.rawValue)
            let expected = try chunks(of: message.channel)
            guard ciphertexts.count == expected, ciphertexts.allSatisfy({ $0.size == 2 }) else {
                throw ProviderError(
                    provider: FHEProvider.name,
                    message:
                        "\(node) sent \(ciphertexts.count) ciphertexts for \(message.channel); expected \(expected)")
            }
            guard instances[key, default: Instance()].contributions.updateValue(ciphertexts, forKey: node) == nil
            else {
                throw ProviderError(
                    provider: FHEProvider.name, message: "\(node) contributed twice to round \(message.round)")
            }
        case .decryptionShares:
            guard case .decrypting(let snapshot, _, let active, _) = instances[key]?.stage, active.contains(node) else {
                throw ProviderError(
                    provider: FHEProvider.name, message: "\(node) sent decryption shares nobody asked for")
            }
            guard body.header.count == 2, Int(body.header[0]) == snapshot.count, body.header[1] <= 1,
                body.objects.count == snapshot.count * (body.header[1] == 1 ? 2 : 1)
            else {
                throw ProviderError(provider: FHEProvider.name, message: "\(node) sent a malformed share message")
            }
            let decryption = try FHEMessageBody(objects: Array(body.objects.prefix(snapshot.count)))
                .decode(KeySwitchShare.self, context: context, from: node.rawValue)
            let refresh = try FHEMessageBody(objects: Array(body.objects.dropFirst(snapshot.count)))
                .decode(RefreshShare.self, context: context, from: node.rawValue)
            guard instances[key]?.shares.updateValue((decryption, refresh), forKey: node) == nil else {
                throw ProviderError(provider: FHEProvider.name, message: "\(node) sent its shares twice")
            }
        case .publicKey, .decrypt, .dealt:
            throw ProviderError(provider: FHEProvider.name, message: "\(node) sent a \(step.rawValue) message")
        }
    }

    private func chunks(of channel: String) throws -> Int {
        guard let length = job.analysis?.channel(named: channel)?.length else {
            throw ProviderError(provider: FHEProvider.name, message: "no secure_sum channel \(channel) in the plug-in")
        }
        return max(1, (length + context.degree - 1) / context.degree)
    }

    func step(active: [ParticipantID]) throws -> ProviderStep {
        steps += 1
        var result = ProviderStep()
        let present = nodes.filter(active.contains)
        // The key setup needs every node; afterwards a decryption needs `threshold` of them.
        let needed = setUp ? threshold : nodes.count
        if present.count < needed {
            let gone = Set(nodes).subtracting(present).sorted().map(\.rawValue).joined(separator: ", ")
            let reason =
                setUp
                ? "fhe needs \(threshold) of the job's \(nodes.count) nodes to decrypt (t-out-of-N); \(gone) no longer take\(nodes.count - present.count == 1 ? "s" : "") part"
                : "fhe needs every node of the job for its key setup; \(gone) no longer take\(nodes.count - present.count == 1 ? "s" : "") part"
            for key in instances.keys.sorted() { result.failed.append((key.channel, key.round, reason)) }
            instances.removeAll()
            return result
        }
        if publicKey == nil, keyShares.count == nodes.count {
            let generation = FHEProvider.keyGeneration(context: context, job: job)
            let key = try fheOperation { () throws(FHEError) in
                try generation.combine(nodes.map { keyShares[$0]!.share })
            }
            publicKey = key
            // The key belongs to the job, not to a sum: the message names no channel.
            broadcast(
                .publicKey, FHEInstance(channel: "", round: 0),
                FHEMessageBody(
                    objects: [try key.encodedForMessage(context: context)] + nodes.map { keyShares[$0]!.advertisement }),
                to: nodes, into: &result)
        }
        if threshold < nodes.count, dealtAtStep == nil, dealt.count == nodes.count {
            // Route each sealed share to its holder; only the holder can open it.
            for (holderIndex, holder) in nodes.enumerated() {
                let dealers = nodes.indices.filter { $0 != holderIndex }
                let body = FHEMessageBody(
                    header: dealers.map(UInt32.init), objects: dealers.map { dealt[nodes[$0]]![holderIndex]! })
                result.outgoing.append(
                    (
                        holder,
                        ProviderMessage(
                            provider: FHEProvider.name, channel: "", round: 0, step: FHEStep.dealt.rawValue,
                            body: body.encoded())
                    ))
            }
            dealt.removeAll()
            dealtAtStep = steps
        }
        var decryptingChannels = Set(
            instances.compactMap { key, instance in
                if case .decrypting = instance.stage { key.channel } else { nil }
            })
        for key in instances.keys.sorted() {
            guard var instance = instances[key] else { continue }
            switch instance.stage {
            case .collecting:
                if setUp, Set(instance.contributions.keys).isSuperset(of: present) { instance.stage = .complete }
            case .complete:
                // One round of a channel at a time: its total is what each round's decryption reads.
                guard !decryptingChannels.contains(key.channel) else { break }
                // The nodes still taking part now: a node isolated since it contributed is left out of the sum.
                let contributors = present.filter { instance.contributions[$0] != nil }
                var total = totals[key.channel] ?? Total(ciphertexts: [], released: [])
                for node in contributors {
                    for (index, ciphertext) in instance.contributions[node]!.enumerated() {
                        if index < total.ciphertexts.count {
                            try fheOperation { () throws(FHEError) in
                                try evaluator.addInPlace(&total.ciphertexts[index], ciphertext)
                            }
                        } else {
                            total.ciphertexts.append(ciphertext)
                        }
                    }
                }
                instance.contributions.removeAll()
                if let noise { try addNoise(noise, to: &total, channel: key.channel) }
                totals[key.channel] = total
                instance.stage = .decrypting(
                    snapshot: total.ciphertexts, epoch: total.epoch, active: present, contributors: contributors)
                decryptingChannels.insert(key.channel)
                requestDecryption(key, total.ciphertexts, epoch: total.epoch, from: present, into: &result)
            case .decrypting(let snapshot, let epoch, let asked, let contributors):
                if asked.allSatisfy({ instance.shares[$0] != nil }) {
                    do {
                        result.completed.append(
                            try release(
                                key, snapshot: snapshot, epoch: epoch, active: asked, shares: instance.shares,
                                contributors: contributors))
                    } catch {
                        result.failed.append((key.channel, key.round, "\(error)"))
                    }
                    instances[key] = nil
                    continue
                }
                instance.waited += 1
                // A node of the decrypting set left, or stayed silent too long: ask the ones that answered (or are
                // still here), if they are enough.
                let left = asked.contains { !present.contains($0) }
                guard left || instance.waited > Self.decryptionTimeoutSteps else { break }
                let remaining = asked.filter { present.contains($0) && (left || instance.shares[$0] != nil) }
                guard remaining.count >= threshold, threshold < nodes.count else {
                    let missing = asked.filter { instance.shares[$0] == nil }.map(\.rawValue)
                    result.failed.append(
                        (
                            key.channel, key.round,
                            "no decryption shares from \(missing.joined(separator: ", ")); \(remaining.count) of the \(threshold) nodes a decryption needs answered"
                        ))
                    instances[key] = nil
                    continue
                }
                instance.shares.removeAll()
                instance.waited = 0
                instance.stage = .decrypting(
                    snapshot: snapshot, epoch: epoch, active: remaining, contributors: contributors)
                requestDecryption(key, snapshot, epoch: epoch, from: remaining, into: &result)
            }
            instances[key] = instance
        }
        return result
    }

    /// Sends a channel's total to `active` for decryption; the header names the refresh epoch and the set.
    private func requestDecryption(
        _ key: FHEInstance, _ snapshot: [Ciphertext], epoch: Int, from active: [ParticipantID],
        into result: inout ProviderStep
    ) {
        let indices = active.compactMap { nodes.firstIndex(of: $0) }.map(UInt32.init)
        let objects = snapshot.compactMap { try? $0.serialized(context: context) }
        broadcast(
            .decrypt, key, FHEMessageBody(header: [UInt32(epoch), UInt32(indices.count)] + indices, objects: objects),
            to: active, into: &result)
    }

    /// Sends the same message to each of `recipients`.
    private func broadcast(
        _ step: FHEStep, _ instance: FHEInstance, _ body: FHEMessageBody, to recipients: [ParticipantID],
        into result: inout ProviderStep
    ) {
        let encoded = body.encoded()
        for node in recipients {
            result.outgoing.append(
                (
                    node,
                    ProviderMessage(
                        provider: FHEProvider.name, channel: instance.channel, round: instance.round,
                        step: step.rawValue, body: encoded)
                ))
        }
    }

    /// Fuses the decryption shares, releases the round's sum (the new total minus the last), and replaces the
    /// total by its refresh when every node sent refresh shares.
    private func release(
        _ key: FHEInstance, snapshot: [Ciphertext], epoch: Int, active: [ParticipantID],
        shares: [ParticipantID: (decryption: [KeySwitchShare], refresh: [RefreshShare])], contributors: [ParticipantID]
    ) throws -> CompletedSum {
        guard var total = totals[key.channel] else {
            throw ProviderError(provider: FHEProvider.name, message: "no encrypted total for \(key.channel)")
        }
        let keySwitch = CollectiveKeySwitch(context: context, parties: active.count, smudging: provider.smudging)
        let t = context.plaintextModulus
        var values: [Int64] = []
        var decrypted: [[UInt64]] = []
        for (index, ciphertext) in snapshot.enumerated() {
            let plaintext = try fheOperation { () throws(FHEError) in
                try keySwitch.decrypt(ciphertext, shares: active.map { shares[$0]!.decryption[index] })
            }
            let slots = encoder.decode(plaintext)
            let previous = index < total.released.count ? total.released[index] : nil
            values += slots.indices.map { slot in
                t.centered(previous.map { t.subtract(slots[slot], $0[slot]) } ?? slots[slot])
            }
            decrypted.append(slots)
        }
        total.released = decrypted
        if active.allSatisfy({ shares[$0]!.refresh.count == snapshot.count }) {
            let refresh = provider.refresh(
                context: context, job: job, channel: key.channel, epoch: epoch, parties: active.count)
            total.ciphertexts = try snapshot.indices.map { index in
                try fheOperation { () throws(FHEError) in
                    try refresh.combine(snapshot[index], shares: active.map { shares[$0]!.refresh[index] })
                }
            }
            total.epoch += 1
            refreshes += 1
        }
        totals[key.channel] = total
        let length = job.analysis?.channel(named: key.channel)?.length ?? values.count
        return CompletedSum(
            channel: key.channel, round: key.round, sum: Array(values.prefix(length)), contributors: contributors)
    }

    /// Encrypts a fresh draw of central noise under the collective key and adds it to the channel's total.
    private func addNoise(_ draw: (Int) throws -> [Int64], to total: inout Total, channel: String) throws {
        guard let publicKey else { throw ProviderError(provider: FHEProvider.name, message: "no collective key") }
        let length = job.analysis?.channel(named: channel)?.length ?? context.degree
        let values = try draw(length)
        let encryptor = BFVEncryptor(context: context, publicKey: publicKey)
        for (index, start) in stride(from: 0, to: max(values.count, 1), by: context.degree).enumerated()
        where index < total.ciphertexts.count {
            let chunk = Array(values[start..<min(start + context.degree, values.count)])
            let encrypted = try fheOperation { () throws(FHEError) in
                try encryptor.encrypt(try encoder.encode(signed: chunk))
            }
            try fheOperation { () throws(FHEError) in try evaluator.addInPlace(&total.ciphertexts[index], encrypted) }
        }
    }

    func metrics() -> [String: Double] {
        FHEProvider.metrics(
            noiseBits: totals.values.flatMap { $0.ciphertexts.map(\.noiseBits) }.max()
                ?? NoiseModel.freshBits(degree: context.degree, parties: parties),
            parties: parties, reserve: reserve, context: context, refreshes: refreshes)
    }

    /// The totals' last budget (see ``FHENodeSession/restingMetrics()``).
    func restingMetrics() -> [String: Double] { metrics() }

    func discardPending() {
        instances.removeAll()
        keyShares.removeAll()
        dealt.removeAll()
    }
}
