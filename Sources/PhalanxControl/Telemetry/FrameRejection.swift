import PhalanxCore

/// Why the collector refused a telemetry frame. Each reason is counted.
public enum FrameRejection: String, Error, Hashable, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The signer is not in the roster.
    case unknownSender = "unknown-sender"
    /// The signer is registered but is not a reporter of this job.
    case notAReporter = "not-a-reporter"
    /// The sender was isolated from the job (`A-ISOLATE_PARTY`); its frames no longer count.
    case isolated
    /// The signature does not verify, or the signer is not the frame's author.
    case badSignature = "bad-signature"
    /// The payload is not a canonical telemetry frame.
    case malformed
    /// `manifestHash` names another job.
    case wrongJob = "wrong-job"
    /// `seq` is not larger than the last accepted one: a replay or reordering.
    case replay
    /// The frame is for another tick than the one being collected.
    case wrongTick = "wrong-tick"
    /// A second frame from the same participant in one tick.
    case duplicateInTick = "duplicate-in-tick"
    /// `metrics` does not have exactly the manifest's metric keys.
    case metricKeysMismatch = "metric-keys-mismatch"
    /// A metric value is NaN or infinite, or a latency is negative.
    case invalidValue = "invalid-value"
    /// `timestampMs` is outside the skew window around the collector's clock.
    case clockSkew = "clock-skew"

    public var description: String { rawValue }
}
