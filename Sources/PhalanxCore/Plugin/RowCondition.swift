/// Which rows of a node-local table a `select` keeps: comparisons of a column with a constant or with the round
/// index, combined with `and`, `or` and `not`.
public indirect enum RowCondition: Hashable, Sendable, Codable, CustomStringConvertible {
    case compare(column: String, op: ComparisonOperator, value: Operand)
    case and(RowCondition, RowCondition)
    case or(RowCondition, RowCondition)
    case not(RowCondition)
    case always(Bool)

    public enum ComparisonOperator: String, Hashable, Sendable, Codable, CaseIterable {
        case equal = "=="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="

        /// The operator with its operands swapped: `a < b` is `b > a`.
        public var mirrored: ComparisonOperator {
            switch self {
            case .equal, .notEqual: self
            case .less: .greater
            case .lessOrEqual: .greaterOrEqual
            case .greater: .less
            case .greaterOrEqual: .lessOrEqual
            }
        }
    }

    /// Every column the condition reads, in order of appearance, without repeats.
    public var columns: [String] {
        var seen: [String] = []
        func visit(_ condition: RowCondition) {
            switch condition {
            case .compare(let column, _, _): if !seen.contains(column) { seen.append(column) }
            case .and(let a, let b), .or(let a, let b):
                visit(a)
                visit(b)
            case .not(let a): visit(a)
            case .always: break
            }
        }
        visit(self)
        return seen
    }

    public var description: String {
        switch self {
        case .compare(let column, let op, let value): "\(column) \(op.rawValue) \(value)"
        case .and(let a, let b): "(\(a) and \(b))"
        case .or(let a, let b): "(\(a) or \(b))"
        case .not(let a): "not \(a)"
        case .always(let value): "\(value)"
        }
    }
}
