import PhalanxAgent
import Prometheus

/// What an operator watches of the agent, in the Prometheus text format at `GET /metrics` (namespace `phalanx`,
/// subsystem `agent`).
///
/// Labels are closed sets — verdicts, categories, modes, error codes, command outcomes — never request text or
/// client-chosen strings, so no request can create series.
public final class AgentMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let latency: DurationHistogram

    /// Upper bounds of the scan-latency buckets: the detectors take tens of microseconds on short texts, a 1 MiB
    /// text some milliseconds.
    static let latencyBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
        .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .seconds(1),
    ]

    public init() {
        latency = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(
                namespace: "phalanx", subsystem: "agent", metricName: "scan_latency", unitName: "seconds",
                helpText: "Time from a parsed /v1/scan request to its decision, stored."),
            labels: [], buckets: Self.latencyBuckets)
        for mode in AgentMode.allCases { modeGauge(mode).set(0.0) }
        modeGauge(.normal).set(1.0)
        receiptsCounter.increment(by: Int64(0))
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Counter {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "phalanx", subsystem: "agent", metricName: name, unitName: "total", helpText: help),
            labels: labels)
    }

    private func modeGauge(_ mode: AgentMode) -> Gauge {
        registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "phalanx", subsystem: "agent", metricName: "mode",
                helpText: "1 for the agent's current rung on the ladder (normal, observe, restrict, suspend), else 0."),
            labels: [("mode", mode.rawValue)])
    }

    private var receiptsCounter: Counter {
        counter("ledger_receipts", "Decision receipts committed to the audit ledger.")
    }

    /// A decision: counted by verdict and by the highest-scoring category found (`none` when nothing reached its
    /// threshold).
    func decided(_ decision: AgentDecision, latency elapsed: Duration) {
        let category = decision.receipt.present.first { $0 != SafetyCategory.obfuscation.rawValue } ?? "none"
        counter(
            "decisions", "Decisions, by verdict and top category.",
            [("verdict", decision.verdict.rawValue), ("category", category)]
        ).increment()
        latency.record(elapsed)
    }

    func mode(_ mode: AgentMode) {
        for other in AgentMode.allCases { modeGauge(other).set(other == mode ? 1.0 : 0.0) }
    }

    func receiptsCommitted(_ count: Int) { receiptsCounter.increment(by: Int64(count)) }

    func feedback(label: Int) {
        counter("feedback", "Labels recorded through /v1/feedback.", [("label", label == 1 ? "attack" : "benign")])
            .increment()
    }

    /// A request refused, by error code (`body_too_large`, `invalid_json`, …).
    func requestError(_ code: APIError.Code) {
        counter("request_errors", "Requests refused, by error code.", [("reason", code.rawValue)]).increment()
    }

    func directive(outcome: String) {
        counter("directives", "Signed commands received, by outcome.", [("outcome", outcome)]).increment()
    }

    func purged(_ count: Int) {
        counter("events_purged", "Events deleted by retention.").increment(by: Int64(count))
    }

    /// The text exposition (format 0.0.4).
    public func exposition() -> String { registry.emitToString() }
}
