/// What a plug-in program computes, register by register, found without running it: the kind and length of every
/// value, and the bounds that clipping puts on the vectors a node hands to `secure_sum`.
///
/// Validation, the providers (a channel's length and per-component bound for secure aggregation) and the DP
/// sensitivity analysis all read this one analysis, so they cannot disagree about a program.
public struct PluginAnalysis: Sendable, Hashable {
    /// Norm bounds of a vector, whatever the node's data: set by `clip_l1`, `clip_linf`, `clip_l2`, carried through
    /// `quantize`, and by constants; every other operation makes a vector unbounded.
    public struct Bounds: Sendable, Hashable {
        /// The largest absolute value of a component.
        public var linf: Double
        public var l1: Double
        public var l2: Double

        public init(linf: Double, l1: Double, l2: Double) {
            self.linf = linf
            self.l1 = l1
            self.l2 = l2
        }

        /// Each bound the smaller of the two.
        func intersection(_ other: Bounds?) -> Bounds {
            guard let other else { return self }
            return Bounds(linf: min(linf, other.linf), l1: min(l1, other.l1), l2: min(l2, other.l2))
        }
    }

    /// A vector a node hands to the provider.
    public struct Channel: Sendable, Hashable {
        public let name: String
        public let length: Int
        /// Always set: `secure_sum` of an unbounded vector does not validate.
        public let bounds: Bounds
    }

    /// A released output.
    public struct Output: Sendable, Hashable {
        public let name: String
        public let length: Int
        public let element: VectorElement
        public let thresholded: Bool
    }

    /// The channels in the order the node side sums them.
    public let channels: [Channel]
    /// The outputs in the order the aggregator side releases them.
    public let outputs: [Output]
    /// Noise mechanisms the aggregator side asks for, by channel.
    public let noise: [String: NoiseMechanism]

    public func channel(named name: String) -> Channel? { channels.first { $0.name == name } }
}

extension PluginIR {
    /// Analyses the program; throws for anything that makes it ill-formed (see ``validate()``).
    public func analysis() throws(PluginValidationError) -> PluginAnalysis {
        var analyzer = PluginAnalyzer(plugin: self)
        return try analyzer.run()
    }
}

/// The kinds of values registers hold during the analysis.
private enum RegisterKind {
    case table(TableSchema)
    case vector(element: VectorElement, length: Int, bounds: PluginAnalysis.Bounds?)
}

private struct PluginAnalyzer {
    let plugin: PluginIR
    var registers: [Register: RegisterKind] = [:]
    var location = ""

    init(plugin: PluginIR) { self.plugin = plugin }

    func fail(_ message: String) -> PluginValidationError {
        PluginValidationError(location: location, message: message)
    }

    func table(_ r: Register) throws(PluginValidationError) -> TableSchema {
        guard case .table(let t)? = registers[r] else { throw fail("%\(r) is not a table defined earlier") }
        return t
    }

    func vector(
        _ r: Register
    ) throws(PluginValidationError) -> (
        element: VectorElement, length: Int, bounds: PluginAnalysis.Bounds?
    ) {
        guard case .vector(let element, let length, let bounds)? = registers[r] else {
            throw fail("%\(r) is not a vector defined earlier")
        }
        return (element, length, bounds)
    }

    mutating func define(_ r: Register, _ kind: RegisterKind) throws(PluginValidationError) {
        guard registers[r] == nil else { throw fail("%\(r) is assigned twice") }
        if case .vector(_, let length, _) = kind, length < 1 || length > PluginIR.maximumVectorLength {
            throw fail("a vector must have 1 to \(PluginIR.maximumVectorLength) components, not \(length)")
        }
        registers[r] = kind
    }

    func column(_ name: String, of t: TableSchema) throws(PluginValidationError) -> ColumnSchema {
        guard let c = t.column(named: name) else { throw fail("table \(t.name) has no column \(name)") }
        return c
    }

    func numericElement(_ c: ColumnSchema, in t: TableSchema) throws(PluginValidationError) -> VectorElement {
        switch c.kind {
        case .integer: return .integer
        case .real: return .real
        case .category: throw fail("\(t.name).\(c.name) holds categories, not numbers")
        }
    }

