import Foundation
import PhalanxCore
import PhalanxProviders

/// Reads a node's table from CSV (RFC 4180): a header row naming the columns of the plug-in's input schema, then
/// one row per record.
///
/// The header must name exactly the schema's columns (in any order); every cell must parse as its column's kind
/// and lie within its declared range or domain. Errors name the file, the line and the column, and never quote a
/// number (a node's data is private; the file is its own, but error text travels further than the file).
public enum CSVTable {
    /// The most rows a table may have (a node's input is local, but it must fit in memory).
    public static let maximumRows = 10_000_000

    /// Reads the table `schema` describes from the file at `path`.
    public static func read(path: String, schema: TableSchema) throws(CSVTableError) -> LocalTable {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CSVTableError(file: path, line: nil, message: "cannot read the file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CSVTableError(file: path, line: nil, message: "the file is not UTF-8 text")
        }
        return try parse(text, file: path, schema: schema)
    }

    /// Parses `text` (the contents of `file`) as the table `schema` describes.
    public static func parse(_ text: String, file: String, schema: TableSchema) throws(CSVTableError) -> LocalTable {
        var records = try CSVRecords(text, file: file)
        guard let (headerLine, header) = try records.next() else {
            throw CSVTableError(
                file: file, line: 1,
                message:
                    "the file is empty; it needs a header row: \(schema.columns.map(\.name).joined(separator: ","))")
        }
        let expected = schema.columns.map(\.name)
        let trimmed = header.map { $0.trimmingCharacters(in: .whitespaces) }
        guard Set(trimmed) == Set(expected), trimmed.count == expected.count else {
            let missing = expected.filter { !trimmed.contains($0) }
            let extra = trimmed.filter { !expected.contains($0) }
            var what: [String] = []
            if !missing.isEmpty { what.append("missing \(missing.joined(separator: ", "))") }
            if !extra.isEmpty { what.append("unexpected \(extra.joined(separator: ", "))") }
            if what.isEmpty { what.append("a column appears twice") }
            throw CSVTableError(
                file: file, line: headerLine,
                message: "the header must name the columns of input \(schema.name): \(expected.joined(separator: ","))"
                    + " (\(what.joined(separator: "; ")))")
        }
        let positions = expected.map { trimmed.firstIndex(of: $0)! }
        var rows: [[LocalTable.Cell]] = []
        while let (line, fields) = try records.next() {
            if fields.count == 1, fields[0].isEmpty { continue }  // a blank line
            guard fields.count == expected.count else {
                throw CSVTableError(
                    file: file, line: line, message: "\(fields.count) fields; the header has \(expected.count)")
            }
            guard rows.count < maximumRows else {
                throw CSVTableError(file: file, line: line, message: "more than \(maximumRows) rows")
            }
            var row: [LocalTable.Cell] = []
            for (column, position) in zip(schema.columns, positions) {
                row.append(try cell(fields[position], column: column, file: file, line: line))
            }
            rows.append(row)
        }
        do {
            return try LocalTable(schema: schema, rows: rows)
        } catch {
            throw CSVTableError(file: file, line: nil, message: error.message)
        }
    }

    private static func cell(
        _ field: String, column: ColumnSchema, file: String, line: Int
    ) throws(CSVTableError) -> LocalTable.Cell {
        let text = field.trimmingCharacters(in: .whitespaces)
        func fail(_ message: String) -> CSVTableError {
            CSVTableError(file: file, line: line, message: "column \(column.name): \(message)")
        }
        switch column.kind {
        case .integer:
            guard let value = Int64(text) else { throw fail("expected a whole number") }
            if let low = column.minimum, Double(value) < low { throw fail("below the declared minimum \(format(low))") }
            if let high = column.maximum, Double(value) > high {
                throw fail("above the declared maximum \(format(high))")
            }
            return .integer(value)
        case .real:
            guard let value = Double(text), value.isFinite else { throw fail("expected a finite number") }
            if let low = column.minimum, value < low { throw fail("below the declared minimum \(format(low))") }
            if let high = column.maximum, value > high { throw fail("above the declared maximum \(format(high))") }
            return .real(value)
        case .category:
            guard column.domain?.contains(field) ?? true else {
                throw fail("not one of \((column.domain ?? []).joined(separator: ", "))")
            }
            return .category(field)
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && value.magnitude < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// A CSV file that cannot be read as a plug-in's input: the file, the 1-based line, and what is wrong.
public struct CSVTableError: Error, Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String {
        line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)"
    }
}

/// The records of an RFC 4180 text, one at a time, with the line each starts on. Fields may be quoted (`"a,b"`,
/// `"say ""hi"""`, line breaks inside quotes); line breaks are `\n` or `\r\n`.
private struct CSVRecords {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var index = 0
    private var line = 1

    init(_ text: String, file: String) throws(CSVTableError) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
        self.file = file
    }

    mutating func next() throws(CSVTableError) -> (line: Int, fields: [String])? {
        guard index < scalars.count else { return nil }
        let start = line
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var afterQuote = false
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if quoted {
                if scalar == "\"" {
                    if index < scalars.count, scalars[index] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                        afterQuote = true
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.append(scalar)
                }
                continue
            }
            switch scalar {
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
                afterQuote = false
            case "\r" where index < scalars.count && scalars[index] == "\n":
                continue
            case "\n":
                line += 1
                fields.append(String(field))
                return (start, fields)
            case "\"" where field.isEmpty && !afterQuote:
                quoted = true
            default:
                if afterQuote {
                    throw CSVTableError(file: file, line: line, message: "text after a closing quote in a field")
                }
                if scalar == "\"" {
                    throw CSVTableError(file: file, line: line, message: "a quote inside an unquoted field")
                }
                field.append(scalar)
            }
        }
        if quoted { throw CSVTableError(file: file, line: start, message: "a quoted field is never closed") }
        fields.append(String(field))
        return (start, fields)
    }
}
