/// The node-local tables a plug-in reads, as published in its manifest.
///
/// Only the shape is public: table and column names, types and finite domains. Rows never leave a node.
public struct InputSchema: Hashable, Sendable, Codable {
    public var tables: [TableSchema]

    public init(tables: [TableSchema]) { self.tables = tables }

    public func table(named name: String) -> TableSchema? { tables.first { $0.name == name } }
}

/// One node-local table.
public struct TableSchema: Hashable, Sendable, Codable {
    public var name: String
    public var columns: [ColumnSchema]

    public init(name: String, columns: [ColumnSchema]) {
        self.name = name
        self.columns = columns
    }

    public func column(named name: String) -> ColumnSchema? { columns.first { $0.name == name } }
}

/// One column: an integer or a real number (each within an optional declared range), or a category from a
/// declared finite domain.
public struct ColumnSchema: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable { case integer, real, category }

    public var name: String
    public var kind: Kind
    /// For categories: every value the column may hold.
    public var domain: [String]?
    /// For numbers: the smallest and largest value the column may hold (inclusive), when declared.
    public var minimum: Double?
    public var maximum: Double?

    public init(name: String, kind: Kind, domain: [String]? = nil, minimum: Double? = nil, maximum: Double? = nil) {
        self.name = name
        self.kind = kind
        self.domain = domain
        self.minimum = minimum
        self.maximum = maximum
    }
}
