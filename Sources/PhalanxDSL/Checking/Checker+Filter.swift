import PhalanxCore

extension Checker {
    /// `value where condition`: the rows of a table (or a column of them) for which the condition holds.
    mutating func filter(
        _ value: ExpressionSyntax, _ condition: ExpressionSyntax, whereSpan: SourceSpan
    ) throws(Diagnostic) -> Value {
        guard part == .node else {
            throw error(.typeMismatch, "where filters rows, which exist only on the nodes", at: whereSpan)
        }
        let filtered: TableValue
        var column: ColumnSchema?
        switch try check(value) {
        case .table(let t): filtered = t
        case .column(let t, let c):
            filtered = t
            column = c
        default:
            throw error(
                .typeMismatch, "where filters the rows of a table", hint: "e.g. survival where survival.event == 1",
                at: value.span)
        }
        let rowCondition = try self.condition(condition, on: filtered)
        let into = temporary()
        nodeCode.append(.select(into: into, from: filtered.register, condition: rowCondition))
        let result = TableValue(register: into, schema: filtered.schema, name: filtered.name)
        if let column { return .column(result, column) }
        return .table(result)
    }

    /// The row condition of a `where`, whose columns are those of `table`, named as `table.column`.
    func condition(_ expression: ExpressionSyntax, on table: TableValue) throws(Diagnostic) -> RowCondition {
        switch expression.kind {
        case .boolean(let value):
            return .always(value)
        case .unary(.not, let operand, _):
            return .not(try condition(operand, on: table))
        case .binary(.and, let a, let b, _):
            return .and(try condition(a, on: table), try condition(b, on: table))
        case .binary(.or, let a, let b, _):
            return .or(try condition(a, on: table), try condition(b, on: table))
        case .binary(let op, let lhs, let rhs, let operatorSpan) where op.isComparison:
            let comparison = RowCondition.ComparisonOperator(rawValue: op.rawValue)!
            if let column = try columnReference(lhs, on: table) {
                return .compare(
                    column: column.name, op: comparison, value: try operand(rhs, for: column, at: operatorSpan))
            }
            if let column = try columnReference(rhs, on: table) {
                return .compare(
                    column: column.name, op: comparison.mirrored, value: try operand(lhs, for: column, at: operatorSpan)
                )
            }
            throw error(
                .typeMismatch, "a where condition compares a column of '\(table.name)' with a value",
                hint: "e.g. \(table.name).\(table.schema.columns[0].name) == …", at: expression.span)
        default:
            throw error(
                .typeMismatch, "a where condition is made of comparisons, and, or, not, true and false",
                hint: "e.g. \(table.name).\(table.schema.columns[0].name) == …", at: expression.span)
        }
    }

    /// The column `expression` names, when it is `table.column` for the filtered table.
    private func columnReference(
        _ expression: ExpressionSyntax, on table: TableValue
    ) throws(Diagnostic) -> ColumnSchema? {
        guard case .column(let name, let column) = expression.kind else { return nil }
        guard name.name == table.name else {
            throw error(
                .unknownName, "this condition filters '\(table.name)'; '\(name.name)' is another table",
                hint: "write \(table.name).\(column.name)", at: name.span)
        }
        guard let found = table.schema.column(named: column.name) else {
            throw error(
                .unknownName, "input '\(table.schema.name)' has no column '\(column.name)'",
                hint: "its columns: \(table.schema.columns.map(\.name).joined(separator: ", "))", at: column.span)
        }
        return found
    }

    /// The value a column is compared with: a literal of the column's kind, `round`, or `round ± k`.
    private func operand(
        _ expression: ExpressionSyntax, for column: ColumnSchema, at operatorSpan: SourceSpan
    ) throws(Diagnostic) -> Operand {
        switch (column.kind, expression.kind) {
        case (.category, .string(let literal)):
            guard column.domain?.contains(literal.value) ?? true else {
                throw error(
                    .invalidDomain, "\"\(literal.value)\" is not a value of '\(column.name)'",
                    hint: "its values: \((column.domain ?? []).map { "\"\($0)\"" }.joined(separator: ", "))",
                    at: literal.span)
            }
            return .text(literal.value)
        case (.category, _):
            throw error(
                .typeMismatch, "'\(column.name)' holds categories; compare it with a quoted value", at: expression.span)
        case (.integer, .round):
            return .round
        case (.integer, .binary(let op, let lhs, let rhs, _)) where op == .add || op == .subtract:
            guard case .round = lhs.kind, case .number(let literal) = rhs.kind, let k = literal.integer else {
                throw error(
                    .typeMismatch, "only round ± a whole number is computed in a where condition",
                    at: expression.span)
            }
            return .roundPlus(op == .add ? k : (k == .min ? .max : -k))
        case (.integer, _):
            let value = try constantNumber(expression, what: "the value '\(column.name)' is compared with")
            guard value == value.rounded(), let integer = Int64(exactly: value) else {
                throw error(.typeMismatch, "'\(column.name)' holds whole numbers", at: expression.span)
            }
            return .integer(integer)
        case (.real, _):
            return .real(try constantNumber(expression, what: "the value '\(column.name)' is compared with"))
        }
    }
}
