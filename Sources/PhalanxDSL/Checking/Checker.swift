import PhalanxCore

/// Checks a parsed plug-in against the language's rules (docs/dsl.md) and lowers it to the IR as it goes.
///
/// Each expression is checked and lowered in one pass: its type and length are known when the program is checked,
/// and each operation becomes an IR instruction writing a fresh register. The node part and the aggregator part
/// have separate scopes: nothing of the node part is visible on the aggregator except the channels that
/// `secure_sum` creates, which is how the rule "private data leaves a node only through secure_sum" is enforced.
/// A value's label (docs/dsl.md: private, protected, public) is therefore not stored with it: the part it lives in
/// says it — computed on the node part: private; on the aggregator: protected — and constants are public.
struct Checker {
    let source: SourceFile
    let syntax: PluginSyntax

    /// Where the statements being checked run.
    enum Part { case node, aggregator }

    /// A node-local table, possibly filtered, held in a register.
    struct TableValue {
        let register: Register
        let schema: TableSchema
        /// The name the rows are referred to by in a `where` condition (`survival` in `survival.time where …`).
        let name: String
    }

    /// A vector value: in a register, or a constant not yet written to one.
    struct VectorValue {
        var register: Register?
        var constant: [Double]?
        let element: VectorElement
        let length: Int
        /// Set by clipping (and kept by `quantize` of a clipped vector): `secure_sum` requires it.
        let bounded: Bool
    }

    enum Value {
        case table(TableValue)
        case column(TableValue, ColumnSchema)
        case vector(VectorValue)
        case range(lower: Int64, upper: Int64)
    }

    struct Binding {
        let value: Value
        let span: SourceSpan
    }

    var tables: [String: (schema: TableSchema, span: SourceSpan)] = [:]
    var inputSchema: [TableSchema] = []
    var loaded: Set<String> = []
    var nodeCode: [NodeInstruction] = []
    var aggregatorCode: [AggregatorInstruction] = []
    var temporaries = 0
    var part = Part.node
    var nodeScope: [String: Binding] = [:]
    var aggregatorScope: [String: Binding] = [:]
    /// Channels in the order the node part sums them.
    var channels: [(name: String, length: Int, span: SourceSpan)] = []
    /// How the aggregator read each channel: raw, or through `noise`.
    var channelReads: [String: (noised: NoiseMechanism?, register: Register, span: SourceSpan)] = [:]
    var outputs: Set<String> = []

    init(source: SourceFile, syntax: PluginSyntax) {
        self.source = source
        self.syntax = syntax
    }

    func error(_ code: Diagnostic.Code, _ message: String, hint: String = "", at span: SourceSpan) -> Diagnostic {
        Diagnostic(code, message, hint: hint, at: span, in: source)
    }

    // MARK: - The plug-in

    mutating func lower() throws(Diagnostic) -> PluginIR {
        try checkHeader()
        for input in syntax.inputs { try declare(input) }
        part = .node
        for statement in syntax.node.statements { try checkNode(statement) }
        guard !channels.isEmpty else {
            throw error(
                .nothingReleased, "the node part never calls secure_sum, so nothing leaves the nodes",
                hint: "hand a clipped vector to the provider: 'secure_sum clip_linf(counts, 100) as counts'",
                at: syntax.node.keyword)
        }
        part = .aggregator
        for statement in syntax.aggregator.statements { try checkAggregator(statement) }
        if let unread = channels.first(where: { channelReads[$0.name] == nil }) {
            throw error(
                .unknownName, "channel '\(unread.name)' is summed by the nodes but the aggregator never reads it",
                hint: "use '\(unread.name)' in the aggregator part, or remove the secure_sum", at: unread.span)
        }
        guard !outputs.isEmpty else {
            throw error(
                .nothingReleased, "the aggregator part releases nothing",
                hint: "publish a result with 'release VALUE as \"NAME\"'", at: syntax.aggregator.keyword)
        }
        return PluginIR(
            name: syntax.name.value, version: syntax.version.value, inputSchema: InputSchema(tables: inputSchema),
            node: nodeCode, aggregator: aggregatorCode)
    }

