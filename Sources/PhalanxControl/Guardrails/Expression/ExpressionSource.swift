/// A half-open range of Unicode scalar offsets into an expression's text.
struct ExpressionSpan: Sendable, Hashable {
    var lowerBound: Int
    var upperBound: Int

    init(_ lowerBound: Int, _ upperBound: Int) {
        self.lowerBound = lowerBound
        self.upperBound = max(lowerBound, upperBound)
    }

    /// The smallest span that covers both.
    func union(_ other: ExpressionSpan) -> ExpressionSpan {
        ExpressionSpan(min(lowerBound, other.lowerBound), max(upperBound, other.upperBound))
    }
}

/// An expression's text as Unicode scalars, with the line table that maps offsets to file positions.
struct ExpressionSource: Sendable {
    let scalars: [Unicode.Scalar]
    let origin: SourceOrigin
    /// Offset of the first scalar of each line; line breaks are `\n`, `\r\n` and `\r`.
    private let lineStarts: [Int]

    init(_ text: String, origin: SourceOrigin) {
        self.scalars = Array(text.unicodeScalars)
        self.origin = origin
        var starts = [0]
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\r", index < scalars.count, scalars[index] == "\n" {
                index += 1
            }
            if scalar == "\n" || scalar == "\r" {
                starts.append(index)
            }
        }
        self.lineStarts = starts
    }

    var count: Int { scalars.count }

    /// The text covered by `span`.
    func slice(_ span: ExpressionSpan) -> String {
        let lower = min(max(0, span.lowerBound), scalars.count)
        let upper = min(max(lower, span.upperBound), scalars.count)
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[lower..<upper])
        return String(result)
    }

    /// The text covered by `span` with every run of whitespace (line breaks included) made one space.
    func compactSlice(_ span: ExpressionSpan) -> String {
        slice(span).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The 0-based line index that holds `offset`.
    private func lineIndex(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset {
                low = middle
            } else {
                high = middle - 1
            }
        }
        return low
    }

    /// The text of line `index` without its line break.
    private func lineText(_ index: Int) -> String {
        let start = lineStarts[index]
        var end = index + 1 < lineStarts.count ? lineStarts[index + 1] : scalars.count
        while end > start, scalars[end - 1] == "\n" || scalars[end - 1] == "\r" {
            end -= 1
        }
        return slice(ExpressionSpan(start, end))
    }

    /// The file position of `offset`, following the rules documented on ``SourceOrigin``.
    func position(of offset: Int) -> SourceOrigin {
        let clamped = min(max(0, offset), scalars.count)
        let index = lineIndex(of: clamped)
        let inLine = clamped - lineStarts[index]
        return SourceOrigin(line: origin.line + index, column: index == 0 ? origin.column + inLine : inLine + 1)
    }

    /// An error that underlines `span` (clipped to the line on which it starts).
    func error(
        _ code: ExpressionError.Code,
        _ message: String,
        hint: String?,
        at span: ExpressionSpan
    ) -> ExpressionError {
        let start = min(max(0, span.lowerBound), scalars.count)
        let index = lineIndex(of: start)
        let position = position(of: start)
        return ExpressionError(
            code: code,
            line: position.line,
            column: position.column,
            message: message,
            hint: hint,
            sourceLine: lineText(index),
            sourceColumn: start - lineStarts[index] + 1,
            length: span.upperBound - start
        )
    }
}
