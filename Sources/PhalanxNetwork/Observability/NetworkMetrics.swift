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

    func sent(kind: String, bytes: Int) {
        counter("messages_sent", "Federation messages delivered to their recipient.", base + [("kind", kind)])
            .increment()
        counter(
            "message_bytes_sent", "Bytes of the signed messages delivered (payload and signature, as in one process).",
            base + [("kind", kind)]
        ).increment(by: Int64(bytes))
    }

    func lost(kind: String) {
        counter("messages_lost", "Federation messages whose recipient could not be reached.", base + [("kind", kind)])
            .increment()
    }

    func received(kind: String) {
        counter("messages_received", "Federation messages accepted from authenticated peers.", base + [("kind", kind)])
            .increment()
    }

    /// A TLS handshake or message refused (wrong CA, expired, revoked, identity mismatch, bad signature…).
    public func refused(reason: String) {
        counter("peers_refused", "Peers or messages refused, by reason.", base + [("reason", reason)]).increment()
    }

    func tick(_ tick: UInt64) {
        gauge("tick", "The last tick this participant ran.", base)
            .set(Double(tick))
    }

    /// Counts what the control plane's safety loop did: frames accepted and rejected (by reason), commands
    /// issued and resent, acknowledgements received and missing, predicates that held.
    func count(_ event: JobEvent) {
        switch event {
        case .tickSealed(_, let accepted, _, _):
            counter("frames_accepted", "Telemetry frames accepted by the collector.")
                .increment(by: Int64(accepted))
        case .frameRejected(_, _, let reason):
            counter(
                "frames_rejected", "Telemetry frames rejected by the collector, by reason.",
                [("reason", reason.rawValue)]
            ).increment()
        case .commandIssued(_, let command):
            counter("commands_issued", "A-commands issued, by kind.", [("kind", command.kind.rawValue)])
                .increment()
        case .commandResent:
            counter("commands_resent", "A-commands resent because their ack was missing.").increment()
        case .ackReceived:
            counter("acks_received", "A-command acknowledgements received.").increment()
        case .ackMissing:
            counter("acks_missing", "A-command acknowledgements missing at the end of a tick.")
                .increment()
        case .predicateHeld(_, let predicate, _, _, _, _):
            counter(
                "predicates_held", "Guard-rail predicates that held, by id.", [("predicate", predicate)]
            )
            .increment()
        default:
            break
        }
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "phalanx", metricName: name, unitName: "total", helpText: help),
            labels: labels.first?.0 == "participant" ? labels : base + labels)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "phalanx", metricName: name, unitName: "", helpText: help),
            labels: labels.first?.0 == "participant" ? labels : base + labels)
    }

    func job(outcome: String) {
        counter("jobs", "Jobs ended, by outcome.", base + [("outcome", outcome)]).increment()
    }

    func round() {
        counter("rounds", "Rounds whose contributions were complete and merged.", base)
            .increment()
    }

    func ledger(size: UInt64, bytes: Int) {
        gauge("ledger_entries", "Entries in the audit ledger.", base)
            .set(Double(size))
        gauge("ledger_bytes", "Size of the audit ledger file.", base)
            .set(Double(bytes))
    }

    func budget(participant node: String, epsilonSpent: Double, epsilonLimit: Double) {
        gauge("privacy_epsilon_spent", "Privacy budget spent (ε) per organization.", base + [("organization", node)])
            .set(epsilonSpent)
        gauge("privacy_epsilon_limit", "Lifetime privacy budget (ε) per organization.", base + [("organization", node)])
            .set(epsilonLimit)
    }

    func fallback(_ active: Bool) {
        gauge(
            "partition_fallback",
            "1 while the node runs on its conservative fallback because it lost the control plane.", base
        ).set(active ? 1.0 : 0.0)
    }

    /// The text exposition (format 0.0.4).
    public func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