    func checkDomain(_ domain: [String], of c: ColumnSchema, in t: TableSchema) throws(PluginValidationError) {
        guard c.kind == .category else { throw fail("\(t.name).\(c.name) is not a category column") }
        guard !domain.isEmpty, Set(domain).count == domain.count else {
            throw fail("the domain must be non-empty and without repeats")
        }
        if let declared = c.domain, let extra = domain.first(where: { !declared.contains($0) }) {
            throw fail("\"\(extra)\" is not in the declared domain of \(c.name)")
        }
    }

    func checkCondition(_ condition: RowCondition, on t: TableSchema) throws(PluginValidationError) {
        switch condition {
        case .compare(let name, let op, let value):
            let c = try column(name, of: t)
            switch (c.kind, value) {
            case (.integer, .integer), (.integer, .round), (.integer, .roundPlus), (.real, .integer), (.real, .real):
                break
            case (.category, .text(let text)):
                guard op == .equal || op == .notEqual else {
                    throw fail("categories compare only with == and !=, not \(op.rawValue)")
                }
                if let domain = c.domain, !domain.contains(text) {
                    throw fail("\"\(text)\" is not in the domain of \(name)")
                }
            default:
                throw fail("column \(name) holds \(c.kind.rawValue) values; cannot compare with \(value)")
            }
        case .and(let a, let b), .or(let a, let b):
            try checkCondition(a, on: t)
            try checkCondition(b, on: t)
        case .not(let a):
            try checkCondition(a, on: t)
        case .always:
            break
        }
    }

    /// The length of `lhs op rhs`: equal lengths, or one of them 1.
    func combinedLength(_ a: Int, _ b: Int) throws(PluginValidationError) -> Int {
        guard a == b || a == 1 || b == 1 else { throw fail("vectors of \(a) and \(b) components do not combine") }
        return max(a, b)
    }

    static func clipBounds(linf: Double, length: Int) -> PluginAnalysis.Bounds {
        // √n·B rounded up one ulp, so that it stays a bound after floating-point rounding.
        PluginAnalysis.Bounds(linf: linf, l1: Double(length) * linf, l2: (Double(length).squareRoot() * linf).nextUp)
    }

    static func constantBounds(_ values: [Double]) -> PluginAnalysis.Bounds {
        let magnitudes = values.map(\.magnitude)
        let squares = magnitudes.reduce(0) { $0 + $1 * $1 }
        return PluginAnalysis.Bounds(
            linf: magnitudes.max() ?? 0, l1: magnitudes.reduce(0, +).nextUp, l2: squares.squareRoot().nextUp)
    }

