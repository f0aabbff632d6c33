/// Encoded and transformed payloads (``PayloadDecoder``: base64, base32, hex, binary, Morse, percent and backslash
/// escapes, ROT13, reversed text, leetspeak). The decoded text is scanned again by the phrase detectors, and what
/// they find there is reported at the payload's span with the detector id prefixed `decoded.`. A payload in an
/// encoding that is suspicious by itself (``PayloadEncoding/isSuspiciousByItself``) is also reported as
/// `obfuscation.<encoding>-payload`; the scanner scores the decoded texts with the classifier too.
public struct EncodedPayloadDetector: TextDetector {
    /// The score of an encoded payload by itself: evidence of a disguise, below the default policy's obfuscation
    /// threshold, so that encoded text alone is not blocked but adds to what else is found.
    public static let payloadScore = 0.6

    let inner: PhraseDetector

    public init(inner: PhraseDetector) { self.inner = inner }

    public func findings(in text: NormalizedText) -> [ScanFinding] {
        let payloads = PayloadDecoder.payloads(in: text)
        return payloads.isEmpty ? [] : findings(in: payloads, besides: inner.findings(in: text))
    }

    /// The findings of payloads already decoded (the scanner decodes once for this detector and the classifier).
    /// A payload counts for what it adds: a phrase family among `clear` — what the text shows without decoding — is
    /// not reported again from a payload (a whole-text transform such as leetspeak keeps the text's phrases, and the
    /// scanner's noisy-or would count them twice).
    public func findings(in payloads: [DecodedPayload], besides clear: [ScanFinding]) -> [ScanFinding] {
        let seen = Set(clear.map(\.detector))
        var found: [ScanFinding] = []
        for payload in payloads {
            let name = payload.encoding.rawValue
            if payload.encoding.isSuspiciousByItself {
                found.append(
                    ScanFinding(
                        category: .obfuscation, detector: "obfuscation.\(name)-payload", score: Self.payloadScore,
                        span: payload.span,
                        evidence: "\(name) payload of \(payload.span.count) bytes decoding to "
                            + "\(payload.text.utf8.count) bytes of text"))
            }
            for finding in inner.findings(in: payload.normalized) where !seen.contains(finding.detector) {
                found.append(
                    ScanFinding(
                        category: finding.category, detector: "decoded.\(finding.detector)", score: finding.score,
                        span: payload.span, evidence: "in \(name): \(finding.evidence)"))
            }
        }
        return found
    }
}
