/// Personal data: e-mail addresses, phone numbers, payment cards (Luhn), IBANs (mod 97) and national identifiers
/// (US SSN, UK National Insurance number). A checksum that verifies scores near 1; a shape alone scores lower.
public struct PIIDetector: TextDetector {
    struct Pattern: @unchecked Sendable {
        let id: String
        let regex: Regex<AnyRegexOutput>
        let score: Double
        /// A check beyond the shape (checksum, forbidden ranges); `nil`: the shape is enough.
        let verify: (@Sendable (Substring) -> Bool)?
    }

    static let patterns: [Pattern] = [
        Pattern(
            id: "email", regex: try! Regex(#"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"#),
            score: 0.95, verify: nil),
        Pattern(
            id: "payment-card", regex: try! Regex(#"\b(?:\d[ -]?){12,18}\d\b"#), score: 0.97,
            verify: { Checksums.luhn(digits(of: $0)) }),
        Pattern(
            id: "iban", regex: try! Regex(#"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"#),
            score: 0.98, verify: { Checksums.iban($0.filter { $0 != " " }.uppercased()) }),
        Pattern(
            id: "us-ssn", regex: try! Regex(#"\b(\d{3})-(\d{2})-(\d{4})\b"#), score: 0.8,
            verify: { match in
                let parts = match.split(separator: "-")
                guard parts.count == 3, let area = Int(parts[0]), let group = Int(parts[1]),
                    let serial = Int(parts[2])
                else { return false }
                return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
            }),
        Pattern(
            id: "uk-nino", regex: try! Regex(#"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"#),
            score: 0.85, verify: nil),
        Pattern(
            id: "phone", regex: try! Regex(#"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4}\b"#),
            score: 0.75, verify: { (8...15).contains(digits(of: $0).count) }),
    ]

    public init() {}

    public func findings(in text: NormalizedText) -> [ScanFinding] {
        var found: [ScanFinding] = []
        var covered: [Range<Int>] = []
        for pattern in Self.patterns {
            for match in text.text.matches(of: pattern.regex) {
                let matched = text.text[match.range]
                let span = text.span(of: match.range)
                // A card or IBAN already found is not a phone number too.
                guard !covered.contains(where: { $0.overlaps(span) }) else { continue }
                if let verify = pattern.verify, !verify(matched) { continue }
                covered.append(span)
                found.append(
                    ScanFinding(
                        category: .piiExfiltration, detector: "pii.\(pattern.id)", score: pattern.score, span: span,
                        evidence: "\(pattern.id): \(ScanFinding.redacted(matched, keep: 2))"))
            }
        }
        return found
    }

    static func digits(of text: Substring) -> [UInt8] {
        text.utf8.compactMap { (48...57).contains($0) ? $0 - 48 : nil }
    }
}
