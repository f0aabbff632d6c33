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
    /// The index of the round being computed (0-based).
    case round

    public var description: String {
        switch self {
        case .text(let s): "\"\(s)\""
        case .integer(let i): "\(i)"
        case .round: "$round"
        }
    }
}

/// One node-side instruction.
public enum NodeInstruction: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Reads a node-local table declared in the input schema.
    case load(into: Register, table: String)
    /// Keeps the rows whose `column` equals `value`.
    case filter(into: Register, from: Register, column: String, equals: Operand)
    /// Counts rows per value of `column`, in the order of `domain`; values outside the domain are not counted.
    case countBy(into: Register, from: Register, column: String, domain: [String])
    /// Scales a count vector down so its L1 norm is at most `bound` (largest remainder rounding keeps integers).
    case clipL1(into: Register, from: Register, bound: Int64)
    /// Caps every component at `bound` in absolute value.
    case clipLinf(into: Register, from: Register, bound: Int64)
    /// Hands a vector to the execution provider to be summed across nodes on `channel`.
    case secureSum(from: Register, channel: String)

    public var opcode: Opcode {
        switch self {
        case .load: .load
        case .filter: .filter
        case .countBy: .countBy
        case .clipL1: .clipL1
        case .clipLinf: .clipLinf
        case .secureSum: .secureSum
        }
    }

    public var description: String {
        switch self {
        case .load(let r, let t): "%\(r) = load \(t)"
        case .filter(let r, let s, let c, let v): "%\(r) = filter %\(s) where \(c) == \(v)"
        case .countBy(let r, let s, let c, let d): "%\(r) = count_by %\(s) \(c) in [\(d.joined(separator: ", "))]"
        case .clipL1(let r, let s, let b): "%\(r) = clip_l1 %\(s) \(b)"
        case .clipLinf(let r, let s, let b): "%\(r) = clip_linf %\(s) \(b)"
        case .secureSum(let s, let ch): "secure_sum %\(s) -> \(ch)"
        }
    }
}

/// One aggregator-side instruction.
public enum AggregatorInstruction: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Receives the provider's combination of every node's `secure_sum` on `channel`.
    case secureSum(into: Register, channel: String)
    /// Publishes the components whose value is at least `threshold`; the others are suppressed.
    case thresholdRelease(from: Register, threshold: Int64, output: String, labels: [String])
    /// Publishes a vector as the round's output named `output`, labelled with `labels`.
    case release(from: Register, output: String, labels: [String])

    public var opcode: Opcode {
        switch self {
        case .secureSum: .secureSum
        case .thresholdRelease: .thresholdRelease
        case .release: .release
        }
    }

    public var description: String {
        switch self {
        case .secureSum(let r, let ch): "%\(r) = secure_sum <- \(ch)"
        case .thresholdRelease(let s, let t, let o, _): "threshold_release %\(s) >= \(t) as \(o)"
        case .release(let s, let o, _): "release %\(s) as \(o)"
        }
    }
}
