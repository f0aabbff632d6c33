/// A federated computation in the intermediate representation every execution provider runs.
///
/// A plug-in has a node side, run by every node once per round on its private table, and an aggregator side,
/// run once per round on what the execution provider combined. Values flow through named registers.
/// The DSL compiler targets this form; the built-in plug-ins are written in it directly.
public struct PluginIR: Hashable, Sendable, Codable {
    public var name: String
    public var version: String
    /// The node-local tables the plug-in reads; the manifest publishes this schema.
    public var inputSchema: InputSchema
    public var node: [NodeInstruction]
    public var aggregator: [AggregatorInstruction]

    public init(
        name: String,
        version: String,
        inputSchema: InputSchema,
        node: [NodeInstruction],
        aggregator: [AggregatorInstruction]
    ) {
        self.name = name
        self.version = version
        self.inputSchema = inputSchema
        self.node = node
        self.aggregator = aggregator
    }

    /// Every opcode the plug-in uses, sorted.
    public var opcodes: [Opcode] {
        Array(Set(node.map(\.opcode) + aggregator.map(\.opcode))).sorted()
    }

    /// SHA-256 of the canonical encoding: pins the exact program a job runs.
    public var digest: SHA256Digest {
        get throws { try SHA256Digest.ofCanonical(self) }
    }
}

/// A register name, written `%name` in listings.
public typealias Register = String

/// A literal or the current round number, for filters.
public enum Operand: Hashable, Sendable, Codable, CustomStringConvertible {
    case text(String)
    case integer(Int64)
    case real(Double)
    /// The index of the round being computed (0-based).
    case round
    /// The round index plus a constant, e.g. `round - 6` for the start of a seven-day window.
    case roundPlus(Int64)

    public var description: String {
        switch self {
        case .text(let s): "\"\(s)\""
        case .integer(let i): "\(i)"
        case .real(let x): "\(x)"
        case .round: "$round"
        case .roundPlus(let k): k < 0 ? "$round - \(k.magnitude)" : "$round + \(k)"
        }
    }
}

/// The element type of a vector register.
public enum VectorElement: String, Hashable, Sendable, Codable {
    case integer
    case real
}

/// An element-wise operation on two vectors (a vector of length 1 applies to every element of the other).
public enum ArithmeticOperator: String, Hashable, Sendable, Codable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    /// Always gives reals; dividing by zero fails the round.
    case divide = "/"
    case minimum = "min"
    case maximum = "max"
}

/// A running total over a vector, from its first element (or from its last).
public enum CumulativeKind: String, Hashable, Sendable, Codable {
    case sum
    case reverseSum = "reverse_sum"
    case product
}

/// The noise distribution a plug-in asks a differential-privacy provider for.
public enum NoiseMechanism: String, Hashable, Sendable, Codable, CaseIterable {
    case laplace
    case gaussian
}

