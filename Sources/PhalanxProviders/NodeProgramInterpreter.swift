import PhalanxCore

/// Runs the node side of a plug-in for one round on the node's own tables.
///
/// Local opcodes are executed here for every provider; `secure_sum` hands the vector to the provider
/// session, which protects it. The interpreter returns the provider's first messages to send.
public struct NodeProgramInterpreter {
    /// A value held in a register.
    enum Value {
        case table(LocalTable)
        case vector(ProgramVector)
    }

    public let plugin: PluginIR
    public let tables: [String: LocalTable]

    public init(plugin: PluginIR, tables: [String: LocalTable]) {
        self.plugin = plugin
        self.tables = tables
    }

    /// The outcome of one round on one node.
    public struct RoundOutput {
        /// The provider's first messages for the aggregator, for every `secure_sum`.
        public var messages: [ProviderMessage]
        /// Rows read by `load` instructions.
        public var rowsRead: Int
        /// The largest ‖v‖₂ / bound over the round's `clip_l2` instructions (0 without one): the node's
        /// ``MetricKey/clipRatioL2``.
        public var clipRatioL2: Double = 0
    }

    /// Executes the node program for `round`. `skipClipping` exists only for fault injection in demos and tests:
    /// it simulates a node whose clipping step is broken.
    public func run(round: Int, session: any NodeProviderSession, skipClipping: Bool = false) throws -> RoundOutput {
        var registers: [Register: Value] = [:]
        var output = RoundOutput(messages: [], rowsRead: 0)

        func table(_ r: Register) throws(InterpreterError) -> LocalTable {
            guard case .table(let t)? = registers[r] else {
                throw InterpreterError("register %\(r) does not hold a table")
            }
            return t
        }
        func vector(_ r: Register) throws(InterpreterError) -> ProgramVector {
            guard case .vector(let v)? = registers[r] else {
                throw InterpreterError("register %\(r) does not hold a vector")
            }
            return v
        }

        for instruction in plugin.node {
            switch instruction {
            case .load(let into, let name):
                guard let t = tables[name] else { throw InterpreterError("this node has no table \(name)") }
                output.rowsRead += t.rows.count
                registers[into] = .table(t)
            case .filter(let into, let from, let column, let operand):
                let t = try table(from)
                let matches = try RowMatcher(.compare(column: column, op: .equal, value: operand), in: t, round: round)
                registers[into] = .table(t.keeping(where: matches.holds))
            case .select(let into, let from, let condition):
                let t = try table(from)
                let matches = try RowMatcher(condition, in: t, round: round)
                registers[into] = .table(t.keeping(where: matches.holds))
            case .countBy(let into, let from, let column, let domain):
                let t = try table(from)
                let i = try t.index(of: column)
                var position: [String: Int] = [:]
                for (k, value) in domain.enumerated() { position[value] = k }
                var counts = [Int64](repeating: 0, count: domain.count)
                for row in t.rows {
                    if case .category(let value) = row[i], let k = position[value] { counts[k] += 1 }
                }
                registers[into] = .vector(.integers(counts))
            case .histogram(let into, let from, let column, let lower, let upper):
                let t = try table(from)
                let i = try t.index(of: column)
                var counts = [Int64](repeating: 0, count: Int(upper - lower) + 1)
                for row in t.rows {
                    if case .integer(let value) = row[i], value >= lower, value <= upper {
                        counts[Int(value - lower)] += 1
                    }
                }
                registers[into] = .vector(.integers(counts))
            case .count(let into, let from):
                registers[into] = .vector(.integers([Int64(try table(from).rows.count)]))
            case .sum(let into, let from, let column):
                let t = try table(from)
                registers[into] = .vector(try Self.sums(t, value: try t.index(of: column), groups: nil))
            case .sumBy(let into, let from, let value, let by, let domain):
                let t = try table(from)
                let groups = (try t.index(of: by), domain)
                registers[into] = .vector(try Self.sums(t, value: try t.index(of: value), groups: groups))
            case .vector(let into, let from, let column, let length):
                let t = try table(from)
                let i = try t.index(of: column)
                guard t.rows.count == length else {
                    throw InterpreterError(
                        "table \(t.schema.name) has \(t.rows.count) rows; the plug-in reads exactly \(length)")
                }
                if t.schema.columns[i].kind == .integer {
                    registers[into] = .vector(
                        .integers(t.rows.map { if case .integer(let x) = $0[i] { x } else { 0 } }))
                } else {
                    registers[into] = .vector(.reals(t.rows.map { $0[i].number ?? 0 }))
                }
            case .constant(let into, let element, let values):
                registers[into] = .vector(ProgramVector(constant: values, element: element))
            case .arithmetic(let into, let op, let lhs, let rhs):
                registers[into] = .vector(try ProgramVector.arithmetic(op, try vector(lhs), try vector(rhs)))
            case .clipL1(let into, let from, let bound):
                let v = try vector(from)
                registers[into] = .vector(skipClipping ? v : Clipping.clipL1(v, bound: bound))
            case .clipLinf(let into, let from, let bound):
                let v = try vector(from)
                registers[into] = .vector(skipClipping ? v : Clipping.clipLinf(v, bound: bound))
            case .clipL2(let into, let from, let bound):
                let v = try vector(from)
                let norm = v.l2Norm
                if bound > 0 { output.clipRatioL2 = max(output.clipRatioL2, norm / bound) }
                registers[into] = .vector(skipClipping ? v : v.clippedL2(bound, norm: norm))
            case .quantize(let into, let from, let scale):
                registers[into] = .vector(try vector(from).quantized(scale))
            case .secureSum(let from, let channel):
                guard case .integers(let v) = try vector(from) else {
                    throw InterpreterError("secure_sum on \(channel) needs integers")
                }
                output.messages += try session.begin(v, channel: channel, round: round)
            }
        }
        return output
    }

