import PhalanxCore

extension Checker {
    /// The functions of the language, by the part they run in (docs/dsl.md, "Operations").
    static let nodeFunctions = [
        "count", "sum", "histogram", "count_by", "sum_by", "vector", "clip_l1", "clip_linf", "clip_l2", "quantize",
        "min", "max", "clamp",
    ]
    static let aggregatorFunctions = [
        "noise", "contributors", "cumsum", "reverse_cumsum", "cumprod", "dequantize", "min", "max", "clamp",
    ]

    mutating func call(
        _ function: Identifier, _ arguments: [ArgumentSyntax], at span: SourceSpan
    ) throws(Diagnostic) -> Value {
        let name = function.name
        let here = part == .node ? Self.nodeFunctions : Self.aggregatorFunctions
        guard here.contains(name) else {
            let other = part == .node ? Self.aggregatorFunctions : Self.nodeFunctions
            if other.contains(name) {
                throw error(
                    .unknownFunction,
                    "\(name) runs in the \(part == .node ? "aggregator" : "node") part, not in the "
                        + "\(part == .node ? "node" : "aggregator") part",
                    at: function.span)
            }
            throw error(
                .unknownFunction, "there is no function '\(name)'",
                hint: "functions here: \(here.joined(separator: ", "))", at: function.span)
        }
        var call = Call(checker: self, function: function, arguments: arguments, span: span)
        defer { self = call.checker }
        return try call.evaluate()
    }
}

/// One call being checked: its arguments by position and label, and what each function makes of them.
private struct Call {
    var checker: Checker
    let function: Identifier
    let arguments: [ArgumentSyntax]
    let span: SourceSpan

    var name: String { function.name }

    func fail(_ message: String, hint: String = "", at where_: SourceSpan? = nil) -> Diagnostic {
        checker.error(.wrongArguments, message, hint: hint, at: where_ ?? span)
    }

    /// Checks the argument list against `positional` names and `labelled` ones.
    func expect(_ positional: Int, labelled: [String] = [], usage: String) throws(Diagnostic) {
        let unlabelled = arguments.filter { $0.label == nil }
        let labels = arguments.compactMap(\.label)
        guard unlabelled.count == positional, Set(labels.map(\.name)) == Set(labelled), labels.count == labelled.count,
            arguments.prefix(positional).allSatisfy({ $0.label == nil })
        else { throw fail("\(name) takes \(usage)", hint: "e.g. \(usage)") }
    }

    func argument(_ label: String) -> ArgumentSyntax {
        arguments.first { $0.label?.name == label }!
    }

    mutating func value(_ index: Int) throws(Diagnostic) -> Checker.Value {
        try checker.check(arguments[index].value)
    }

    mutating func vector(_ index: Int) throws(Diagnostic) -> Checker.VectorValue {
        let value = try self.value(index)
        guard case .vector(let v) = value else {
            throw fail("the argument of \(name) must be a vector of numbers", at: arguments[index].value.span)
        }
        return v
    }

    mutating func column(_ index: Int) throws(Diagnostic) -> (Checker.TableValue, ColumnSchema) {
        let value = try self.value(index)
        guard case .column(let t, let c) = value else {
            throw fail(
                "\(name) takes a column of an input, written table.column", at: arguments[index].value.span)
        }
        return (t, c)
    }

    func positiveConstant(_ argument: ArgumentSyntax, integer: Bool) throws(Diagnostic) -> Double {
        let value = try checker.constantNumber(
            argument.value, what: "the \(argument.label?.name ?? "bound") of \(name)")
        guard value > 0, value.isFinite, !integer || value == value.rounded() else {
            throw fail(
                "the \(argument.label?.name ?? "bound") of \(name) must be a positive \(integer ? "whole " : "")number",
                at: argument.value.span)
        }
        return value
    }

    mutating func emit(_ instruction: NodeInstruction) { checker.nodeCode.append(instruction) }
    mutating func emit(_ instruction: AggregatorInstruction) { checker.aggregatorCode.append(instruction) }
    mutating func fresh() -> Register { checker.temporary() }

