import Foundation

/// Base64 payloads: long runs of the base64 alphabet that decode to readable text. Encoding an instruction is a way
/// to slip it past a filter that reads only the surface, so the decoded text is scanned again by the phrase
/// detectors, and what they find there is reported at the payload's span with the detector id prefixed `decoded.`.
public struct EncodedPayloadDetector: TextDetector {
    /// The shortest run considered: 24 characters decode to 18 bytes, about three words.
    public static let minimumRun = 24
    /// At most this many payloads are decoded per text, so a text made of base64 costs a bounded amount.
    public static let maximumPayloads = 8

    let inner: PhraseDetector

    public init(inner: PhraseDetector) { self.inner = inner }

    public func findings(in text: NormalizedText) -> [ScanFinding] {
        var found: [ScanFinding] = []
        var decodedCount = 0
        let bytes = text.bytes
        for run in Self.base64Runs(in: bytes) {
            guard decodedCount < Self.maximumPayloads else { break }
            guard let decoded = Self.decodeReadable(Array(bytes[run])) else { continue }
            decodedCount += 1
            found.append(
                ScanFinding(
                    category: .obfuscation, detector: "obfuscation.base64-payload", score: 0.6, span: run,
                    evidence: "base64 run of \(run.count) characters decoding to \(decoded.utf8.count) bytes of text"))
            for finding in inner.findings(in: NormalizedText(decoded)) {
                found.append(
                    ScanFinding(
                        category: finding.category, detector: "decoded.\(finding.detector)", score: finding.score,
                        span: run, evidence: "in base64: \(finding.evidence)"))
            }
        }
        return found
    }

    /// Maximal runs of base64 characters (standard and URL-safe alphabets, with padding) of at least
    /// ``minimumRun`` bytes that mix cases, as encoded text does and words in capitals do not.
    static func base64Runs(in bytes: [UInt8]) -> [Range<Int>] {
        byteRuns(in: bytes, minimum: minimumRun, where: SecretDetector.isTokenByte).filter { run in
            bytes[run].contains { $0 >= 97 && $0 <= 122 } && bytes[run].contains { $0 >= 65 && $0 <= 90 }
        }
    }

    /// The decoded text if the run is base64 of mostly printable UTF-8 with letters and spaces, else `nil`.
    static func decodeReadable(_ run: [UInt8]) -> String? {
        var standard = run.map { byte -> UInt8 in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        while standard.last == UInt8(ascii: "=") { standard.removeLast() }
        while standard.count % 4 != 0 { standard.append(UInt8(ascii: "=")) }
        guard let data = Data(base64Encoded: Data(standard)), data.count >= 12,
            let decoded = String(data: data, encoding: .utf8)
        else { return nil }
        let scalars = decoded.unicodeScalars
        let printable = scalars.filter { $0.properties.isWhitespace || !$0.properties.generalCategory.isControl }
        let spaces = scalars.filter { $0 == " " }.count
        guard Double(printable.count) >= 0.95 * Double(scalars.count), spaces >= 1 else { return nil }
        return decoded
    }
}

extension Unicode.GeneralCategory {
    fileprivate var isControl: Bool {
        switch self {
        case .control, .format, .unassigned, .privateUse, .surrogate: true
        default: false
        }
    }
}