    /// The sum of column `value` over all rows, or per value of category column `groups` in its domain's order.
    private static func sums(
        _ t: LocalTable, value: Int, groups: (column: Int, domain: [String])?
    ) throws(InterpreterError) -> ProgramVector {
        let width = groups?.domain.count ?? 1
        var position: [String: Int] = [:]
        for (k, name) in (groups?.domain ?? []).enumerated() { position[name] = k }
        func group(_ row: [LocalTable.Cell]) -> Int? {
            guard let groups else { return 0 }
            if case .category(let name) = row[groups.column] { return position[name] }
            return nil
        }
        if t.schema.columns[value].kind == .integer {
            var totals = [Int64](repeating: 0, count: width)
            for row in t.rows {
                guard let k = group(row), case .integer(let x) = row[value] else { continue }
                let (next, overflow) = totals[k].addingReportingOverflow(x)
                guard !overflow else { throw InterpreterError("integer overflow in a sum") }
                totals[k] = next
            }
            return .integers(totals)
        }
        var totals = [Double](repeating: 0, count: width)
        for row in t.rows {
            guard let k = group(row), let x = row[value].number else { continue }
            totals[k] += x
        }
        guard totals.allSatisfy(\.isFinite) else { throw InterpreterError("a sum became non-finite") }
        return .reals(totals)
    }
}

/// A row condition bound to a table's columns and a round.
struct RowMatcher {
    private indirect enum Compiled {
        case compare(column: Int, op: RowCondition.ComparisonOperator, value: LocalTable.Cell)
        case and(Compiled, Compiled)
        case or(Compiled, Compiled)
        case not(Compiled)
        case always(Bool)
    }

    private let compiled: Compiled

