import Foundation

extension SafetyScanner {
    /// The time each stage of ``scan(_:)`` takes on `request`, in the order the scan runs them: normalization, each
    /// detector, the model (feature hashing and scoring). For `phalanx bench agent --stages`, which shows where the
    /// microseconds of a scan go; the stages run exactly as in a scan, but their results are discarded.
    public func stageTimes(_ request: ScanRequest) -> [(stage: String, duration: Duration)] {
        let clock = ContinuousClock()
        var times: [(stage: String, duration: Duration)] = []
        var normalized: NormalizedText?
        times.append(("normalization", clock.measure { normalized = NormalizedText(request.text) }))
        guard let normalized else { return times }
        var clear: [ScanFinding] = []
        for detector in Self.detectors {
            let elapsed = clock.measure { clear += detector.findings(in: normalized) }
            times.append((String(describing: type(of: detector)), elapsed))
        }
        var payloads: [DecodedPayload] = []
        times.append(("payload decoding", clock.measure { payloads = PayloadDecoder.payloads(in: normalized) }))
        times.append(
            (
                String(describing: EncodedPayloadDetector.self),
                clock.measure { _ = Self.payloadDetector.findings(in: payloads, besides: clear) }
            ))
        if let model {
            // The features are weighed straight into the margin (SafetyClassifier.assess), so hashing and scoring are
            // one stage.
            times.append(("model", clock.measure { _ = model.attackProbability(normalized) }))
        }
        if let model, !payloads.isEmpty {
            times.append(
                (
                    "model: decoded payloads",
                    clock.measure {
                        for payload in payloads { _ = model.attackProbability(payload.normalized) }
                    }
                ))
        }
        return times
    }
}
