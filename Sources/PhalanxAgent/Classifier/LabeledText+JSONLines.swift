import Foundation

extension LabeledText {
    /// The longest line accepted, in bytes: the agent refuses larger bodies anyway (``NormalizedText/maximumBytes``),
    /// and a bound keeps a corrupt file (one endless line) from being decoded whole.
    public static let maximumLineBytes = 1 << 20

    /// Reads a JSON Lines corpus: one object per line with a string `"text"` and a `"label"` of 0 (benign) or 1
    /// (attack), and optionally the strings `"category"` and `"source_package"` that `scripts/build-corpus` writes;
    /// other fields are ignored, and blank lines skipped. A line ends at LF, with an optional CR before it.
    ///
    /// Errors carry the 1-based line number, so a corpus author can go straight to the line.
    public static func loadJSONLines(_ bytes: [UInt8]) throws(CorpusError) -> [LabeledText] {
        var examples: [LabeledText] = []
        var lineNumber = 0
        var start = 0
        let decoder = JSONDecoder()
        while start < bytes.count {
            lineNumber += 1
            let newline = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            var end = newline
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            let line = bytes[start..<end]
            start = newline + 1
            guard line.count <= maximumLineBytes else {
                throw CorpusError(
                    line: lineNumber, message: "the line has \(line.count) bytes, more than \(maximumLineBytes)")
            }
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { continue }
            examples.append(try decodeLine(Data(line), number: lineNumber, decoder: decoder))
        }
        return examples
    }

    /// Reads a JSON Lines corpus file (see ``loadJSONLines(_:)``).
    public static func loadJSONLines(path: String) throws(CorpusError) -> [LabeledText] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CorpusError(file: path, line: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
        do throws(CorpusError) {
            return try loadJSONLines(Array(data))
        } catch {
            throw CorpusError(file: path, line: error.line, message: error.message)
        }
    }

    /// The shape of a line; `label` is decoded as a number so that `true` or `"1"` are refused rather than guessed.
    private struct Line: Decodable {
        let text: String
        let label: Int
        let category: String?
        let sourcePackage: String?

        enum CodingKeys: String, CodingKey {
            case text, label, category
            case sourcePackage = "source_package"
        }
    }

    private static func decodeLine(_ line: Data, number: Int, decoder: JSONDecoder) throws(CorpusError) -> LabeledText {
        let decoded: Line
        do {
            decoded = try decoder.decode(Line.self, from: line)
        } catch DecodingError.keyNotFound(let key, _) {
            throw CorpusError(line: number, message: "missing \"\(key.stringValue)\"")
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            throw CorpusError(line: number, message: field(context) + " has the wrong type")
        } catch DecodingError.valueNotFound(_, let context) where !context.codingPath.isEmpty {
            throw CorpusError(line: number, message: field(context) + " is null")
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            throw CorpusError(line: number, message: field(context) + " is invalid")
        } catch {
            throw CorpusError(line: number, message: "not valid JSON, or not an object with \"text\" and \"label\"")
        }
        guard decoded.label == 0 || decoded.label == 1 else {
            throw CorpusError(line: number, message: "\"label\" must be 0 or 1, got \(decoded.label)")
        }
        return LabeledText(
            text: decoded.text, isAttack: decoded.label == 1, category: decoded.category, source: decoded.sourcePackage)
    }

    private static func field(_ context: DecodingError.Context) -> String {
        switch context.codingPath.first?.stringValue {
        case "text": "\"text\" (a string)"
        case "label": "\"label\" (0 or 1)"
        case "category": "\"category\" (a string)"
        case "source_package": "\"source_package\" (a string)"
        case let other: "\"\(other ?? "")\""
        }
    }
}

/// A corpus file that cannot be read: the 1-based line (when the problem is in one) and what is wrong with it.
/// Messages never quote the text of an example, which may be an attack or hold personal data.
public struct CorpusError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file, when the corpus was read from one.
    public let file: String?
    public let line: Int?
    public let message: String

    public init(file: String? = nil, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message`, as compilers write it; `line N: message` for bytes not read from a file.
    public var description: String {
        switch (file, line) {
        case (let file?, let line?): "\(file):\(line): \(message)"
        case (let file?, nil): "\(file): \(message)"
        case (nil, let line?): "line \(line): \(message)"
        case (nil, nil): message
        }
    }
}
