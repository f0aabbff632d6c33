/// Personal data: e-mail addresses, phone numbers, payment cards (Luhn), IBANs (mod 97) and national identifiers
/// (US SSN, UK National Insurance number). A checksum that verifies scores near 1; a shape alone scores lower.
public struct PIIDetector: TextDetector {
    struct Pattern: Sendable {
        let id: String
        /// The expression that defines what the pattern finds.
        let regex: TriggeredRegex
        /// Finds exactly what `regex` finds, faster, where such a scanner is written (``EmailAddressScanner``).
        var scanner: (@Sendable (String, [UInt8]) -> [(span: Range<Int>, match: Substring)])? = nil
        let score: Double
        /// A check beyond the shape (checksum, forbidden ranges); `nil`: the shape is enough.
        let verify: (@Sendable (Substring) -> Bool)?

        /// The matches in a text (given as a string and its UTF-8 bytes), as byte ranges with the matched text.
        func find(_ text: String, _ bytes: [UInt8]) -> [(span: Range<Int>, match: Substring)] {
            scanner?(text, bytes) ?? regex.matches(in: text, bytes: bytes)
        }
    }

    static let patterns: [Pattern] = [
        // Followed by hand, exactly (EmailAddressScanner): the expression was a fifth of this detector on a message
        // with an address.
        Pattern(
            id: "email", regex: EmailAddressScanner.expression, scanner: EmailAddressScanner.matches, score: 0.95,
            verify: nil),
        Pattern(
            id: "payment-card",
            regex: TriggeredRegex(
                #"\b(?:\d[ -]?){12,18}\d\b"#, triggers: [.digitRun(count: 13)], reach: 64,
                alphabet: { isDigit($0) || $0 == 0x20 || $0 == 0x2D }, minimumLength: 13),
            score: 0.97, verify: { Checksums.luhn(digits(of: $0)) }),
        Pattern(
            id: "iban",
            regex: TriggeredRegex(
                #"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b"#, triggers: [.capitalsThenDigits],
                reach: 64, alphabet: { isCapitalOrDigit($0) || $0 == 0x20 }, minimumLength: 12),
            score: 0.98, verify: { Checksums.iban($0.filter { $0 != " " }.uppercased()) }),
        Pattern(
            id: "us-ssn",
            regex: TriggeredRegex(
                #"\b(\d{3})-(\d{2})-(\d{4})\b"#, triggers: [.digitRun(count: 9)], reach: 24,
                alphabet: { isDigit($0) || $0 == 0x2D || $0 == 0x20 }, minimumLength: 11,
                requirement: hasSSNShape),
            score: 0.8,
            verify: { match in
                let parts = match.split(separator: "-")
                guard parts.count == 3, let area = Int(parts[0]), let group = Int(parts[1]),
                    let serial = Int(parts[2])
                else { return false }
                return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
            }),
        Pattern(
            id: "uk-nino",
            regex: TriggeredRegex(
                #"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b"#, triggers: [.capitalsThenDigit],
                reach: 24, alphabet: { isCapitalOrDigit($0) || $0 == 0x20 }, minimumLength: 9,
                requirement: { $0.count(where: isDigit) >= 6 }),
            score: 0.85, verify: nil),
        // Followed by hand too (PhoneNumberScanner): the expression took ten microseconds on one number.
        Pattern(
            id: "phone", regex: PhoneNumberScanner.expression, scanner: PhoneNumberScanner.matches, score: 0.75,
            verify: { (8...15).contains(digits(of: $0).count) }),
    ]

    public init() {}

    public func findings(in text: NormalizedText) -> [ScanFinding] {
        var found: [ScanFinding] = []
        var covered: [Range<Int>] = []
        let bytes = text.bytes
        for pattern in Self.patterns {
            for (span, matched) in pattern.find(text.text, bytes) {
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

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isCapitalOrDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 0x41 && byte <= 0x5A) }

    /// A social-security number's shape: `d` a digit, `-` a hyphen.
    private static let ssnShape = Array("ddd-dd-dddd".utf8)

    /// Whether `run` holds three digits, a hyphen, two digits, a hyphen and four digits, one after the other.
    @Sendable static func hasSSNShape(_ run: ArraySlice<UInt8>) -> Bool {
        let shape = ssnShape
        guard run.count >= shape.count else { return false }
        return (run.startIndex...(run.endIndex - shape.count)).contains { start in
            shape.indices.allSatisfy { k in
                shape[k] == 0x2D ? run[start + k] == 0x2D : isDigit(run[start + k])
            }
        }
    }

    static func digits(of text: Substring) -> [UInt8] {
        text.utf8.compactMap { (48...57).contains($0) ? $0 - 48 : nil }
    }
}