    func checkHeader() throws(Diagnostic) {
        let name = syntax.name.value
        guard !name.isEmpty, name.count <= 64,
            name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
        else {
            throw error(
                .invalidDomain, "a plug-in name is 1 to 64 lowercase letters, digits and '-'",
                hint: "e.g. plugin \"kaplan-meier\"", at: syntax.name.span)
        }
        let parts = syntax.version.value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy(\.isASCII) && Int($0) != nil })
        else {
            throw error(
                .invalidDomain, "a plug-in version is MAJOR.MINOR.PATCH", hint: "e.g. version \"1.0.0\"",
                at: syntax.version.span)
        }
    }

    mutating func declare(_ input: InputSyntax) throws(Diagnostic) {
        if let earlier = tables[input.name.name] {
            let at = source.position(of: earlier.span.lowerBound)
            throw error(
                .duplicateName, "input '\(input.name.name)' is declared twice (first at \(at.line):\(at.column))",
                at: input.name.span)
        }
        guard !input.columns.isEmpty else {
            throw error(.invalidDomain, "input '\(input.name.name)' has no columns", at: input.name.span)
        }
        var columns: [ColumnSchema] = []
        for column in input.columns {
            if columns.contains(where: { $0.name == column.name.name }) {
                throw error(
                    .duplicateName, "column '\(column.name.name)' appears twice in input '\(input.name.name)'",
                    at: column.name.span)
            }
            switch column.kind {
            case .integer(let range):
                let (lower, upper) = try integerBounds(range)
                columns.append(
                    ColumnSchema(name: column.name.name, kind: .integer, minimum: Double(lower), maximum: Double(upper))
                )
            case .real(let range):
                var minimum: Double?, maximum: Double?
                if let range {
                    guard range.inclusive else {
                        throw error(
                            .invalidRange, "a real range is inclusive", hint: "write \(range.lower.text)..=…",
                            at: range.span)
                    }
                    guard range.lower.value <= range.upper.value else {
                        throw error(
                            .invalidRange, "the range is empty: its lower end is above its upper end", at: range.span)
                    }
                    (minimum, maximum) = (range.lower.value, range.upper.value)
                }
                columns.append(ColumnSchema(name: column.name.name, kind: .real, minimum: minimum, maximum: maximum))
            case .category(let values):
                var seen = Set<String>()
                for value in values {
                    guard !value.value.isEmpty else {
                        throw error(.invalidDomain, "a category value cannot be empty", at: value.span)
                    }
                    guard seen.insert(value.value).inserted else {
                        throw error(.duplicateName, "\"\(value.value)\" appears twice in the domain", at: value.span)
                    }
                }
                guard !values.isEmpty else {
                    throw error(.invalidDomain, "a category needs at least one value", at: column.name.span)
                }
                columns.append(ColumnSchema(name: column.name.name, kind: .category, domain: values.map(\.value)))
            }
        }
        let schema = TableSchema(name: input.name.name, columns: columns)
        tables[input.name.name] = (schema, input.name.span)
        inputSchema.append(schema)
    }

    /// The inclusive integer bounds of `range`.
    func integerBounds(_ range: RangeSyntax) throws(Diagnostic) -> (Int64, Int64) {
        guard let lower = range.lower.integer, var upper = range.upper.integer else {
            throw error(.invalidRange, "an integer range needs integer ends", at: range.span)
        }
        if !range.inclusive {
            let (below, overflow) = upper.subtractingReportingOverflow(1)
            guard !overflow else { throw error(.invalidRange, "the range is empty", at: range.span) }
            upper = below
        }
        guard lower <= upper else {
            throw error(.invalidRange, "the range is empty: its lower end is above its upper end", at: range.span)
        }
        return (lower, upper)
    }

    // MARK: - Statements

    mutating func checkNode(_ statement: StatementSyntax) throws(Diagnostic) {
        switch statement.kind {
        case .binding(let name, let value):
            try bind(name, try check(value))
        case .secureSum(let value, let channel):
            let checked = try check(value)
            let vector = try contribution(checked, at: value.span)
            if channels.contains(where: { $0.name == channel.name }) {
                throw error(.duplicateName, "channel '\(channel.name)' is summed twice", at: channel.span)
            }
            nodeCode.append(.secureSum(from: register(vector), channel: channel.name))
            channels.append((channel.name, vector.length, channel.span))
        case .release, .thresholdRelease:
            throw error(
                .privateDataLeaves,
                "the node part cannot release: node-private data leaves a node only through secure_sum",
                hint: "hand the value to the provider with 'secure_sum VALUE as NAME' and release the sum in the "
                    + "aggregator part", at: statement.keyword)
        }
    }

    /// The vector `value` as `secure_sum` accepts it, or a diagnostic saying why it cannot leave the node.
    func contribution(_ value: Value, at span: SourceSpan) throws(Diagnostic) -> VectorValue {
        switch value {
        case .table(let t):
            throw error(
                .privateDataLeaves, "secure_sum sums numbers; '\(t.name)' is a table of raw rows",
                hint: "aggregate it first (count, histogram, count_by, …) and clip the result", at: span)
        case .column(let t, let c):
            throw error(
                .privateDataLeaves, "secure_sum sums numbers; '\(t.name).\(c.name)' is a column of raw values",
                hint: "aggregate it first (histogram, sum, count_by, vector(…, length: n)) and clip the result",
                at: span)
        case .range:
            throw error(.typeMismatch, "secure_sum needs a vector", at: span)
        case .vector(let v):
            guard v.element == .integer else {
                throw error(
                    .typeMismatch, "secure_sum sums integers; this is a vector of reals",
                    hint: "clip it with clip_l2 and turn it into integers with quantize(…, scale: S)", at: span)
            }
            guard v.bounded || v.constant != nil else {
                throw error(
                    .unboundedContribution,
                    "secure_sum needs a bounded vector: nothing limits how much one node adds to this sum",
                    hint: "wrap it in clip_linf(…, B) or clip_l1(…, B) (or quantize a clip_l2-ed real vector); the "
                        + "bound is the sensitivity the DP providers calibrate to and keeps the secure sum from wrapping",
                    at: span)
            }
            return v
        }
    }

    mutating func checkAggregator(_ statement: StatementSyntax) throws(Diagnostic) {
        switch statement.kind {
        case .binding(let name, let value):
            try bind(name, try check(value))
        case .secureSum:
            throw error(
                .misplacedStatement,
                "secure_sum belongs in the node part: it is where a node's data enters the provider",
                hint: "the aggregator reads the sum by the channel's name", at: statement.keyword)
        case .release(let value, let name, let labels):
            let vector = try releasable(try check(value), at: value.span)
            let names = try labelNames(labels, length: vector.length, at: value.span)
            try claim(name)
            aggregatorCode.append(.release(from: register(vector), output: name.value, labels: names))
        case .thresholdRelease(let value, let threshold, let name, let labels):
            let vector = try releasable(try check(value), at: value.span)
            let k = try constantNumber(threshold, what: "the threshold")
            guard k >= 0, k == k.rounded(), let integer = Int64(exactly: k) else {
                throw error(.typeMismatch, "the threshold is a whole number ≥ 0", at: threshold.span)
            }
            let names = try labelNames(labels, length: vector.length, at: value.span)
            try claim(name)
            aggregatorCode.append(
                .thresholdRelease(from: register(vector), threshold: integer, output: name.value, labels: names))
        }
    }

    mutating func claim(_ name: StringLiteral) throws(Diagnostic) {
        guard !name.value.isEmpty else { throw error(.invalidDomain, "an output needs a name", at: name.span) }
        guard outputs.insert(name.value).inserted else {
            throw error(.duplicateName, "output \"\(name.value)\" is released twice", at: name.span)
        }
    }

    mutating func releasable(_ value: Value, at span: SourceSpan) throws(Diagnostic) -> VectorValue {
        guard case .vector(var v) = value else {
            throw error(.typeMismatch, "release publishes a vector of numbers", at: span)
        }
        if v.register == nil { v.register = materialize(v) }
        return v
    }

    func labelNames(_ labels: LabelsSyntax?, length: Int, at span: SourceSpan) throws(Diagnostic) -> [String] {
        let names: [String]
        let where_: SourceSpan
        switch labels {
        case nil:
            return (0..<length).map(String.init)
        case .range(let range):
            let (lower, upper) = try integerBounds(range)
            guard upper - lower < Int64(PluginIR.maximumVectorLength) else {
                throw error(.invalidRange, "too many labels", at: range.span)
            }
            names = (lower...upper).map(String.init)
            where_ = range.span
        case .strings(let strings, let listSpan):
            names = strings.map(\.value)
            where_ = listSpan
        case .column(let table, let column):
            guard let schema = tables[table.name]?.schema else {
                throw error(.unknownName, "no input named '\(table.name)'", at: table.span)
            }
            guard let c = schema.column(named: column.name) else {
                throw error(.unknownName, "input '\(table.name)' has no column '\(column.name)'", at: column.span)
            }
            switch c.kind {
            case .category: names = c.domain ?? []
            case .integer:
                guard let lo = c.minimum, let hi = c.maximum else { names = []; break }
                names = (Int64(lo)...Int64(hi)).map(String.init)
            case .real:
                throw error(.typeMismatch, "a real column has no finite set of labels", at: column.span)
            }
            where_ = table.span.union(column.span)
        }
        guard names.count == length else {
            throw error(
                .lengthMismatch, "\(names.count) labels for a vector of \(length) values",
                hint: "give one label per value", at: where_)
        }
        return names
    }

    mutating func bind(_ name: Identifier, _ value: Value) throws(Diagnostic) {
        let scope = part == .node ? nodeScope : aggregatorScope
        if let earlier = scope[name.name] {
            let at = source.position(of: earlier.span.lowerBound)
            throw error(
                .duplicateName, "'\(name.name)' is already defined (at \(at.line):\(at.column))",
                hint: "choose another name", at: name.span)
        }
        if tables[name.name] != nil {
            throw error(.duplicateName, "'\(name.name)' is the name of an input", at: name.span)
        }
        if part == .aggregator, channels.contains(where: { $0.name == name.name }) {
            throw error(.duplicateName, "'\(name.name)' is the name of a channel", at: name.span)
        }
        var bound = value
        if case .vector(var v) = value, v.register == nil, v.constant == nil {
            v.register = materialize(v)
            bound = .vector(v)
        }
        switch part {
        case .node: nodeScope[name.name] = Binding(value: bound, span: name.span)
        case .aggregator: aggregatorScope[name.name] = Binding(value: bound, span: name.span)
        }
    }

    // MARK: - Registers

    func isChannel(_ name: String) -> Bool {
        part == .aggregator && channels.contains { $0.name == name } && aggregatorScope[name] == nil
    }

    mutating func readNoised(_ channel: Identifier, mechanism: NoiseMechanism) throws(Diagnostic) -> VectorValue {
        try readChannel(channel.name, noise: mechanism, at: channel.span)
    }

    mutating func temporary() -> Register {
        temporaries += 1
        return "t.\(temporaries)"
    }

    /// The register holding `v`, writing a constant into one first.
    mutating func register(_ v: VectorValue) -> Register {
        v.register ?? materialize(v)
    }

    mutating func materialize(_ v: VectorValue) -> Register {
        if let register = v.register { return register }
        let into = temporary()
        let values = v.constant ?? []
        switch part {
        case .node: nodeCode.append(.constant(into: into, element: v.element, values: values))
        case .aggregator: aggregatorCode.append(.constant(into: into, element: v.element, values: values))
        }
        return into
    }

    mutating func load(_ name: String) -> Register {
        if loaded.insert(name).inserted { nodeCode.append(.load(into: name, table: name)) }
        return name
    }

    // MARK: - Expressions

    mutating func check(_ expression: ExpressionSyntax) throws(Diagnostic) -> Value {
        switch expression.kind {
        case .number(let literal):
            let element: VectorElement = literal.integer != nil ? .integer : .real
            return .vector(
                VectorValue(constant: [literal.value], element: element, length: 1, bounded: true))
        case .string(let literal):
            throw error(
                .typeMismatch, "a string is only a category value in a where condition, or a label",
                at: literal.span)
        case .boolean:
            throw error(.typeMismatch, "true and false are only used in where conditions", at: expression.span)
        case .round:
            throw error(
                .typeMismatch, "round is only used in where conditions (e.g. t.day <= round)", at: expression.span)
        case .name(let identifier):
            return try resolve(identifier)
        case .column(let table, let column):
            let value = try resolve(table)
            guard case .table(let t) = value else {
                throw error(.typeMismatch, "'\(table.name)' is not a table", at: table.span)
            }
            guard let c = t.schema.column(named: column.name) else {
                throw error(
                    .unknownName, "input '\(t.schema.name)' has no column '\(column.name)'",
                    hint: "its columns: \(t.schema.columns.map(\.name).joined(separator: ", "))", at: column.span)
            }
            return .column(t, c)
        case .call(let function, let arguments):
            return try call(function, arguments, at: expression.span)
        case .vector(let elements):
            guard !elements.isEmpty else { throw error(.typeMismatch, "an empty vector", at: expression.span) }
            var values: [Double] = []
            var integer = true
            for element in elements {
                values.append(try constantNumber(element, what: "an element of a vector literal"))
                if case .number(let literal) = element.kind, literal.integer == nil { integer = false }
                if case .unary(.negate, let inner, _) = element.kind, case .number(let literal) = inner.kind,
                    literal.integer == nil
                {
                    integer = false
                }
            }
            return .vector(
                VectorValue(
                    constant: values, element: integer ? .integer : .real, length: values.count, bounded: true))
        case .unary(.negate, let operand, _):
            let inner = try vector(try check(operand), at: operand.span, for: "'-'")
            if let constant = inner.constant {
                return .vector(
                    VectorValue(
                        constant: constant.map { -$0 }, element: inner.element, length: inner.length, bounded: true))
            }
            let minusOne = VectorValue(
                constant: [-1], element: .integer, length: 1, bounded: true)
            return .vector(try arithmetic(.multiply, minusOne, inner, at: expression.span))
        case .unary(.not, _, let operatorSpan):
            throw error(.typeMismatch, "'not' is only used in where conditions", at: operatorSpan)
        case .binary(let op, let lhs, let rhs, let operatorSpan):
            let arithmeticOperator: ArithmeticOperator
            switch op {
            case .add: arithmeticOperator = .add
            case .subtract: arithmeticOperator = .subtract
            case .multiply: arithmeticOperator = .multiply
            case .divide: arithmeticOperator = .divide
            default:
                throw error(
                    .typeMismatch, "'\(op.rawValue)' gives a condition, which is only used after 'where'",
                    at: operatorSpan)
            }
            let a = try vector(try check(lhs), at: lhs.span, for: "'\(op.rawValue)'")
            let b = try vector(try check(rhs), at: rhs.span, for: "'\(op.rawValue)'")
            return .vector(try arithmetic(arithmeticOperator, a, b, at: expression.span))
        case .filter(let value, let condition, let whereSpan):
            return try filter(value, condition, whereSpan: whereSpan)
        case .index(let value, let position):
            guard part == .aggregator else {
                throw error(.typeMismatch, "indexing is only on the aggregator", at: expression.span)
            }
            let v = try vector(try check(value), at: value.span, for: "indexing")
            let i = try constantNumber(position, what: "an index")
            guard i == i.rounded(), i >= 0, i < Double(v.length) else {
                throw error(
                    .lengthMismatch, "index \(i) is outside a vector of \(v.length) values (0…\(v.length - 1))",
                    at: position.span)
            }
            let into = temporary()
            aggregatorCode.append(.element(into: into, from: register(v), position: Int(i)))
            return .vector(
                VectorValue(register: into, element: v.element, length: 1, bounded: false))
        case .range(let range):
            let (lower, upper) = try integerBounds(range)
            return .range(lower: lower, upper: upper)
        }
    }

    /// What `identifier` names in the current part.
    mutating func resolve(_ identifier: Identifier) throws(Diagnostic) -> Value {
        let name = identifier.name
        switch part {
        case .node:
            if let binding = nodeScope[name] {
                // A table bound to a name is referred to by that name in its where conditions: `window.day`.
                if case .table(let t) = binding.value {
                    return .table(TableValue(register: t.register, schema: t.schema, name: name))
                }
                return binding.value
            }
            if let table = tables[name] {
                return .table(TableValue(register: load(name), schema: table.schema, name: name))
            }
        case .aggregator:
            if let binding = aggregatorScope[name] { return binding.value }
            if let channel = channels.first(where: { $0.name == name }) {
                return .vector(try readChannel(channel.name, noise: nil, at: identifier.span))
            }
            if tables[name] != nil {
                throw error(
                    .privateDataLeaves, "input '\(name)' exists only on the nodes: its rows never leave them",
                    hint: "aggregate it in the node part and send the result with secure_sum", at: identifier.span)
            }
            if nodeScope[name] != nil {
                throw error(
                    .privateDataLeaves, "'\(name)' is node-private and does not exist on the aggregator",
                    hint: "send it with 'secure_sum \(name) as \(name)' in the node part and use the sum here",
                    at: identifier.span)
            }
        }
        throw error(.unknownName, "nothing is named '\(name)' here", at: identifier.span)
    }

    /// The aggregator's register for the sum on `channel`, read raw or through `noise`.
    mutating func readChannel(
        _ channel: String, noise: NoiseMechanism?, at span: SourceSpan
    ) throws(Diagnostic) -> VectorValue {
        let length = channels.first { $0.name == channel }!.length
        if let read = channelReads[channel] {
            guard read.noised == noise else {
                let at = source.position(of: read.span.lowerBound)
                throw error(
                    .noiseNotOnSum,
                    "channel '\(channel)' is read both with and without noise (first at \(at.line):\(at.column))",
                    hint: "read it through the same noise(…) everywhere, so no un-noised sum is released",
                    at: span)
            }
            return VectorValue(
                register: read.register, element: .integer, length: length, bounded: false)
        }
        let into = noise == nil ? channel : "noised.\(channel)"
        if let noise {
            aggregatorCode.append(.noise(into: into, channel: channel, mechanism: noise))
        } else {
            aggregatorCode.append(.secureSum(into: into, channel: channel))
        }
        channelReads[channel] = (noise, into, span)
        return VectorValue(register: into, element: .integer, length: length, bounded: false)
    }

    func vector(_ value: Value, at span: SourceSpan, for what: String) throws(Diagnostic) -> VectorValue {
        switch value {
        case .vector(let v): return v
        case .table(let t):
            throw error(
                .typeMismatch, "\(what) needs numbers; '\(t.name)' is a table",
                hint: "aggregate it: count(…), histogram(…), count_by(…), …", at: span)
        case .column(let t, let c):
            throw error(
                .typeMismatch, "\(what) needs a vector; '\(t.name).\(c.name)' is a column",
                hint: "aggregate it: sum(…), histogram(…), count_by(…), vector(…, length: n)", at: span)
        case .range:
            throw error(.typeMismatch, "\(what) needs numbers, not a range", at: span)
        }
    }

    /// `a op b`, element by element; constants fold.
    mutating func arithmetic(
        _ op: ArithmeticOperator, _ a: VectorValue, _ b: VectorValue, at span: SourceSpan
    ) throws(Diagnostic) -> VectorValue {
        guard a.length == b.length || a.length == 1 || b.length == 1 else {
            throw error(
                .lengthMismatch, "vectors of \(a.length) and \(b.length) values do not combine",
                hint: "operands have the same length, or one of them has a single value", at: span)
        }
        let element: VectorElement = op == .divide || a.element == .real || b.element == .real ? .real : .integer
        let length = max(a.length, b.length)
        let into = temporary()
        let lhs = register(a), rhs = register(b)
        switch part {
        case .node: nodeCode.append(.arithmetic(into: into, op: op, lhs: lhs, rhs: rhs))
        case .aggregator: aggregatorCode.append(.arithmetic(into: into, op: op, lhs: lhs, rhs: rhs))
        }
        return VectorValue(
            register: into, element: element, length: length, bounded: false)
    }

    /// A number known when the program is checked: a literal, possibly negated.
    func constantNumber(_ expression: ExpressionSyntax, what: String) throws(Diagnostic) -> Double {
        switch expression.kind {
        case .number(let literal): return literal.value
        case .unary(.negate, let inner, _): return -(try constantNumber(inner, what: what))
        default:
            throw error(.typeMismatch, "\(what) must be a number written in the plug-in", at: expression.span)
        }
    }
}