    init(_ condition: RowCondition, in table: LocalTable, round: Int) throws(InterpreterError) {
        func compile(_ condition: RowCondition) throws(InterpreterError) -> Compiled {
            switch condition {
            case .compare(let column, let op, let operand):
                let value: LocalTable.Cell =
                    switch operand {
                    case .text(let s): .category(s)
                    case .integer(let n): .integer(n)
                    case .real(let x): .real(x)
                    case .round: .integer(Int64(round))
                    case .roundPlus(let k): .integer(Int64(round).addingReportingOverflow(k).partialValue)
                    }
                return .compare(column: try table.index(of: column), op: op, value: value)
            case .and(let a, let b): return .and(try compile(a), try compile(b))
            case .or(let a, let b): return .or(try compile(a), try compile(b))
            case .not(let a): return .not(try compile(a))
            case .always(let value): return .always(value)
            }
        }
        compiled = try compile(condition)
    }

    func holds(_ row: [LocalTable.Cell]) -> Bool {
        Self.evaluate(compiled, row)
    }

    private static func evaluate(_ condition: Compiled, _ row: [LocalTable.Cell]) -> Bool {
        switch condition {
        case .compare(let column, let op, let value):
            let cell = row[column]
            if case .category(let a) = cell, case .category(let b) = value {
                return op == .equal ? a == b : op == .notEqual ? a != b : false
            }
            guard let a = cell.number, let b = value.number else { return false }
            switch op {
            case .equal: return a == b
            case .notEqual: return a != b
            case .less: return a < b
            case .lessOrEqual: return a <= b
            case .greater: return a > b
            case .greaterOrEqual: return a >= b
            }
        case .and(let a, let b): return evaluate(a, row) && evaluate(b, row)
        case .or(let a, let b): return evaluate(a, row) || evaluate(b, row)
        case .not(let a): return !evaluate(a, row)
        case .always(let value): return value
        }
    }
}

/// Contribution bounding, which fixes the sensitivity later privacy mechanisms rely on.
public enum Clipping {
    static func clipL1(_ v: ProgramVector, bound: Int64) -> ProgramVector {
        switch v {
        case .integers(let x): return .integers(clipL1(x, bound: bound))
        case .reals(let x):
            let norm = x.reduce(0) { $0 + $1.magnitude }
            guard norm > Double(bound) else { return v }
            let factor = (Double(bound) / norm).nextDown
            return .reals(x.map { $0 * factor })
        }
    }

    static func clipLinf(_ v: ProgramVector, bound: Int64) -> ProgramVector {
        switch v {
        case .integers(let x): .integers(clipLinf(x, bound: bound))
        case .reals(let x): .reals(x.map { Swift.min(Swift.max($0, -Double(bound)), Double(bound)) })
        }
    }

    /// Scales `v` so that its L1 norm is at most `bound`, keeping integers: each component is scaled down
    /// and the leftover is given to the largest fractional parts (largest-remainder method), so the result's
    /// L1 norm is exactly `bound` when clipping happens and no component grows.
    public static func clipL1(_ v: [Int64], bound: Int64) -> [Int64] {
        let magnitudes = v.map { $0.magnitude }
        let norm = magnitudes.reduce(UInt64(0)) { $0 &+ $1 }
        guard bound >= 0, norm > UInt64(bound) else { return v }
        let b = UInt64(bound)
        var floors = [UInt64](repeating: 0, count: v.count)
        var remainders: [(index: Int, remainder: UInt64)] = []
        for (i, m) in magnitudes.enumerated() {
            let product = m.multipliedFullWidth(by: b)
            let (q, r) = norm.dividingFullWidth(product)
            floors[i] = q
            remainders.append((i, r))
        }
        var leftover = b - floors.reduce(0, +)
        for entry in remainders.sorted(by: {
            $0.remainder > $1.remainder || ($0.remainder == $1.remainder && $0.index < $1.index)
        })
        where leftover > 0 {
            floors[entry.index] += 1
            leftover -= 1
        }
        return zip(v, floors).map { original, m in original < 0 ? -Int64(m) : Int64(m) }
    }

    /// Caps every component at `bound` in absolute value.
    public static func clipLinf(_ v: [Int64], bound: Int64) -> [Int64] {
        v.map { Swift.min(Swift.max($0, -bound), bound) }
    }
}
