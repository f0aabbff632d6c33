import PhalanxCore

/// A node-local table. It exists only inside the node that owns it; nothing in this type is ever sent.
public struct LocalTable: Hashable, Sendable {
    /// One cell: an integer, a real number or a category value.
    public enum Cell: Hashable, Sendable, CustomStringConvertible {
        case integer(Int64)
        case real(Double)
        case category(String)

        public var description: String {
            switch self {
            case .integer(let i): "\(i)"
            case .real(let x): "\(x)"
            case .category(let s): s
            }
        }

        /// The cell as a number, for integer and real cells.
        var number: Double? {
            switch self {
            case .integer(let i): Double(i)
            case .real(let x): x
            case .category: nil
            }
        }
    }

    public let schema: TableSchema
    public private(set) var rows: [[Cell]]

    /// Builds a table, checking every row against `schema`: arity, cell kinds, category domains, declared ranges,
    /// and finite reals. Errors name the row (0-based) and the column, never the value of a number.
    public init(schema: TableSchema, rows: [[Cell]]) throws(InterpreterError) {
        for (r, row) in rows.enumerated() {
            guard row.count == schema.columns.count else {
                throw InterpreterError(
                    "table \(schema.name), row \(r): \(row.count) cells for \(schema.columns.count) columns")
            }
            for (column, cell) in zip(schema.columns, row) {
                switch (column.kind, cell) {
                case (.integer, .integer), (.real, .real): break
                case (.category, .category(let value)):
                    if let domain = column.domain, !domain.contains(value) {
                        throw InterpreterError(
                            "table \(schema.name), row \(r): \"\(value)\" is not in the domain of \(column.name)")
                    }
                    continue
                default:
                    throw InterpreterError(
                        "table \(schema.name), row \(r): column \(column.name) holds \(column.kind.rawValue) values")
                }
                guard let number = cell.number, number.isFinite else {
                    throw InterpreterError("table \(schema.name), row \(r): column \(column.name) is not finite")
                }
                if let low = column.minimum, number < low {
                    throw InterpreterError(
                        "table \(schema.name), row \(r): column \(column.name) is below its declared minimum")
                }
                if let high = column.maximum, number > high {
                    throw InterpreterError(
                        "table \(schema.name), row \(r): column \(column.name) is above its declared maximum")
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
