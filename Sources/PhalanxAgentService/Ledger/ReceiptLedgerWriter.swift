import Foundation
import Logging
import PhalanxAgent
import PhalanxCore
import PhalanxLedger
import ServiceLifecycle

/// Commits what the agent must record — receipts, moves on the ladder, customisations — to the audit ledger, in the
/// order the agent made them.
///
/// Receipts go in batches: one `agent-receipts` entry holds the hashes of up to `maxReceipts` consecutive receipts
/// and the chain's head after them, written when the batch is full or its oldest receipt has waited `maxDelay`. A
/// mode change or a customisation is its own entry; the receipts before it are written first, so the ledger's order
/// is the agent's. After each round that wrote something the ledger signs a checkpoint.
///
/// The receipts themselves stay in the events store (written by the API as it decides); the ledger's hashes and
/// signed checkpoints fix them, so an altered, removed or reordered receipt no longer matches (checked with
/// ``ReceiptChain/firstBreak(in:after:)``).
///
/// **Failures and restarts.** A write that fails is retried at the next poll; nothing drained from the agent is
/// dropped while the process lives. After a restart, ``run()`` first writes the receipts the events store holds and
/// the ledger does not (from the store's `ledger_next_sequence` up to `resumedAt`, where this process's chain began).
/// On graceful shutdown it drains and writes everything, then signs a checkpoint.
public actor ReceiptLedgerWriter: Service {
    public nonisolated let agent: SafetyAgent
    public nonisolated let ledger: MerkleLedger
    public nonisolated let events: AgentEventsStore?
    public nonisolated let maxReceipts: Int
    public nonisolated let maxDelay: Duration
    /// The sequence number this process's chain started at: receipts before it come from the events store.
    public nonisolated let resumedAt: UInt64
    private let metrics: AgentMetrics?
    private let logger: Logger
    private let clock = ContinuousClock()

    /// Drained from the agent and not yet written, oldest first.
    private var backlog: [AgentAuditEvent] = []
    private var waitingSince: ContinuousClock.Instant?
    /// Entries appended since the last signed checkpoint.
    private var unsigned = 0
    /// How many receipts this writer has committed.
    public private(set) var receiptsWritten = 0

    public init(
        agent: SafetyAgent, ledger: MerkleLedger, events: AgentEventsStore?,
        batch: AgentConfig.LedgerBatch = AgentConfig.LedgerBatch(), resumedAt: UInt64 = 0,
        metrics: AgentMetrics? = nil, logger: Logger = Logger(label: "phalanx.agent.ledger")
    ) {
        self.agent = agent
        self.ledger = ledger
        self.events = events
        self.maxReceipts = max(batch.maxReceipts, 1)
        self.maxDelay = .milliseconds(max(batch.maxDelayMs, 1))
        self.resumedAt = resumedAt
        self.metrics = metrics
        self.logger = logger
    }

    /// How often the agent's queue is looked at: often enough that a batch waits little longer than `maxDelay`.
    var pollInterval: Duration { min(maxDelay / 4, .milliseconds(250)) }

    public func run() async throws {
        try await catchUp()
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            _ = try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.pollInterval) }
            do {
                try await write(force: false)
            } catch {
                logger.error("ledger write failed; retrying", metadata: ["error": "\(error)"])
            }
        }
        try await flush()
        logger.info("ledger writer stopped", metadata: ["receipts": "\(receiptsWritten)"])
    }

    /// Drains the agent and writes everything now, then signs a checkpoint.
    public func flush() async throws {
        try await write(force: true)
        if unsigned > 0 {
            try await ledger.commitBlock()
            unsigned = 0
        }
    }

    /// Writes the receipts the events store holds from the ledger's recorded position up to ``resumedAt``.
    func catchUp() async throws {
        guard let events else { return }
        var next = try await events.ledgerNextSequence()
        while next < resumedAt {
            let receipts = try await events.receipts(in: next..<min(resumedAt, next + UInt64(maxReceipts)))
            guard !receipts.isEmpty else {
                next = min(resumedAt, next + UInt64(maxReceipts))
                continue
            }
            // Purged or lost receipts leave gaps; each run of consecutive receipts is one entry.
            var run: [DecisionReceipt] = []
            for receipt in receipts {
                if let last = run.last, receipt.sequence != last.sequence + 1 {
                    try await append(run)
                    run = []
                }
                run.append(receipt)
            }
            try await append(run)
            next = (receipts.last?.sequence ?? next) + 1
        }
        if unsigned > 0 {
            logger.notice("wrote receipts the ledger was missing", metadata: ["before": "\(resumedAt)"])
            try await ledger.commitBlock()
            unsigned = 0
        }
    }

    /// Writes what is due: full batches, the receipts before a mode change or customisation and then it, and, when
    /// `force` or the oldest receipt has waited `maxDelay`, the rest.
    func write(force: Bool) async throws {
        let drained = agent.drainAuditEvents()
        if !drained.isEmpty {
            if waitingSince == nil, drained.contains(where: { if case .receipt = $0 { true } else { false } }) {
                waitingSince = clock.now
            }
            backlog += drained
        }
        let wroteBefore = unsigned
        while !backlog.isEmpty {
            let receipts = backlog.prefix { if case .receipt = $0 { true } else { false } }
            if receipts.count >= maxReceipts {
                try await append(backlog.prefix(maxReceipts).compactMap(Self.receipt))
                backlog.removeFirst(maxReceipts)
                continue
            }
            if receipts.count < backlog.count {
                // A mode change or customisation follows: the receipts before it first, then it.
                if !receipts.isEmpty {
                    try await append(receipts.compactMap(Self.receipt))
                    backlog.removeFirst(receipts.count)
                }
                try await append(event: backlog[0])
                backlog.removeFirst()
                continue
            }
            let due = force || waitingSince.map { clock.now - $0 >= maxDelay } ?? false
            guard due else { break }
            try await append(receipts.compactMap(Self.receipt))
            backlog.removeFirst(receipts.count)
        }
        if backlog.isEmpty { waitingSince = nil }
        if unsigned > wroteBefore, !force {
            try await ledger.commitBlock()
            unsigned = 0
        }
    }

    private static func receipt(_ event: AgentAuditEvent) -> DecisionReceipt? {
        if case .receipt(let receipt) = event { receipt } else { nil }
    }

    private static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1_000).rounded(.down)) }

    /// One `agent-receipts` entry for consecutive `receipts`.
    private func append(_ receipts: [DecisionReceipt]) async throws {
        guard let first = receipts.first, let last = receipts.last else { return }
        try await ledger.append(
            .agentReceipts(
                agent: agent.configuration.agent, firstSequence: first.sequence, receiptHashes: receipts.map(\.hash),
                head: last.hash),
            tick: nil, timestampMs: Self.nowMs())
        unsigned += 1
        receiptsWritten += receipts.count
        metrics?.receiptsCommitted(receipts.count)
        do {
            try await events?.setLedgerNextSequence(last.sequence + 1)
        } catch {
            // The ledger has them; at worst a restart writes them again as a duplicate entry, which verification
            // shows as a repeated run rather than a gap.
            logger.warning("cannot record the ledger's position", metadata: ["error": "\(error)"])
        }
    }

    private func append(event: AgentAuditEvent) async throws {
        let agentID = agent.configuration.agent
        let record: AuditRecord
        switch event {
        case .receipt(let receipt):
            try await append([receipt])
            return
        case .modeChanged(let from, let to, let cause):
            record = .agentModeChanged(agent: agentID, from: from.rawValue, to: to.rawValue, cause: cause)
            logger.notice("mode changed", metadata: ["from": "\(from.rawValue)", "to": "\(to.rawValue)"])
        case .thresholdCustomised(let category, let federation, let previous, let value, let by):
            record = .agentThresholdCustomised(
                agent: agentID, category: category.rawValue, federation: federation, previous: previous, value: value,
                by: by)
        }
        try await ledger.append(record, tick: nil, timestampMs: Self.nowMs())
        unsigned += 1
    }
}
