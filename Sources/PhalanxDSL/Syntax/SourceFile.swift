/// A half-open range of Unicode-scalar offsets into a plug-in's source text.
public struct SourceSpan: Sendable, Hashable {
    public var lowerBound: Int
    public var upperBound: Int

    public init(_ lowerBound: Int, _ upperBound: Int) {
        self.lowerBound = lowerBound
        self.upperBound = max(lowerBound, upperBound)
    }

    /// The smallest span that covers both.
    public func union(_ other: SourceSpan) -> SourceSpan {
        SourceSpan(min(lowerBound, other.lowerBound), max(upperBound, other.upperBound))
    }
}

/// A plug-in's source text as Unicode scalars, with its file name and the line table that turns offsets into
/// 1-based line:column positions (line breaks are `\n`, `\r\n` and `\r`; a column counts Unicode scalars).
public struct SourceFile: Sendable {
    /// The name errors print, e.g. `Plugins/kaplan-meier.phx`.
    public let name: String
    public let scalars: [Unicode.Scalar]
    /// Offset of the first scalar of each line.
    private let lineStarts: [Int]

    public init(name: String, text: String) {
        self.name = name
        self.scalars = Array(text.unicodeScalars)
        var starts = [0]
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\r", index < scalars.count, scalars[index] == "\n" { index += 1 }
            if scalar == "\n" || scalar == "\r" { starts.append(index) }
        }
        self.lineStarts = starts
    }

    public var count: Int { scalars.count }

    /// The text covered by `span`.
    public func text(_ span: SourceSpan) -> String {
        let lower = min(max(0, span.lowerBound), scalars.count)
        let upper = min(max(lower, span.upperBound), scalars.count)
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[lower..<upper])
        return String(result)
    }

    /// The 1-based line and column of `offset` (the end of the text is a valid position).
    public func position(of offset: Int) -> (line: Int, column: Int) {
        let index = lineIndex(of: min(max(0, offset), scalars.count))
        return (index + 1, min(max(0, offset), scalars.count) - lineStarts[index] + 1)
    }

    /// The text of 1-based `line` without its line break.
    public func line(_ line: Int) -> String {
        let index = min(max(0, line - 1), lineStarts.count - 1)
        let start = lineStarts[index]
        var end = index + 1 < lineStarts.count ? lineStarts[index + 1] : scalars.count
        while end > start, scalars[end - 1] == "\n" || scalars[end - 1] == "\r" { end -= 1 }
        return text(SourceSpan(start, end))
    }

    private func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return low
    }
}
