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
/// user, so injection findings there are raised by ``indirectBoost``.
public struct SafetyScanner: Sendable {
    public var model: (any AttackModel)?
    /// Added to injection findings in tool output and retrieved documents (capped at 1).
    public var indirectBoost: Double = 0.15

    static let phrases = PhraseDetector(
        families: AttackPhrases.injection + AttackPhrases.jailbreak + AttackPhrases.harmful)
    static let detectors: [any TextDetector] = [
        phrases, SecretDetector(), PIIDetector(), ObfuscationDetector(), EncodedPayloadDetector(inner: phrases),
    ]

    public init(model: (any AttackModel)? = nil) {
        self.model = model
    }

    public func scan(_ request: ScanRequest) -> ScanResult {
        let normalized = NormalizedText(request.text)
        var findings = Self.detectors.flatMap { $0.findings(in: normalized) }
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
        let probability = model?.attackProbability(normalized)
        if let probability {
            // The model says "attack", not which kind: its probability goes to the attack category the phrases
            // point at, or to prompt injection when they point nowhere.
            let attackCategories: [SafetyCategory] = [.promptInjection, .jailbreak, .toxicity]
            let category =
                attackCategories.max { (scores[$0] ?? 0) < (scores[$1] ?? 0) }.flatMap {
                    scores[$0] ?? 0 > 0 ? $0 : nil
                }
                ?? .promptInjection
            let whole = 0..<normalized.text.utf8.count
            let score = model?.score(probability: probability) ?? probability
            findings.append(
                ScanFinding(
                    category: category, detector: "classifier.attack", score: score, span: whole,
                    evidence: "model \(model?.modelVersion ?? "?"): p(attack) = \(Self.format(probability)), "
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
