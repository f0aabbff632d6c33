import Foundation
import PhalanxCore

/// Credentials in text: the key formats of the major providers, private keys, bearer tokens, and long random-looking
/// strings (high Shannon entropy) that match no known format.
///
/// Formats with a fixed, distinctive prefix score high; the entropy heuristic scores lower, because it also fires on
/// hashes and identifiers that are not secret.
public struct SecretDetector: TextDetector {
    /// A provider's key format.
    struct Pattern: Sendable {
        let id: String
        let regex: TriggeredRegex
        let score: Double
    }

    static let patterns: [Pattern] = [
        Pattern(
            id: "aws-access-key",
            regex: TriggeredRegex(#"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"#, triggers: [.literal("AKIA"), .literal("ASIA")]),
            score: 0.98),
        Pattern(
            id: "github-token",
            regex: TriggeredRegex(
                #"\bgh[pousr]_[A-Za-z0-9]{36,255}\b"#,
                triggers: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"].map { .literal($0) }),
            score: 0.99),
        Pattern(
            id: "github-fine-grained-token",
            regex: TriggeredRegex(#"\bgithub_pat_[A-Za-z0-9_]{82}\b"#, triggers: [.literal("github_pat_")]),
            score: 0.99),
        Pattern(
            id: "openai-key",
            regex: TriggeredRegex(
                #"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b"#,
                triggers: [.literal("T3BlbkFJ")]),
            score: 0.99),
        Pattern(
            id: "openai-key-legacy", regex: TriggeredRegex(#"\bsk-[A-Za-z0-9]{48}\b"#, triggers: [.literal("sk-")]),
            score: 0.9),
        Pattern(
            id: "anthropic-key",
            regex: TriggeredRegex(
                #"\bsk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,}\b"#, triggers: [.literal("sk-ant-")]),
            score: 0.99),
        Pattern(
            id: "google-api-key",
            regex: TriggeredRegex(#"\bAIza[0-9A-Za-z_-]{35}\b"#, triggers: [.literal("AIza")]), score: 0.97),
        Pattern(
            id: "slack-token",
            regex: TriggeredRegex(#"\bxox[abposr]-[0-9A-Za-z-]{10,}\b"#, triggers: [.literal("xox")]), score: 0.97),
        Pattern(
            id: "stripe-key",
            regex: TriggeredRegex(
                #"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,}\b"#, triggers: [.literal("_live_"), .literal("_test_")]),
            score: 0.98),
        Pattern(
            id: "private-key",
            regex: TriggeredRegex(
                #"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"#,
                triggers: [.literal("-----BEGIN")]),
            score: 0.99),
        Pattern(
            id: "jwt",
            regex: TriggeredRegex(
                #"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}\b"#, triggers: [.literal("eyJ")],
                reach: 2_048),
            score: 0.9),
        Pattern(
            id: "bearer-token",
            regex: TriggeredRegex(
                #"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*"#, triggers: [.literal("bearer", caseInsensitive: true)]),
            score: 0.85),
    ]

    /// Every pattern's triggers, found in one pass.
    static let triggerIndex = LiteralTriggerIndex(patterns.map(\.regex.triggers))

    /// The alphabet of candidate random strings: base64 (standard and URL-safe), hex, and padding — `0-9A-Za-z`
    /// and `+/_=-`. As a 128-bit set, one shift and mask per byte (the secret and encoded-payload detectors test
    /// every byte of every text; a chain of range tests cost a few microseconds per kilobyte). A test checks the
    /// set against the alphabet spelled out.
    @inline(__always) static func isTokenByte(_ byte: UInt8) -> Bool {
        let low: UInt64 = 0x23FF_A800_0000_0000  // + - / 0-9 =
        let high: UInt64 = 0x07FF_FFFE_87FF_FFFE  // A-Z _ a-z
        guard byte < 128 else { return false }
        return ((byte < 64 ? low : high) >> UInt64(byte & 63)) & 1 == 1
    }

    /// Bits per character above which a candidate token counts as random (English text is about 4.1 over
    /// single characters of a 32-character word, base64 of random bytes close to 6, hex close to 4).
    public var entropyThreshold: Double

    public init(entropyThreshold: Double = 4.5) {
        self.entropyThreshold = entropyThreshold
    }

    public func findings(in text: NormalizedText) -> [ScanFinding] {
        let bytes = text.bytes
        var found: [ScanFinding] = []
        var covered: [Range<Int>] = []
        let triggered = Self.triggerIndex.positions(in: bytes)
        for (pattern, positions) in zip(Self.patterns, triggered) where !positions.isEmpty {
            for (span, match) in pattern.regex.matches(in: text.text, bytes: bytes, triggeredAt: positions) {
                covered.append(span)
                found.append(
                    ScanFinding(
                        category: .secretExfiltration, detector: "secret.\(pattern.id)", score: pattern.score,
                        span: span, evidence: "\(pattern.id): \(ScanFinding.redacted(match))"))
            }
        }
        for span in byteRuns(in: bytes, minimum: 32, where: Self.isTokenByte) {
            guard !covered.contains(where: { $0.overlaps(span) }) else { continue }
            let candidate = bytes[span]
            let letters = candidate.contains { ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 }
            let digits = candidate.contains { $0 >= 48 && $0 <= 57 }
            let entropy = Self.entropy(candidate)
            guard letters, digits, entropy >= entropyThreshold else { continue }
            let shown = String(decoding: candidate.prefix(4), as: UTF8.self)
            found.append(
                ScanFinding(
                    category: .secretExfiltration, detector: "secret.high-entropy",
                    score: min(0.8, 0.5 + (entropy - entropyThreshold) / 4), span: span,
                    evidence: "random-looking string, \(DecimalText.fixed(entropy, places: 1)) bits/character: "
                        + "\(shown)… (\(candidate.count) characters)"))
        }
        return found
    }

    /// Shannon entropy of the byte distribution, in bits per byte (the alphabet is ASCII, so per character).
    static func entropy(_ bytes: some Collection<UInt8>) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for byte in bytes { counts[Int(byte)] += 1 }
        let total = Double(bytes.count)
        return counts.reduce(0) { sum, count in
            guard count > 0 else { return sum }
            let p = Double(count) / total
            return sum - p * log2(p)
        }
    }
}
