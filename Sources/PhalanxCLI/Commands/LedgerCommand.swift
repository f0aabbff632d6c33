import ArgumentParser
import Foundation
import PhalanxCore
import PhalanxLedger

struct LedgerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Inspect, prove and verify a Merkle audit ledger (RFC 9162 hashing, C2SP checkpoints).",
        discussion: "Format and guarantees: docs/ledger.md.",
        subcommands: [Show.self, CheckpointCommand.self, Prove.self, Verify.self, CheckProof.self, Stress.self]
    )

    /// Opens a ledger read-only with CLI errors.
    static func open(_ path: String) async throws -> MerkleLedger {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(.missingInput, "no ledger at \(path)")
        }
        do {
            return try MerkleLedger.open(path: path)
        } catch {
            throw CLIError(
                .malformedInput, "\(path): \(error)", hint: "run `phalanx ledger verify \(path)` to see what is wrong")
        }
    }

    static func printJSON(_ value: some Encodable) throws {
        print(String(decoding: try Files.encodeJSON(value), as: UTF8.self), terminator: "")
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List ledger entries.")

        @Argument(help: "The ledger file (ledger.sqlite).")
        var file: String
        @Option(name: .long, help: "First index to show.")
        var from: UInt64 = 0
        @Option(name: .long, help: "How many entries to show.")
        var count: Int = 50
        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let ledger = try await LedgerCommand.open(file)
                let entries = try await ledger.entries(from: from, count: max(0, count))
                if json { return try LedgerCommand.printJSON(entries) }
                print("\(file): \(await ledger.size) entries, origin \(ledger.origin)")
                for e in entries {
                    let tick = e.tick.map { "tick \($0)" } ?? "      "
                    print(
                        "  \(String(e.index).leftPadded(6))  \(tick.padded(9))  \(e.record.kind.padded(17)) \(e.record.summary)"
                    )
                }
            }
        }
    }

    struct CheckpointCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint", abstract: "Print the latest signed checkpoint (C2SP signed note).")

        @Argument(help: "The ledger file.")
        var file: String
        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                let ledger = try await LedgerCommand.open(file)
                guard let note = try await ledger.latestCheckpoint() else {
                    throw CLIError(.checkFailed, "\(file) has no signed checkpoint yet")
                }
                let checkpoint = try Checkpoint(parsing: note.text)
                if json {
                    struct Out: Encodable {
                        var origin: String
                        var size: UInt64
                        var root: String
                        var note: String
                        var verifierKey: String
                    }
                    return try LedgerCommand.printJSON(
                        Out(
                            origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root.hex,
                            note: note.rendered, verifierKey: ledger.verifierKey.vkey))
                }
                print(note.rendered, terminator: "")
                print("verifier key: \(ledger.verifierKey.vkey)")
            }
        }
    }

    struct Prove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Produce (and check) an inclusion or a consistency proof.",
            discussion: """
                --inclusion INDEX proves that entry INDEX is in the tree of --size entries (default: the latest \
                checkpoint's size); --bundle FILE also writes everything an outsider needs to check it offline \
                with `phalanx ledger check-proof`. --consistency OLD NEW proves that the tree of NEW entries \
                extends the tree of OLD entries.
                """
        )

        @Argument(help: "The ledger file.")
        var file: String
        @Option(name: .long, help: "Index of the entry to prove.")
        var inclusion: UInt64?
        @Option(name: .long, help: "Tree size for --inclusion (default: the latest checkpoint's size).")
        var size: UInt64?
        @Option(name: .long, parsing: .upToNextOption, help: "OLD NEW tree sizes.")
        var consistency: [UInt64] = []
        @Option(
            name: .long,
            help: "With Write a proof bundle (JSON) with the signed checkpoint(s), for `phalanx ledger check-proof`.")
        var bundle: String?
        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func validate() throws {
            guard (inclusion != nil) != !consistency.isEmpty else {
                throw ValidationError("give exactly one of --inclusion INDEX or --consistency OLD NEW")
            }
            guard consistency.isEmpty || consistency.count == 2 else {
                throw ValidationError("--consistency takes two sizes: OLD NEW")
            }
        }

        func run() async throws {
            try await reportingErrors {
                let ledger = try await LedgerCommand.open(file)
                if let index = inclusion {
                    let note = try await ledger.latestCheckpoint()
                    let checkpoint = try note.map { try Checkpoint(parsing: $0.text) }
                    let ledgerSize = await ledger.size
                    let treeSize = size ?? checkpoint?.size ?? ledgerSize
                    let proof: [SHA256Digest]
                    let root: SHA256Digest
                    do {
                        proof = try await ledger.inclusionProof(index: index, size: treeSize)
                        root = try await ledger.root(size: treeSize)
                    } catch {
                        throw CLIError(.usage, "\(error)", hint: "the ledger has \(ledgerSize) entries")
                    }
                    let data = try await ledger.leafData(from: index, count: 1).first ?? []
                    let leaf = MerkleHashing.leafHash(data)
                    try MerkleVerifier.verifyInclusion(
                        leafHash: leaf, index: index, size: treeSize, proof: proof, root: root)
                    let proofBundle = InclusionBundle(
                        origin: ledger.origin, index: index, size: treeSize, entry: Data(data), leafHash: leaf.hex,
                        proof: proof.map(\.hex), root: root.hex,
                        checkpoint: checkpoint?.size == treeSize ? note?.rendered : nil
                    )
                    if let bundle {
                        try Files.writeAtomically(try Files.encodeJSON(proofBundle), to: bundle)
                    }
                    if json { return try LedgerCommand.printJSON(proofBundle) }
                    print(
                        "inclusion of entry \(index) in the tree of \(treeSize) entries: \(proof.count) hashes, verified"
                    )
                    print("  leaf \(leaf.hex)")
                    for (i, h) in proof.enumerated() { print("  [\(i)] \(h.hex)") }
                    print("  root \(root.hex)\(proofBundle.checkpoint == nil ? "" : " (the signed checkpoint's root)")")
                    if let bundle { print("bundle written to \(bundle)") }
                } else {
                    let (old, new) = (consistency[0], consistency[1])
                    let ledgerSize = await ledger.size
                    let proof: [SHA256Digest]
                    let oldRoot: SHA256Digest
                    let newRoot: SHA256Digest
                    do {
                        proof = try await ledger.consistencyProof(oldSize: old, newSize: new)
                        oldRoot = try await ledger.root(size: old)
                        newRoot = try await ledger.root(size: new)
                    } catch {
                        throw CLIError(.usage, "\(error)", hint: "the ledger has \(ledgerSize) entries")
                    }
                    try MerkleVerifier.verifyConsistency(
                        oldSize: old, newSize: new, oldRoot: oldRoot, newRoot: newRoot, proof: proof)
                    if let bundle {
                        let notes = try await ledger.checkpoints()
                        let sizes = notes.compactMap { try? Checkpoint(parsing: $0.text).size }
                        func note(_ size: UInt64) throws -> String {
                            guard let i = sizes.firstIndex(of: size) else {
                                throw CLIError(
                                    .usage, "there is no signed checkpoint of size \(size) to put in a bundle",
                                    hint: "checkpoints exist at sizes \(sizes.map(String.init).joined(separator: ", "))"
                                )
                            }
                            return notes[i].rendered
                        }
                        let b = ConsistencyBundle(
                            origin: ledger.origin, oldSize: old, newSize: new, proof: proof.map(\.hex),
                            oldCheckpoint: try note(old), newCheckpoint: try note(new))
                        try Files.writeAtomically(try Files.encodeJSON(b), to: bundle)
                    }
                    if json {
                        struct Out: Encodable {
                            var oldSize: UInt64
                            var newSize: UInt64
                            var oldRoot: String
                            var newRoot: String
                            var proof: [String]
                        }
                        return try LedgerCommand.printJSON(
                            Out(
                                oldSize: old, newSize: new, oldRoot: oldRoot.hex, newRoot: newRoot.hex,
                                proof: proof.map(\.hex)))
                    }
                    print("consistency of \(old) → \(new) entries: \(proof.count) hashes, verified")
                    print("  old root \(oldRoot.hex)")
                    print("  new root \(newRoot.hex)")
                    for (i, h) in proof.enumerated() { print("  [\(i)] \(h.hex)") }
                    if let bundle { print("bundle written to \(bundle)") }
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every hash, check every checkpoint's signature and their consistency.",
            discussion: """
                Exit code 0 if the ledger is intact; 1 with the first bad index and what is wrong (changed, missing \
                or reordered entries, bad signature, inconsistent checkpoint, corrupt database).
                """
        )

        @Argument(help: "The ledger file.")
        var file: String
        @Option(name: .long, help: "Require checkpoints to be signed by this verifier key (name+hash+base64).")
        var key: String?
        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() async throws {
            try await reportingErrors {
                var trusted: NoteVerifierKey?
                if let key {
                    do { trusted = try NoteVerifierKey(parsing: key) } catch {
                        throw CLIError(.usage, "--key: \(error)", hint: "a verifier key looks like name+1a2b3c4d+AQ…")
                    }
                }
                guard FileManager.default.fileExists(atPath: file) else {
                    throw CLIError(.missingInput, "no ledger at \(file)")
                }
                let report = LedgerVerifier.verify(path: file, trustedKey: trusted)
                if json {
                    try LedgerCommand.printJSON(report)
                } else if let problem = report.firstProblem {
                    print("\(file): FAILED")
                    for p in report.problems.prefix(5) {
                        print("  \(p.kind.rawValue)\(p.index.map { " at entry \($0)" } ?? ""): \(p.message)")
                    }
                    _ = problem
                } else {
                    print(
                        "\(file): OK — \(report.entries) entries rehashed, \(report.checkpoints) checkpoint(s) verified and consistent"
                    )
                    print("  origin \(report.origin ?? "?"), root \(report.root ?? "?")")
                    print("  verifier key \(report.verifierKey ?? "?")")
                }
                if let problem = report.firstProblem {
                    throw CLIError(
                        .checkFailed,
                        "\(file): \(problem.kind.rawValue)\(problem.index.map { " at entry \($0)" } ?? ""): \(problem.message)"
                    )
                }
            }
        }
    }

    struct CheckProof: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-proof",
            abstract: "Check an inclusion-proof bundle offline, with only the bundle and the ledger's verifier key.",
            discussion: "Exit code 0 if the entry is in the signed tree, 1 if not, 65 if the bundle is malformed."
        )

        @Argument(help: "A bundle written by `phalanx ledger prove --inclusion INDEX --bundle FILE`.")
        var bundle: String
        @Option(name: .long, help: "The ledger's verifier key (name+hash+base64), obtained out of band.")
        var key: String

        func run() async throws {
            try await reportingErrors {
                let bytes = try Files.read(bundle, what: "proof bundle")
                struct Kind: Decodable { var kind: String }
                let kind = try JSONInput.decode(Kind.self, from: bytes, file: bundle).kind
                let verifier: NoteVerifierKey
                do { verifier = try NoteVerifierKey(parsing: key) } catch { throw CLIError(.usage, "--key: \(error)") }
                func verified(_ noteText: String, _ what: String) throws -> Checkpoint {
                    do {
                        let note = try SignedNote(parsing: noteText)
                        _ = try note.verify(with: [verifier])
                        return try Checkpoint(parsing: note.text)
                    } catch {
                        throw CLIError(
                            .checkFailed, "\(bundle): the \(what) does not verify with \(verifier.name): \(error)")
                    }
                }
                func hashes(_ hex: [String]) throws -> [SHA256Digest] {
                    try hex.enumerated().map { i, h in
                        do { return try SHA256Digest(hex: h) } catch {
                            throw CLIError(.malformedInput, "\(bundle): proof[\(i)]: \(error)")
                        }
                    }
                }
                switch kind {
                case "inclusion":
                    let b = try JSONInput.decode(InclusionBundle.self, from: bytes, file: bundle)
                    guard let noteText = b.checkpoint else {
                        throw CLIError(.checkFailed, "\(bundle) carries no signed checkpoint for size \(b.size)")
                    }
                    let checkpoint = try verified(noteText, "checkpoint")
                    guard checkpoint.size == b.size else {
                        throw CLIError(
                            .checkFailed,
                            "\(bundle): the proof is for size \(b.size), the checkpoint for \(checkpoint.size)")
                    }
                    let proof = try hashes(b.proof)
                    let leaf = MerkleHashing.leafHash(b.entry)
                    do {
                        try MerkleVerifier.verifyInclusion(
                            leafHash: leaf, index: b.index, size: b.size, proof: proof, root: checkpoint.root)
                    } catch {
                        throw CLIError(.checkFailed, "\(bundle): entry \(b.index) is not in the signed tree: \(error)")
                    }
                    print(
                        "entry \(b.index) is in \(checkpoint.origin) at size \(checkpoint.size), signed by \(verifier.name)"
                    )
                    if let entry = try? LedgerEntry(leafData: b.entry) {
                        print("  \(entry.record.kind): \(entry.record.summary)")
                    }
                case "consistency":
                    let b = try JSONInput.decode(ConsistencyBundle.self, from: bytes, file: bundle)
                    let old = try verified(b.oldCheckpoint, "old checkpoint")
                    let new = try verified(b.newCheckpoint, "new checkpoint")
                    guard old.origin == new.origin, old.size == b.oldSize, new.size == b.newSize else {
                        throw CLIError(.checkFailed, "\(bundle): the checkpoints do not match the proof's sizes or log")
                    }
                    let proof = try hashes(b.proof)
                    do {
                        try MerkleVerifier.verifyConsistency(
                            oldSize: old.size, newSize: new.size, oldRoot: old.root, newRoot: new.root, proof: proof)
                    } catch {
                        throw CLIError(
                            .checkFailed,
                            "\(bundle): the tree of \(new.size) does not extend the tree of \(old.size): \(error)")
                    }
                    print(
                        "\(new.origin): the signed tree of \(new.size) entries extends the signed tree of \(old.size) (append-only)"
                    )
                default:
                    throw CLIError(
                        .malformedInput, "\(bundle): unknown bundle kind \"\(kind)\"; expected inclusion or consistency"
                    )
                }
            }
        }
    }

    /// Appends in a loop for the crash test (scripts/ledger-crash-test.py); prints "acked INDEX" after each
    /// durable append. Hidden: it is a test tool.
    struct Stress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Append synthetic entries until killed (crash testing).", shouldDisplay: false)

        @Argument(help: "The ledger file; created if missing.")
        var file: String
        @Option(name: .long, help: "The signer's private key file (created with `phalanx keys generate`).")
        var signer: String
        @Option(name: .long, help: "Concurrent appenders.")
        var concurrency: Int = 16
        @Option(name: .long, help: "Stop after this many appends (default: never).")
        var limit: Int?

        func run() async throws {
            try await reportingErrors {
                let identity = try KeyFiles.loadPrivate(signer)
                let ledger: MerkleLedger
                do {
                    ledger =
                        FileManager.default.fileExists(atPath: file)
                        ? try MerkleLedger.open(path: file, signer: identity)
                        : try MerkleLedger.create(path: file, origin: "stress.phalanx.local/ledger", signer: identity)
                } catch {
                    throw CLIError(.malformedInput, "\(file): \(error)")
                }
                let budget = limit ?? Int.max
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for worker in 0..<max(1, concurrency) {
                        group.addTask {
                            var n = 0
                            while n < budget / max(1, concurrency) {
                                let record = AuditRecord.predicateFired(
                                    jobId: SHA256Digest.of(Array("stress-\(worker)-\(n)".utf8)), tick: UInt64(n),
                                    predicate: "stress", offenders: [])
                                let index = try await ledger.append(record, tick: UInt64(n), timestampMs: Int64(n))
                                FileHandle.standardOutput.write(Data("acked \(index)\n".utf8))
                                n += 1
                                if n % 64 == 0 { try await ledger.commitBlock() }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                try await ledger.commitBlock()
            }
        }
    }
}

/// Everything needed to check that one tree extends another without the ledger: `phalanx ledger check-proof`.
struct ConsistencyBundle: Codable {
    var kind = "consistency"
    var origin: String
    var oldSize: UInt64
    var newSize: UInt64
    var proof: [String]
    /// The signed checkpoints of both sizes (C2SP signed notes).
    var oldCheckpoint: String
    var newCheckpoint: String
}

/// Everything needed to check one entry's inclusion without the ledger: `phalanx ledger check-proof`.
struct InclusionBundle: Codable {
    var kind = "inclusion"
    var origin: String
    var index: UInt64
    var size: UInt64
    /// The entry's leaf data (canonical encoding), base64.
    var entry: Data
    var leafHash: String
    var proof: [String]
    var root: String
    /// The signed checkpoint of `size`, when one exists.
    var checkpoint: String?
}

extension AuditRecord {
    /// One line for listings: identifiers and counts, never data.
    var summary: String {
        switch self {
        case .jobAdmitted(let job, let plugin, let provider, let predicates):
            "job \(job.short)… \(plugin) on \(provider), predicates \(predicates.joined(separator: ","))"
        case .jobRejected(let job, _): "job \(job.short)… refused"
        case .framesSealed(_, let tick, let frames, let rejected, let missing):
            "tick \(tick): \(frames.count) frames, \(rejected.values.reduce(0, +)) rejected, \(missing.count) missing"
        case .aggregationStep(_, let round, let contributors, let merged):
            "round \(round) from \(contributors.count) nodes, merged \(merged.short)…"
        case .predicateFired(_, let tick, let predicate, let offenders):
            "\(predicate) at tick \(tick), offenders \(offenders.map(\.rawValue).joined(separator: ","))"
        case .commandIssued(_, let command, let kind, let predicate, let targets, _):
            "\(kind) \(command.rawValue.prefix(8))… (\(predicate ?? "manual")) to \(targets.count)"
        case .ackReceived(let command, let participant, let outcome, _):
            "\(participant) \(outcome) \(command.rawValue.prefix(8))…"
        case .ackMissing(let command, let participant): "\(participant) did not ack \(command.rawValue.prefix(8))…"
        case .releaseCleared(_, let tick, _): "release cleared at tick \(tick)"
        case .jobFinalized(let job, let result): "job \(job.short)… result \(result.short)…"
        case .jobAborted(let job, let reason): "job \(job.short)… \(reason.prefix(60))"
        case .override(let op, let command, let kind, _, _): "\(op) \(kind) \(command.rawValue.prefix(8))…"
        case .overrideApproved(let op, let command, _): "\(op) approved \(command.rawValue.prefix(8))…"
        case .overrideRefused(let op, let command, let reason):
            "\(op) \(command.map { "\($0.rawValue.prefix(8))… " } ?? "")refused: \(reason)"
        case .commandResent(let command, let participant, let attempt):
            "\(command.rawValue.prefix(8))… resent to \(participant) (attempt \(attempt))"
        case .privacyReserved(_, let participant, let epsilon, let delta):
            "\(participant) reserved ε=\(epsilon), δ=\(delta)"
        case .privacySpent(_, let participant, let round, let epsilon, let delta):
            "\(participant) spent ε=\(epsilon), δ=\(delta) in round \(round)"
        case .providerIncident(_, let kind, let round, let offenders, _):
            "\(kind) in round \(round)\(offenders.isEmpty ? "" : ", offenders \(offenders.map(\.rawValue).joined(separator: ","))")"
        case .agentReceipts(let agent, let first, let hashes, let head):
            "\(agent) receipts \(first)–\(first + UInt64(max(hashes.count, 1)) - 1), head \(head.prefix(12))…"
        case .agentModeChanged(let agent, let from, let to, let cause): "\(agent) \(from) → \(to): \(cause.prefix(60))"
        case .agentThresholdCustomised(let agent, let category, let federation, let previous, let value, let by):
            "\(agent) \(category) threshold \(previous) → \(value) by \(by) (federation \(federation))"
        }
    }
}

extension String {
    fileprivate func padded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
    fileprivate func leftPadded(_ n: Int) -> String {
        count >= n ? self : String(repeating: " ", count: n - count) + self
    }
}
