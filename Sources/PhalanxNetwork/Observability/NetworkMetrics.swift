import PhalanxControl
import Prometheus

/// The figures an operator watches, in the Prometheus text format at `/metrics`.
///
/// Names follow Prometheus conventions (`_total` for counters); labels are bounded sets (message kinds, refusal
/// reasons, outcomes), never participant-supplied text, so a peer cannot blow up the series count.
public final class NetworkMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let participant: String

    public init(participant: String) {
        self.participant = participant
    }

    private var base: [(String, String)] { [("participant", participant)] }

    func sent(kind: String) {
        registry.makeCounter(
            name: "phalanx_messages_sent_total", labels: base + [("kind", kind)],
            help: "Federation messages delivered to their recipient."
        ).increment()
    }

    func lost(kind: String) {
        registry.makeCounter(
            name: "phalanx_messages_lost_total", labels: base + [("kind", kind)],
            help: "Federation messages whose recipient could not be reached."
        ).increment()
    }

    func received(kind: String) {
        registry.makeCounter(
            name: "phalanx_messages_received_total", labels: base + [("kind", kind)],
            help: "Federation messages accepted from authenticated peers."
        ).increment()
    }

    /// A TLS handshake or message refused (wrong CA, expired, revoked, identity mismatch, bad signature…).
    public func refused(reason: String) {
        registry.makeCounter(
            name: "phalanx_peers_refused_total", labels: base + [("reason", reason)],
            help: "Peers or messages refused, by reason."
        ).increment()
    }

    func tick(_ tick: UInt64) {
        registry.makeGauge(name: "phalanx_tick", labels: base, help: "The last tick this participant ran.")
            .set(Double(tick))
    }

    /// Counts what the control plane's safety loop did: frames accepted and rejected (by reason), commands
    /// issued and resent, acknowledgements received and missing, predicates that held.
    func count(_ event: JobEvent) {
        switch event {
        case .tickSealed(_, let accepted, _, _):
            counter("phalanx_frames_accepted_total", "Telemetry frames accepted by the collector.")
                .increment(by: Int64(accepted))
        case .frameRejected(_, _, let reason):
            counter(
                "phalanx_frames_rejected_total", "Telemetry frames rejected by the collector, by reason.",
                [("reason", reason.rawValue)]
            ).increment()
        case .commandIssued(_, let command):
            counter("phalanx_commands_issued_total", "A-commands issued, by kind.", [("kind", command.kind.rawValue)])
                .increment()
        case .commandResent:
            counter("phalanx_commands_resent_total", "A-commands resent because their ack was missing.").increment()
        case .ackReceived:
            counter("phalanx_acks_received_total", "A-command acknowledgements received.").increment()
        case .ackMissing:
            counter("phalanx_acks_missing_total", "A-command acknowledgements missing at the end of a tick.")
                .increment()
        case .predicateHeld(_, let predicate, _, _, _, _):
            counter(
                "phalanx_predicates_held_total", "Guard-rail predicates that held, by id.", [("predicate", predicate)]
            )
            .increment()
        default:
            break
        }
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(name: name, labels: base + labels, help: help)
    }

    func job(outcome: String) {
        registry.makeCounter(
            name: "phalanx_jobs_total", labels: base + [("outcome", outcome)], help: "Jobs ended, by outcome."
        ).increment()
    }

    func round() {
        registry.makeCounter(
            name: "phalanx_rounds_total", labels: base, help: "Rounds whose contributions were complete and merged."
        )
        .increment()
    }

    func ledger(size: UInt64, bytes: Int) {
        registry.makeGauge(name: "phalanx_ledger_entries", labels: base, help: "Entries in the audit ledger.")
            .set(Double(size))
        registry.makeGauge(name: "phalanx_ledger_bytes", labels: base, help: "Size of the audit ledger file.")
            .set(Double(bytes))
    }

    func budget(participant node: String, epsilonSpent: Double, epsilonLimit: Double) {
        registry.makeGauge(
            name: "phalanx_privacy_epsilon_spent", labels: base + [("organization", node)],
            help: "Privacy budget spent (ε) per organization."
        ).set(epsilonSpent)
        registry.makeGauge(
            name: "phalanx_privacy_epsilon_limit", labels: base + [("organization", node)],
            help: "Lifetime privacy budget (ε) per organization."
        ).set(epsilonLimit)
    }

    func fallback(_ active: Bool) {
        registry.makeGauge(
            name: "phalanx_partition_fallback", labels: base,
            help: "1 while the node runs on its conservative fallback because it lost the control plane."
        ).set(active ? 1.0 : 0.0)
    }

    /// The text exposition (format 0.0.4).
    public func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