/// One node-side instruction.
public enum NodeInstruction: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Reads a node-local table declared in the input schema.
    case load(into: Register, table: String)
    /// Keeps the rows whose `column` equals `value`.
    case filter(into: Register, from: Register, column: String, equals: Operand)
    /// Keeps the rows for which `condition` holds.
    case select(into: Register, from: Register, condition: RowCondition)
    /// Counts rows per value of `column`, in the order of `domain`; values outside the domain are not counted.
    case countBy(into: Register, from: Register, column: String, domain: [String])
    /// Counts rows per value of integer `column` in `lower...upper` (inclusive); values outside are not counted.
    case histogram(into: Register, from: Register, column: String, lower: Int64, upper: Int64)
    /// The number of rows, as a vector of one element.
    case count(into: Register, from: Register)
    /// The sum of a numeric column, as a vector of one element.
    case sum(into: Register, from: Register, column: String)
    /// Sums numeric column `value` per value of category column `by`, in the order of `domain`.
    case sumBy(into: Register, from: Register, value: String, by: String, domain: [String])
    /// The values of a numeric column in row order; a table with another number of rows fails the round.
    case vector(into: Register, from: Register, column: String, length: Int)
    /// A constant vector.
    case constant(into: Register, element: VectorElement, values: [Double])
    /// `lhs op rhs`, element by element.
    case arithmetic(into: Register, op: ArithmeticOperator, lhs: Register, rhs: Register)
    /// Scales a count vector down so its L1 norm is at most `bound` (largest remainder rounding keeps integers).
    case clipL1(into: Register, from: Register, bound: Int64)
    /// Caps every component at `bound` in absolute value.
    case clipLinf(into: Register, from: Register, bound: Int64)
    /// Scales a real vector down so its L2 norm is at most `bound`.
    case clipL2(into: Register, from: Register, bound: Double)
    /// Rounds `scale`·v to integers (half to even).
    case quantize(into: Register, from: Register, scale: Double)
    /// Hands a vector to the execution provider to be summed across nodes on `channel`.
    case secureSum(from: Register, channel: String)

    public var opcode: Opcode {
        switch self {
        case .load: .load
        case .filter: .filter
        case .select: .select
        case .countBy: .countBy
        case .histogram: .histogram
        case .count: .count
        case .sum: .sum
        case .sumBy: .sumBy
        case .vector: .vector
        case .constant: .constant
        case .arithmetic: .arithmetic
        case .clipL1: .clipL1
        case .clipLinf: .clipLinf
        case .clipL2: .clipL2
        case .quantize: .quantize
        case .secureSum: .secureSum
        }
    }

    public var description: String {
        switch self {
        case .load(let r, let t): "%\(r) = load \(t)"
        case .filter(let r, let s, let c, let v): "%\(r) = filter %\(s) where \(c) == \(v)"
        case .select(let r, let s, let condition): "%\(r) = select %\(s) where \(condition)"
        case .countBy(let r, let s, let c, let d): "%\(r) = count_by %\(s) \(c) in [\(d.joined(separator: ", "))]"
        case .histogram(let r, let s, let c, let lo, let hi): "%\(r) = histogram %\(s) \(c) in \(lo)...\(hi)"
        case .count(let r, let s): "%\(r) = count %\(s)"
        case .sum(let r, let s, let c): "%\(r) = sum %\(s) \(c)"
        case .sumBy(let r, let s, let v, let by, let d):
            "%\(r) = sum_by %\(s) \(v) by \(by) in [\(d.joined(separator: ", "))]"
        case .vector(let r, let s, let c, let n): "%\(r) = vector %\(s) \(c) length \(n)"
        case .constant(let r, let e, let v): "%\(r) = constant \(e.rawValue) \(v.map(Self.number))"
        case .arithmetic(let r, let op, let a, let b): "%\(r) = %\(a) \(op.rawValue) %\(b)"
        case .clipL1(let r, let s, let b): "%\(r) = clip_l1 %\(s) \(b)"
        case .clipLinf(let r, let s, let b): "%\(r) = clip_linf %\(s) \(b)"
        case .clipL2(let r, let s, let b): "%\(r) = clip_l2 %\(s) \(b)"
        case .quantize(let r, let s, let scale): "%\(r) = quantize %\(s) scale \(scale)"
        case .secureSum(let s, let ch): "secure_sum %\(s) -> \(ch)"
        }
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// One aggregator-side instruction.
public enum AggregatorInstruction: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Receives the provider's combination of every node's `secure_sum` on `channel`.
    case secureSum(into: Register, channel: String)
    /// The sum received on `channel`, with differentially private noise of `mechanism`: a provider that implements
    /// `noise` has added it to the sum (at the aggregator, or in shares at the nodes); others refuse the job.
    case noise(into: Register, channel: String, mechanism: NoiseMechanism)
    /// How many nodes' inputs are in the sum received on `channel`, as a vector of one element.
    case contributors(into: Register, channel: String)
    /// A constant vector.
    case constant(into: Register, element: VectorElement, values: [Double])
    /// `lhs op rhs`, element by element.
    case arithmetic(into: Register, op: ArithmeticOperator, lhs: Register, rhs: Register)
    /// A running sum or product.
    case cumulative(into: Register, from: Register, kind: CumulativeKind)
    /// v / `scale`, as reals: undoes a node's `quantize`.
    case dequantize(into: Register, from: Register, scale: Double)
    /// Element `position` (0-based) as a vector of one element.
    case element(into: Register, from: Register, position: Int)
    /// Publishes the components whose value is at least `threshold`; the others are suppressed.
    case thresholdRelease(from: Register, threshold: Int64, output: String, labels: [String])
    /// Publishes a vector as the round's output named `output`, labelled with `labels`.
    case release(from: Register, output: String, labels: [String])

    public var opcode: Opcode {
        switch self {
        case .secureSum: .secureSum
        case .noise: .noise
        case .contributors: .contributors
        case .constant: .constant
        case .arithmetic: .arithmetic
        case .cumulative: .cumulative
        case .dequantize: .dequantize
        case .element: .element
        case .thresholdRelease: .thresholdRelease
        case .release: .release
        }
    }

    public var description: String {
        switch self {
        case .secureSum(let r, let ch): "%\(r) = secure_sum <- \(ch)"
        case .noise(let r, let ch, let m): "%\(r) = noise \(m.rawValue) <- \(ch)"
        case .contributors(let r, let ch): "%\(r) = contributors <- \(ch)"
        case .constant(let r, let e, let v): "%\(r) = constant \(e.rawValue) \(v.map(NodeInstruction.number))"
        case .arithmetic(let r, let op, let a, let b): "%\(r) = %\(a) \(op.rawValue) %\(b)"
        case .cumulative(let r, let s, let k): "%\(r) = cumulative \(k.rawValue) %\(s)"
        case .dequantize(let r, let s, let scale): "%\(r) = dequantize %\(s) scale \(scale)"
        case .element(let r, let s, let i): "%\(r) = %\(s)[\(i)]"
        case .thresholdRelease(let s, let t, let o, _): "threshold_release %\(s) >= \(t) as \(o)"
        case .release(let s, let o, _): "release %\(s) as \(o)"
        }
    }
}
