import PhalanxCore

/// Runs the node side of a plug-in for one round on the node's own tables.
///
/// Local opcodes are executed here for every provider; `secure_sum` hands the vector to the provider
/// session, which protects it. The interpreter returns the provider's first messages to send.
public struct NodeProgramInterpreter {
    /// A value held in a register.
    enum Value {
        case table(LocalTable)
        case vector([Int64])
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
        func vector(_ r: Register) throws(InterpreterError) -> [Int64] {
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
                let i = try t.index(of: column)
                let wanted: LocalTable.Cell =
                    switch operand {
                    case .text(let s): .category(s)
                    case .integer(let n): .integer(n)
                    case .round: .integer(Int64(round))
                    }
                registers[into] = .table(t.keeping { $0[i] == wanted })
            case .countBy(let into, let from, let column, let domain):
                let t = try table(from)
                let i = try t.index(of: column)
                var position: [String: Int] = [:]
                for (k, value) in domain.enumerated() { position[value] = k }
                var counts = [Int64](repeating: 0, count: domain.count)
                for row in t.rows {
                    if case .category(let value) = row[i], let k = position[value] { counts[k] += 1 }
                }
                registers[into] = .vector(counts)
            case .clipL1(let into, let from, let bound):
                let v = try vector(from)
                registers[into] = .vector(skipClipping ? v : Clipping.clipL1(v, bound: bound))
            case .clipLinf(let into, let from, let bound):
                let v = try vector(from)
                registers[into] = .vector(skipClipping ? v : Clipping.clipLinf(v, bound: bound))
            case .secureSum(let from, let channel):
                output.messages += try session.begin(try vector(from), channel: channel, round: round)
            }
        }
        return output
    }
}

/// Contribution bounding, which fixes the sensitivity later privacy mechanisms rely on.
public enum Clipping {
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
