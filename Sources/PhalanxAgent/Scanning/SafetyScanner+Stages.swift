import Foundation

extension SafetyScanner {
    /// The time each stage of ``scan(_:)`` takes on `request`, in the order the scan runs them: normalization, each
    /// detector, the model (feature hashing and scoring). For `phalanx bench agent --stages`, which shows where the
    /// microseconds of a scan go; the stages run exactly as in a scan, but their results are discarded.
    public func stageTimes(_ request: ScanRequest) -> [(stage: String, seconds: Double)] {
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        var times: [(stage: String, seconds: Double)] = []
        var normalized: NormalizedText?
        times.append(("normalization", seconds(clock.measure { normalized = NormalizedText(request.text) })))
        guard let normalized else { return times }
        for detector in Self.detectors {
            let elapsed = clock.measure { _ = detector.findings(in: normalized) }
            times.append((String(describing: type(of: detector)), seconds(elapsed)))
        }
        if let trained = model as? TrainedAttackModel {
            let classifier = trained.file.classifier
            var features: SparseVector?
            times.append(
                ("model: features", seconds(clock.measure { features = classifier.hasher.features(of: normalized) })))
            if let features {
                times.append(("model: scoring", seconds(clock.measure { _ = classifier.assess(features: features) })))
            }
        } else if let model {
            times.append(("model", seconds(clock.measure { _ = model.attackProbability(normalized) })))
        }
        return times
    }
}
