/// Where a piece of embedded text starts inside the file that holds it.
///
/// A guard-rail expression lives inside `guardrails.yaml`; the loader passes the position of the
/// expression's first character so that errors point into the file rather than into the
/// expression. Lines and columns are 1-based and count Unicode scalar values, as YAML parsers do.
///
/// Positions inside the expression map to the file like this:
/// - on the expression's first line, the column is `origin.column` plus the offset within the line;
/// - on a later line (a multi-line expression, e.g. a YAML block scalar), the line is
///   `origin.line` plus the index of the line in the expression text, and the column is counted
///   from 1 within that line of the expression text.
public struct SourceOrigin: Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line of the file on which the text starts.
    public var line: Int
    /// The 1-based column of the file at which the text starts.
    public var column: Int

    /// Creates an origin; both coordinates are 1-based.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// `line:column`, the form compilers use.
    public var description: String { "\(line):\(column)" }
}
