import PhalanxCore

/// A node-local table. It exists only inside the node that owns it; nothing in this type is ever sent.
public struct LocalTable: Hashable, Sendable {
    /// One cell: an integer or a category value.
    public enum Cell: Hashable, Sendable, CustomStringConvertible {
        case integer(Int64)
        case category(String)

        public var description: String {
            switch self {
            case .integer(let i): "\(i)"
            case .category(let s): s
            }
        }
    }

    public let schema: TableSchema
    public private(set) var rows: [[Cell]]

    /// Builds a table, checking every row against `schema` (arity, cell kinds, category domains).
    public init(schema: TableSchema, rows: [[Cell]]) throws(InterpreterError) {
        for (r, row) in rows.enumerated() {
            guard row.count == schema.columns.count else {
                throw InterpreterError(
                    "table \(schema.name), row \(r): \(row.count) cells for \(schema.columns.count) columns")
            }
            for (column, cell) in zip(schema.columns, row) {
                switch (column.kind, cell) {
                case (.integer, .integer): continue
                case (.category, .category(let value)):
                    if let domain = column.domain, !domain.contains(value) {
                        throw InterpreterError(
                            "table \(schema.name), row \(r): \"\(value)\" is not in the domain of \(column.name)")
                    }
                default:
                    throw InterpreterError(
                        "table \(schema.name), row \(r): column \(column.name) holds \(column.kind.rawValue) values")
                }
            }
        }
        self.schema = schema
        self.rows = rows
    }

    /// The position of `column`, or an error naming the table.
    public func index(of column: String) throws(InterpreterError) -> Int {
        guard let i = schema.columns.firstIndex(where: { $0.name == column }) else {
            throw InterpreterError("table \(schema.name) has no column \(column)")
        }
        return i
    }

    func keeping(where predicate: ([Cell]) -> Bool) -> LocalTable {
        var copy = self
        copy.rows = rows.filter(predicate)
        return copy
    }
}

/// A plug-in program that cannot run on the data it was given.
public struct InterpreterError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