    mutating func run() throws(PluginValidationError) -> PluginAnalysis {
        var channels: [PluginAnalysis.Channel] = []
        location = "node"
        guard !plugin.node.isEmpty else { throw fail("the node side is empty") }
        for (i, instruction) in plugin.node.enumerated() {
            location = "node[\(i)] (\(instruction))"
            switch instruction {
            case .load(let into, let name):
                guard let schema = plugin.inputSchema.table(named: name) else {
                    throw fail("table \(name) is not declared in the input schema")
                }
                try define(into, .table(schema))
            case .filter(let into, let from, let name, let operand):
                let t = try table(from)
                try checkCondition(.compare(column: name, op: .equal, value: operand), on: t)
                try define(into, .table(t))
            case .select(let into, let from, let condition):
                let t = try table(from)
                try checkCondition(condition, on: t)
                try define(into, .table(t))
            case .countBy(let into, let from, let name, let domain):
                let t = try table(from)
                try checkDomain(domain, of: try column(name, of: t), in: t)
                try define(into, .vector(element: .integer, length: domain.count, bounds: nil))
            case .histogram(let into, let from, let name, let lower, let upper):
                let t = try table(from)
                guard try column(name, of: t).kind == .integer else {
                    throw fail("histogram needs an integer column; \(t.name).\(name) is not one")
                }
                let (span, overflow) = upper.subtractingReportingOverflow(lower)
                guard !overflow, span >= 0, span < Int64(PluginIR.maximumVectorLength) else {
                    throw fail(
                        "the bins \(lower)...\(upper) must be increasing and at most "
                            + "\(PluginIR.maximumVectorLength) values")
                }
                try define(into, .vector(element: .integer, length: Int(span) + 1, bounds: nil))
            case .count(let into, let from):
                _ = try table(from)
                try define(into, .vector(element: .integer, length: 1, bounds: nil))
            case .sum(let into, let from, let name):
                let t = try table(from)
                let element = try numericElement(try column(name, of: t), in: t)
                try define(into, .vector(element: element, length: 1, bounds: nil))
            case .sumBy(let into, let from, let value, let by, let domain):
                let t = try table(from)
                let element = try numericElement(try column(value, of: t), in: t)
                try checkDomain(domain, of: try column(by, of: t), in: t)
                try define(into, .vector(element: element, length: domain.count, bounds: nil))
            case .vector(let into, let from, let name, let length):
                let t = try table(from)
                let element = try numericElement(try column(name, of: t), in: t)
                try define(into, .vector(element: element, length: length, bounds: nil))
            case .constant(let into, let element, let values):
                try defineConstant(into, element, values)
            case .arithmetic(let into, let op, let lhs, let rhs):
                try defineArithmetic(into, op, lhs, rhs)
            case .clipL1(let into, let from, let bound), .clipLinf(let into, let from, let bound):
                let v = try vector(from)
                guard bound > 0 else { throw fail("the clip bound must be positive") }
                let b = Double(bound)
                let clipped: PluginAnalysis.Bounds =
                    if case .clipL1 = instruction { PluginAnalysis.Bounds(linf: b, l1: b, l2: b) } else {
                        Self.clipBounds(linf: b, length: v.length)
                    }
                try define(into, .vector(element: v.element, length: v.length, bounds: clipped.intersection(v.bounds)))
            case .clipL2(let into, let from, let bound):
                let v = try vector(from)
                guard bound.isFinite, bound > 0 else { throw fail("the clip bound must be positive and finite") }
                guard v.element == .real else { throw fail("clip_l2 scales, so it needs a real vector") }
                let clipped = PluginAnalysis.Bounds(
                    linf: bound, l1: (Double(v.length).squareRoot() * bound).nextUp, l2: bound)
                try define(into, .vector(element: .real, length: v.length, bounds: clipped.intersection(v.bounds)))
            case .quantize(let into, let from, let scale):
                let v = try vector(from)
                guard scale.isFinite, scale > 0 else { throw fail("the scale must be positive and finite") }
                // |round(s·x)| ≤ s·|x| + ½ per component; an integer, so ≤ ⌊s·|x| + ½⌋.
                let bounds = v.bounds.map { b in
                    let n = Double(v.length)
                    return PluginAnalysis.Bounds(
                        linf: (scale * b.linf + 0.5).nextUp.rounded(.down),
                        l1: (scale * b.l1 + n / 2).nextUp, l2: (scale * b.l2 + n.squareRoot() / 2).nextUp)
                }
                try define(into, .vector(element: .integer, length: v.length, bounds: bounds))
            case .secureSum(let from, let channel):
                let v = try vector(from)
                guard v.element == .integer else {
                    throw fail("secure_sum sums integers; quantize the real vector first")
                }
                guard let bounds = v.bounds else {
                    throw fail(
                        "secure_sum on \(channel) sums an unclipped vector: one node could move the sum without "
                            + "bound; clip it with clip_l1 or clip_linf (or quantize a clip_l2-ed real vector)")
                }
                guard bounds.linf <= Double(PluginIR.maximumComponentBound) else {
                    throw fail(
                        "the components summed on \(channel) may reach \(bounds.linf); at most "
                            + "\(PluginIR.maximumComponentBound) fit the providers' 32-bit sums")
                }
                guard !channels.contains(where: { $0.name == channel }) else {
                    throw fail("channel \(channel) is summed twice")
                }
                channels.append(PluginAnalysis.Channel(name: channel, length: v.length, bounds: bounds))
            }
        }
        guard !channels.isEmpty else {
            location = "node"
            throw fail("the node side never calls secure_sum, so nothing leaves the node")
        }

        // The aggregator side has registers of its own.
        registers = [:]
        var consumed = Set<String>()
        var outputs: [PluginAnalysis.Output] = []
        var noise: [String: NoiseMechanism] = [:]
        location = "aggregator"
        guard !plugin.aggregator.isEmpty else { throw fail("the aggregator side is empty") }
        func channel(_ name: String) throws(PluginValidationError) -> PluginAnalysis.Channel {
            guard let found = channels.first(where: { $0.name == name }) else {
                throw fail("no node instruction sums into channel \(name)")
            }
            return found
        }
        for (i, instruction) in plugin.aggregator.enumerated() {
            location = "aggregator[\(i)] (\(instruction))"
            switch instruction {
            case .secureSum(let into, let name):
                let c = try channel(name)
                try define(into, .vector(element: .integer, length: c.length, bounds: nil))
                consumed.insert(name)
            case .noise(let into, let name, let mechanism):
                let c = try channel(name)
                if let other = noise[name], other != mechanism {
                    throw fail("channel \(name) is asked for both \(other.rawValue) and \(mechanism.rawValue) noise")
                }
                noise[name] = mechanism
                try define(into, .vector(element: .integer, length: c.length, bounds: nil))
                consumed.insert(name)
            case .contributors(let into, let name):
                _ = try channel(name)
                try define(into, .vector(element: .integer, length: 1, bounds: nil))
            case .constant(let into, let element, let values):
                try defineConstant(into, element, values)
            case .arithmetic(let into, let op, let lhs, let rhs):
                try defineArithmetic(into, op, lhs, rhs)
            case .cumulative(let into, let from, _):
                let v = try vector(from)
                try define(into, .vector(element: v.element, length: v.length, bounds: nil))
            case .dequantize(let into, let from, let scale):
                let v = try vector(from)
                guard scale.isFinite, scale > 0 else { throw fail("the scale must be positive and finite") }
                try define(into, .vector(element: .real, length: v.length, bounds: nil))
            case .element(let into, let from, let position):
                let v = try vector(from)
                guard (0..<v.length).contains(position) else {
                    throw fail("element \(position) of a vector of \(v.length) components")
                }
                try define(into, .vector(element: v.element, length: 1, bounds: nil))
            case .thresholdRelease(let from, let threshold, let output, let labels):
                guard threshold >= 0 else { throw fail("the threshold must not be negative") }
                outputs.append(try release(from, output, labels, thresholded: true, outputs: outputs))
            case .release(let from, let output, let labels):
                outputs.append(try release(from, output, labels, thresholded: false, outputs: outputs))
            }
        }
        if let unused = channels.map(\.name).first(where: { !consumed.contains($0) }) {
            location = "aggregator"
            throw fail("channel \(unused) is sent by nodes but never received")
        }
        guard !outputs.isEmpty else {
            location = "aggregator"
            throw fail("the aggregator never releases anything")
        }
        return PluginAnalysis(channels: channels, outputs: outputs, noise: noise)
    }

