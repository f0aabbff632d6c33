import Foundation

/// Credentials in text: the key formats of the major providers, private keys, bearer tokens, and long random-looking
/// strings (high Shannon entropy) that match no known format.
///
/// Formats with a fixed, distinctive prefix score high; the entropy heuristic scores lower, because it also fires on
/// hashes and identifiers that are not secret.
public struct SecretDetector: TextDetector {
    /// A provider's key format. `@unchecked Sendable`: see ``token`` on sharing a compiled `Regex`.
    struct Pattern: @unchecked Sendable {
        let id: String
        let regex: Regex<AnyRegexOutput>
        let score: Double
    }

    static let patterns: [Pattern] = [
        ("aws-access-key", #"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"#, 0.98),
        ("github-token", #"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"#, 0.99),
        ("github-fine-grained-token", #"\bgithub_pat_[A-Za-z0-9_]{82}\b"#, 0.99),
        ("openai-key", #"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b"#, 0.99),
        ("openai-key-legacy", #"\bsk-[A-Za-z0-9]{48}\b"#, 0.9),
        ("anthropic-key", #"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}\b"#, 0.99),
        ("google-api-key", #"\bAIza[0-9A-Za-z_-]{35}\b"#, 0.97),
        ("slack-token", #"\bxox[abposr]-[0-9A-Za-z-]{10,}\b"#, 0.97),
        ("stripe-key", #"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,}\b"#, 0.98),
        ("private-key", #"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"#, 0.99),
        ("jwt", #"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}\b"#, 0.9),
        ("bearer-token", #"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*"#, 0.85),
    ].map { id, source, score in Pattern(id: id, regex: try! Regex(source), score: score) }

    /// Candidate random strings: long runs of the base64 and hex alphabets. (A compiled `Regex` is only read here;
    /// the standard library compiles its program once, atomically, so sharing it between threads is safe.)
    nonisolated(unsafe) static let token = try! Regex(#"[A-Za-z0-9+/_=-]{32,}"#)

    /// Bits per character above which a candidate token counts as random (English text is about 4.1 over
    /// single characters of a 32-character word, base64 of random bytes close to 6, hex close to 4).
    public var entropyThreshold: Double

    public init(entropyThreshold: Double = 4.5) {
        self.entropyThreshold = entropyThreshold
    }

    public func findings(in text: NormalizedText) -> [ScanFinding] {
        var found: [ScanFinding] = []
        var covered: [Range<Int>] = []
        for pattern in Self.patterns {
            for match in text.text.matches(of: pattern.regex) {
                let span = text.span(of: match.range)
                covered.append(span)
                found.append(
                    ScanFinding(
                        category: .secretExfiltration, detector: "secret.\(pattern.id)", score: pattern.score,
                        span: span, evidence: "\(pattern.id): \(ScanFinding.redacted(text.text[match.range]))"))
            }
        }
        for match in text.text.matches(of: Self.token) {
            let span = text.span(of: match.range)
            guard !covered.contains(where: { $0.overlaps(span) }) else { continue }
            let candidate = text.text[match.range]
            let letters = candidate.contains { $0.isLetter }, digits = candidate.contains { $0.isNumber }
            let entropy = Self.entropy(candidate)
            guard letters, digits, entropy >= entropyThreshold else { continue }
            found.append(
                ScanFinding(
                    category: .secretExfiltration, detector: "secret.high-entropy",
                    score: min(0.8, 0.5 + (entropy - entropyThreshold) / 4), span: span,
                    evidence: "random-looking string, \(String(format: "%.1f", entropy)) bits/character: "
                        + ScanFinding.redacted(candidate)))
        }
        return found
    }

    /// Shannon entropy of the character distribution, in bits per character.
    static func entropy(_ text: Substring) -> Double {
        var counts: [Character: Int] = [:]
        for character in text { counts[character, default: 0] += 1 }
        let total = Double(text.count)
        return counts.values.reduce(0) { sum, count in
            let p = Double(count) / total
            return sum - p * log2(p)
        }
    }
}
