import Foundation
import PhalanxCore

/// The record of one decision: what was decided, by which rule and why, about which text (by digest), in which
/// mode, linked to the receipt before it by hash.
///
/// Receipts form a hash chain: each one's ``previous`` is the ``hash`` of the one before, so removing, reordering or
/// altering a receipt breaks every link after it. The chain is committed to the audit ledger in batches (see
/// `ReceiptLedgerWriter` in PhalanxAgentService), whose signed Merkle checkpoints then fix it in the federation's
/// record. A receipt never holds the text itself.
public struct DecisionReceipt: Sendable, Hashable, Codable {
    public let sequence: UInt64
    public let agent: String
    public let timestampMs: Int64
    public let direction: Direction
    public let source: ContentSource
    public let action: String?
    public let principal: String?
    /// SHA-256 of the text's UTF-8 bytes, hex.
    public let textDigest: String
    public let verdict: Verdict
    public let ruleId: String
    public let reason: String
    public let mode: AgentMode
    /// Category scores above zero, keyed by category name.
    public let scores: [String: Double]
    /// The categories at or above the threshold in force when the decision was made, highest score first: what the
    /// agent counts as found (the safety-event counts, `GET /v1/events?category=`).
    public let present: [String]
    public let modelVersion: String?
    /// SHA-256 of the canonical encoding of the policy in force.
    public let policyDigest: String
    /// The ``hash`` of the previous receipt; ``DecisionReceipt/genesis`` for the first.
    public let previous: String

    /// The `previous` of the first receipt of a chain.
    public static let genesis = String(repeating: "0", count: 64)

    public init(
        sequence: UInt64, agent: String, timestampMs: Int64, direction: Direction, source: ContentSource,
        action: String?, principal: String?, textDigest: String, verdict: Verdict, ruleId: String, reason: String,
        mode: AgentMode, scores: [String: Double], present: [String], modelVersion: String?, policyDigest: String,
        previous: String
    ) {
        self.sequence = sequence
        self.agent = agent
        self.timestampMs = timestampMs
        self.direction = direction
        self.source = source
        self.action = action
        self.principal = principal
        self.textDigest = textDigest
        self.verdict = verdict
        self.ruleId = ruleId
        self.reason = reason
        self.mode = mode
        self.scores = scores
        self.present = present
        self.modelVersion = modelVersion
        self.policyDigest = policyDigest
        self.previous = previous
    }

    /// SHA-256 of the receipt's canonical encoding, hex: its id, and the next receipt's `previous`.
    public var hash: String {
        // The canonical encoding of strings, integers, finite doubles and enums cannot fail.
        (try? SHA256Digest.ofCanonical(self))?.hex ?? DecisionReceipt.genesis
    }
}

/// Appends receipts to a hash chain and checks chains.
public struct ReceiptChain: Sendable {
    public private(set) var head: String
    public private(set) var nextSequence: UInt64

    public init(head: String = DecisionReceipt.genesis, nextSequence: UInt64 = 0) {
        self.head = head
        self.nextSequence = nextSequence
    }

    /// Makes the next receipt of the chain from `fields` (whose `sequence` and `previous` are replaced).
    public mutating func append(
        _ make: (_ sequence: UInt64, _ previous: String) -> DecisionReceipt
    )
        -> DecisionReceipt
    {
        let receipt = make(nextSequence, head)
        head = receipt.hash
        nextSequence += 1
        return receipt
    }

    /// The first broken link in `receipts` (consecutive, starting after `previous`), or `nil` when intact.
    public static func firstBreak(
        in receipts: [DecisionReceipt], after previous: String = DecisionReceipt.genesis
    )
        -> String?
    {
        var expected = previous
        var sequence = receipts.first?.sequence ?? 0
        for receipt in receipts {
            if receipt.sequence != sequence {
                return "receipt \(receipt.sequence) follows \(sequence == 0 ? 0 : sequence - 1): a receipt is missing"
            }
            if receipt.previous != expected {
                return "receipt \(receipt.sequence) does not link to the receipt before it (altered or reordered)"
            }
            expected = receipt.hash
            sequence += 1
        }
        return nil
    }
}