    mutating func defineConstant(
        _ into: Register, _ element: VectorElement, _ values: [Double]
    ) throws(PluginValidationError) {
        guard values.allSatisfy(\.isFinite) else { throw fail("a constant must be finite") }
        if element == .integer, let bad = values.first(where: { $0 != $0.rounded() || $0.magnitude > 0x1p53 }) {
            throw fail("\(bad) is not an integer constant")
        }
        try define(into, .vector(element: element, length: values.count, bounds: Self.constantBounds(values)))
    }

    mutating func defineArithmetic(
        _ into: Register, _ op: ArithmeticOperator, _ lhs: Register, _ rhs: Register
    ) throws(PluginValidationError) {
        let a = try vector(lhs), b = try vector(rhs)
        let length = try combinedLength(a.length, b.length)
        let element: VectorElement = op == .divide || a.element == .real || b.element == .real ? .real : .integer
        try define(into, .vector(element: element, length: length, bounds: nil))
    }

    func release(
        _ from: Register, _ output: String, _ labels: [String], thresholded: Bool, outputs: [PluginAnalysis.Output]
    ) throws(PluginValidationError) -> PluginAnalysis.Output {
        let v = try vector(from)
        guard labels.count == v.length else {
            throw fail("\(labels.count) labels for a vector of \(v.length) components")
        }
        guard !outputs.contains(where: { $0.name == output }) else { throw fail("output \(output) is released twice") }
        return PluginAnalysis.Output(name: output, length: v.length, element: v.element, thresholded: thresholded)
    }
}

extension PluginIR {
    /// The longest vector a program may hold (a model update of a million parameters fits).
    public static let maximumVectorLength = 1 << 20
    /// The largest per-component bound of a summed vector: the providers sum in 32 bits.
    public static let maximumComponentBound: Int64 = 1 << 30
}