    func result(
        _ register: Register, _ element: VectorElement, _ length: Int, bounded: Bool = false
    ) -> Checker.Value {
        .vector(
            Checker.VectorValue(register: register, element: element, length: length, bounded: bounded))
    }

    mutating func evaluate() throws(Diagnostic) -> Checker.Value {
        switch name {
        case "count":
            try expect(1, usage: "count(table)")
            guard case .table(let t) = try value(0) else {
                throw fail("count takes a table (its rows are counted)", at: arguments[0].value.span)
            }
            let into = fresh()
            emit(.count(into: into, from: t.register))
            return result(into, .integer, 1)
        case "sum":
            try expect(1, usage: "sum(table.column)")
            let (t, c) = try column(0)
            guard c.kind != .category else { throw fail("sum needs a numeric column; \(c.name) holds categories") }
            let into = fresh()
            emit(.sum(into: into, from: t.register, column: c.name))
            return result(into, c.kind == .real ? .real : .integer, 1)
        case "histogram":
            let hasBins = arguments.contains { $0.label?.name == "bins" }
            try expect(1, labelled: hasBins ? ["bins"] : [], usage: "histogram(table.column, bins: 0..=80)")
            let (t, c) = try column(0)
            guard c.kind == .integer else {
                throw fail("histogram counts an integer column; \(c.name) holds \(c.kind.rawValue) values")
            }
            var lower: Int64, upper: Int64
            if hasBins {
                guard case .range(let lo, let hi) = try checker.check(argument("bins").value) else {
                    throw fail("bins is a range such as 0..=80", at: argument("bins").value.span)
                }
                (lower, upper) = (lo, hi)
            } else {
                guard let lo = c.minimum, let hi = c.maximum else {
                    throw fail("\(c.name) has no declared range; give the bins", hint: "histogram(t.c, bins: 0..=80)")
                }
                (lower, upper) = (Int64(lo), Int64(hi))
            }
            guard upper - lower < Int64(PluginIR.maximumVectorLength) else {
                throw fail("too many bins (at most \(PluginIR.maximumVectorLength))")
            }
            let into = fresh()
            emit(.histogram(into: into, from: t.register, column: c.name, lower: lower, upper: upper))
            return result(into, .integer, Int(upper - lower) + 1)
        case "count_by":
            try expect(1, usage: "count_by(table.column)")
            let (t, c) = try column(0)
            guard c.kind == .category, let domain = c.domain else {
                throw fail("count_by groups by a category column; \(c.name) holds \(c.kind.rawValue) values")
            }
            let into = fresh()
            emit(.countBy(into: into, from: t.register, column: c.name, domain: domain))
            return result(into, .integer, domain.count)
        case "sum_by":
            try expect(2, usage: "sum_by(table.value, table.category)")
            let (t, v) = try column(0)
            let (other, c) = try column(1)
            guard t.register == other.register else {
                throw fail("sum_by needs both columns from the same rows", at: arguments[1].value.span)
            }
            guard v.kind != .category else { throw fail("sum_by sums a numeric column; \(v.name) holds categories") }
            guard c.kind == .category, let domain = c.domain else {
                throw fail("sum_by groups by a category column", at: arguments[1].value.span)
            }
            let into = fresh()
            emit(.sumBy(into: into, from: t.register, value: v.name, by: c.name, domain: domain))
            return result(into, v.kind == .real ? .real : .integer, domain.count)
        case "vector":
            try expect(1, labelled: ["length"], usage: "vector(table.column, length: 16)")
            let (t, c) = try column(0)
            guard c.kind != .category else { throw fail("vector reads a numeric column; \(c.name) holds categories") }
            let length = try positiveConstant(argument("length"), integer: true)
            guard length <= Double(PluginIR.maximumVectorLength) else {
                throw fail("a vector has at most \(PluginIR.maximumVectorLength) values")
            }
            let into = fresh()
            emit(.vector(into: into, from: t.register, column: c.name, length: Int(length)))
            return result(into, c.kind == .real ? .real : .integer, Int(length))
        case "clip_l1", "clip_linf":
            try expect(2, usage: "\(name)(vector, bound)")
            let v = try vector(0)
            let bound = try positiveConstant(arguments[1], integer: true)
            guard let b = Int64(exactly: bound), b <= PluginIR.maximumComponentBound else {
                throw fail("the bound must be at most \(PluginIR.maximumComponentBound)", at: arguments[1].value.span)
            }
            let from = checker.register(v)
            let into = fresh()
            emit(
                name == "clip_l1"
                    ? .clipL1(into: into, from: from, bound: b) : .clipLinf(into: into, from: from, bound: b))
            return result(into, v.element, v.length, bounded: true)
        case "clip_l2":
            try expect(2, usage: "clip_l2(vector, bound)")
            let v = try vector(0)
            guard v.element == .real else {
                throw fail("clip_l2 scales, so it takes a vector of reals; use clip_l1 or clip_linf on integers")
            }
            let bound = try positiveConstant(arguments[1], integer: false)
            let from = checker.register(v)
            let into = fresh()
            emit(.clipL2(into: into, from: from, bound: bound))
            return result(into, .real, v.length, bounded: true)
        case "quantize":
            try expect(1, labelled: ["scale"], usage: "quantize(vector, scale: 4096)")
            let v = try vector(0)
            let scale = try positiveConstant(argument("scale"), integer: false)
            let from = checker.register(v)
            let into = fresh()
            emit(.quantize(into: into, from: from, scale: scale))
            return result(into, .integer, v.length, bounded: v.bounded)
        case "min", "max":
            try expect(2, usage: "\(name)(a, b)")
            let a = try vector(0), b = try vector(1)
            return .vector(try checker.arithmetic(name == "min" ? .minimum : .maximum, a, b, at: span))
        case "clamp":
            try expect(3, usage: "clamp(vector, low, high)")
            let v = try vector(0), low = try vector(1), high = try vector(2)
            let capped = try checker.arithmetic(.minimum, v, high, at: span)
            return .vector(try checker.arithmetic(.maximum, capped, low, at: span))
        case "noise":
            try expect(1, labelled: ["mechanism"], usage: "noise(channel, mechanism: laplace)")
            guard case .name(let channel) = arguments[0].value.kind, checker.isChannel(channel.name) else {
                throw checker.error(
                    .noiseNotOnSum, "noise applies to a sum as the nodes sent it: a channel name",
                    hint: "its sensitivity is known only there; e.g. noise(counts, mechanism: laplace)",
                    at: arguments[0].value.span)
            }
            let mechanismArgument = argument("mechanism").value
            guard case .name(let word) = mechanismArgument.kind, let mechanism = NoiseMechanism(rawValue: word.name)
            else {
                throw fail(
                    "mechanism is laplace or gaussian", hint: "e.g. noise(counts, mechanism: laplace)",
                    at: mechanismArgument.span)
            }
            return .vector(try checker.readNoised(channel, mechanism: mechanism))
        case "contributors":
            try expect(1, usage: "contributors(channel)")
            guard case .name(let channel) = arguments[0].value.kind, checker.isChannel(channel.name) else {
                throw fail("contributors takes a channel name", at: arguments[0].value.span)
            }
            let into = fresh()
            emit(.contributors(into: into, channel: channel.name))
            return result(into, .integer, 1)
        case "cumsum", "reverse_cumsum", "cumprod":
            try expect(1, usage: "\(name)(vector)")
            let v = try vector(0)
            let kind: CumulativeKind = name == "cumsum" ? .sum : name == "cumprod" ? .product : .reverseSum
            let from = checker.register(v)
            let into = fresh()
            emit(.cumulative(into: into, from: from, kind: kind))
            return result(into, v.element, v.length)
        case "dequantize":
            try expect(1, labelled: ["scale"], usage: "dequantize(vector, scale: 4096)")
            let v = try vector(0)
            let scale = try positiveConstant(argument("scale"), integer: false)
            let from = checker.register(v)
            let into = fresh()
            emit(.dequantize(into: into, from: from, scale: scale))
            return result(into, .real, v.length)
        default:
            throw checker.error(.unknownFunction, "there is no function '\(name)'", at: function.span)
        }
    }
}
