/// A finding's evidence as the service stores, logs and returns it: never a quotation of the text.
///
/// Detectors describe a match by its shape (`ghp_… (40 characters)`), but some quote it — the phrase detectors quote
/// the attack phrase they matched. The events store and the API promise no text at all, so every double-quoted
/// segment of an evidence string is cut to its first four characters and its length, the form the secret detectors
/// already use; the span still says where the match is for whoever holds the text.
enum FindingEvidence {
    static let shown = 4

    static func redacted(_ evidence: String) -> String {
        guard evidence.contains("\"") else { return evidence }
        var output = ""
        var quoted: String?
        for character in evidence {
            if character == "\"" {
                if let inside = quoted {
                    let count = inside.count
                    output += count <= shown ? "\"\(inside)\"" : "\"\(inside.prefix(shown))… (\(count) characters)\""
                    quoted = nil
                } else {
                    quoted = ""
                }
            } else if quoted != nil {
                quoted?.append(character)
            } else {
                output.append(character)
            }
        }
        // An unterminated quotation is dropped whole: its end cannot be told from the text's.
        if let inside = quoted { output += "\"… (\(inside.count) characters)" }
        return output
    }
}
