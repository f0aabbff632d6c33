import Foundation
import PhalanxCore

/// The agent's scanner: normalizes a text, runs every detector and the trained model, and scores each category.
///
/// **How scores combine.** Within a category, independent findings combine as a noisy-or (`1 − Π(1 − sᵢ)`): two
/// weak phrases together say more than either alone. The model's probability stands beside them: the category score
/// of an attack category is the larger of the phrase evidence and the model's score (its probability mapped so that
/// the model's operating point is 0.5, see ``AttackModel/score(probability:)``), so a distinctive phrase can block
/// alone, and a paraphrase no list anticipated is caught by the model. Indirect input — text from a tool or
/// a retrieved document — that talks to the model in the imperative is more suspect than the same words from the
/// user, so injection findings there are raised by ``indirectBoost``. Text hidden in an encoding (``PayloadDecoder``)
/// is decoded once and read again, by the phrases and by the model: the model's probability is the largest over the
/// text and its decoded payloads.
public struct SafetyScanner: Sendable {
    public var model: (any AttackModel)?
    /// Added to injection findings in tool output and retrieved documents (capped at 1).
    public var indirectBoost: Double = 0.15

    static let phrases = PhraseDetector(
        families: AttackPhrases.injection + AttackPhrases.jailbreak + AttackPhrases.harmful)
    /// The detectors that read the normalized text as it is.
    static let detectors: [any TextDetector] = [phrases, SecretDetector(), PIIDetector(), ObfuscationDetector()]
    /// Reads the decoded payloads.
    static let payloadDetector = EncodedPayloadDetector(inner: phrases)

    public init(model: (any AttackModel)? = nil) {
        self.model = model
    }

    public func scan(_ request: ScanRequest) -> ScanResult {
        let normalized = NormalizedText(request.text)
        let payloads = PayloadDecoder.payloads(in: normalized)
        var findings = Self.detectors.flatMap { $0.findings(in: normalized) }
        findings += Self.payloadDetector.findings(in: payloads, besides: findings)
        let indirect = request.direction == .input && (request.source == .tool || request.source == .retrieval)
        if indirect {
            findings = findings.map { finding in
                guard finding.category == .promptInjection else { return finding }
                return ScanFinding(
                    category: finding.category, detector: finding.detector,
                    score: min(1, finding.score + indirectBoost), span: finding.span,
                    evidence: finding.evidence + " (in \(request.source.rawValue) content)")
            }
        }
        var scores: [SafetyCategory: Double] = [:]
        for category in SafetyCategory.allCases {
            let own = findings.filter { $0.category == category }
            guard !own.isEmpty else { continue }
            scores[category] = 1 - own.reduce(1) { $0 * (1 - $1.score) }
        }
        // The model reads the text and each decoded payload; the most suspicious reading counts.
        var probability = model?.attackProbability(normalized)
        var readFrom: DecodedPayload?
        if let model, let whole = probability {
            probability = payloads.reduce(whole) { best, payload in
                let decoded = model.attackProbability(payload.normalized)
                guard decoded > best else { return best }
                readFrom = payload
                return decoded
            }
        }
        if let probability {
            // The model says "attack", not which kind: its probability goes to the attack category the phrases
            // point at, or to prompt injection when they point nowhere.
            let attackCategories: [SafetyCategory] = [.promptInjection, .jailbreak, .toxicity]
            let category =
                attackCategories.max { (scores[$0] ?? 0) < (scores[$1] ?? 0) }.flatMap {
                    scores[$0] ?? 0 > 0 ? $0 : nil
                }
                ?? .promptInjection
            let span = readFrom?.span ?? 0..<normalized.text.utf8.count
            let score = model?.score(probability: probability) ?? probability
            let reading = readFrom.map { " in the decoded \($0.encoding.rawValue) payload" } ?? ""
            findings.append(
                ScanFinding(
                    category: category, detector: "classifier.attack", score: score, span: span,
                    evidence: "model \(model?.modelVersion ?? "?"): p(attack) = \(Self.format(probability))\(reading), "
                        + "operating point \(Self.format(model?.operatingThreshold ?? 0.5))"))
            scores[category] = max(scores[category] ?? 0, score)
        }
        return ScanResult(
            findings: findings, scores: scores, attackProbability: probability,
            textDigest: SHA256Digest.of(Array(request.text.utf8)).hex,
            textBytes: request.text.utf8.count, truncated: request.text.utf8.count > NormalizedText.maximumBytes)
    }

    static func format(_ value: Double) -> String { DecimalText.fixed(value, places: 3) }
}
