/// Reports what normalization removed or replaced: text dressed up to slip past a filter.
public struct ObfuscationDetector: TextDetector {
    public init() {}

    public func findings(in text: NormalizedText) -> [ScanFinding] {
        var found: [ScanFinding] = []
        let whole = 0..<text.bytes.count
        if text.invisibleRemoved > 0 {
            found.append(
                ScanFinding(
                    category: .obfuscation, detector: "obfuscation.invisible-characters",
                    score: min(1, 0.6 + 0.1 * Double(text.invisibleRemoved)), span: whole,
                    evidence: "\(text.invisibleRemoved) invisible character(s) removed"))
        }
        if text.homoglyphsReplaced > 0 {
            found.append(
                ScanFinding(
                    category: .obfuscation, detector: "obfuscation.homoglyphs",
                    score: min(1, 0.5 + 0.1 * Double(text.homoglyphsReplaced)), span: whole,
                    evidence: "\(text.homoglyphsReplaced) look-alike letter(s) mapped to Latin"))
        }
        return found
    }
}
